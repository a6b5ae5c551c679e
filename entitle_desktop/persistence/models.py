"""SQLAlchemy tables of a workspace (typed 2.0 declarative mapping).

One table per record type of ``domain.records``. A reference between metadata records is
both a foreign key (what it resolved to, case-insensitively when needed, or a placeholder)
and the name exactly as the file wrote it (``*_name``), so exports write it back unchanged.
Every record keeps its Salesforce external key (the Id for data records, the name for metadata records). Lists the model
does not know (``unknown``), ``xml_times`` and ``custom_fields`` are JSON text columns.
Ordered children carry a ``position``. The schema is created only by the Alembic
migrations in ``persistence/migrations``; a test compares them with this module.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _data_fk(target: str, ondelete: str = "SET NULL") -> ForeignKey:
    """A reference between data records, checked at commit so bulk loads may come in any order."""
    return ForeignKey(target, ondelete=ondelete, deferrable=True, initially="DEFERRED")


def _fk(target: str, ondelete: str = "CASCADE") -> ForeignKey:
    return ForeignKey(target, ondelete=ondelete)


# --------------------------------------------------------------------------- data records


class AccountRow(Base):
    __tablename__ = "account"
    id: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    parent_id: Mapped[str | None] = mapped_column(_data_fk("account.id"), index=True)
    custom_fields: Mapped[str | None] = mapped_column(Text)


class ContactRow(Base):
    __tablename__ = "contact"
    id: Mapped[str] = mapped_column(String(18), primary_key=True)
    last_name: Mapped[str] = mapped_column(String(80))
    first_name: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(80))
    account_id: Mapped[str | None] = mapped_column(_data_fk("account.id"), index=True)
    custom_fields: Mapped[str | None] = mapped_column(Text)


class ProductRow(Base):
    __tablename__ = "product"
    id: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    product_code: Mapped[str | None] = mapped_column(String(255), index=True)
    custom_fields: Mapped[str | None] = mapped_column(Text)


class AssetRow(Base):
    __tablename__ = "asset"
    id: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    serial_number: Mapped[str | None] = mapped_column(String(80))
    account_id: Mapped[str | None] = mapped_column(_data_fk("account.id"), index=True)
    contact_id: Mapped[str | None] = mapped_column(_data_fk("contact.id"), index=True)
    product_id: Mapped[str | None] = mapped_column(_data_fk("product.id"), index=True)
    install_date: Mapped[date | None] = mapped_column(Date)
    usage_end_date: Mapped[date | None] = mapped_column(Date)
    custom_fields: Mapped[str | None] = mapped_column(Text)


class ServiceContractRow(Base):
    __tablename__ = "service_contract"
    id: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    account_id: Mapped[str | None] = mapped_column(_data_fk("account.id"), index=True)
    contact_id: Mapped[str | None] = mapped_column(_data_fk("contact.id"), index=True)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    term: Mapped[int | None] = mapped_column(Integer)
    approval_status: Mapped[str | None] = mapped_column(String(40))
    parent_service_contract_id: Mapped[str | None] = mapped_column(
        _data_fk("service_contract.id"), index=True
    )
    root_service_contract_id: Mapped[str | None] = mapped_column(
        _data_fk("service_contract.id"), index=True
    )
    custom_fields: Mapped[str | None] = mapped_column(Text)


class ContractLineItemRow(Base):
    __tablename__ = "contract_line_item"
    id: Mapped[str] = mapped_column(String(18), primary_key=True)
    service_contract_id: Mapped[str] = mapped_column(
        _data_fk("service_contract.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[str | None] = mapped_column(_data_fk("product.id"), index=True)
    asset_id: Mapped[str | None] = mapped_column(_data_fk("asset.id"), index=True)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    quantity: Mapped[float | None] = mapped_column(Float)
    parent_contract_line_item_id: Mapped[str | None] = mapped_column(
        _data_fk("contract_line_item.id"), index=True
    )
    root_contract_line_item_id: Mapped[str | None] = mapped_column(
        _data_fk("contract_line_item.id"), index=True
    )
    custom_fields: Mapped[str | None] = mapped_column(Text)


class EntitlementRow(Base):
    __tablename__ = "entitlement"
    id: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    account_id: Mapped[str] = mapped_column(_data_fk("account.id", ondelete="CASCADE"), index=True)
    asset_id: Mapped[str | None] = mapped_column(_data_fk("asset.id"), index=True)
    service_contract_id: Mapped[str | None] = mapped_column(
        _data_fk("service_contract.id"), index=True
    )
    contract_line_item_id: Mapped[str | None] = mapped_column(
        _data_fk("contract_line_item.id"), index=True
    )
    type: Mapped[str | None] = mapped_column(String(80))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    business_hours: Mapped[str | None] = mapped_column(String(80))
    sla_process: Mapped[str | None] = mapped_column(String(120))
    sla_process_version: Mapped[int | None] = mapped_column(Integer)
    is_per_incident: Mapped[bool] = mapped_column(Boolean, default=False)
    cases_per_entitlement: Mapped[int | None] = mapped_column(Integer)
    remaining_cases: Mapped[int | None] = mapped_column(Integer)
    custom_fields: Mapped[str | None] = mapped_column(Text)


class EntitlementContactRow(Base):
    __tablename__ = "entitlement_contact"
    id: Mapped[str] = mapped_column(String(18), primary_key=True)
    entitlement_id: Mapped[str] = mapped_column(
        _data_fk("entitlement.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[str] = mapped_column(_data_fk("contact.id", ondelete="CASCADE"), index=True)


# --------------------------------------------------------------------------- metadata


class MilestoneTypeRow(Base):
    __tablename__ = "milestone_type"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str | None] = mapped_column(Text)
    recurrence_type: Mapped[str | None] = mapped_column(String(40))
    full_name: Mapped[str | None] = mapped_column(String(255))
    file_name: Mapped[str | None] = mapped_column(String(255))
    unknown: Mapped[str | None] = mapped_column(Text)
    placeholder: Mapped[bool] = mapped_column(Boolean, default=False)


class BusinessHoursRow(Base):
    __tablename__ = "business_hours"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    time_zone: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool | None] = mapped_column(Boolean)
    default: Mapped[bool] = mapped_column(Boolean, default=False)
    xml_times: Mapped[str | None] = mapped_column(Text)
    unknown: Mapped[str | None] = mapped_column(Text)
    placeholder: Mapped[bool] = mapped_column(Boolean, default=False)


class BusinessHoursWindowRow(Base):
    __tablename__ = "business_hours_window"
    __table_args__ = (
        CheckConstraint("weekday IN ('mon','tue','wed','thu','fri','sat','sun')", name="weekday"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_hours_id: Mapped[int] = mapped_column(_fk("business_hours.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    weekday: Mapped[str] = mapped_column(String(3))
    start: Mapped[time] = mapped_column(Time)
    end: Mapped[time | None] = mapped_column(Time)


class HolidayRow(Base):
    __tablename__ = "holiday"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str | None] = mapped_column(Text)
    activity_date: Mapped[date | None] = mapped_column(Date)
    start_time: Mapped[time | None] = mapped_column(Time)
    end_time: Mapped[time | None] = mapped_column(Time)
    is_recurring: Mapped[bool | None] = mapped_column(Boolean)
    recurrence_type: Mapped[str | None] = mapped_column(String(40))
    recurrence_interval: Mapped[int | None] = mapped_column(Integer)
    recurrence_day_of_month: Mapped[int | None] = mapped_column(Integer)
    recurrence_day_of_week: Mapped[str | None] = mapped_column(Text)
    recurrence_day_of_week_mask: Mapped[int | None] = mapped_column(Integer)
    recurrence_instance: Mapped[str | None] = mapped_column(String(20))
    recurrence_month_of_year: Mapped[str | None] = mapped_column(String(20))
    recurrence_start_date: Mapped[date | None] = mapped_column(Date)
    recurrence_end_date: Mapped[date | None] = mapped_column(Date)
    national_country: Mapped[str | None] = mapped_column(String(10))
    national_subdivision: Mapped[str | None] = mapped_column(String(10))
    national_observed: Mapped[bool] = mapped_column(Boolean, default=True)
    xml_times: Mapped[str | None] = mapped_column(Text)
    unknown: Mapped[str | None] = mapped_column(Text)


class HolidayBusinessHoursRow(Base):
    __tablename__ = "holiday_business_hours"
    holiday_id: Mapped[int] = mapped_column(_fk("holiday.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_hours_id: Mapped[int] = mapped_column(_fk("business_hours.id"), index=True)
    business_hours_name: Mapped[str] = mapped_column(String(80))


class EntitlementProcessRow(Base):
    """A process name; its versions are ``entitlement_process_version`` rows."""

    __tablename__ = "entitlement_process"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    placeholder: Mapped[bool] = mapped_column(Boolean, default=False)


class EntitlementProcessVersionRow(Base):
    __tablename__ = "entitlement_process_version"
    __table_args__ = (UniqueConstraint("process_id", "version_number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[int] = mapped_column(_fk("entitlement_process.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    version_number: Mapped[int | None] = mapped_column(Integer)
    is_version_default: Mapped[bool | None] = mapped_column(Boolean)
    version_master: Mapped[str | None] = mapped_column(String(255))
    version_notes: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool | None] = mapped_column(Boolean)
    sobject_type: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(Text)
    business_hours_id: Mapped[int | None] = mapped_column(
        _fk("business_hours.id", ondelete="RESTRICT"), index=True
    )
    business_hours_name: Mapped[str | None] = mapped_column(String(80))
    entry_start_date_field: Mapped[str | None] = mapped_column(String(255))
    exit_criteria_boolean_filter: Mapped[str | None] = mapped_column(Text)
    exit_criteria_formula: Mapped[str | None] = mapped_column(Text)
    is_record_type_applied: Mapped[bool | None] = mapped_column(Boolean)
    record_type: Mapped[str | None] = mapped_column(String(255))
    file_name: Mapped[str | None] = mapped_column(String(255))
    full_name: Mapped[str | None] = mapped_column(String(255))
    unknown: Mapped[str | None] = mapped_column(Text)
    from_file_name: Mapped[str | None] = mapped_column(Text)


class ExitCriteriaItemRow(Base):
    __tablename__ = "exit_criteria_item"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(_fk("entitlement_process_version.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(255))
    operation: Mapped[str] = mapped_column(String(40))
    value: Mapped[str | None] = mapped_column(Text)
    value_field: Mapped[str | None] = mapped_column(String(255))
    unknown: Mapped[str | None] = mapped_column(Text)


class ProcessMilestoneRow(Base):
    __tablename__ = "process_milestone"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(_fk("entitlement_process_version.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    milestone_type_id: Mapped[int] = mapped_column(
        _fk("milestone_type.id", ondelete="RESTRICT"), index=True
    )
    milestone_name: Mapped[str] = mapped_column(String(80))
    minutes_to_complete: Mapped[int | None] = mapped_column(Integer)
    minutes_custom_class: Mapped[str | None] = mapped_column(String(255))
    business_hours_id: Mapped[int | None] = mapped_column(
        _fk("business_hours.id", ondelete="RESTRICT"), index=True
    )
    business_hours_name: Mapped[str | None] = mapped_column(String(80))
    criteria_boolean_filter: Mapped[str | None] = mapped_column(Text)
    criteria_formula: Mapped[str | None] = mapped_column(Text)
    use_criteria_start_time: Mapped[bool | None] = mapped_column(Boolean)
    agreement_type: Mapped[str | None] = mapped_column(String(40))
    is_displayed_on_linked_entity: Mapped[bool | None] = mapped_column(Boolean)
    unknown: Mapped[str | None] = mapped_column(Text)


class MilestoneCriteriaItemRow(Base):
    __tablename__ = "milestone_criteria_item"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    milestone_id: Mapped[int] = mapped_column(_fk("process_milestone.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(255))
    operation: Mapped[str] = mapped_column(String(40))
    value: Mapped[str | None] = mapped_column(Text)
    value_field: Mapped[str | None] = mapped_column(String(255))
    unknown: Mapped[str | None] = mapped_column(Text)


class SuccessActionRow(Base):
    __tablename__ = "milestone_success_action"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    milestone_id: Mapped[int] = mapped_column(_fk("process_milestone.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(40))
    unknown: Mapped[str | None] = mapped_column(Text)


class MilestoneTimeTriggerRow(Base):
    __tablename__ = "milestone_time_trigger"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    milestone_id: Mapped[int] = mapped_column(_fk("process_milestone.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    time_length: Mapped[int | None] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(20))
    unknown: Mapped[str | None] = mapped_column(Text)


class TimeTriggerActionRow(Base):
    __tablename__ = "milestone_time_trigger_action"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trigger_id: Mapped[int] = mapped_column(_fk("milestone_time_trigger.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(40))
    unknown: Mapped[str | None] = mapped_column(Text)


class EntitlementTemplateRow(Base):
    __tablename__ = "entitlement_template"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    business_hours_id: Mapped[int | None] = mapped_column(
        _fk("business_hours.id", ondelete="RESTRICT"), index=True
    )
    business_hours_name: Mapped[str | None] = mapped_column(String(80))
    cases_per_entitlement: Mapped[int | None] = mapped_column(Integer)
    process_id: Mapped[int | None] = mapped_column(
        _fk("entitlement_process.id", ondelete="RESTRICT"), index=True
    )
    entitlement_process_name: Mapped[str | None] = mapped_column(String(120))
    is_per_incident: Mapped[bool | None] = mapped_column(Boolean)
    term: Mapped[int | None] = mapped_column(Integer)
    type: Mapped[str | None] = mapped_column(String(80))
    full_name: Mapped[str | None] = mapped_column(String(255))
    file_name: Mapped[str | None] = mapped_column(String(255))
    unknown: Mapped[str | None] = mapped_column(Text)
    placeholder: Mapped[bool] = mapped_column(Boolean, default=False)


class TemplateProductRow(Base):
    """A product (by product code) an entitlement template is attached to."""

    __tablename__ = "entitlement_template_product"
    template_id: Mapped[int] = mapped_column(_fk("entitlement_template.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_code: Mapped[str] = mapped_column(String(255))


class ExperienceRow(Base):
    __tablename__ = "experience"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    exposes_entitlements: Mapped[bool] = mapped_column(Boolean, default=True)
    visible_fields: Mapped[str | None] = mapped_column(Text)
    auto_entitlement_on_cases: Mapped[bool] = mapped_column(Boolean, default=False)


class WorkspaceSettingsRow(Base):
    """The single settings row (id = 1)."""

    __tablename__ = "workspace_settings"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    setup_model: Mapped[str] = mapped_column(String(40))
    entitlement_settings_present: Mapped[bool] = mapped_column(Boolean, default=False)
    entitlement_settings_flags: Mapped[str | None] = mapped_column(Text)
    entitlement_settings_unknown: Mapped[str | None] = mapped_column(Text)
    business_hours_settings_present: Mapped[bool] = mapped_column(Boolean, default=False)
    business_hours_settings_unknown: Mapped[str | None] = mapped_column(Text)
    metadata_api_version: Mapped[str | None] = mapped_column(String(10))
    metadata_layout: Mapped[str | None] = mapped_column(String(10))
    metadata_root: Mapped[str | None] = mapped_column(String(255))


class OtherMetadataFileRow(Base):
    __tablename__ = "other_metadata_file"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(String(1000), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class ImportLogRow(Base):
    __tablename__ = "import_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)


Index("ix_entitlement_end_date", EntitlementRow.end_date)

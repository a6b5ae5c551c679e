"""initial

Revision ID: 0001
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("parent_id", sa.String(length=18), nullable=True),
        sa.Column("custom_fields", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["account.id"],
            name=op.f("fk_account_parent_id_account"),
            ondelete="SET NULL",
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
    )
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "business_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=True),
        sa.Column("default", sa.Boolean(), nullable=False),
        sa.Column("xml_times", sa.Text(), nullable=True),
        sa.Column("unknown", sa.Text(), nullable=True),
        sa.Column("placeholder", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_hours")),
        sa.UniqueConstraint("name", name=op.f("uq_business_hours_name")),
    )
    op.create_table(
        "entitlement_process",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("placeholder", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entitlement_process")),
        sa.UniqueConstraint("name", name=op.f("uq_entitlement_process_name")),
    )
    op.create_table(
        "experience",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("exposes_entitlements", sa.Boolean(), nullable=False),
        sa.Column("visible_fields", sa.Text(), nullable=True),
        sa.Column("auto_entitlement_on_cases", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experience")),
        sa.UniqueConstraint("name", name=op.f("uq_experience_name")),
    )
    op.create_table(
        "holiday",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("activity_date", sa.Date(), nullable=True),
        sa.Column("start_time", sa.Time(), nullable=True),
        sa.Column("end_time", sa.Time(), nullable=True),
        sa.Column("is_recurring", sa.Boolean(), nullable=True),
        sa.Column("recurrence_type", sa.String(length=40), nullable=True),
        sa.Column("recurrence_interval", sa.Integer(), nullable=True),
        sa.Column("recurrence_day_of_month", sa.Integer(), nullable=True),
        sa.Column("recurrence_day_of_week", sa.Text(), nullable=True),
        sa.Column("recurrence_day_of_week_mask", sa.Integer(), nullable=True),
        sa.Column("recurrence_instance", sa.String(length=20), nullable=True),
        sa.Column("recurrence_month_of_year", sa.String(length=20), nullable=True),
        sa.Column("recurrence_start_date", sa.Date(), nullable=True),
        sa.Column("recurrence_end_date", sa.Date(), nullable=True),
        sa.Column("national_country", sa.String(length=10), nullable=True),
        sa.Column("national_subdivision", sa.String(length=10), nullable=True),
        sa.Column("national_observed", sa.Boolean(), nullable=False),
        sa.Column("xml_times", sa.Text(), nullable=True),
        sa.Column("unknown", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holiday")),
    )
    with op.batch_alter_table("holiday", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_holiday_name"), ["name"], unique=False)

    op.create_table(
        "import_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_log")),
    )
    op.create_table(
        "milestone_type",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("recurrence_type", sa.String(length=40), nullable=True),
        sa.Column("full_name", sa.String(length=255), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("unknown", sa.Text(), nullable=True),
        sa.Column("placeholder", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone_type")),
        sa.UniqueConstraint("name", name=op.f("uq_milestone_type_name")),
    )
    op.create_table(
        "other_metadata_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_other_metadata_file")),
        sa.UniqueConstraint("path", name=op.f("uq_other_metadata_file_path")),
    )
    op.create_table(
        "product",
        sa.Column("id", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("product_code", sa.String(length=255), nullable=True),
        sa.Column("custom_fields", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product")),
    )
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_product_product_code"), ["product_code"], unique=False)

    op.create_table(
        "workspace_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("setup_model", sa.String(length=40), nullable=False),
        sa.Column("entitlement_settings_present", sa.Boolean(), nullable=False),
        sa.Column("entitlement_settings_flags", sa.Text(), nullable=True),
        sa.Column("entitlement_settings_unknown", sa.Text(), nullable=True),
        sa.Column("business_hours_settings_present", sa.Boolean(), nullable=False),
        sa.Column("business_hours_settings_unknown", sa.Text(), nullable=True),
        sa.Column("metadata_api_version", sa.String(length=10), nullable=True),
        sa.Column("metadata_layout", sa.String(length=10), nullable=True),
        sa.Column("metadata_root", sa.String(length=255), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_workspace_settings_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspace_settings")),
    )
    op.create_table(
        "business_hours_window",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_hours_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.String(length=3), nullable=False),
        sa.Column("start", sa.Time(), nullable=False),
        sa.Column("end", sa.Time(), nullable=True),
        sa.CheckConstraint(
            "weekday IN ('mon','tue','wed','thu','fri','sat','sun')",
            name=op.f("ck_business_hours_window_weekday"),
        ),
        sa.ForeignKeyConstraint(
            ["business_hours_id"],
            ["business_hours.id"],
            name=op.f("fk_business_hours_window_business_hours_id_business_hours"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_hours_window")),
    )
    with op.batch_alter_table("business_hours_window", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_business_hours_window_business_hours_id"),
            ["business_hours_id"],
            unique=False,
        )

    op.create_table(
        "contact",
        sa.Column("id", sa.String(length=18), nullable=False),
        sa.Column("last_name", sa.String(length=80), nullable=False),
        sa.Column("first_name", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=80), nullable=True),
        sa.Column("account_id", sa.String(length=18), nullable=True),
        sa.Column("custom_fields", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_contact_account_id_account"),
            ondelete="SET NULL",
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_account_id"), ["account_id"], unique=False)

    op.create_table(
        "entitlement_process_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=True),
        sa.Column("is_version_default", sa.Boolean(), nullable=True),
        sa.Column("version_master", sa.String(length=255), nullable=True),
        sa.Column("version_notes", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=True),
        sa.Column("sobject_type", sa.String(length=40), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("business_hours_id", sa.Integer(), nullable=True),
        sa.Column("business_hours_name", sa.String(length=80), nullable=True),
        sa.Column("entry_start_date_field", sa.String(length=255), nullable=True),
        sa.Column("exit_criteria_boolean_filter", sa.Text(), nullable=True),
        sa.Column("exit_criteria_formula", sa.Text(), nullable=True),
        sa.Column("is_record_type_applied", sa.Boolean(), nullable=True),
        sa.Column("record_type", sa.String(length=255), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("full_name", sa.String(length=255), nullable=True),
        sa.Column("unknown", sa.Text(), nullable=True),
        sa.Column("from_file_name", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["business_hours_id"],
            ["business_hours.id"],
            name=op.f("fk_entitlement_process_version_business_hours_id_business_hours"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["process_id"],
            ["entitlement_process.id"],
            name=op.f("fk_entitlement_process_version_process_id_entitlement_process"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entitlement_process_version")),
        sa.UniqueConstraint(
            "process_id",
            "version_number",
            name=op.f("uq_entitlement_process_version_process_id_version_number"),
        ),
    )
    with op.batch_alter_table("entitlement_process_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_entitlement_process_version_business_hours_id"),
            ["business_hours_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_entitlement_process_version_process_id"), ["process_id"], unique=False
        )

    op.create_table(
        "entitlement_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("business_hours_id", sa.Integer(), nullable=True),
        sa.Column("business_hours_name", sa.String(length=80), nullable=True),
        sa.Column("cases_per_entitlement", sa.Integer(), nullable=True),
        sa.Column("process_id", sa.Integer(), nullable=True),
        sa.Column("entitlement_process_name", sa.String(length=120), nullable=True),
        sa.Column("is_per_incident", sa.Boolean(), nullable=True),
        sa.Column("term", sa.Integer(), nullable=True),
        sa.Column("type", sa.String(length=80), nullable=True),
        sa.Column("full_name", sa.String(length=255), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("unknown", sa.Text(), nullable=True),
        sa.Column("placeholder", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_hours_id"],
            ["business_hours.id"],
            name=op.f("fk_entitlement_template_business_hours_id_business_hours"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["process_id"],
            ["entitlement_process.id"],
            name=op.f("fk_entitlement_template_process_id_entitlement_process"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entitlement_template")),
        sa.UniqueConstraint("name", name=op.f("uq_entitlement_template_name")),
    )
    with op.batch_alter_table("entitlement_template", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_entitlement_template_business_hours_id"),
            ["business_hours_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_entitlement_template_process_id"), ["process_id"], unique=False
        )

    op.create_table(
        "holiday_business_hours",
        sa.Column("holiday_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("business_hours_id", sa.Integer(), nullable=False),
        sa.Column("business_hours_name", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_hours_id"],
            ["business_hours.id"],
            name=op.f("fk_holiday_business_hours_business_hours_id_business_hours"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["holiday_id"],
            ["holiday.id"],
            name=op.f("fk_holiday_business_hours_holiday_id_holiday"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("holiday_id", "position", name=op.f("pk_holiday_business_hours")),
    )
    with op.batch_alter_table("holiday_business_hours", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_holiday_business_hours_business_hours_id"),
            ["business_hours_id"],
            unique=False,
        )

    op.create_table(
        "asset",
        sa.Column("id", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("serial_number", sa.String(length=80), nullable=True),
        sa.Column("account_id", sa.String(length=18), nullable=True),
        sa.Column("contact_id", sa.String(length=18), nullable=True),
        sa.Column("product_id", sa.String(length=18), nullable=True),
        sa.Column("install_date", sa.Date(), nullable=True),
        sa.Column("usage_end_date", sa.Date(), nullable=True),
        sa.Column("custom_fields", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_asset_account_id_account"),
            ondelete="SET NULL",
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_asset_contact_id_contact"),
            ondelete="SET NULL",
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
            name=op.f("fk_asset_product_id_product"),
            ondelete="SET NULL",
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset")),
    )
    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asset_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_asset_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_asset_product_id"), ["product_id"], unique=False)

    op.create_table(
        "entitlement_template_product",
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("product_code", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["entitlement_template.id"],
            name=op.f("fk_entitlement_template_product_template_id_entitlement_template"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "template_id", "position", name=op.f("pk_entitlement_template_product")
        ),
    )
    op.create_table(
        "exit_criteria_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=255), nullable=False),
        sa.Column("operation", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("value_field", sa.String(length=255), nullable=True),
        sa.Column("unknown", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["entitlement_process_version.id"],
            name=op.f("fk_exit_criteria_item_version_id_entitlement_process_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exit_criteria_item")),
    )
    with op.batch_alter_table("exit_criteria_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exit_criteria_item_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "process_milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("milestone_type_id", sa.Integer(), nullable=False),
        sa.Column("milestone_name", sa.String(length=80), nullable=False),
        sa.Column("minutes_to_complete", sa.Integer(), nullable=True),
        sa.Column("minutes_custom_class", sa.String(length=255), nullable=True),
        sa.Column("business_hours_id", sa.Integer(), nullable=True),
        sa.Column("business_hours_name", sa.String(length=80), nullable=True),
        sa.Column("criteria_boolean_filter", sa.Text(), nullable=True),
        sa.Column("criteria_formula", sa.Text(), nullable=True),
        sa.Column("use_criteria_start_time", sa.Boolean(), nullable=True),
        sa.Column("agreement_type", sa.String(length=40), nullable=True),
        sa.Column("is_displayed_on_linked_entity", sa.Boolean(), nullable=True),
        sa.Column("unknown", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["business_hours_id"],
            ["business_hours.id"],
            name=op.f("fk_process_milestone_business_hours_id_business_hours"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["milestone_type_id"],
            ["milestone_type.id"],
            name=op.f("fk_process_milestone_milestone_type_id_milestone_type"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["entitlement_process_version.id"],
            name=op.f("fk_process_milestone_version_id_entitlement_process_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_milestone")),
    )
    with op.batch_alter_table("process_milestone", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_process_milestone_business_hours_id"),
            ["business_hours_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_process_milestone_milestone_type_id"),
            ["milestone_type_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_process_milestone_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "service_contract",
        sa.Column("id", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("account_id", sa.String(length=18), nullable=True),
        sa.Column("contact_id", sa.String(length=18), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("term", sa.Integer(), nullable=True),
        sa.Column("approval_status", sa.String(length=40), nullable=True),
        sa.Column("parent_service_contract_id", sa.String(length=18), nullable=True),
        sa.Column("root_service_contract_id", sa.String(length=18), nullable=True),
        sa.Column("custom_fields", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_service_contract_account_id_account"),
            ondelete="SET NULL",
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_service_contract_contact_id_contact"),
            ondelete="SET NULL",
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["parent_service_contract_id"],
            ["service_contract.id"],
            name=op.f("fk_service_contract_parent_service_contract_id_service_contract"),
            ondelete="SET NULL",
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["root_service_contract_id"],
            ["service_contract.id"],
            name=op.f("fk_service_contract_root_service_contract_id_service_contract"),
            ondelete="SET NULL",
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_contract")),
    )
    with op.batch_alter_table("service_contract", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_contract_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_service_contract_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_service_contract_parent_service_contract_id"),
            ["parent_service_contract_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_service_contract_root_service_contract_id"),
            ["root_service_contract_id"],
            unique=False,
        )

    op.create_table(
        "contract_line_item",
        sa.Column("id", sa.String(length=18), nullable=False),
        sa.Column("service_contract_id", sa.String(length=18), nullable=False),
        sa.Column("product_id", sa.String(length=18), nullable=True),
        sa.Column("asset_id", sa.String(length=18), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("quantity", sa.Float(), nullable=True),
        sa.Column("parent_contract_line_item_id", sa.String(length=18), nullable=True),
        sa.Column("root_contract_line_item_id", sa.String(length=18), nullable=True),
        sa.Column("custom_fields", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["asset.id"],
            name=op.f("fk_contract_line_item_asset_id_asset"),
            ondelete="SET NULL",
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["parent_contract_line_item_id"],
            ["contract_line_item.id"],
            name=op.f("fk_contract_line_item_parent_contract_line_item_id_contract_line_item"),
            ondelete="SET NULL",
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
            name=op.f("fk_contract_line_item_product_id_product"),
            ondelete="SET NULL",
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["root_contract_line_item_id"],
            ["contract_line_item.id"],
            name=op.f("fk_contract_line_item_root_contract_line_item_id_contract_line_item"),
            ondelete="SET NULL",
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["service_contract_id"],
            ["service_contract.id"],
            name=op.f("fk_contract_line_item_service_contract_id_service_contract"),
            ondelete="CASCADE",
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_line_item")),
    )
    with op.batch_alter_table("contract_line_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contract_line_item_asset_id"), ["asset_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contract_line_item_parent_contract_line_item_id"),
            ["parent_contract_line_item_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_contract_line_item_product_id"), ["product_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contract_line_item_root_contract_line_item_id"),
            ["root_contract_line_item_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_contract_line_item_service_contract_id"),
            ["service_contract_id"],
            unique=False,
        )

    op.create_table(
        "milestone_criteria_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=255), nullable=False),
        sa.Column("operation", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("value_field", sa.String(length=255), nullable=True),
        sa.Column("unknown", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["process_milestone.id"],
            name=op.f("fk_milestone_criteria_item_milestone_id_process_milestone"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone_criteria_item")),
    )
    with op.batch_alter_table("milestone_criteria_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_milestone_criteria_item_milestone_id"), ["milestone_id"], unique=False
        )

    op.create_table(
        "milestone_success_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("unknown", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["process_milestone.id"],
            name=op.f("fk_milestone_success_action_milestone_id_process_milestone"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone_success_action")),
    )
    with op.batch_alter_table("milestone_success_action", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_milestone_success_action_milestone_id"), ["milestone_id"], unique=False
        )

    op.create_table(
        "milestone_time_trigger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("time_length", sa.Integer(), nullable=True),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("unknown", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["process_milestone.id"],
            name=op.f("fk_milestone_time_trigger_milestone_id_process_milestone"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone_time_trigger")),
    )
    with op.batch_alter_table("milestone_time_trigger", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_milestone_time_trigger_milestone_id"), ["milestone_id"], unique=False
        )

    op.create_table(
        "entitlement",
        sa.Column("id", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("account_id", sa.String(length=18), nullable=False),
        sa.Column("asset_id", sa.String(length=18), nullable=True),
        sa.Column("service_contract_id", sa.String(length=18), nullable=True),
        sa.Column("contract_line_item_id", sa.String(length=18), nullable=True),
        sa.Column("type", sa.String(length=80), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("business_hours", sa.String(length=80), nullable=True),
        sa.Column("sla_process", sa.String(length=120), nullable=True),
        sa.Column("sla_process_version", sa.Integer(), nullable=True),
        sa.Column("is_per_incident", sa.Boolean(), nullable=False),
        sa.Column("cases_per_entitlement", sa.Integer(), nullable=True),
        sa.Column("remaining_cases", sa.Integer(), nullable=True),
        sa.Column("custom_fields", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_entitlement_account_id_account"),
            ondelete="CASCADE",
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["asset.id"],
            name=op.f("fk_entitlement_asset_id_asset"),
            ondelete="SET NULL",
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["contract_line_item_id"],
            ["contract_line_item.id"],
            name=op.f("fk_entitlement_contract_line_item_id_contract_line_item"),
            ondelete="SET NULL",
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["service_contract_id"],
            ["service_contract.id"],
            name=op.f("fk_entitlement_service_contract_id_service_contract"),
            ondelete="SET NULL",
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entitlement")),
    )
    with op.batch_alter_table("entitlement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entitlement_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_entitlement_asset_id"), ["asset_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_entitlement_contract_line_item_id"),
            ["contract_line_item_id"],
            unique=False,
        )
        batch_op.create_index("ix_entitlement_end_date", ["end_date"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_entitlement_service_contract_id"), ["service_contract_id"], unique=False
        )

    op.create_table(
        "milestone_time_trigger_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trigger_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("unknown", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["trigger_id"],
            ["milestone_time_trigger.id"],
            name=op.f("fk_milestone_time_trigger_action_trigger_id_milestone_time_trigger"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone_time_trigger_action")),
    )
    with op.batch_alter_table("milestone_time_trigger_action", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_milestone_time_trigger_action_trigger_id"), ["trigger_id"], unique=False
        )

    op.create_table(
        "entitlement_contact",
        sa.Column("id", sa.String(length=18), nullable=False),
        sa.Column("entitlement_id", sa.String(length=18), nullable=False),
        sa.Column("contact_id", sa.String(length=18), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_entitlement_contact_contact_id_contact"),
            ondelete="CASCADE",
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["entitlement_id"],
            ["entitlement.id"],
            name=op.f("fk_entitlement_contact_entitlement_id_entitlement"),
            ondelete="CASCADE",
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entitlement_contact")),
    )
    with op.batch_alter_table("entitlement_contact", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_entitlement_contact_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_entitlement_contact_entitlement_id"), ["entitlement_id"], unique=False
        )
    # Marks the file as an Entitle workspace (checked by Workspace.open).
    op.execute("PRAGMA application_id = 1164866609")


def downgrade() -> None:
    with op.batch_alter_table("entitlement_contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entitlement_contact_entitlement_id"))
        batch_op.drop_index(batch_op.f("ix_entitlement_contact_contact_id"))

    op.drop_table("entitlement_contact")
    with op.batch_alter_table("milestone_time_trigger_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestone_time_trigger_action_trigger_id"))

    op.drop_table("milestone_time_trigger_action")
    with op.batch_alter_table("entitlement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entitlement_service_contract_id"))
        batch_op.drop_index("ix_entitlement_end_date")
        batch_op.drop_index(batch_op.f("ix_entitlement_contract_line_item_id"))
        batch_op.drop_index(batch_op.f("ix_entitlement_asset_id"))
        batch_op.drop_index(batch_op.f("ix_entitlement_account_id"))

    op.drop_table("entitlement")
    with op.batch_alter_table("milestone_time_trigger", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestone_time_trigger_milestone_id"))

    op.drop_table("milestone_time_trigger")
    with op.batch_alter_table("milestone_success_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestone_success_action_milestone_id"))

    op.drop_table("milestone_success_action")
    with op.batch_alter_table("milestone_criteria_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestone_criteria_item_milestone_id"))

    op.drop_table("milestone_criteria_item")
    with op.batch_alter_table("contract_line_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_line_item_service_contract_id"))
        batch_op.drop_index(batch_op.f("ix_contract_line_item_root_contract_line_item_id"))
        batch_op.drop_index(batch_op.f("ix_contract_line_item_product_id"))
        batch_op.drop_index(batch_op.f("ix_contract_line_item_parent_contract_line_item_id"))
        batch_op.drop_index(batch_op.f("ix_contract_line_item_asset_id"))

    op.drop_table("contract_line_item")
    with op.batch_alter_table("service_contract", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_contract_root_service_contract_id"))
        batch_op.drop_index(batch_op.f("ix_service_contract_parent_service_contract_id"))
        batch_op.drop_index(batch_op.f("ix_service_contract_contact_id"))
        batch_op.drop_index(batch_op.f("ix_service_contract_account_id"))

    op.drop_table("service_contract")
    with op.batch_alter_table("process_milestone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_process_milestone_version_id"))
        batch_op.drop_index(batch_op.f("ix_process_milestone_milestone_type_id"))
        batch_op.drop_index(batch_op.f("ix_process_milestone_business_hours_id"))

    op.drop_table("process_milestone")
    with op.batch_alter_table("exit_criteria_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exit_criteria_item_version_id"))

    op.drop_table("exit_criteria_item")
    op.drop_table("entitlement_template_product")
    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asset_product_id"))
        batch_op.drop_index(batch_op.f("ix_asset_contact_id"))
        batch_op.drop_index(batch_op.f("ix_asset_account_id"))

    op.drop_table("asset")
    with op.batch_alter_table("holiday_business_hours", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_holiday_business_hours_business_hours_id"))

    op.drop_table("holiday_business_hours")
    with op.batch_alter_table("entitlement_template", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entitlement_template_process_id"))
        batch_op.drop_index(batch_op.f("ix_entitlement_template_business_hours_id"))

    op.drop_table("entitlement_template")
    with op.batch_alter_table("entitlement_process_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entitlement_process_version_process_id"))
        batch_op.drop_index(batch_op.f("ix_entitlement_process_version_business_hours_id"))

    op.drop_table("entitlement_process_version")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_account_id"))

    op.drop_table("contact")
    with op.batch_alter_table("business_hours_window", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_business_hours_window_business_hours_id"))

    op.drop_table("business_hours_window")
    op.drop_table("workspace_settings")
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_product_code"))

    op.drop_table("product")
    op.drop_table("other_metadata_file")
    op.drop_table("milestone_type")
    op.drop_table("import_log")
    with op.batch_alter_table("holiday", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_holiday_name"))

    op.drop_table("holiday")
    op.drop_table("experience")
    op.drop_table("entitlement_process")
    op.drop_table("business_hours")
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_parent_id"))

    op.drop_table("account")

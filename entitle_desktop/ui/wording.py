"""Salesforce API values in the user's words, for the table and the detail pane.

The detail pane keeps the API value next to the words; unknown values are shown as they
are. Nothing here imports Qt.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from entitle_desktop.domain.records import Holiday, RecurrenceType, SetupModel
from entitle_desktop.interchange.salesforce_metadata import HOLIDAY_ENUMERATIONS

_MILESTONE_RECURRENCE = {
    RecurrenceType.NONE.value: "None",
    RecurrenceType.INDEPENDENT.value: "Recurs independently",
    RecurrenceType.SEQUENTIAL.value: "Sequential",
}

# the Holiday picklists' values, as the metadata reader checks them
_INSTANCES = HOLIDAY_ENUMERATIONS["recurrenceInstance"]
_WEEKDAYS = HOLIDAY_ENUMERATIONS["recurrenceDayOfWeek"]
_MONTHS = HOLIDAY_ENUMERATIONS["recurrenceMonthOfYear"]
_UNITS = {
    "RecursDaily": "days",
    "RecursEveryWeekday": "",
    "RecursWeekly": "weeks",
    "RecursMonthly": "months",
    "RecursMonthlyNth": "months",
    "RecursYearly": "years",
    "RecursYearlyNth": "years",
}


def milestone_recurrence_words(value: str | None) -> str:
    """``recursIndependently`` -> ``Recurs independently``; None (absent) -> ``""``."""
    if value is None:
        return ""
    return _MILESTONE_RECURRENCE.get(value, value)


def recurrence_words(
    kind: str,
    *,
    instance: str | None = None,
    weekdays: Sequence[str] = (),
    day_of_month: int | None = None,
    month: str | None = None,
    interval: int | None = None,
) -> str:
    """A holiday's recurrence as a phrase: ``RecursYearlyNth`` with First, Monday, May ->
    ``Yearly: first Monday of May``; every second year -> ``Every 2 years: ...``.
    A kind this does not know comes back as it is."""
    if kind not in _UNITS:
        return kind
    days = ", ".join(d.capitalize() for d in weekdays)
    nth = f"{instance.lower()} {days}".strip() if instance else days
    if kind == "RecursDaily":
        head, what = "Daily", ""
    elif kind == "RecursEveryWeekday":
        head, what = "Every weekday", ""
    elif kind == "RecursWeekly":
        head, what = "Weekly", days
    elif kind == "RecursMonthly":
        head, what = "Monthly", f"day {day_of_month}" if day_of_month else ""
    elif kind == "RecursMonthlyNth":
        head, what = "Monthly", nth
    elif kind == "RecursYearly":
        head, what = "Yearly", " ".join(str(p) for p in (day_of_month, month) if p)
    else:  # RecursYearlyNth
        head, what = "Yearly", f"{nth} of {month}" if month else nth
    if interval is not None and interval > 1 and _UNITS[kind]:
        head = f"Every {interval} {_UNITS[kind]}"
    return f"{head}: {what}" if what else head


def holiday_recurrence_words(holiday: Holiday) -> str:
    """The recurrence of ``holiday`` in words; ``""`` for a one-off holiday."""
    if not holiday.is_recurring:
        return ""
    if not holiday.recurrence_type:
        return "Recurring"
    return recurrence_words(
        holiday.recurrence_type,
        instance=holiday.recurrence_instance,
        weekdays=holiday.recurrence_day_of_week,
        day_of_month=holiday.recurrence_day_of_month,
        month=holiday.recurrence_month_of_year,
        interval=holiday.recurrence_interval,
    )


def recurrence_summary_words(summary: str) -> str:
    """The holiday table's one-line recurrence summary (``RecursYearlyNth First Monday
    May``: kind, then instance, days, day of month and month where set) in words. A
    summary of another shape comes back as it is."""
    kind, *parts = summary.split(" ")
    if summary == "recurring":  # recurring, with no recurrence type
        return "Recurring"
    if kind not in _UNITS:
        return summary
    instance: str | None = None
    weekdays: list[str] = []
    day_of_month: int | None = None
    month: str | None = None
    for part in parts:
        if part in _INSTANCES and instance is None and not weekdays:
            instance = part
        elif part.isdigit() and day_of_month is None:
            day_of_month = int(part)
        elif part.capitalize() in _MONTHS and month is None:
            month = part.capitalize()
        elif all(d.capitalize() in _WEEKDAYS for d in part.split(",")) and not weekdays:
            weekdays = part.split(",")
        else:
            return summary
    return recurrence_words(
        kind, instance=instance, weekdays=weekdays, day_of_month=day_of_month, month=month
    )


# --------------------------------------------------------------------------- settings

# domain.md section 2: what each setup model is called, what decides eligibility and what
# an entitlement may point at.
_SETUP_MODELS: dict[str, tuple[str, str, str]] = {
    SetupModel.ENTITLEMENTS_ONLY.value: (
        "Entitlements only",
        "The account, contact or asset",
        "Account (required), asset, contacts",
    ),
    SetupModel.SERVICE_CONTRACTS.value: (
        "Entitlements + service contracts",
        "The service contract",
        "Account (required), asset, contacts, service contract",
    ),
    SetupModel.CONTRACT_LINE_ITEMS.value: (
        "Entitlements + service contracts + contract line items",
        "The products covered on the contract",
        "Account (required), asset, contacts, service contract, contract line item",
    ),
}

# Entitlement.settings flags as the Entitlement Settings page of Salesforce Setup puts
# them; each is on (Yes) or off (No).
_ENTITLEMENT_SETTINGS = {
    "assetLookupLimitedToActiveEntitlementsOnAccount": (
        "Asset lookup: only assets with active entitlements on the account"
    ),
    "assetLookupLimitedToActiveEntitlementsOnContact": (
        "Asset lookup: only assets with active entitlements on the contact"
    ),
    "assetLookupLimitedToSameAccount": "Asset lookup: only assets of the same account",
    "assetLookupLimitedToSameContact": "Asset lookup: only assets of the same contact",
    "enableEntitlementVersioning": "Entitlement versioning",
    "enableEntitlements": "Entitlement management",
    "enableMilestoneFeedItem": "Milestone feed items",
    "enableMilestoneStoppedTime": "Stopped time and actual elapsed time",
    "entitlementLookupLimitedToActiveStatus": "Entitlement lookup: only active entitlements",
    "entitlementLookupLimitedToSameAccount": (
        "Entitlement lookup: only entitlements of the same account"
    ),
    "entitlementLookupLimitedToSameAsset": "Entitlement lookup: only entitlements of the same asset",
    "entitlementLookupLimitedToSameContact": (
        "Entitlement lookup: only entitlements of the same contact"
    ),
    "ignoreMilestoneBusinessHours": "Elapsed and stopped time ignore business hours",
}


def setup_model_words(model: str) -> tuple[str, str, str]:
    """A setup model (domain.md section 2) in words: its name, what decides support
    eligibility, what an entitlement may point at. A value this does not know comes
    back as its name, with nothing else said."""
    return _SETUP_MODELS.get(model, (model, "", ""))


def entitlement_setting_words(api_name: str) -> str:
    """An Entitlement.settings flag in words: ``enableEntitlementVersioning`` ->
    ``Entitlement versioning``; a flag this does not know is split at its capitals
    (``enableCaseFeed`` -> ``Enable case feed``)."""
    known = _ENTITLEMENT_SETTINGS.get(api_name)
    if known is not None:
        return known
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", api_name).lower()
    return words[:1].upper() + words[1:]


def size_words(size: int) -> str:
    """A file size as people read it: ``812 bytes``, ``9.7 KB``, ``1.3 MB`` (1 KB = 1,024
    bytes)."""
    if size < 1024:
        return "1 byte" if size == 1 else f"{size:,} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"

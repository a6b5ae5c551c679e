"""The demo workspace: a realistic, deterministic sample org for the first start.

Everything is derived from a fixed seed and a reference date (default: today), so two
demos made on the same day are identical. Dates of contracts and entitlements lie around
the reference date so that the status columns show active, expiring and expired records.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import date, time, timedelta
from pathlib import Path

from platformdirs import user_data_dir

from entitle_desktop.domain.records import (
    WEEKDAYS,
    Account,
    ActionReference,
    Asset,
    BusinessHours,
    BusinessHoursWindow,
    Contact,
    ContractLineItem,
    Entitlement,
    EntitlementContact,
    EntitlementProcessVersion,
    EntitlementSettings,
    EntitlementTemplate,
    Experience,
    FilterItem,
    Holiday,
    MetadataProject,
    MilestoneTimeTrigger,
    MilestoneType,
    ProcessMilestone,
    Product,
    ServiceContract,
    SetupModel,
    WorkspaceSettings,
)
from entitle_desktop.persistence import repository
from entitle_desktop.services.workspace import Workspace

APP_NAME = "Entitle Desktop"
DEMO_FILE_NAME = "Demo.entitle"
SEED = 20240611

NEW_YORK = "New York Office"
LONDON = "London Office"
SYDNEY = "Sydney 24x7"

_COMPANIES = [
    "Acme Robotics",
    "Blue Harbor Logistics",
    "Cedar Health",
    "Delta Freight",
    "Evergreen Foods",
    "Fjord Analytics",
    "Granite Bank",
    "Helios Energy",
    "Iris Optics",
    "Juniper Telecom",
    "Kestrel Aviation",
    "Lumen Labs",
    "Meridian Retail",
    "Northwind Traders",
    "Orbit Media",
    "Pioneer Pharma",
    "Quartz Insurance",
    "Riverbend Hospital",
    "Summit Outdoor",
    "Tidewater Shipping",
    "Umbra Security",
    "Vertex Manufacturing",
    "Willow Schools",
    "Xenon Semiconductors",
    "Yellowstone Parks Co",
    "Zephyr Wind",
    "Atlas Mining",
    "Borealis Data",
    "Cobalt Motors",
    "Dune Hospitality",
]
_FIRST = [
    "Ana",
    "Ben",
    "Chloé",
    "Dev",
    "Elif",
    "Finn",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kara",
    "Liam",
    "Maya",
    "Noor",
    "Oskar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
]
_LAST = [
    "Adams",
    "Baker",
    "Chen",
    "Dubois",
    "Evans",
    "Fischer",
    "García",
    "Hughes",
    "Ito",
    "Jensen",
    "Kowalski",
    "López",
    "Müller",
    "Nakamura",
    "O'Brien",
    "Patel",
    "Rossi",
    "Silva",
    "Tanaka",
    "Weber",
]
_PRODUCTS = [
    ("RTR-100", "Edge Router 100"),
    ("RTR-500", "Core Router 500"),
    ("SW-24", "Switch 24-port"),
    ("FW-X", "Firewall X"),
    ("AP-6", "Wi-Fi 6 Access Point"),
    ("SRV-2U", "Server 2U"),
    ("NAS-8", "Storage NAS 8-bay"),
    ("SUP-GOLD", "Gold Support Plan"),
]


def _id(prefix: str, n: int) -> str:
    """An 18-character Salesforce-style Id, recognisable as demo data."""
    return f"{prefix}Dm{n:013d}"


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for dom in (day.day, 30, 29, 28):
        try:
            return date(year, month, dom)
        except ValueError:
            continue
    raise ValueError(day)


def _contract_short_name(contract: str, account: str) -> str:
    """``Acme Robotics EMEA`` -> ``EMEA``; ``Acme Master Agreement`` -> ``Master Agreement``."""
    for prefix in (f"{account} ", f"{account.split()[0]} "):
        if contract.startswith(prefix):
            return contract[len(prefix) :]
    return contract


def demo_metadata() -> MetadataProject:
    """Business hours, holidays, milestone types, processes and templates of the demo."""
    weekdays = WEEKDAYS[:5]
    new_york = BusinessHours(
        name=NEW_YORK,
        time_zone="America/New_York",
        active=True,
        default=True,
        windows=[BusinessHoursWindow(d, time(9), time(17)) for d in weekdays],
    )
    london = BusinessHours(
        name=LONDON,
        time_zone="Europe/London",
        active=True,
        default=False,
        windows=[
            w
            for d in weekdays
            for w in (
                BusinessHoursWindow(d, time(8), time(12, 30)),
                BusinessHoursWindow(d, time(13, 30), time(18)),
            )
        ],
    )
    sydney = BusinessHours(
        name=SYDNEY,
        time_zone="Australia/Sydney",
        active=True,
        default=False,
        windows=[BusinessHoursWindow(d, time(0), None) for d in WEEKDAYS],
    )
    start = date(2020, 1, 1)
    holidays = [
        Holiday(
            name="New Year's Day",
            description="First day of the year",
            is_recurring=True,
            recurrence_type="RecursYearly",
            recurrence_day_of_month=1,
            recurrence_month_of_year="January",
            recurrence_start_date=start,
            business_hours=[NEW_YORK, LONDON],
        ),
        Holiday(
            name="Independence Day",
            description="US national holiday",
            is_recurring=True,
            recurrence_type="RecursYearly",
            recurrence_day_of_month=4,
            recurrence_month_of_year="July",
            recurrence_start_date=start,
            business_hours=[NEW_YORK],
        ),
        Holiday(
            name="Thanksgiving Day",
            description="Fourth Thursday of November",
            is_recurring=True,
            recurrence_type="RecursYearlyNth",
            recurrence_instance="Fourth",
            recurrence_day_of_week=["Thursday"],
            recurrence_month_of_year="November",
            recurrence_start_date=start,
            business_hours=[NEW_YORK],
        ),
        Holiday(
            name="Christmas Day",
            description="Closed all day",
            is_recurring=True,
            recurrence_type="RecursYearly",
            recurrence_day_of_month=25,
            recurrence_month_of_year="December",
            recurrence_start_date=start,
            business_hours=[NEW_YORK, LONDON],
        ),
        Holiday(
            name="Christmas Eve afternoon",
            description="Office closes at 13:00",
            start_time=time(13),
            end_time=time(18),
            is_recurring=True,
            recurrence_type="RecursYearly",
            recurrence_day_of_month=24,
            recurrence_month_of_year="December",
            recurrence_start_date=date(2025, 12, 24),
            business_hours=[LONDON],
        ),
        Holiday(
            name="Boxing Day",
            description="UK bank holiday",
            is_recurring=True,
            recurrence_type="RecursYearly",
            recurrence_day_of_month=26,
            recurrence_month_of_year="December",
            recurrence_start_date=start,
            business_hours=[LONDON],
        ),
        Holiday(
            name="Early May bank holiday",
            description="First Monday of May",
            is_recurring=True,
            recurrence_type="RecursYearlyNth",
            recurrence_instance="First",
            recurrence_day_of_week=["Monday"],
            recurrence_month_of_year="May",
            recurrence_start_date=start,
            business_hours=[LONDON],
        ),
        Holiday(
            name="Company offsite",
            description="One-off: support runs from Sydney",
            activity_date=date(2026, 3, 12),
            is_recurring=False,
            business_hours=[NEW_YORK, LONDON],
        ),
    ]
    milestone_types = [
        MilestoneType("First Response", "First reply to the customer", "none"),
        MilestoneType("Resolution Time", "Case solved", "none"),
        MilestoneType(
            "Customer Update", "Regular status update while the case is open", "recursIndependently"
        ),
        MilestoneType("Follow Up", "Next follow-up after each update", "recursChained"),
        MilestoneType("Tech Onsite", "Technician on site", "none"),
    ]
    closed = FilterItem("Case.IsClosed", "equals", "true")

    def warn_and_violate(minutes_before: int) -> list[MilestoneTimeTrigger]:
        return [
            MilestoneTimeTrigger(
                -minutes_before, "Minutes", [ActionReference("Milestone_Warning_Alert", "Alert")]
            ),
            MilestoneTimeTrigger(
                0,
                "Minutes",
                [
                    ActionReference("Milestone_Violation_Alert", "Alert"),
                    ActionReference("Escalate_To_Manager", "Task"),
                ],
            ),
        ]

    def priority(value: str) -> list[FilterItem]:
        return [FilterItem("Case.Priority", "equals", value)]

    def standard(
        version: int, default: bool, notes: str, resolution_hours: int, with_updates: bool
    ) -> EntitlementProcessVersion:
        milestones = [
            ProcessMilestone(
                "First Response",
                minutes_to_complete=240 if version == 1 else 120,
                criteria_items=priority("High, Medium, Low"),
                use_criteria_start_time=False,
                success_actions=[ActionReference("Set_First_Response_Met", "FieldUpdate")],
                time_triggers=warn_and_violate(30),
            ),
            ProcessMilestone(
                "Resolution Time",
                minutes_to_complete=resolution_hours * 60,
                criteria_items=priority("High, Medium, Low"),
                use_criteria_start_time=False,
                time_triggers=warn_and_violate(60),
            ),
        ]
        if with_updates:
            milestones.append(
                ProcessMilestone(
                    "Customer Update",
                    minutes_to_complete=480,
                    criteria_items=[
                        FilterItem("Case.Status", "equals", "Waiting on Support"),
                        FilterItem("Case.Priority", "equals", "High"),
                    ],
                    criteria_boolean_filter="1 AND 2",
                    use_criteria_start_time=True,
                )
            )
        return EntitlementProcessVersion(
            name="Standard Support",
            version_number=version,
            is_version_default=default,
            version_notes=notes,
            active=True,
            sobject_type="Case",
            business_hours=NEW_YORK,
            entry_start_date_field="Case.CreatedDate",
            exit_criteria_items=[closed],
            milestones=milestones,
        )

    processes = [
        standard(1, False, "Initial SLA: 4h first response", 72, False),
        standard(2, False, "First response tightened to 2h", 48, False),
        standard(3, True, "Adds customer updates for high-priority waiting cases", 48, True),
        EntitlementProcessVersion(
            name="Premium Support",
            active=True,
            sobject_type="Case",
            business_hours=SYDNEY,
            description="Round-the-clock support with per-priority targets",
            entry_start_date_field="Case.CreatedDate",
            exit_criteria_items=[closed],
            milestones=[
                ProcessMilestone(
                    "First Response",
                    minutes_to_complete=m,
                    criteria_items=priority(p),
                    time_triggers=warn_and_violate(15),
                )
                for p, m in (("High", 30), ("Medium", 60), ("Low", 240))
            ]
            + [
                ProcessMilestone(
                    "Follow Up",
                    minutes_to_complete=240,
                    criteria_items=priority("High"),
                    use_criteria_start_time=True,
                ),
                ProcessMilestone(
                    "Resolution Time",
                    minutes_to_complete=1440,
                    criteria_items=priority("High, Medium, Low"),
                ),
            ],
        ),
        EntitlementProcessVersion(
            name="Field Service",
            active=True,
            sobject_type="WorkOrder",
            business_hours=LONDON,
            description="On-site repairs",
            entry_start_date_field="WorkOrder.CreatedDate",
            exit_criteria_items=[FilterItem("WorkOrder.Status", "equals", "Closed, Canceled")],
            exit_criteria_boolean_filter=None,
            milestones=[
                ProcessMilestone(
                    "Tech Onsite",
                    minutes_to_complete=960,
                    criteria_items=[FilterItem("WorkOrder.Priority", "equals", "Critical")],
                    business_hours=SYDNEY,
                ),
                ProcessMilestone(
                    "Tech Onsite",
                    minutes_to_complete=2880,
                    criteria_items=[FilterItem("WorkOrder.Priority", "notEqual", "Critical")],
                ),
            ],
        ),
        EntitlementProcessVersion(
            name="Warranty",
            active=False,
            sobject_type="Case",
            business_hours=LONDON,
            description="Hardware warranty claims",
            entry_start_date_field="Case.CreatedDate",
            exit_criteria_items=[closed],
            milestones=[
                ProcessMilestone("First Response", minutes_to_complete=1440),
                ProcessMilestone("Resolution Time", minutes_to_complete=7200),
            ],
        ),
    ]
    templates = [
        EntitlementTemplate(
            "Standard Phone Support",
            NEW_YORK,
            None,
            "Standard Support",
            False,
            365,
            "Phone Support",
            ["RTR-100", "SW-24"],
        ),
        EntitlementTemplate(
            "Premium 24x7 Support",
            SYDNEY,
            None,
            "Premium Support",
            False,
            365,
            "Phone Support",
            ["RTR-500", "SUP-GOLD"],
        ),
        EntitlementTemplate(
            "Web Support 10 cases",
            NEW_YORK,
            10,
            "Standard Support",
            True,
            180,
            "Web Support",
            ["AP-6"],
        ),
        EntitlementTemplate(
            "Hardware Warranty",
            LONDON,
            None,
            "Warranty",
            False,
            730,
            "Phone Support",
            ["SRV-2U", "NAS-8", "FW-X"],
        ),
    ]
    return MetadataProject(
        processes=processes,
        milestone_types=milestone_types,
        templates=templates,
        business_hours=[new_york, london, sydney],
        holidays=holidays,
        entitlement_settings=EntitlementSettings(
            {
                "enableEntitlementVersioning": True,
                "enableEntitlements": True,
                "entitlementLookupLimitedToActiveStatus": True,
                "entitlementLookupLimitedToSameAccount": True,
            }
        ),
        business_hours_settings_present=True,
        api_version="61.0",
    )


def demo_data(today: date) -> dict[str, list[object]]:
    """Accounts, contacts, products, assets, contracts, line items and entitlements."""
    rng = random.Random(SEED)
    accounts: list[Account] = []
    contacts: list[Contact] = []
    assets: list[Asset] = []
    products = [Product(_id("01t", i), name, code) for i, (code, name) in enumerate(_PRODUCTS, 1)]
    levels = ["Gold", "Silver", "Bronze"]
    for i, company in enumerate(_COMPANIES, 1):
        parent = accounts[0].id if company in ("Atlas Mining", "Cobalt Motors") else None
        accounts.append(
            Account(_id("001", i), company, parent, {"Support_Level__c": levels[i % 3]})
        )
    n_contact = n_asset = 0
    for account in accounts:
        domain = account.name.lower().replace(" ", "") + ".example"
        for _ in range(rng.randint(2, 4)):
            n_contact += 1
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            email = _ascii(f"{first.lower()}.{last.lower()}@{domain}".replace("'", ""))
            contacts.append(Contact(_id("003", n_contact), last, first, email, account.id))
        owner_contacts = [c for c in contacts if c.account_id == account.id]
        for _ in range(rng.randint(1, 3)):
            n_asset += 1
            product = rng.choice(products[:7])
            installed = today - timedelta(days=rng.randint(60, 900))
            assets.append(
                Asset(
                    _id("02i", n_asset),
                    f"{product.name} #{n_asset}",
                    f"SN-{rng.randint(100000, 999999)}",
                    account.id,
                    rng.choice(owner_contacts).id,
                    product.id,
                    installed,
                    installed + timedelta(days=3 * 365),
                )
            )

    contracts: list[ServiceContract] = []
    line_items: list[ContractLineItem] = []

    def contract(
        n: int,
        name: str,
        account: Account,
        start: date,
        months: int,
        status: str,
        parent: ServiceContract | None = None,
    ) -> ServiceContract:
        c = ServiceContract(
            _id("810", n),
            name,
            account.id,
            next(x.id for x in contacts if x.account_id == account.id),
            start,
            _add_months(start, months) - timedelta(days=1),
            months,
            status,
            parent.id if parent else None,
            (parent.root_service_contract_id or parent.id) if parent else None,
        )
        contracts.append(c)
        return c

    def line(
        n: int,
        c: ServiceContract,
        product: Product,
        asset: Asset | None,
        qty: float,
        parent: ContractLineItem | None = None,
    ) -> ContractLineItem:
        li = ContractLineItem(
            _id("811", n),
            c.id,
            product.id,
            asset.id if asset else None,
            c.start_date,
            c.end_date,
            qty,
            parent.id if parent else None,
            (parent.root_contract_line_item_id or parent.id) if parent else None,
        )
        line_items.append(li)
        return li

    acme, granite, pioneer = accounts[0], accounts[6], accounts[15]
    start = today.replace(day=1) - timedelta(days=300)
    c1 = contract(1, "Acme Master Agreement", acme, start, 36, "Activated")
    c2 = contract(2, "Acme Robotics EMEA", acme, start + timedelta(days=31), 24, "Activated", c1)
    c3 = contract(
        3, "Atlas Mining Addendum", accounts[26], start + timedelta(days=62), 12, "Activated", c2
    )
    c4 = contract(
        4, "Granite Bank Enterprise", granite, today - timedelta(days=700), 24, "Activated"
    )
    c5 = contract(
        5,
        "Granite Bank Renewal",
        granite,
        c4.end_date + timedelta(days=1) if c4.end_date else today,
        24,
        "In Approval Process",
        c4,
    )
    c6 = contract(6, "Pioneer Pharma Lab Support", pioneer, today - timedelta(days=30), 12, "Draft")
    c7 = contract(7, "Pioneer Pharma Site B", pioneer, today - timedelta(days=30), 12, "Draft", c6)
    account_assets = {a.id: [x for x in assets if x.account_id == a.id] for a in accounts}
    n_line = 0
    for c in (c1, c2, c3, c4, c5, c6, c7):
        owner = next(a for a in accounts if a.id == c.account_id)
        first_line: ContractLineItem | None = None
        for owned in account_assets[owner.id][:2]:
            n_line += 1
            product = next(p for p in products if p.id == owned.product_id)
            li = line(n_line, c, product, owned, 1.0)
            first_line = first_line or li
        n_line += 1
        line(n_line, c, products[7], None, float(rng.randint(1, 5)), first_line)

    entitlements: list[Entitlement] = []
    ent_contacts: list[EntitlementContact] = []
    kinds = [
        ("Standard Support", 3, NEW_YORK, "Phone Support"),
        ("Premium Support", None, SYDNEY, "Phone Support"),
        ("Standard Support", None, NEW_YORK, "Web Support"),
        ("Warranty", None, LONDON, "Phone Support"),
        ("Standard Support", 1, NEW_YORK, "Phone Support"),
    ]
    # Names as an admin would give them: the plan (the template's name) and what the
    # entitlement covers (asset, contract line, contract), so an account's entitlements tell
    # apart; the start year (or day) only where that is not enough.
    plans = {
        ("Standard Support", "Phone Support"): "Standard Phone Support",
        ("Standard Support", "Web Support"): "Web Support 10 cases",
        ("Premium Support", "Phone Support"): "Premium 24x7 Support",
        ("Warranty", "Phone Support"): "Hardware Warranty",
    }
    names_taken: set[tuple[str, str]] = set()

    def entitlement_name(
        account: Account,
        plan: str,
        begin: date,
        asset: Asset | None,
        sc: ServiceContract | None,
        li: ContractLineItem | None,
    ) -> str:
        covers = ""
        if asset is not None:
            covers = asset.name
        elif sc is not None:
            term = _contract_short_name(sc.name, account.name)
            if li is not None:
                product = next(p for p in products if p.id == li.product_id)
                covers = f"{product.name}, {term}"
            else:
                covers = f"{term} contract"
        suffix = f" ({covers})" if covers else ""
        for started in ("", f" {begin.year}", f" {begin.isoformat()}"):
            name = f"{account.name} – {plan}{started}{suffix}"
            if (account.id, name) not in names_taken:  # else the start year/day tells apart
                break
        names_taken.add((account.id, name))
        return name

    asset: Asset | None
    covered_contract: ServiceContract | None
    covered_line: ContractLineItem | None
    for n in range(1, 41):
        if n <= 16:  # entitlements only: account or asset
            account = accounts[(n * 7) % len(accounts)]
            asset = account_assets[account.id][0] if n % 2 == 0 else None
            covered_contract = covered_line = None
        elif n <= 28:  # service contracts
            covered_contract = contracts[(n - 17) % len(contracts)]
            account = next(a for a in accounts if a.id == covered_contract.account_id)
            asset, covered_line = None, None
        else:  # contract line items
            covered_line = line_items[(n - 29) * 2 % len(line_items)]
            covered_contract = next(
                c for c in contracts if c.id == covered_line.service_contract_id
            )
            account = next(a for a in accounts if a.id == covered_contract.account_id)
            asset = next((a for a in assets if a.id == covered_line.asset_id), None)
        c_id = covered_contract.id if covered_contract else None
        li_id = covered_line.id if covered_line else None
        process, version, hours, etype = kinds[n % len(kinds)]
        begin = today - timedelta(days=rng.randint(-30, 500))
        end = begin + timedelta(days=rng.choice([90, 180, 365, 730]) - 1)
        per_incident = etype == "Web Support"
        cases = 10 if per_incident else None
        entitlements.append(
            Entitlement(
                _id("550", n),
                entitlement_name(
                    account,
                    plans[(process, etype)],
                    begin,
                    asset,
                    covered_contract,
                    covered_line,
                ),
                account.id,
                asset.id if asset else None,
                c_id,
                li_id,
                etype,
                begin,
                end,
                hours,
                process,
                version,
                per_incident,
                cases,
                rng.randint(0, 10) if per_incident else None,
            )
        )
        named = [c for c in contacts if c.account_id == account.id][: 1 + n % 2]
        for contact in named:
            ent_contacts.append(
                EntitlementContact(_id("E01", len(ent_contacts) + 1), _id("550", n), contact.id)
            )
    return {
        "accounts": list(accounts),
        "contacts": list(contacts),
        "products": list(products),
        "assets": list(assets),
        "service_contracts": list(contracts),
        "contract_line_items": list(line_items),
        "entitlements": list(entitlements),
        "entitlement_contacts": list(ent_contacts),
    }


def create_demo_workspace(path: Path, today: date | None = None) -> Workspace:
    """Create the demo workspace at ``path`` (which must not exist) and return it open."""
    reference = today or date.today()
    workspace = Workspace.create(Path(path))
    try:
        with workspace.unit_of_work() as session:
            repository.save_project(session, demo_metadata())
            for key, records in demo_data(reference).items():
                repository.save_records(session, key, records)
            repository.save_settings(
                session,
                WorkspaceSettings(
                    setup_model=SetupModel.CONTRACT_LINE_ITEMS,
                    entitlement_settings=demo_metadata().entitlement_settings,
                    metadata_api_version="61.0",
                ),
            )
            repository.save_experiences(
                session,
                [
                    Experience(
                        "Customer Help Center",
                        True,
                        ["Name", "StartDate", "EndDate", "Status"],
                        True,
                    ),
                    Experience("Partner Portal", True, ["Name", "EndDate"], False),
                ],
            )
    except Exception:
        workspace.close()
        Path(path).unlink(missing_ok=True)
        raise
    return workspace


def default_workspace_path() -> Path:
    """Where the demo workspace lives: the user's data directory for Entitle Desktop."""
    return Path(user_data_dir(APP_NAME, appauthor=False)) / DEMO_FILE_NAME


def ensure_default_workspace() -> Path:
    """The default workspace's path, creating it with the demo on first run."""
    path = default_workspace_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        create_demo_workspace(path).close()
    return path

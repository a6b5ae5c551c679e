"""Time bundle export and import of a workspace with 100,000 entitlements.

Run: ``.venv/bin/python benchmarks/bundle.py [--entitlements N] [--accounts N]``.
Prints ONE JSON line: record counts, bundle size and seconds for building the workspace,
exporting the bundle and importing it into a new workspace (target: under 10 s each).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from entitle_desktop.domain.records import Account, Entitlement
from entitle_desktop.persistence import repository
from entitle_desktop.services.bundle_io import export_bundle, import_bundle
from entitle_desktop.services.workspace import Workspace


def build(path: Path, accounts: int, entitlements: int) -> None:
    start = date(2025, 1, 1)
    account_rows = [
        Account(f"001{i:012d}", f"Account {i}", custom_fields={"Support_Level__c": "Premium"})
        for i in range(accounts)
    ]
    entitlement_rows = [
        Entitlement(
            f"550{i:012d}",
            f"Entitlement {i}",
            account_rows[i % accounts].id,
            type="Phone Support" if i % 2 else "Web Support",
            start_date=start + timedelta(days=i % 365),
            end_date=start + timedelta(days=365 + i % 365),
            business_hours="Default",
            sla_process="Premium Support",
            is_per_incident=i % 7 == 0,
            cases_per_entitlement=10 if i % 7 == 0 else None,
        )
        for i in range(entitlements)
    ]
    with Workspace.create(path) as ws, ws.unit_of_work() as session:
        repository.save_records(session, "accounts", account_rows)
        repository.save_records(session, "entitlements", entitlement_rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entitlements", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source, bundle, target = (
            folder / "source.entitle",
            folder / "b.entitlebundle",
            folder / "t.entitle",
        )
        t0 = time.perf_counter()
        build(source, args.accounts, args.entitlements)
        t1 = time.perf_counter()
        with Workspace.open(source) as ws:
            export_bundle(ws, bundle)
        t2 = time.perf_counter()
        with Workspace.create(target) as ws:
            import_bundle(ws, bundle)
            imported = ws.summary().counts["entitlements"]
        t3 = time.perf_counter()
        print(
            json.dumps(
                {
                    "benchmark": "bundle",
                    "entitlements": args.entitlements,
                    "accounts": args.accounts,
                    "imported_entitlements": imported,
                    "bundle_bytes": bundle.stat().st_size,
                    "build_s": round(t1 - t0, 2),
                    "export_s": round(t2 - t1, 2),
                    "import_s": round(t3 - t2, 2),
                }
            )
        )


if __name__ == "__main__":
    main()

"""Benchmark the B2MML export: time to build, serialise and validate, and document size.

Usage::

    .venv/bin/python benchmarks/export_plan.py [--operations 10000] [--no-validate] [--repeat 3] [--plan-dir DIR]

Two plans: the bike plant's (``instances/native/bike_plant.json`` solved with the dispatching rule) and a
generated plan of ``--operations`` operations (orders of 10 operations on 20 machines, no gaps); with
``--plan-dir`` also the plan of a plan folder (e.g. the demo plant's, written by ``make demo``). For each
plan and document (plan-level ``ProcessOperationsSchedule``, dispatch-level ``ProcessWorkSchedule``) it
reports the time to build the document, to write it as XML (lxml) and as B2MML-JSON, the sizes, and the
time to validate each against the shipped schemas (xmlschema, jsonschema; the schemas are loaded once
before timing). The best of ``--repeat`` runs is kept. Writes ``benchmarks/results/export_plan.csv`` and
prints a Markdown table.
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.formats import read_instance  # noqa: E402
from planner.interchange.b2mml import (  # noqa: E402
    json_text,
    operations_schedule_document,
    to_xml,
    work_schedule_document,
)
from planner.interchange.validate import json_validator, validate_json, validate_xml, xml_schema  # noqa: E402
from planner.planning import Plan, PlanMachine, PlannedOperation, ProductionOrder, plan_from_schedule  # noqa: E402
from planner.scheduling import solve  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
FIELDS = [
    "plan",
    "operations",
    "document",
    "build_s",
    "xml_s",
    "xml_kib",
    "json_s",
    "json_kib",
    "validate_xml_s",
    "validate_json_s",
]


def bike_plan() -> Plan:
    data = read_instance(ROOT / "instances" / "native" / "bike_plant.json")
    result = solve(data, solver="dispatch", time_limit=5, num_workers=1, seed=1)
    assert result.schedule is not None
    return plan_from_schedule(data, result.schedule, plan_id="bike-wk50")


def generated_plan(num_operations: int, num_machines: int = 20, ops_per_order: int = 10) -> Plan:
    """Orders of ``ops_per_order`` operations cycling over the machines, each machine busy without gaps."""
    machines = tuple(PlanMachine(f"M{m:02d}") for m in range(num_machines))
    free = [0] * num_machines
    orders = []
    num_orders = max(1, num_operations // ops_per_order)
    for j in range(num_orders):
        ops = []
        t = 0
        for k in range(ops_per_order):
            m = (j + k) % num_machines
            duration = 5 + (7 * j + 3 * k) % 40
            start = max(t, free[m])
            ops.append(
                PlannedOperation(
                    f"PO-{j:05d}/{10 * (k + 1):03d}",
                    k,
                    f"step{k}",
                    machines[m].id,
                    start,
                    start + duration,
                    setup=(j % 3) * 2,
                )
            )
            t = free[m] = start + duration
        orders.append(
            ProductionOrder(
                f"PO-{j:05d}",
                f"ITEM-{j % 50:02d}",
                float(1 + j % 9),
                tuple(ops),
                due=t + 60,
                priority=1 + j % 3,
            )
        )
    return Plan(
        plan_id="generated",
        time_origin="2026-12-07T06:00:00+01:00",
        machines=machines,
        orders=tuple(orders),
        created="2026-12-07T05:00:00+00:00",
    )


def _timed(best: dict[str, float], key: str, fn: Callable[[], Any]) -> Any:
    """Call ``fn`` and keep the shortest time under ``key``."""
    started = time.perf_counter()
    value = fn()
    best[key] = min(best.get(key, float("inf")), time.perf_counter() - started)
    return value


def measure(name: str, plan: Plan, validate: bool, repeat: int) -> list[dict[str, object]]:
    rows = []
    num_ops = sum(len(o.operations) for o in plan.orders)
    for label, build in (
        ("ProcessOperationsSchedule", operations_schedule_document),
        ("ProcessWorkSchedule", work_schedule_document),
    ):
        best: dict[str, float] = {}
        timed = functools.partial(_timed, best)
        from lxml import etree

        for _ in range(repeat):
            doc = timed("build_s", lambda: build(plan, created="2026-12-07T05:00:00+00:00"))  # noqa: B023
            xml = timed("xml_s", lambda: etree.tostring(to_xml(doc), xml_declaration=True, encoding="UTF-8"))  # noqa: B023
            text = timed("json_s", lambda: json_text(doc))  # noqa: B023
            if validate:
                root = etree.fromstring(xml)
                timed("validate_xml_s", lambda: validate_xml(root))  # noqa: B023
                parsed = json.loads(text)
                timed("validate_json_s", lambda: validate_json(parsed))  # noqa: B023
        rows.append(
            {
                "plan": name,
                "operations": num_ops,
                "document": label,
                **{k: round(v, 3) for k, v in best.items()},
                "xml_kib": round(len(xml) / 1024, 1),
                "json_kib": round(len(text.encode()) / 1024, 1),
            }
        )
        print(f"  {name} {label}: {rows[-1]}", file=sys.stderr)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--operations", type=int, default=10_000)
    parser.add_argument("--no-validate", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS / "export_plan.csv")
    parser.add_argument(
        "--plan-dir", type=Path, action="append", default=[], help="also a plan folder's plan"
    )
    args = parser.parse_args()
    validate = not args.no_validate
    if validate:
        started = time.perf_counter()
        xml_schema()
        json_validator()
        print(f"schemas loaded in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    rows = measure("bike plant", bike_plan(), validate, args.repeat)
    for folder in args.plan_dir:
        plan = Plan.read(folder)
        rows += measure(plan.plant or folder.name, plan, validate, args.repeat)
    rows += measure("generated", generated_plan(args.operations), validate, args.repeat)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    print(
        "| plan | operations | document | build s | XML s | XML KiB | JSON s | JSON KiB | validate XML s | validate JSON s |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['plan']} | {r['operations']} | {r['document']} | {r['build_s']} | {r['xml_s']} | {r['xml_kib']} | "
            f"{r['json_s']} | {r['json_kib']} | {r.get('validate_xml_s', '-')} | {r.get('validate_json_s', '-')} |"
        )


if __name__ == "__main__":
    main()

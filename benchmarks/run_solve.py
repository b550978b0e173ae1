#!/usr/bin/env python3
"""Benchmark `planner solve` on instance files: gap to the best-known solution per instance and per family.

Each instance is solved by its own `planner solve` process (``.venv/bin/planner``) with the given time limit,
workers and seed; the schedule it writes is verified by the independent checker
``../shared/tools/check_schedule.py``. Results are appended to ``results.csv`` one instance at a time, so an
interrupted run resumes where it stopped (instances already in the CSV are skipped). At the end the script
writes ``results.md`` (a table per instance and one per family) and prints it.

Examples
--------
Everything the README reports (about 45 minutes at 30 s per instance)::

    .venv/bin/python benchmarks/run_solve.py --time-limit 30 --workers 2

A quick look at a few files::

    .venv/bin/python benchmarks/run_solve.py '../shared/instances/jssp/la0*.txt' --time-limit 5 --out var/bench/quick
"""

from __future__ import annotations

import argparse
import csv
import glob
import json
import math
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEFAULT_PATTERNS = (
    str(SHARED / "instances" / "jssp" / "*.txt"),
    str(SHARED / "instances" / "fjsp" / "mk*.fjs"),
)
#: Folders whose name is part of the instance name and family (as in the FJSP bks.csv).
SET_FOLDERS = ("hurink_edata", "hurink_rdata", "hurink_vdata", "dauzere")
CHECKED_SUFFIXES = (".txt", ".fjs")  # what check_schedule.py reads

COLUMNS = (
    "instance",
    "family",
    "n_jobs",
    "n_machines",
    "status",
    "objective",
    "bound",
    "best_known",
    "gap_to_bks_pct",
    "proven",
    "seconds",
    "checker",
    "checker_makespan",
    "time_limit",
    "workers",
    "seed",
    "wall_seconds",
    "exit_code",
    "file",
    "note",
)


def natural_key(text: str) -> list[Any]:
    """Sort ``la2`` before ``la10``."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def instance_name(path: Path) -> str:
    """``la01``, ``mk05``, ``hurink_rdata/la21``: the name the best-known tables use."""
    parent = path.parent.name.lower()
    return f"{parent}/{path.stem.lower()}" if parent in SET_FOLDERS else path.stem.lower()


def family_of(name: str) -> str:
    """The benchmark family: ``ft``, ``la``, ``abz``, ``orb``, ``swv``, ``yn``, ``mk``, ``hurink_rdata``..."""
    if "/" in name:
        return name.split("/", 1)[0]
    match = re.match(r"[a-z]+", name)
    return match.group(0) if match else name


def expand(patterns: Iterable[str]) -> list[Path]:
    """Files named by the patterns (globs, files or folders), without repeats, in natural order."""
    found: dict[Path, None] = {}
    for pattern in patterns:
        path = Path(pattern)
        if path.is_dir():
            matches = [str(p) for p in path.iterdir() if p.suffix in (".txt", ".fjs", ".json")]
        else:
            matches = glob.glob(pattern, recursive=True) or ([pattern] if path.is_file() else [])
        if not matches:
            print(f"warning: {pattern!r} matches no file", file=sys.stderr)
        for match in matches:
            candidate = Path(match).resolve()
            if candidate.is_file() and candidate.name != "bks.csv" and candidate.suffix != ".csv":
                found.setdefault(candidate, None)
    return sorted(found, key=lambda p: natural_key(instance_name(p)))


def read_rows(csv_path: Path) -> list[dict[str, str]]:
    if not csv_path.is_file():
        return []
    with csv_path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def append_row(csv_path: Path, row: dict[str, Any]) -> None:
    """Append one row (writing the header first when the file is new) and flush it to disk."""
    new = not csv_path.is_file() or csv_path.stat().st_size == 0
    with csv_path.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        if new:
            writer.writeheader()
        writer.writerow({c: "" if row.get(c) is None else row[c] for c in COLUMNS})


def fmt(value: Any, digits: int = 2) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return str(int(value)) if value.is_integer() and digits == 0 else f"{value:.{digits}f}"
    return str(value)


def run_checker(checker: Path, instance: Path, schedule: Path, expected: int | None) -> tuple[str, str]:
    """Run the independent checker: returns (verdict, makespan it recomputed)."""
    if instance.suffix not in CHECKED_SUFFIXES or not checker.is_file():
        return "n/a", ""
    if not schedule.is_file():
        return "no schedule", ""
    done = subprocess.run(
        [sys.executable, str(checker), str(instance), str(schedule)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    if done.returncode != 0:
        return "infeasible", ""
    makespan = int(last)
    if expected is not None and makespan != expected:
        return "makespan mismatch", str(makespan)
    return "ok", str(makespan)


def solve_one(path: Path, args: argparse.Namespace, runs: Path) -> dict[str, Any]:
    """Solve one instance in a fresh `planner solve` process and collect its row."""
    name = instance_name(path)
    run_dir = runs / name.replace("/", "_")
    run_dir.mkdir(parents=True, exist_ok=True)
    for old in run_dir.glob("*"):
        old.unlink()
    command = [
        str(args.planner),
        "solve",
        str(path),
        "--time-limit",
        str(args.time_limit),
        "--workers",
        str(args.workers),
        "--seed",
        str(args.seed),
        "--solver",
        args.solver,
        "--out",
        str(run_dir),
    ]
    row: dict[str, Any] = {
        "instance": name,
        "family": family_of(name),
        "time_limit": args.time_limit,
        "workers": args.workers,
        "seed": args.seed,
        "file": str(path),
    }
    started = time.monotonic()
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, check=False, timeout=3 * args.time_limit + 120
        )
    except subprocess.TimeoutExpired:
        row.update(status="error", note="planner solve did not return in time", exit_code="timeout")
        return row
    row["wall_seconds"] = round(time.monotonic() - started, 2)
    row["exit_code"] = done.returncode
    results = sorted(run_dir.glob("*.result.json"))
    if len(results) != 1:
        message = (done.stderr.strip().splitlines() or ["no result written"])[-1]
        row.update(status="error", note=message[:200])
        return row
    document = json.loads(results[0].read_text(encoding="utf-8"))
    bks = document.get("best_known") or {}
    kpis = document.get("kpis") or {}
    gap = document.get("gap_to_best_known")
    row.update(
        n_jobs=document.get("num_jobs"),
        n_machines=document.get("num_machines"),
        status=document.get("status"),
        objective=document.get("objective"),
        bound=document.get("bound"),
        best_known=bks.get("upper"),
        gap_to_bks_pct=None if gap is None else round(100.0 * gap, 3),
        proven=document.get("status") == "optimal",
        seconds=document.get("runtime"),
    )
    schedule = results[0].with_name(results[0].name.replace(".result.json", ".schedule.csv"))
    verdict, makespan = run_checker(args.checker, path, schedule, kpis.get("makespan"))
    row.update(checker=verdict, checker_makespan=makespan)
    return row


def _float(text: str) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def markdown(rows: Sequence[dict[str, str]], title: str) -> str:
    """Tables per instance and per family, in Markdown."""
    lines = [f"# {title}", ""]
    lines += [
        "| instance | family | size | status | objective | bound | best known | gap to BKS (%) | seconds | checker |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        size = f"{row['n_jobs']}x{row['n_machines']}" if row.get("n_jobs") else ""
        lines.append(
            f"| {row['instance']} | {row['family']} | {size} | {row['status']} | "
            f"{fmt(_float(row['objective']), 0)} | {fmt(_float(row['bound']), 0)} | "
            f"{fmt(_float(row['best_known']), 0)} | {fmt(_float(row['gap_to_bks_pct']))} | "
            f"{fmt(_float(row['seconds']), 1)} | {row['checker']} |"
        )
    lines += [
        "",
        "| family | instances | with schedule | proven optimal | at BKS | mean gap to BKS (%) | max gap (%) "
        "| mean seconds | checker ok |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    families: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        families.setdefault(row["family"], []).append(row)
    groups = [(f, families[f]) for f in sorted(families, key=natural_key)]
    if len(groups) > 1:
        groups.append(("**all**", list(rows)))
    for family, members in groups:
        gaps = [g for g in (_float(r["gap_to_bks_pct"]) for r in members) if g is not None]
        seconds = [s for s in (_float(r["seconds"]) for r in members) if s is not None]
        with_schedule = sum(r["status"] in ("optimal", "feasible") for r in members)
        proven = sum(r["proven"] == "True" for r in members)
        at_bks = sum(abs(g) < 1e-9 for g in gaps)
        checked = sum(r["checker"] == "ok" for r in members)
        lines.append(
            f"| {family} | {len(members)} | {with_schedule} | {proven} | {at_bks} | "
            f"{fmt(statistics.fmean(gaps)) if gaps else ''} | {fmt(max(gaps)) if gaps else ''} | "
            f"{fmt(statistics.fmean(seconds), 1) if seconds else ''} | {checked} |"
        )
    lines.append("")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Run `planner solve` over instance files and report the gap to the best-known solutions.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "patterns",
        nargs="*",
        default=list(DEFAULT_PATTERNS),
        help="instance files, folders or glob patterns (quote them)",
    )
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds per instance")
    parser.add_argument("--workers", type=int, default=2, help="solver threads")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    parser.add_argument("--solver", default="cpsat", choices=("cpsat", "dispatch"), help="backend")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="results folder (results.csv, results.md, runs/); default var/bench/solve-t<T>-w<W>-s<S>",
    )
    parser.add_argument(
        "--planner", type=Path, default=REPO / ".venv" / "bin" / "planner", help="planner command"
    )
    parser.add_argument(
        "--checker", type=Path, default=SHARED / "tools" / "check_schedule.py", help="independent checker"
    )
    parser.add_argument(
        "--report-only", action="store_true", help="only rewrite results.md from the existing results.csv"
    )
    args = parser.parse_args(argv)
    if args.out is None:
        args.out = REPO / "var" / "bench" / f"solve-t{args.time_limit:g}-w{args.workers}-s{args.seed}"
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    csv_path = args.out / "results.csv"
    title = (
        f"planner solve ({args.solver}): {args.time_limit:g} s per instance, {args.workers} workers, "
        f"seed {args.seed}"
    )
    if not args.report_only:
        if not Path(args.planner).exists():
            print(f"error: {args.planner} not found; run `make install` first", file=sys.stderr)
            return 2
        if not args.checker.is_file():
            print(f"warning: checker {args.checker} not found; schedules are not verified", file=sys.stderr)
        files = expand(args.patterns)
        existing = read_rows(csv_path)
        settings = {"time_limit": str(args.time_limit), "workers": str(args.workers), "seed": str(args.seed)}
        clash = [r["instance"] for r in existing if any(r.get(k) != v for k, v in settings.items())]
        if clash:
            print(
                f"error: {csv_path} holds runs with other settings ({', '.join(clash[:3])}...); "
                "use another --out to keep results comparable",
                file=sys.stderr,
            )
            return 2
        done = {row["instance"] for row in existing}
        todo = [p for p in files if instance_name(p) not in done]
        print(
            f"{len(files)} instances, {len(files) - len(todo)} already in {csv_path}, {len(todo)} to run "
            f"(about {len(todo) * args.time_limit / 60:.0f} min)",
            file=sys.stderr,
        )
        for idx, path in enumerate(todo, start=1):
            row = solve_one(path, args, args.out / "runs")
            append_row(csv_path, row)
            print(
                f"[{idx}/{len(todo)}] {row['instance']}: {row.get('status')} {fmt(row.get('objective'), 0)} "
                f"(bks {fmt(row.get('best_known'), 0)}, gap {fmt(row.get('gap_to_bks_pct'))}%) "
                f"checker {row.get('checker', '')} {row.get('note', '')}",
                file=sys.stderr,
                flush=True,
            )
    rows = sorted(read_rows(csv_path), key=lambda r: natural_key(r["instance"]))
    report = markdown(rows, title)
    (args.out / "results.md").write_text(report, encoding="utf-8")
    print(report)
    print(f"wrote {csv_path} and {args.out / 'results.md'}", file=sys.stderr)
    bad = [r["instance"] for r in rows if r["checker"] in ("infeasible", "makespan mismatch")]
    if bad:
        print(f"error: the checker rejected {', '.join(bad)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

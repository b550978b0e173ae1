#!/usr/bin/env python3
"""Our scheduler side by side with the textbook CP-SAT model and PyJobShop, on the same instances.

Every solver gets the same instance, number of workers, seed and time limit; solves are interleaved per
instance (the order of the solvers rotates from one instance to the next) so that machine noise hits all
alike. Each solve runs in its own Python process (``--run-one``), which writes the schedule as CSV; the
independent checker ``../shared/tools/check_schedule.py`` (or, for instances it cannot read, our checker)
verifies it. Solves fan out through :func:`planner.compute.get_executor`: local processes, or a Dask cluster
when ``--dask ADDRESS`` (or ``PLANNER_DASK_ADDRESS``) is given, one solve per worker slot (slots = CPUs //
workers locally, so solves never compete for the same cores).

Outputs in ``--out`` (default ``benchmarks/results``), named ``compare_<tag>.*``:

- ``.csv``: one row per (instance, solver): makespan, bound, status, gap to the best-known solution,
  checker verdict, seconds, peak memory, and the best makespan at 1, 5, 15, 30 and 60 s (anytime profile);
- ``.md``: per family mean gap, number proven optimal, and the ratio of our mean gap to each peer's;
  plus the anytime table;
- ``.png``: mean gap against time per solver (anytime profile).

Gaps are to the best-known makespan: the published one, else one from a ``--best-known FILE`` (the bounds
CSV that ``benchmarks/best_known.py`` writes from earlier and longer runs, for freshly generated instances),
else the best lower bound (the simple job/machine bound or a solver's proven bound; marked LB). The CSV also
has the lower bound and the gap to it for every row.

Raw results of single solves are kept in ``<out>/compare_raw/`` and reused when the same solve is asked for
again (delete them to rerun).

Examples
--------
The issue's Taillard subset and Brandimarte, 30 s, 2 workers::

    .venv/bin/python benchmarks/compare.py --taillard 1,2,11,12,21,22,31,32,41,42,51,61,71 \\
        '../shared/instances/fjsp/mk0*.fjs' --time-limit 30 --workers 2 --tag issue7_30s

Quick look::

    .venv/bin/python benchmarks/compare.py '../shared/instances/jssp/ft*.txt' --time-limit 5 --tag quick
"""

from __future__ import annotations

import argparse
import csv
import glob
import json
import math
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(os.environ.get("PLANNER_REPO", Path(__file__).resolve().parents[1]))
SHARED = REPO.parent / "shared"
CHECKER = SHARED / "tools" / "check_schedule.py"
SOLVERS = ("ours", "textbook", "pyjobshop")
# also for A/B: "ours_noproof" (no proof phases), "ours_pool" / "ours_nopool" (tabu_elite_size 8 / 0)
PROFILE_TIMES = (1.0, 5.0, 15.0, 30.0, 60.0)
RESULT_MARK = "@@RESULT@@ "
LOG_LINE = re.compile(r"^#(\d+|Done)\s+([\d.]+)s\s+best:(\d+)")

sys.path.insert(0, str(Path(__file__).resolve().parent))


# ----------------------------------------------------------------------------------------------------------
# one solve, in its own process


def _write_schedule(schedule: Any, path: Path) -> None:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["job", "operation", "machine", "start", "end"])
        for op in schedule:
            writer.writerow([op.job, op.operation, op.machine, op.start, op.end])


def _run_pyjobshop(data: Any, time_limit: float, workers: int, seed: int, started: float) -> dict[str, Any]:
    import pyjobshop
    from pyjobshop import Model

    from planner.scheduling.solution import Schedule, ScheduledOperation

    model = Model()
    jobs = [model.add_job() for _ in data.jobs]
    machines = [model.add_machine() for _ in data.machines]
    keys = []
    for j_idx, job in enumerate(data.jobs):
        previous = None
        for o_idx, op in enumerate(job.operations):
            task = model.add_task(job=jobs[j_idx])
            keys.append((j_idx, o_idx))
            for mode in op.modes:
                model.add_mode(task, machines[mode.machine], mode.duration)
            if previous is not None:
                model.add_end_before_start(previous, task)
            previous = task
    model.set_objective(weight_makespan=1)
    offset = time.perf_counter() - started
    sys.stdout.flush()
    result = pyjobshop.solve(
        model.data(),
        solver="ortools",
        time_limit=max(0.01, time_limit - offset),
        display=True,  # the CP-SAT log gives the anytime profile
        num_workers=workers,
        random_seed=seed,
    )
    out: dict[str, Any] = {
        "status": str(result.status.value).lower(),
        "bound": float(result.lower_bound),
        "log_offset": offset,
        "objective": None,
        "schedule": None,
    }
    tasks = result.best.tasks
    if tasks and math.isfinite(result.objective):
        out["objective"] = int(result.objective)
        ops = []
        for (j_idx, o_idx), task in zip(keys, tasks, strict=True):
            ops.append(ScheduledOperation(j_idx, o_idx, task.resources[0], task.start, task.end))
        out["schedule"] = Schedule(ops)
    return out


def run_one(solver: str, path: str, time_limit: float, workers: int, seed: int, schedule_csv: str) -> None:
    """Solve one instance with one solver; print the result as a marked JSON line."""
    # imports first: the clock measures reading, building and solving, not the interpreter's start-up;
    # ortools (shared by all three) and each solver's own modules are imported before it starts. numba,
    # which our solver loads in its tabu thread, is not: that cost counts against our time limit.
    from ortools.sat.python import cp_model  # noqa: F401

    from planner.formats import read_instance
    from planner.scheduling.solvers.cpsat import backend  # noqa: F401

    if solver == "pyjobshop":
        import pyjobshop  # noqa: F401
    elif solver == "textbook":
        import textbook_cpsat  # noqa: F401
    started = time.perf_counter()
    data = read_instance(path)
    progress: list[tuple[float, int]] = []
    out: dict[str, Any] = {"solver": solver, "path": path}
    if solver in ("ours", "ours_noproof", "ours_pool", "ours_nopool"):
        from planner.scheduling import Solver

        ours = Solver("cpsat")
        if solver == "ours_noproof":  # A/B only: the fast path as it was before its proof phases
            ours._backend.preset["shop"]["proof"] = {}
        if solver == "ours_pool":  # A/B: elite pool with path relinking in the tabu search (over 300 ops)
            ours._backend.preset["shop"]["tabu_elite_size"] = 8
        if solver == "ours_nopool":  # A/B: no elite pool (the default before 2026-12-02)
            ours._backend.preset["shop"]["tabu_elite_size"] = 0
        result = ours.solve(
            data,
            time_limit=max(0.01, time_limit - (time.perf_counter() - started)),  # same clock as the peers
            num_workers=workers,
            seed=seed,
            on_progress=lambda p: progress.append((time.perf_counter() - started, int(p.objective))),
        )
        out.update(
            status=result.status.value,
            objective=None if result.objective is None else int(result.objective),
            bound=result.lower_bound,
            stats=result.stats,
        )
        schedule = result.schedule
    elif solver == "textbook":
        from textbook_cpsat import solve_textbook

        status, objective, bound, schedule = solve_textbook(
            data,
            time_limit=time_limit,
            num_workers=workers,
            seed=seed,
            on_solution=lambda t, v: progress.append((time.perf_counter() - started, v)),
            started=started,
        )
        out.update(status=status.lower(), objective=objective, bound=bound)
    elif solver == "pyjobshop":
        res = _run_pyjobshop(data, time_limit, workers, seed, started)
        schedule = res.pop("schedule")
        out.update(res)
    else:
        raise SystemExit(f"unknown solver {solver!r}")
    out["seconds"] = time.perf_counter() - started
    out["progress"] = progress
    out["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if schedule is not None:
        _write_schedule(schedule, Path(schedule_csv))
    sys.stdout.flush()
    print(RESULT_MARK + json.dumps(out), flush=True)


# ----------------------------------------------------------------------------------------------------------
# the driver


def _family(name: str) -> str:
    if "/" in name:
        return name.split("/")[0]
    match = re.match(r"[a-z]+", name)
    return match.group(0) if match else name


def _best_known(
    name: str, path: str, extra: dict[str, Any] | None = None
) -> tuple[int | None, int | None, str]:
    """(lower, upper, where from) best-known bounds, or (None, None, "") when none is known.

    ``name`` is the instance's key (:func:`planner.formats.bks.instance_key` of ``path``). Published values
    come first (Taillard's from ``taillard_gen``, the others from the bounds files of
    :mod:`planner.formats.bks`); ``extra`` (from ``--best-known FILE``) serves instances without one, such
    as freshly generated ones.
    """
    from taillard_gen import BEST_KNOWN

    if name in BEST_KNOWN:
        return (*BEST_KNOWN[name], "published")
    from planner.formats.bks import best_known

    bound = best_known(path)
    if bound is not None:
        return bound.lower, bound.upper, "published"
    found = (extra or {}).get(name)
    if found is not None:
        return found.lower, found.upper, "file"
    return None, None, ""


def _load_extra_bounds(files: Sequence[Path]) -> dict[str, Any]:
    """Bounds from ``--best-known`` files (the columns of ``instances/bks.csv``); the first file wins."""
    from planner.formats.bks import merge_bounds

    for file in files:
        if not Path(file).is_file():
            raise SystemExit(f"--best-known: no such file {file}")
    return merge_bounds(files)


def _checked(row: dict[str, Any]) -> bool:
    """Whether a solve's schedule passed the checker (its verdict, as ``_check`` words it, starts "ok")."""
    return str(row.get("checker", "")).startswith("ok")


def _verdict(checker: str, checked_makespan: int | None, reported: Any) -> str:
    """The checker's verdict, unless the makespan it measured is not the one the solver reported."""
    if reported is not None and checked_makespan is not None and checked_makespan != reported:
        return f"MISMATCH: checked makespan {checked_makespan} != reported {reported}"
    return checker


def _check(path: str, schedule_csv: Path) -> tuple[str, int | None]:
    """Verdict of the independent checker (or ours for formats it cannot read) and its makespan."""
    if not schedule_csv.exists():
        return "no schedule", None
    if path.endswith((".txt", ".fjs")) and CHECKER.exists():
        proc = subprocess.run(
            [sys.executable, str(CHECKER), path, str(schedule_csv)], capture_output=True, text=True
        )
        if proc.returncode != 0:
            return "REJECTED: " + (proc.stdout + proc.stderr).strip().replace("\n", " | ")[:200], None
        numbers = re.findall(r"\d+", proc.stdout)
        return "ok (shared checker)", int(numbers[-1]) if numbers else None
    from planner.formats import read_instance
    from planner.scheduling import check_solution
    from planner.scheduling.solution import Schedule, ScheduledOperation

    with schedule_csv.open() as f:
        rows = [
            ScheduledOperation(*(int(r[c]) for c in ("job", "operation", "machine", "start", "end")))
            for r in csv.DictReader(f)
        ]
    report = check_solution(read_instance(path), Schedule(rows))
    if not report.ok:
        return f"REJECTED: {report.violations[:2]}", None
    return "ok (planner checker)", report.kpis.makespan if report.kpis else None


def solve_task(task: dict[str, Any]) -> dict[str, Any]:
    """One solve in a fresh process, checked; runs in an executor slot."""
    raw = Path(task["raw"])
    if raw.exists():
        return json.loads(raw.read_text())
    schedule_csv = raw.with_suffix(".schedule.csv")
    cmd = [
        sys.executable, str(Path(__file__).resolve()), "--run-one", task["solver"], task["path"],
        "--time-limit", str(task["time_limit"]), "--workers", str(task["workers"]), "--seed", str(task["seed"]),
        "--schedule-csv", str(schedule_csv),
    ]  # fmt: skip
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=task["time_limit"] * 3 + 120)
    wall = time.perf_counter() - started
    lines = proc.stdout.splitlines()
    marked = [ln for ln in lines if ln.startswith(RESULT_MARK)]
    if proc.returncode != 0 or not marked:
        out: dict[str, Any] = {
            "solver": task["solver"],
            "path": task["path"],
            "status": "error",
            "objective": None,
        }
        out["error"] = (proc.stderr or proc.stdout)[-800:]
    else:
        out = json.loads(marked[-1][len(RESULT_MARK) :])
    if task["solver"] == "pyjobshop" and not out.get("progress"):
        offset = float(out.get("log_offset", 0.0))
        progress = []
        for ln in lines:
            m = LOG_LINE.match(ln.strip())
            if m and m.group(1) != "Done":
                progress.append((offset + float(m.group(2)), int(m.group(3))))
        out["progress"] = progress
    out["wall"] = wall
    verdict, out["checker_makespan"] = _check(task["path"], schedule_csv)
    out["checker"] = _verdict(verdict, out["checker_makespan"], out.get("objective"))
    out.update({k: task[k] for k in ("name", "family", "time_limit", "workers", "seed")})
    raw.write_text(json.dumps(out))
    return out


def _best_at(progress: Sequence[Sequence[float]], t: float) -> int | None:
    values = [int(v) for s, v in progress if s <= t]
    return min(values) if values else None


def _gap(value: float | None, reference: float | None) -> float | None:
    if value is None or not reference:
        return None
    return 100.0 * (value - reference) / reference


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.fmean(present) if present else None


def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("patterns", nargs="*", help="instance files (glob patterns)")
    parser.add_argument(
        "--taillard", default="", help="published Taillard instances to generate, e.g. 1,2,41-43"
    )
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--solvers", default=",".join(SOLVERS))
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument("--tag", default="run")
    parser.add_argument("--slots", type=int, default=0, help="parallel solves (default: CPUs // workers)")
    parser.add_argument(
        "--dask", default=None, help="Dask scheduler address (default: $PLANNER_DASK_ADDRESS)"
    )
    parser.add_argument("--load-note", default="", help="machine load to state in the Markdown")
    parser.add_argument(
        "--best-known", action="append", type=Path, default=[], metavar="FILE",
        help="bounds CSV (the columns of instances/bks.csv) for instances without published values;"
        " written by benchmarks/best_known.py",
    )  # fmt: skip
    parser.add_argument("--run-one", nargs=2, metavar=("SOLVER", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--schedule-csv", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.run_one:
        run_one(args.run_one[0], args.run_one[1], args.time_limit, args.workers, args.seed, args.schedule_csv)
        return 0

    paths: list[str] = []
    if args.taillard:
        import taillard_gen

        folder = REPO / "var" / "taillard"
        folder.mkdir(parents=True, exist_ok=True)
        for part in args.taillard.split(","):
            lo, _, hi = part.partition("-")
            for idx in range(int(lo), int(hi or lo) + 1):
                inst = taillard_gen.published(idx)
                file = folder / f"{inst.name}.txt"
                file.write_text(inst.to_jssp())
                paths.append(str(file))
    for pattern in args.patterns:
        found = sorted(glob.glob(pattern))
        if not found:
            parser.error(f"no file matches {pattern!r}")
        paths += found
    from planner.formats.bks import instance_key

    solvers = [s for s in args.solvers.split(",") if s]
    raw_dir = args.out / "compare_raw"
    raw_dir.mkdir(parents=True, exist_ok=True)
    tasks = []
    for i, path in enumerate(paths):
        name = instance_key(path)
        order = solvers[i % len(solvers) :] + solvers[: i % len(solvers)]  # rotate: no solver always first
        for solver in order:
            stem = f"{solver}__{name.replace('/', '_')}__{args.time_limit:g}s_w{args.workers}_s{args.seed}"
            tasks.append({
                "solver": solver, "path": path, "name": name, "family": _family(name),
                "time_limit": args.time_limit, "workers": args.workers, "seed": args.seed,
                "raw": str(raw_dir / f"{stem}.json"),
            })  # fmt: skip

    from planner.compute import get_executor

    slots = args.slots or max(1, (os.cpu_count() or 1) // args.workers)
    load_before = os.getloadavg()
    started = time.time()
    executor = get_executor(num_workers=slots, dask_address=args.dask)
    with executor:
        sys.stderr.write(f"{len(tasks)} solves on {executor.description}\n")
        outcomes = executor.map_chunks(solve_task, tasks, progress=_show_progress)
    sys.stderr.write("\n")
    load_after = os.getloadavg()
    results = []
    for task, outcome in zip(tasks, outcomes, strict=True):
        if outcome.ok and outcome.value is not None:
            results.append(outcome.value)
        else:
            results.append(
                {**task, "status": "error", "objective": None, "error": outcome.error, "progress": []}
            )
    _report(args, solvers, results, load_before, load_after, time.time() - started, executor.description)
    return 0


def _show_progress(done: int, total: int) -> None:
    sys.stderr.write(f"\r{done}/{total} solves")


def _report(
    args: argparse.Namespace,
    solvers: list[str],
    results: list[dict[str, Any]],
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
    elapsed: float,
    where: str,
) -> None:
    by_instance: dict[str, dict[str, dict[str, Any]]] = {}
    for r in results:
        by_instance.setdefault(r["name"], {})[r["solver"]] = r
    from planner.formats import read_instance
    from planner.scheduling.solvers.cpsat.shop import simple_lower_bound

    extra = _load_extra_bounds(args.best_known)
    rows = []
    for name, per_solver in by_instance.items():
        path = next(iter(per_solver.values()))["path"]
        lower, upper, where_from = _best_known(name, path, extra)
        bounds = [float(r.get("bound") or 0) for r in per_solver.values()]
        lower_bound = max(
            [simple_lower_bound(read_instance(path)), lower or 0, *[math.ceil(b) for b in bounds]]
        )
        reference = upper
        ref_kind = "best-known"
        if where_from == "file":
            ref_kind = "best-known (file)"
            checked = [
                r.get("objective") for r in per_solver.values()
                if _checked(r) and r.get("objective") is not None
            ]  # fmt: skip
            if checked and min(checked) < reference:  # this run improved on the file: the new best known
                reference = int(min(checked))
                ref_kind = "best-known (found in this run)"
        if reference is None:
            reference = lower_bound
            ref_kind = "lower bound"
        for solver in solvers:
            found = per_solver.get(solver)
            if found is None:
                continue
            r = found
            ok = _checked(r)
            objective = r.get("objective") if ok else None
            proven = r.get("status") == "optimal" and ok
            row = {
                "instance": name, "family": r["family"], "solver": solver, "status": r.get("status"),
                "objective": objective, "bound": r.get("bound"), "best_known": reference, "reference": ref_kind,
                "gap_pct": _gap(objective, reference), "lower_bound": lower_bound,
                "gap_to_lb_pct": _gap(objective, lower_bound), "proven": proven, "seconds": r.get("seconds"),
                "checker": r.get("checker", r.get("error", "")), "max_rss_mb": r.get("max_rss_mb"),
                "build_seconds": (r.get("stats") or {}).get("build_seconds"),
            }  # fmt: skip
            for t in PROFILE_TIMES:
                within = t <= float(r.get("time_limit", args.time_limit)) + 1e-9
                best = _best_at(r.get("progress") or [], t) if ok and within else None
                row[f"at_{t:g}s"] = best
                row[f"gap_at_{t:g}s"] = _gap(best, reference)
            rows.append(row)
    args.out.mkdir(parents=True, exist_ok=True)
    base = args.out / f"compare_{args.tag}"
    with base.with_suffix(".csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()})

    families = sorted({r["family"] for r in rows})
    lines = [
        f"# Comparison `{args.tag}`: {args.time_limit:g} s, {args.workers} workers, seed {args.seed}",
        "",
        f"Solves ran on {where}, one at a time per slot, interleaved per instance; {elapsed / 60:.1f} min in all. "
        f"Load average (1/5/15 min) before {load_before[0]:.1f}/{load_before[1]:.1f}/{load_before[2]:.1f}, "
        f"after {load_after[0]:.1f}/{load_after[1]:.1f}/{load_after[2]:.1f} on {os.cpu_count()} CPUs. "
        + args.load_note,
        "",
        "Gap = (makespan - best known) / best known; a solve without a checked schedule counts as missing (n/a).",
        "",
    ]
    header = "| family | n | " + " | ".join(f"{s} gap % | {s} proven" for s in solvers)
    peers = [s for s in solvers if s != "ours"]
    if "ours" in solvers:
        header += " | " + " | ".join(f"ours / {p}" for p in peers)
    lines += [header + " |", "|" + "---|" * (header.count("|") - 1)]
    for fam in [*families, "all"]:
        sel = [r for r in rows if fam == "all" or r["family"] == fam]
        names = sorted({r["instance"] for r in sel})
        cells = [fam, str(len(names))]
        means = {}
        for s in solvers:
            gaps = [r["gap_pct"] for r in sel if r["solver"] == s]
            means[s] = _mean(gaps)
            missing = sum(g is None for g in gaps)
            cells.append(_fmt(means[s]) + (f" ({missing} n/a)" if missing else ""))
            cells.append(str(sum(bool(r["proven"]) for r in sel if r["solver"] == s)))
        if "ours" in solvers:
            for p in peers:
                o, q = means.get("ours"), means.get(p)
                cells.append("-" if o is None or not q else f"{o / q:.2f}")
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## Anytime profile: mean gap % to best known at t seconds (wall clock of the solve)", ""]
    times = [t for t in PROFILE_TIMES if t <= args.time_limit + 1e-9]
    lines.append("| solver | " + " | ".join(f"{t:g} s" for t in times) + " |")
    lines.append("|---|" + "---|" * len(times))
    for s in solvers:
        cells = []
        for t in times:
            gaps = [r[f"gap_at_{t:g}s"] for r in rows if r["solver"] == s]
            missing = sum(g is None for g in gaps)
            cells.append(_fmt(_mean(gaps)) + (f" ({missing} n/a)" if missing else ""))
        lines.append(f"| {s} | " + " | ".join(cells) + " |")
    lines += ["", "## Per instance", ""]
    lines.append("| instance | best known | " + " | ".join(f"{s} (gap %, s)" for s in solvers) + " |")
    lines.append("|---|---|" + "---|" * len(solvers))
    for name in by_instance:
        chosen = {row["solver"]: row for row in rows if row["instance"] == name}
        any_row = next(iter(chosen.values()))
        ref = f"{any_row['best_known']}" + _REF_MARKS.get(any_row["reference"], "")
        cells = []
        for s in solvers:
            one = chosen.get(s)
            if one is None:
                cells.append("-")
                continue
            mark = "*" if one["proven"] else ""
            value = one["objective"] if one["objective"] is not None else "n/a"
            cells.append(f"{value}{mark} ({_fmt(one['gap_pct'])}, {_fmt(one['seconds'], 1)})")
        lines.append(f"| {name} | {ref} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "`*` = proven optimal. Best known marked (LB): no solution known, the gap is to a lower bound; (file):"
        " from a `--best-known` file; (run): found in this run, better than that file. Checker verdicts, the"
        " lower bound and the gap to it are in the CSV.",
        "",
    ]
    # the rows carry no objective for an unchecked schedule: count the verdicts themselves
    rejected = [r for r in rows if str(r["checker"]).startswith(("REJECTED", "MISMATCH"))]
    if rejected:
        lines.append(f"**{len(rejected)} schedules rejected by the checker.**")
    base.with_suffix(".md").write_text("\n".join(lines))
    sys.stdout.write("\n".join(lines) + "\n")
    _plot(base.with_suffix(".png"), rows, solvers, times, args)


_REF_MARKS = {
    "lower bound": " (LB)",
    "best-known (file)": " (file)",
    "best-known (found in this run)": " (run)",
}


def _plot(
    path: Path, rows: list[dict[str, Any]], solvers: list[str], times: list[float], args: argparse.Namespace
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for s in solvers:
        ys = [_mean([r[f"gap_at_{t:g}s"] for r in rows if r["solver"] == s]) for t in times]
        ax.plot(times, [y if y is not None else float("nan") for y in ys], marker="o", label=s)
    ax.set_xscale("log")
    ax.set_xticks(times)
    ax.set_xticklabels([f"{t:g}" for t in times])
    ax.set_xlabel("seconds")
    ax.set_ylabel("mean gap to best known (%)")
    ax.set_title(f"{args.tag}: {args.workers} workers, seed {args.seed}")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    raise SystemExit(main())

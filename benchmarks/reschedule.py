"""Rescheduling after random breakdowns: answer time and plan stability.

A plant (generated and seeded, or a native instance file with ``--instance``) gets an initial plan; then a
sequence of random machine breakdowns (seeded) arrives, each at a later ``now``. Every breakdown is
rescheduled from the current plan with the stability terms (warm start, short time limit), and, for
comparison, re-solved from scratch without them (no stability term, no warm start, same limit; started work
stays where it is in both). The stable plan becomes the current plan for the next event.

Per event it reports the wall time of :func:`planner.scheduling.reschedule.reschedule` (building the new
problem, repairing the warm start, solving, checking), the operations moved and their total start shift,
and the problem's own objective (without the stability terms) of both plans. Every plan passes the
independent checker (``reschedule`` returns only checked schedules; this script checks again).

Usage (from the repository root)::

    .venv/bin/python benchmarks/reschedule.py --time-limit 5 --workers 2
    .venv/bin/python benchmarks/reschedule.py --instance instances/native/bike_plant.json --events 20
    .venv/bin/python benchmarks/reschedule.py --plan-dir var/demo --events 20            # the demo plan
    .venv/bin/python benchmarks/reschedule.py --plan-dir var/demo --events 20 --replan   # planner replan

``--plan-dir`` takes the scheduling problem and the plan stored in a plan folder of ``planner plan`` (no
initial solve). ``--replan`` re-plans a copy of that folder with :func:`planner.planning.replan.replan`
instead (plant ids, lifecycle pins, a committed version per event; wall time includes loading and storing).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import time
from pathlib import Path

from planner.scheduling import (
    Job,
    Machine,
    Mode,
    Objective,
    Operation,
    ProblemData,
    Schedule,
    check_solution,
    solve,
)
from planner.scheduling.reschedule import Breakdown, RescheduleResult, reschedule

RESULTS = Path(__file__).resolve().parent / "results"


def generate_plant(
    seed: int = 1, num_machines: int = 10, num_jobs: int = 100, ops_per_job: int = 5, num_families: int = 3
) -> ProblemData:
    """A flexible job shop with changeovers and due dates: ``num_jobs`` jobs of about ``ops_per_job``
    operations, each eligible on one to three machines (durations 5-40, alternatives up to 30% slower)."""
    rng = random.Random(seed)
    setups = tuple(
        tuple(0 if f == g else rng.randint(5, 20) for g in range(num_families)) for f in range(num_families)
    )
    machines = tuple(
        Machine(f"M{m:02d}", setup_times=setups, initial_family=rng.randrange(num_families))
        for m in range(num_machines)
    )
    jobs = []
    total = 0
    for j in range(num_jobs):
        ops = []
        for _ in range(max(1, ops_per_job + rng.choice((-1, 0, 0, 1)))):
            base = rng.randint(5, 40)
            eligible = rng.sample(range(num_machines), rng.choice((1, 2, 2, 3)))
            modes = tuple(
                Mode(m, base if k == 0 else int(base * rng.uniform(1.0, 1.3))) for k, m in enumerate(eligible)
            )
            ops.append(Operation(modes))
            total += base
        jobs.append(Job(tuple(ops), f"SO-{j + 1:04d}", family=rng.randrange(num_families)))
    # due dates spread over the plausible makespan (total work over the machines), some tight
    span = total // num_machines
    jobs = [
        Job(
            job.operations,
            job.name,
            release=0,
            due=rng.randint(span // 3, int(span * 1.2)),
            weight=rng.choice((1, 1, 2, 5)),
            family=job.family,
        )
        for job in jobs
    ]
    return ProblemData(
        machines,
        tuple(jobs),
        num_families=num_families,
        objective=Objective(makespan=1, tardiness=1),
        name=f"plant_m{num_machines}_j{num_jobs}_s{seed}",
        time_unit="min",
    )


def _row(event_idx: int, now: int, bd: Breakdown, kind: str, res: RescheduleResult, wall: float) -> dict:
    if res.schedule is None:  # no plan in time: recorded, and the current plan stays for the next event
        return {
            "event": event_idx,
            "now": now,
            "machine": bd.machine,
            "breakdown_start": bd.start,
            "breakdown_end": bd.end,
            "kind": kind,
            "status": res.result.status.value,
            "solver": res.result.solver,
            "wall_seconds": round(wall, 3),
            "solver_seconds": round(res.result.runtime, 3),
            "operations": res.data.num_operations,
            "started_kept": len(res.started),
            "frozen_kept": len(res.frozen),
            "moved": None,
            "forced_moves": None,
            "total_shift": None,
            "plan_objective": None,
            "makespan": None,
            "weighted_tardiness": None,
            "checker": "no plan",
        }
    report = check_solution(res.data, res.schedule)
    if not report.ok:
        raise SystemExit(f"event {event_idx} ({kind}): the checker rejects the plan: {report.violations[:3]}")
    kpis = res.result.kpis
    assert kpis is not None
    return {
        "event": event_idx,
        "now": now,
        "machine": bd.machine,
        "breakdown_start": bd.start,
        "breakdown_end": bd.end,
        "kind": kind,
        "status": res.result.status.value,
        "solver": res.result.solver + ("+fallback" if res.result.stats.get("fallback") else ""),
        "wall_seconds": round(wall, 3),
        "solver_seconds": round(res.result.runtime, 3),
        "operations": res.data.num_operations,
        "started_kept": len(res.started),
        "frozen_kept": len(res.frozen),
        "moved": res.num_moved,
        "forced_moves": sum(1 for m in res.moves if m.reason),
        "total_shift": res.total_shift,
        "plan_objective": res.plan_objective,
        "makespan": kpis.makespan,
        "weighted_tardiness": kpis.total_weighted_tardiness,
        "checker": "ok",
    }


def _replan_main(args: argparse.Namespace, data: ProblemData, initial: Schedule) -> int:
    """20 random breakdowns through `planner.planning.replan.replan` on a copy of the plan folder."""
    import shutil
    import tempfile

    from planner.exceptions import ValidationError
    from planner.planning.replan import MachineDown, load_schedule_files, replan

    rng = random.Random(args.seed * 7919 + 1)
    horizon = initial.makespan
    step = max(1, int(horizon * 0.6) // max(1, args.events))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "plan"
        shutil.copytree(args.plan_dir, folder)
        for k in range(args.events):
            now = (k + 1) * step
            machine = data.machine_name(rng.randrange(data.num_machines))
            start = now + rng.randint(0, step)
            end = start + rng.randint(20, 120)
            t0 = time.perf_counter()
            try:
                res = replan(
                    folder,
                    [MachineDown(machine, start, end)],
                    now=now,
                    frozen_horizon=args.frozen_horizon,
                    time_limit=args.time_limit,
                    num_workers=args.workers,
                    seed=args.seed,
                    moved_weight=args.moved_weight,
                    shift_weight=args.shift_weight,
                    window=args.window,
                )
            except ValidationError as exc:  # no plan in time: recorded; the folder is left as it was
                wall = time.perf_counter() - t0
                print(f"event {k + 1:2d} now {now:5d} {machine} {start}-{end}: no plan ({exc})", flush=True)
                rows.append(
                    {
                        "event": k + 1,
                        "now": now,
                        "machine": machine,
                        "breakdown_start": start,
                        "breakdown_end": end,
                        "kind": "replan",
                        "status": "no plan",
                        "version": None,
                        "wall_seconds": round(wall, 3),
                        "solver_seconds": None,
                        "operations": None,
                        "moved": None,
                        "total_shift": None,
                        "plan_objective": None,
                        "checker": "no plan",
                    }
                )
                continue
            wall = time.perf_counter() - t0
            stored_data, stored, _ = load_schedule_files(folder)
            if not check_solution(stored_data, stored).ok:
                raise SystemExit(f"event {k + 1}: the checker rejects the stored plan")
            resched = res.rescheduled
            rows.append(
                {
                    "event": k + 1,
                    "now": now,
                    "machine": machine,
                    "breakdown_start": start,
                    "breakdown_end": end,
                    "kind": "replan",
                    "status": resched.result.status.value,
                    "version": res.plan.version,
                    "wall_seconds": round(wall, 3),
                    "solver_seconds": round(resched.result.runtime, 3),
                    "operations": resched.data.num_operations,
                    "moved": len(res.diff.moved),
                    "total_shift": sum(abs(m.new_start - m.old_start) for m in res.diff.moved),
                    "plan_objective": resched.plan_objective,
                    "checker": "ok",
                }
            )
            print(
                f"event {k + 1:2d} now {now:5d} {machine} {start}-{end}: replan {wall:5.2f} s, "
                f"moved {rows[-1]['moved']:3d}, shift {rows[-1]['total_shift']:6d}, version {res.plan.version}",
                flush=True,
            )
    tag = f"_win{args.window}" if args.window else ""
    out = args.out or RESULTS / f"replan_{data.name}_t{args.time_limit:g}_w{args.workers}{tag}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {out}")
    print()
    failed = sum(1 for r in rows if r["checker"] != "ok")
    rows_ok = [r for r in rows if r["checker"] == "ok"]
    if failed:
        print(f"replan: no plan in time for {failed} event(s) (not in the means)")
    if not rows_ok:
        return 1
    print("| plan | events | mean wall s | max wall s | mean moved | max moved | mean shift |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    rows = rows_ok
    print(
        f"| replan | {len(rows)} | {statistics.mean(r['wall_seconds'] for r in rows):.2f} | "
        f"{max(r['wall_seconds'] for r in rows):.2f} | {statistics.mean(r['moved'] for r in rows):.1f} | "
        f"{max(r['moved'] for r in rows)} | {statistics.mean(r['total_shift'] for r in rows):.0f} |"
    )
    print(f"load at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instance", type=Path, help="native instance file (default: a generated plant)")
    parser.add_argument("--plan-dir", type=Path, help="plan folder of `planner plan`: its problem and plan")
    parser.add_argument(
        "--replan", action="store_true", help="with --plan-dir: re-plan a copy of the folder (planner replan)"
    )
    parser.add_argument("--machines", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--ops", type=int, default=5, help="operations per job (about)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the plant and of the breakdowns")
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--time-limit", type=float, default=5.0, help="seconds per reschedule")
    parser.add_argument("--initial-time-limit", type=float, default=30.0, help="seconds for the initial plan")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--frozen-horizon", type=int, default=30)
    parser.add_argument("--moved-weight", type=int, default=10)
    parser.add_argument("--shift-weight", type=int, default=1)
    parser.add_argument(
        "--window", type=int, help="re-optimise window after window of this length (default: one model)"
    )
    parser.add_argument("--no-scratch", action="store_true", help="skip the from-scratch comparison")
    parser.add_argument(
        "--out", type=Path, help="CSV file (default: benchmarks/results/reschedule_<name>.csv)"
    )
    args = parser.parse_args(argv)

    stored = None
    if args.plan_dir:
        from planner.planning.replan import load_schedule_files

        data, stored, _ = load_schedule_files(args.plan_dir)
        data = data.replace(name=args.plan_dir.name.replace("-", "_") or data.name)
    elif args.instance:
        from planner.formats.native import read_native

        data = read_native(args.instance)
    else:
        data = generate_plant(args.seed, args.machines, args.jobs, args.ops)
    print(
        f"{data.name}: {data.num_machines} machines, {data.num_jobs} jobs, {data.num_operations} operations; "
        f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}",
        flush=True,
    )
    if stored is not None:
        initial_schedule = stored
        print(f"initial plan: the stored one, makespan {stored.makespan}", flush=True)
    else:
        started = time.perf_counter()
        initial = solve(data, time_limit=args.initial_time_limit, num_workers=args.workers, seed=args.seed)
        if initial.schedule is None:
            raise SystemExit("no initial plan found")
        initial_schedule = initial.schedule
        print(
            f"initial plan: {initial.status.value}, objective {initial.objective}, makespan "
            f"{initial.schedule.makespan}, {time.perf_counter() - started:.1f} s",
            flush=True,
        )
    if args.replan:
        if args.plan_dir is None:
            raise SystemExit("--replan needs --plan-dir")
        return _replan_main(args, data, initial_schedule)

    rng = random.Random(args.seed * 7919 + 1)
    horizon = initial_schedule.makespan
    step = max(1, int(horizon * 0.6) // max(1, args.events))
    current_data, current = data, initial_schedule
    rows = []
    for k in range(args.events):
        now = (k + 1) * step
        machine = rng.randrange(data.num_machines)
        start = now + rng.randint(0, step)
        bd = Breakdown(data.machine_name(machine), start, start + rng.randint(20, 120))
        common = {
            "now": now,
            "frozen_horizon": args.frozen_horizon,
            "time_limit": args.time_limit,
            "num_workers": args.workers,
            "seed": args.seed,
        }
        t0 = time.perf_counter()
        stable = reschedule(
            current_data,
            current,
            [bd],
            moved_weight=args.moved_weight,
            shift_weight=args.shift_weight,
            window=args.window,
            **common,  # type: ignore[arg-type]
        )
        wall = time.perf_counter() - t0
        rows.append(_row(k + 1, now, bd, "stable", stable, wall))
        line = (
            f"event {k + 1:2d} now {now:5d} {bd.machine} {bd.start}-{bd.end}: stable {wall:5.2f} s, "
            f"moved {stable.num_moved:3d}, shift {stable.total_shift:6d}, objective {stable.plan_objective}"
        )
        if not args.no_scratch:
            t0 = time.perf_counter()
            scratch = reschedule(
                current_data,
                current,
                [bd],
                moved_weight=0,
                shift_weight=0,
                warm_start=False,
                **common,  # type: ignore[arg-type]
            )
            wall = time.perf_counter() - t0
            rows.append(_row(k + 1, now, bd, "scratch", scratch, wall))
            line += (
                f" | scratch {wall:5.2f} s, moved {scratch.num_moved:3d}, shift {scratch.total_shift:6d}, "
                f"objective {scratch.plan_objective}"
            )
        print(line, flush=True)
        if stable.schedule is not None:
            current_data, current = stable.data, stable.schedule

    tag = f"_win{args.window}" if args.window else ""
    out = args.out or RESULTS / f"reschedule_{data.name}_t{args.time_limit:g}_w{args.workers}{tag}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {out}")

    print()
    print(
        "| plan | events | mean wall s | max wall s | mean moved | max moved | mean shift | mean objective |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for kind in ("stable", "scratch"):
        sel = [r for r in rows if r["kind"] == kind and r["checker"] == "ok"]
        failed = sum(1 for r in rows if r["kind"] == kind and r["checker"] != "ok")
        if failed:
            print(f"{kind}: no plan in time for {failed} event(s) (not in the means)")
        if not sel:
            continue
        print(
            f"| {kind} | {len(sel)} | {statistics.mean(r['wall_seconds'] for r in sel):.2f} | "
            f"{max(r['wall_seconds'] for r in sel):.2f} | {statistics.mean(r['moved'] for r in sel):.1f} | "
            f"{max(r['moved'] for r in sel)} | {statistics.mean(r['total_shift'] for r in sel):.0f} | "
            f"{statistics.mean(r['plan_objective'] for r in sel):.0f} |"
        )
    print(f"load at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

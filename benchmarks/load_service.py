"""Load test of the planner gRPC service: many concurrent small SolveSchedule calls from client threads.

Starts ``planner serve`` in a fresh process (SQLite in a temporary folder), fires ``--requests`` calls from
``--concurrency`` client threads (each its own channel), and reports throughput, latency percentiles,
errors by status code and the server's memory (resident set size, peak and after the run). Writes one CSV
row per call and a summary CSV.

    .venv/bin/python benchmarks/load_service.py --requests 200 --concurrency 50 --slots 2

The instances are random job shops (``--jobs`` x ``--machines``, durations 1..20, one seed per call), sent
inline; every schedule returned is checked with the independent checker.
"""

from __future__ import annotations

import argparse
import csv
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import grpc

from planner.api.v1 import planner_service_pb2 as pb
from planner.api.v1 import planner_service_pb2_grpc as pb_grpc
from planner.api.v1 import scheduling_pb2 as spb
from planner.scheduling import Job, Machine, Mode, Operation, ProblemData, check_solution
from planner.service import convert


def random_shop(num_jobs: int, num_machines: int, seed: int) -> ProblemData:
    """A random job shop: every job visits every machine once in a random order."""
    rng = random.Random(seed)
    jobs = []
    for j in range(num_jobs):
        order = list(range(num_machines))
        rng.shuffle(order)
        jobs.append(Job(tuple(Operation((Mode(m, rng.randint(1, 20)),)) for m in order), name=f"J{j}"))
    return ProblemData(tuple(Machine(f"M{m}") for m in range(num_machines)), tuple(jobs), name=f"shop{seed}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_kib(pid: int) -> tuple[int, int]:
    """Current and peak resident set size of a process, in KiB (Linux /proc)."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50, help="client threads")
    parser.add_argument("--slots", type=int, default=2, help="server solver slots")
    parser.add_argument("--workers", type=int, default=1, help="CP-SAT threads per solve")
    parser.add_argument("--max-queue", type=int, default=256, help="server's max_queue")
    parser.add_argument("--jobs", type=int, default=6)
    parser.add_argument("--machines", type=int, default=4)
    parser.add_argument("--time-limit", type=float, default=2.0)
    parser.add_argument("--deadline", type=float, default=120.0, help="client deadline per call, seconds")
    parser.add_argument("--out", type=Path, default=Path("var/bench/load_service"))
    args = parser.parse_args()

    args.out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        command = [
            sys.executable, "-m", "planner.service", "--host", "127.0.0.1", "--port", str(port),
            "--db-url", f"sqlite:///{tmp}/planner.db", "--slots", str(args.slots), "--workers", str(args.workers),
            "--max-queue", str(args.max_queue), "--log-level", "warning",
        ]  # fmt: skip
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
                grpc.channel_ready_future(ch).result(timeout=60)
            rss_start, _ = rss_kib(server.pid)
            problems = [random_shop(args.jobs, args.machines, seed) for seed in range(args.requests)]
            rows: list[dict[str, object]] = []
            lock = threading.Lock()
            next_index = iter(range(args.requests))
            peak_sampler_stop = threading.Event()
            peak_rss = [rss_start]

            def sample() -> None:
                while not peak_sampler_stop.wait(0.1):
                    peak_rss[0] = max(peak_rss[0], rss_kib(server.pid)[0])

            def client() -> None:
                with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
                    stub = pb_grpc.PlannerServiceStub(ch)
                    while True:
                        with lock:
                            index = next(next_index, None)
                        if index is None:
                            return
                        data = problems[index]
                        request = pb.SolveScheduleRequest(
                            instance=convert.problem_to_proto(data),
                            options=spb.SolveOptions(time_limit_seconds=args.time_limit, seed=1),
                        )
                        start = time.perf_counter()
                        code, status, objective, ok = "OK", "", None, False
                        try:
                            result = stub.SolveSchedule(request, timeout=args.deadline).result
                            status = spb.SolveStatus.Name(result.status).removeprefix("SOLVE_STATUS_").lower()
                            objective = result.objective if result.HasField("objective") else None
                            schedule = convert.result_from_proto(result).schedule
                            ok = schedule is not None and check_solution(data, schedule).ok
                        except grpc.RpcError as exc:
                            code = exc.code().name  # type: ignore[attr-defined]
                        latency = time.perf_counter() - start
                        with lock:
                            rows.append(
                                {"index": index, "code": code, "status": status, "objective": objective,
                                 "checker_ok": ok, "latency_s": round(latency, 4)}
                            )  # fmt: skip

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            threads = [threading.Thread(target=client) for _ in range(args.concurrency)]
            started = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - started
            peak_sampler_stop.set()
            rss_end, rss_peak = rss_kib(server.pid)
        finally:
            server.terminate()
            server.wait(30)

    latencies = [float(r["latency_s"]) for r in rows if r["code"] == "OK"]  # type: ignore[arg-type]
    errors: dict[str, int] = {}
    for r in rows:
        if r["code"] != "OK":
            errors[str(r["code"])] = errors.get(str(r["code"]), 0) + 1
    summary = {
        "requests": args.requests,
        "concurrency": args.concurrency,
        "slots": args.slots,
        "workers": args.workers,
        "instance": f"{args.jobs}x{args.machines} random",
        "time_limit": args.time_limit,
        "ok": len(latencies),
        "errors": sum(errors.values()),
        "error_codes": ";".join(f"{k}={v}" for k, v in sorted(errors.items())) or "-",
        "checker_rejected": sum(1 for r in rows if r["code"] == "OK" and not r["checker_ok"]),
        "optimal": sum(1 for r in rows if r["status"] == "optimal"),
        "wall_s": round(wall, 2),
        "throughput_rps": round(len(latencies) / wall, 2) if wall else 0.0,
        "p50_s": round(percentile(latencies, 50), 3),
        "p99_s": round(percentile(latencies, 99), 3),
        "max_s": round(max(latencies, default=float("nan")), 3),
        "mean_s": round(statistics.fmean(latencies), 3) if latencies else float("nan"),
        "server_rss_start_mib": round(rss_start / 1024, 1),
        "server_rss_peak_mib": round(max(rss_peak, peak_rss[0]) / 1024, 1),
        "server_rss_end_mib": round(rss_end / 1024, 1),
    }
    with (args.out / "calls.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["index"])
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda r: int(r["index"])))  # type: ignore[call-overload]
    with (args.out / "summary.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(summary))
        writer.writeheader()
        writer.writerow(summary)
    width = max(len(k) for k in summary)
    for key, value in summary.items():
        print(f"{key:<{width}}  {value}")
    print(f"wrote {args.out / 'calls.csv'} and {args.out / 'summary.csv'}")


if __name__ == "__main__":
    main()

"""Where solves run: the bounded pool of solver slots, unary solves and the durable job runner.

Nothing here knows protobuf or gRPC: the servicer converts requests into :class:`SolveParams` and
:class:`~planner.scheduling.ProblemData`, and results back. The job runner claims jobs from the
:class:`~planner.store.JobStore` when a slot is free, renews their leases, stops them when cancelled
and requeues them (with the best schedule so far as a checkpoint) when the server shuts down.

A job's kind maps to a task factory (:data:`TASKS`): ``schedule`` solves a schedule, ``forecast``
forecasts demand (:mod:`planner.service.forecast_tasks`), ``inventory`` plans lot sizes
(:mod:`planner.service.inventory_tasks`), ``plan`` makes a whole plan and stores it
(:mod:`planner.service.plan_tasks`). A task runs in one slot and can be stopped from another thread.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from planner.exceptions import PlannerError
from planner.scheduling.problem_data import ProblemData
from planner.scheduling.result import KPIs, Result, SolveStatus
from planner.scheduling.solution import Schedule, ScheduledOperation
from planner.scheduling.solvers.base import Progress
from planner.service.config import ServiceConfig
from planner.service.forecast_tasks import FORECAST_KIND
from planner.service.inventory_tasks import INVENTORY_KIND
from planner.store import JobRecord, JobState, JobStore

logger = logging.getLogger(__name__)

SCHEDULE_KIND = "schedule"
SOLVERS = ("cpsat", "dispatch")
DEADLINE_MARGIN = 0.25
"""Seconds kept back from the caller's deadline for conversion and the answer's trip back."""


class LimitExceeded(PlannerError):
    """A request exceeds a configured limit; names the limit, its value and what was asked."""

    def __init__(self, limit: str, maximum: float, value: float | None = None, what: str = ""):
        self.limit = limit
        self.maximum = maximum
        self.value = value
        asked = f" ({what or 'asked'}: {value})" if value is not None else ""
        super().__init__(f"limit {limit}={maximum} exceeded{asked}")


class DeadlineTooShort(PlannerError):
    """The caller's deadline leaves no time to solve."""


class ShuttingDown(PlannerError):
    """The server is stopping and takes no new work."""


@dataclass(frozen=True)
class SolveParams:
    """How to solve, after the server's defaults and limits were applied."""

    time_limit: float
    num_workers: int
    seed: int = 1
    solver: str = "cpsat"

    def as_dict(self) -> dict[str, Any]:
        return {
            "time_limit": self.time_limit,
            "num_workers": self.num_workers,
            "seed": self.seed,
            "solver": self.solver,
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> SolveParams:
        return cls(
            float(values["time_limit"]),
            int(values["num_workers"]),
            int(values["seed"]),
            str(values["solver"]),
        )


def resolve_params(
    config: ServiceConfig, *, time_limit: float, num_workers: int, seed: int, solver: str
) -> SolveParams:
    """Apply the server's defaults (for zeros) and caps to what a request asks."""
    limits = config.limits
    limit = time_limit if time_limit > 0 else config.default_time_limit
    workers = num_workers if num_workers > 0 else config.workers_per_solve
    return SolveParams(
        time_limit=min(limit, limits.max_time_limit),
        num_workers=max(1, min(workers, limits.max_workers)),
        seed=seed,
        solver=solver or "cpsat",
    )


def check_size(data: ProblemData, config: ServiceConfig) -> None:
    """Raise :class:`LimitExceeded` when ``data`` is bigger than the limits allow."""
    limits = config.limits
    if data.num_operations > limits.max_operations:
        raise LimitExceeded("max_operations", limits.max_operations, data.num_operations, "operations")
    horizon = data.horizon()
    if horizon > limits.max_horizon:
        raise LimitExceeded("max_horizon", limits.max_horizon, horizon, "horizon")


# -- JSON forms of results and progress (what the store holds) ------------------------------------------


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def progress_to_dict(progress: Progress) -> dict[str, Any]:
    """JSON-ready form of an improving solution."""
    return {
        "objective": _finite(progress.objective),
        "bound": _finite(progress.bound),
        "gap": _finite(progress.gap),
        "runtime": round(progress.runtime, 3),
        "num_solutions": progress.num_solutions,
    }


def result_to_dict(result: Result, data: ProblemData) -> dict[str, Any]:
    """JSON-ready form of a result, with what a client needs to map its times to calendar time."""
    return {
        "status": result.status.value,
        "objective": _finite(result.objective),
        "lower_bound": _finite(result.lower_bound),
        "runtime": result.runtime,
        "solver": result.solver,
        "num_solutions": result.num_solutions,
        "kpis": None
        if result.kpis is None
        else {**result.kpis.as_dict(), "utilisation": list(result.kpis.utilisation)},
        "schedule": None
        if result.schedule is None
        else [[op.job, op.operation, op.machine, op.start, op.end] for op in result.schedule],
        "instance": {"name": data.name, "time_unit": data.time_unit, "time_origin": data.time_origin},
    }


def result_from_dict(values: dict[str, Any]) -> Result:
    """The :class:`Result` that :func:`result_to_dict` stored."""
    kpis = values.get("kpis")
    schedule = values.get("schedule")
    bound = values.get("lower_bound")
    return Result(
        status=SolveStatus(values["status"]),
        objective=values.get("objective"),
        lower_bound=-math.inf if bound is None else float(bound),
        runtime=float(values.get("runtime", 0.0)),
        schedule=None if schedule is None else Schedule(ScheduledOperation(*row) for row in schedule),
        kpis=None if kpis is None else KPIs(**{**kpis, "utilisation": tuple(kpis["utilisation"])}),
        solver=values.get("solver", ""),
        num_solutions=int(values.get("num_solutions", 0)),
    )


# -- solver slots -----------------------------------------------------------------------------------------


class SlotPool:
    """A bounded pool of solver slots with a first-come first-served queue.

    Parameters
    ----------
    slots
        Solves that may run at once.
    max_queue
        Callers that may wait for a slot (the job runner's own waiting does not count).
    """

    def __init__(self, slots: int, max_queue: int):
        self.slots = slots
        self.max_queue = max_queue
        self._free = slots
        self._queue: deque[object] = deque()
        self._cond = threading.Condition()

    @property
    def running(self) -> int:
        """Slots in use."""
        return self.slots - self._free

    @property
    def waiting(self) -> int:
        """Callers waiting for a slot."""
        return len(self._queue)

    def acquire(self, timeout: float | None = None, *, counted: bool = True) -> bool:
        """Wait for a slot, in arrival order.

        Parameters
        ----------
        timeout
            Seconds to wait at most; None waits as long as it takes.
        counted
            Whether this caller counts against ``max_queue``.

        Returns
        -------
        bool
            True with a slot (give it back with :meth:`release`), False when ``timeout`` passed.

        Raises
        ------
        LimitExceeded
            When ``max_queue`` callers already wait.
        """
        ticket = object()
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            if counted and self._free == 0 and self.waiting >= self.max_queue:
                raise LimitExceeded(
                    "max_queue", self.max_queue, self.waiting + 1, "callers waiting for a solver slot"
                )
            self._queue.append(ticket)
            try:
                while not (self._free > 0 and self._queue[0] is ticket):
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        return False
                    self._cond.wait(remaining)
                self._free -= 1
                return True
            finally:
                self._queue.remove(ticket)
                self._cond.notify_all()

    def release(self) -> None:
        """Give a slot back."""
        with self._cond:
            self._free += 1
            self._cond.notify_all()


def run_solve(
    data: ProblemData,
    params: SolveParams,
    pool: SlotPool,
    *,
    time_remaining: Callable[[], float | None],
    on_stop: Callable[[Callable[[], None]], Any],
    is_active: Callable[[], bool] = lambda: True,
) -> Result:
    """Solve ``data`` in a slot of ``pool`` within the caller's deadline.

    Parameters
    ----------
    data
        The problem.
    params
        How to solve; the time limit is clamped to the time the caller has left.
    pool
        The server's solver slots.
    time_remaining
        Seconds the caller has left (None: no deadline).
    on_stop
        Registers a callback to run when the caller goes away (cancellation, deadline).
    is_active
        Whether the caller still waits.

    Raises
    ------
    DeadlineTooShort
        When the deadline passes before a slot is free or leaves no time to solve.
    LimitExceeded
        When too many callers wait for a slot.
    """
    from planner.scheduling import Solver

    remaining = time_remaining()
    wait = None if remaining is None else max(0.0, remaining - DEADLINE_MARGIN)
    if not pool.acquire(wait):
        raise DeadlineTooShort("the deadline passed before a solver slot became free")
    try:
        remaining = time_remaining()
        time_limit = params.time_limit
        if remaining is not None:
            time_limit = min(time_limit, remaining * 0.95 - DEADLINE_MARGIN)
        if time_limit <= 0.01:
            raise DeadlineTooShort("the deadline leaves no time to solve")
        solver = Solver(params.solver)
        on_stop(solver.stop)
        if not is_active():
            raise DeadlineTooShort("the caller went away before the solve started")
        logger.debug("solving %s for %.2fs with %d workers", data.name, time_limit, params.num_workers)
        return solver.solve(data, time_limit=time_limit, num_workers=params.num_workers, seed=params.seed)
    finally:
        pool.release()


T = TypeVar("T")


def run_in_slot(
    work: Callable[[float | None], T],
    pool: SlotPool,
    *,
    stop: Callable[[], None],
    time_remaining: Callable[[], float | None],
    on_stop: Callable[[Callable[[], None]], Any],
    is_active: Callable[[], bool] = lambda: True,
) -> T:
    """Run ``work(seconds_left)`` in a slot of ``pool`` within the caller's deadline (as :func:`run_solve`).

    ``seconds_left`` is the time the work may take (None: no deadline); ``stop`` is called when the
    caller goes away (cancellation, deadline).

    Raises
    ------
    DeadlineTooShort
        When the deadline passes before a slot is free or leaves no time to work.
    LimitExceeded
        When too many callers wait for a slot.
    """
    remaining = time_remaining()
    wait = None if remaining is None else max(0.0, remaining - DEADLINE_MARGIN)
    if not pool.acquire(wait):
        raise DeadlineTooShort("the deadline passed before a solver slot became free")
    try:
        remaining = time_remaining()
        left = None if remaining is None else remaining * 0.95 - DEADLINE_MARGIN
        if left is not None and left <= 0.01:
            raise DeadlineTooShort("the deadline leaves no time to work")
        on_stop(stop)
        if not is_active():
            raise DeadlineTooShort("the caller went away before the work started")
        return work(left)
    finally:
        pool.release()


# -- durable jobs -----------------------------------------------------------------------------------------


class JobTask(Protocol):
    """What the runner runs for one job: made per job by the factory of its kind."""

    def run(self, on_progress: Callable[[dict[str, Any]], None]) -> dict[str, Any] | None:
        """Do the work; return the JSON result to store (None: stopped before there was a result)."""
        ...

    def stop(self) -> None:
        """Ask a running :meth:`run` to return soon (from another thread)."""
        ...


class ScheduleTask:
    """A schedule solve, resumed from the job's checkpoint schedule when there is one."""

    def __init__(self, job: JobRecord):
        from planner.scheduling import Solver

        self.job = job
        self.params = SolveParams.from_dict(job.payload["params"])
        self.solver = Solver(self.params.solver)

    def stop(self) -> None:
        self.solver.stop()

    def run(self, on_progress: Callable[[dict[str, Any]], None]) -> dict[str, Any] | None:
        from planner.formats import from_native_dict

        job, params = self.job, self.params
        data = from_native_dict(job.payload["instance"], name=job.name)
        initial = None
        if job.checkpoint and job.checkpoint.get("schedule"):
            initial = result_from_dict(job.checkpoint).schedule
        result = self.solver.solve(
            data,
            time_limit=params.time_limit,
            num_workers=params.num_workers,
            seed=params.seed,
            initial_solution=initial,
            on_progress=lambda progress: on_progress(progress_to_dict(progress)),
        )
        return result_to_dict(result, data)


class ForecastTask:
    """A demand forecast; stops between chunks and then stores nothing (a requeued job starts afresh)."""

    def __init__(self, job: JobRecord):
        self.job = job
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def run(self, on_progress: Callable[[dict[str, Any]], None]) -> dict[str, Any] | None:
        from planner.service import forecast_tasks as ft

        payload = self.job.payload
        history = ft.table_from_dict(payload["history"])
        future = ft.table_from_dict(payload["future"]) if payload.get("future") else None
        params = ft.ForecastParams.from_dict(payload["params"])

        def progress(done: int, total: int) -> None:
            on_progress({"series_done": done, "series_total": total})

        try:
            return ft.run_forecast(history, future, params, should_stop=self._stop.is_set, progress=progress)
        except ft.ForecastStopped:
            logger.info("job %s: forecast stopped between chunks", self.job.id)
            return None


class InventoryTask:
    """A lot-sizing solve; a stopped solve returns its best plan so far."""

    def __init__(self, job: JobRecord):
        from planner.inventory import Solver as LotSizingSolver
        from planner.service.inventory_tasks import PlanParams

        self.job = job
        self.params = PlanParams.from_dict(job.payload["params"])
        self.solver = LotSizingSolver(self.params.backend)

    def stop(self) -> None:
        self.solver.stop()

    def run(self, on_progress: Callable[[dict[str, Any]], None]) -> dict[str, Any] | None:
        from planner.service.inventory_tasks import data_from_doc, plan_to_dict, solve_plan

        payload = self.job.payload
        data = data_from_doc(payload["problem"])
        result = solve_plan(data, self.params, self.solver)
        return plan_to_dict(result, data, payload.get("notes", ()))


TASKS: dict[str, Callable[[JobRecord], JobTask]] = {
    SCHEDULE_KIND: ScheduleTask,
    FORECAST_KIND: ForecastTask,
    INVENTORY_KIND: InventoryTask,
}
"""Task factory per job kind; the runner claims jobs of these kinds only."""


@dataclass
class _Running:
    job: JobRecord
    task: JobTask
    thread: threading.Thread | None = None
    cancelled: bool = False
    shutting_down: bool = False


class JobRunner:
    """Runs durable jobs from the store in the slots of the pool.

    Parameters
    ----------
    store
        The job store (shared with other servers on PostgreSQL).
    pool
        The server's solver slots.
    config
        Server settings (owner name, lease, poll interval).
    """

    def __init__(self, store: JobStore, pool: SlotPool, config: ServiceConfig):
        self.store = store
        self.pool = pool
        self.config = config
        self.owner = config.server_id
        self._running: dict[str, _Running] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self.changed = threading.Condition()
        from planner.service.plan_tasks import PLAN_KIND, PlanTask
        from planner.store import PlanRepository

        self.plans = PlanRepository(store.engine)
        self.tasks: dict[str, Callable[[JobRecord], JobTask]] = {
            **TASKS,
            PLAN_KIND: lambda job: PlanTask(job, self.plans),
        }
        """Task factory per job kind of this runner: :data:`TASKS` and ``plan`` (which stores plans)."""

    # called by the store after every change it writes (on this server)
    def notify(self, _job_id: str = "") -> None:
        """Wake the dispatcher and the watchers."""
        self._wake.set()
        with self.changed:
            self.changed.notify_all()

    @property
    def num_running(self) -> int:
        return len(self._running)

    def start(self) -> None:
        """Start the dispatcher and the lease keeper."""
        for target, name in ((self._dispatch, "job-dispatcher"), (self._keep_leases, "job-leases")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop taking jobs; stop running solves and requeue them with their best schedule as checkpoint."""
        self._stopping.set()
        self._wake.set()
        with self._lock:
            running = list(self._running.values())
        for item in running:
            item.shutting_down = True
            item.task.stop()
        deadline = time.monotonic() + timeout
        for item in running:
            # A job taken a moment ago may not have started its thread yet: nothing to wait for then.
            if item.thread is not None and item.thread.is_alive():
                item.thread.join(max(0.0, deadline - time.monotonic()))
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def submit(self, data: ProblemData, params: SolveParams, request_id: str = "") -> tuple[JobRecord, bool]:
        """Store a schedule job for ``data``; returns the job and whether ``request_id`` matched an existing one.

        Raises
        ------
        ShuttingDown
            When the server is stopping.
        LimitExceeded
            When ``max_queued_jobs`` jobs already wait.
        ValidationError
            When ``request_id`` was used for a different request.
        """
        from planner.formats import to_native_dict

        payload = {"instance": to_native_dict(data), "params": params.as_dict()}
        return self.submit_job(SCHEDULE_KIND, payload, name=data.name, request_id=request_id)

    def submit_job(
        self, kind: str, payload: dict[str, Any], *, name: str = "", request_id: str = ""
    ) -> tuple[JobRecord, bool]:
        """Store a job of any kind in :data:`TASKS`; see :meth:`submit`."""
        from planner.store import QueueFull

        if kind not in self.tasks:
            raise PlannerError(f"unknown job kind {kind!r}")
        if self._stopping.is_set():
            raise ShuttingDown("the server is shutting down; submit to another server or retry")
        try:
            return self.store.create(
                kind,
                payload,
                name=name,
                request_id=request_id,
                max_queued=self.config.limits.max_queued_jobs,
            )
        except QueueFull as exc:
            raise LimitExceeded("max_queued_jobs", exc.limit, None) from None

    def cancel(self, job_id: str) -> JobRecord:
        """Record a cancellation and stop the solve if it runs here (elsewhere its holder sees the flag)."""
        record = self.store.request_cancel(job_id)
        self._stop_local(job_id)
        return record

    def _stop_local(self, job_id: str) -> None:
        with self._lock:
            item = self._running.get(job_id)
        if item is not None and not item.cancelled:
            item.cancelled = True
            item.task.stop()
            logger.info("job %s: cancellation asked, solver stopping", job_id)

    def _dispatch(self) -> None:
        while not self._stopping.is_set():
            try:
                if not self.pool.acquire(self.config.poll_interval, counted=False):
                    continue
                if self._stopping.is_set():
                    self.pool.release()
                    break
                job = self.store.claim(
                    self.owner,
                    lease_seconds=self.config.lease_seconds,
                    kinds=tuple(self.tasks),
                    max_attempts=self.config.max_attempts,
                )
                if job is None:
                    self.pool.release()
                    self._wake.wait(self.config.poll_interval)
                    self._wake.clear()
                    continue
                with self._lock:
                    already_here = job.id in self._running
                if already_here:
                    # Our own lease ran out while the solve went on (renewals starved): the claim just
                    # renewed it, and the running solve carries on; never run a job twice here.
                    logger.warning("job %s: lease renewed late; solve continues", job.id)
                    self.pool.release()
                    continue
                self._launch(job)
            except Exception:  # the dispatcher must outlive a database hiccup
                logger.exception("job dispatcher: error; retrying")
                self._stopping.wait(self.config.poll_interval)

    def _launch(self, job: JobRecord) -> None:
        try:
            task = self.tasks[job.kind](job)
        except Exception as exc:
            logger.exception("job %s: cannot start", job.id)
            self._finish_failed(job.id, f"cannot start: {type(exc).__name__}: {exc}")
            self.pool.release()
            return
        item = _Running(job=job, task=task)
        thread = threading.Thread(target=self._run, args=(item,), name=f"job-{job.id[:8]}", daemon=True)
        item.thread = thread
        with self._lock:
            self._running[job.id] = item
        thread.start()

    def _run(self, item: _Running) -> None:
        job = item.job
        try:
            if job.cancel_requested:
                item.cancelled = True

            def on_progress(progress: dict[str, Any]) -> None:
                try:
                    self.store.record_progress(job.id, self.owner, progress)
                except Exception:
                    logger.exception("job %s: could not store progress", job.id)

            result: dict[str, Any] | None = None
            if not item.cancelled:
                result = item.task.run(on_progress)
            stored = result if result is not None else job.checkpoint
            if item.shutting_down and not item.cancelled:
                self.store.requeue(
                    job.id, self.owner, checkpoint=stored, message="server shutting down; requeued"
                )
            elif item.cancelled:
                self.store.finish(job.id, self.owner, JobState.CANCELLED, result=stored, message="cancelled")
            else:
                self.store.finish(job.id, self.owner, JobState.SUCCEEDED, result=stored)
        except PlannerError as exc:
            logger.warning("job %s failed: %s", job.id, exc)
            self._finish_failed(job.id, str(exc))
        except Exception as exc:
            logger.exception("job %s failed", job.id)
            self._finish_failed(job.id, f"internal error: {type(exc).__name__}: {exc}")
        finally:
            with self._lock:
                self._running.pop(job.id, None)
            self.pool.release()
            self._wake.set()

    def _finish_failed(self, job_id: str, message: str) -> None:
        try:
            self.store.finish(job_id, self.owner, JobState.FAILED, error=message)
        except Exception:
            logger.exception("job %s: could not store the failure", job_id)

    def _keep_leases(self) -> None:
        # Renewing also reads the cancellation flags, so it runs at every poll: a cancel asked on another
        # server stops the solve here within a poll interval.
        while not self._stopping.wait(self.config.poll_interval):
            with self._lock:
                ids = list(self._running)
            if not ids:
                continue
            try:
                cancel, lost = self.store.renew(ids, self.owner, lease_seconds=self.config.lease_seconds)
            except Exception:
                logger.exception("could not renew job leases")
                continue
            for job_id in cancel:
                self._stop_local(job_id)
            for job_id in lost:
                logger.warning("job %s: lease lost to another server; stopping", job_id)
                self._stop_local(job_id)

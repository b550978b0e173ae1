"""Tabu search and CP-SAT working together on plain (flexible) job shops with a makespan objective.

One thread runs the compiled tabu search of :mod:`planner.scheduling.solvers.tabu` (it releases the GIL);
the other runs CP-SAT on the lean :class:`~planner.scheduling.solvers.cpsat.shop.ShopModel` in segments of
growing length. Each segment searches only makespans below the best schedule known (from either side) and
above the best bound, hinted with that schedule, so that

- a segment that finds nothing proves the incumbent optimal (the bound meets it);
- a schedule CP-SAT finds (for flexible shops: with other machine choices) restarts the tabu search from it;
- the tabu search's incumbents give CP-SAT a tight upper bound for its proof.

With one worker the two run one after the other (tabu first); with more, CP-SAT gets ``num_workers - 1``.
Without numba CP-SAT gets every worker and the segments simply restart it with the incumbent as hint.

Segments are short-lived and one CP-SAT worker runs no full search for long, so they rarely prove
anything. On instances of up to ``proof_max_operations`` operations, once nobody has improved the
incumbent for ``proof_stall`` seconds, CP-SAT's worker(s) switch to a *proof phase*: one uninterrupted solve
of makespans strictly below the incumbent, no hint, parameters of its own (by default dynamic precedences in
the disjunctive). It ends with a proof (infeasible below the incumbent), a better schedule it then proves
optimal, at the deadline, or as soon as the tabu search, which keeps running beside it, improves the
incumbent (then segments resume until the next stall).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from planner.scheduling.problem_data import ProblemData
from planner.scheduling.solution import Schedule
from planner.scheduling.solvers.base import Progress, ProgressCallback
from planner.scheduling.solvers.cpsat.parameters import set_parameters
from planner.scheduling.solvers.cpsat.shop import ShopModel, is_job_shop, simple_lower_bound

logger = logging.getLogger(__name__)


@dataclass
class HybridOutcome:
    """What the hybrid search ended with."""

    schedule: Schedule | None
    makespan: int | None
    lower_bound: int
    proven: bool
    num_solutions: int
    stats: dict[str, Any] = field(default_factory=dict)


class _Incumbent:
    """The best schedule known, shared by the two threads."""

    def __init__(self, on_progress: ProgressCallback | None, started: float):
        self.lock = threading.Lock()
        self.schedule: Schedule | None = None
        self.makespan: int | None = None
        self.lower_bound = 0
        self.count = 0
        self.source = ""
        self.version = 0
        self.improved_at = started  # perf_counter() of the last improvement
        self.on_tabu_improvement: Callable[[], None] | None = None  # interrupts a proof beside the tabu
        self.on_progress = on_progress
        self.started = started

    def offer(self, schedule: Schedule, source: str) -> bool:
        makespan = schedule.makespan
        with self.lock:
            if self.makespan is not None and makespan >= self.makespan:
                return False
            self.schedule = schedule
            self.makespan = makespan
            self.count += 1
            self.source = source
            self.version += 1
            self.improved_at = time.perf_counter()
            bound = self.lower_bound
            count = self.count
            interrupt = self.on_tabu_improvement if source == "tabu" else None
        if interrupt is not None:
            interrupt()
        if self.on_progress is not None:
            try:
                self.on_progress(
                    Progress(float(makespan), float(bound), time.perf_counter() - self.started, count)
                )
            except Exception:  # a broken callback must not kill the solve
                logger.exception("progress callback failed")
        return True

    def raise_bound(self, bound: int) -> None:
        with self.lock:
            self.lower_bound = max(self.lower_bound, int(bound))

    def closed(self) -> bool:
        with self.lock:
            return self.makespan is not None and self.makespan <= self.lower_bound


class _TabuThread(threading.Thread):
    """Runs the tabu search until the deadline; restarts from better schedules CP-SAT finds."""

    def __init__(
        self,
        data: ProblemData,
        incumbent: _Incumbent,
        deadline: float,
        seed: int,
        stop: threading.Event,
        idle_stop: float | None = None,
        budget: float | None = None,
        elite_size: int = 0,
        min_distance: int = 0,
        neighbourhood: str = "n7",
        flexible_stall: int | None = None,
    ):
        super().__init__(name="tabu-search", daemon=True)
        self.flexible_stall = flexible_stall  # flexible shops: FlexibleTabuSearch's max_stall (None: its own)
        self.neighbourhood = neighbourhood  # job shops: TabuSearch's neighbourhood (n5 or n7)
        self.elite_size = elite_size  # job shops: TabuSearch's elite pool (0: none)
        self.min_distance = min_distance  # and the distance under which two elites are twins
        self.data = data
        self.incumbent = incumbent
        self.deadline = deadline
        self.seed = seed
        self.stop_event = stop
        self.idle_stop = idle_stop  # give up after this many seconds without improvement (None: never)
        self.budget = budget  # seconds of search after the kernels are loaded (None: up to the deadline)
        self.iterations = 0
        self.restarts = 0
        self.pool_runs = 0  # runs of the elite-pool search that ended and picked a new start
        self.compile_seconds = 0.0
        self.error: BaseException | None = None
        self.ready_at: float | None = None  # perf_counter() once the kernels are loaded

    def run(self) -> None:
        try:
            self._run()
        except BaseException as exc:  # reported by the caller; CP-SAT goes on alone
            self.error = exc
            logger.exception("tabu search failed")

    def _run(self) -> None:
        from planner.scheduling.solvers.tabu import FlexibleTabuSearch, TabuSearch, warm_up
        from planner.scheduling.solvers.tabu.flexible import warm_up_flexible

        # job shops: N7 (or N5) moves on fixed machines; flexible shops: moves that also change the machine
        flexible = not is_job_shop(self.data)
        search_class: Any = FlexibleTabuSearch if flexible else TabuSearch
        self.compile_seconds = warm_up() + (warm_up_flexible() if flexible else 0.0)
        self.ready_at = time.perf_counter()
        if self.budget is not None:
            self.deadline = min(self.deadline, time.perf_counter() + self.budget)
        seen_version = -1
        search: TabuSearch | FlexibleTabuSearch | None = None
        slice_len = 200
        last_publish = 0.0
        published = 0
        own_best = 0
        last_improvement = time.perf_counter()
        while time.perf_counter() < self.deadline and not self.stop_event.is_set():
            if self.incumbent.closed():
                return
            with self.incumbent.lock:
                version, source, schedule = (
                    self.incumbent.version,
                    self.incumbent.source,
                    self.incumbent.schedule,
                )
                bound = self.incumbent.lower_bound
            if schedule is None:
                time.sleep(0.005)
                continue
            if search is None or (version != seen_version and source != "tabu"):
                if search is not None:
                    self.iterations += search.iterations
                    self.pool_runs += getattr(search, "num_runs", 0)
                    self.restarts += 1
                use_pool = not flexible and self.elite_size > 0
                options: dict[str, Any] = (
                    {"max_stall": self.flexible_stall} if flexible else {"neighbourhood": self.neighbourhood}
                )
                if use_pool:
                    options.update(elite_size=self.elite_size, min_distance=self.min_distance)
                search = search_class(
                    self.data, schedule, seed=self.seed + self.restarts, lower_bound=bound, **options
                )
                published = schedule.makespan
            seen_version = version
            search.lower_bound = bound
            t0 = time.perf_counter()
            best = search.run_slice(slice_len)
            spent = time.perf_counter() - t0
            slice_len = (
                min(slice_len * 2, 1_000_000)
                if spent < 0.01
                else max(10, slice_len // 2)
                if spent > 0.04
                else slice_len
            )
            now = time.perf_counter()
            if own_best == 0 or best < own_best:
                own_best, last_improvement = best, now
            elif self.idle_stop is not None and now - last_improvement > self.idle_stop:
                break
            # publish improvements promptly but not more than every 50 ms (a Schedule costs a little to build)
            if best < published and (now - last_publish > 0.05 or search.proven or best <= bound):
                if self.incumbent.offer(search.schedule(), "tabu"):
                    with self.incumbent.lock:
                        seen_version = self.incumbent.version
                published = best
                last_publish = now
            if search.proven:
                if best < published:
                    self.incumbent.offer(search.schedule(), "tabu")
                self.incumbent.raise_bound(best)  # N5 empty or lower bound met: optimal
                return
        if search is not None:
            self.iterations += search.iterations
            self.pool_runs += getattr(search, "num_runs", 0)
            if search.best and search.best < published:
                self.incumbent.offer(search.schedule(), "tabu")


class HybridShopSolver:
    """See the module docstring.

    Parameters
    ----------
    parameters
        CP-SAT parameters for every segment (``SatParameters`` field names).
    model_options
        Redundant constraints of :class:`ShopModel`.
    first_segment
        Seconds of the first CP-SAT segment; each later one is ``growth`` times longer.
    growth
        Factor between segment lengths.
    use_tabu
        Run the tabu search when numba is available.
    tabu_flexible
        Also on flexible job shops, with the moves of :class:`FlexibleTabuSearch` (machine choices and
        sequences change together).
    tabu_share_single_worker
        With one worker, the share of the time given to the tabu search before CP-SAT.
    interleave_single_worker
        When CP-SAT has a single worker, interleave its LNS subsolvers with its full search.
    proof_parameters
        CP-SAT parameters of the proof phase (see the module docstring).
    proof_max_operations
        Largest instance (operations) that gets proof phases; 0 turns them off.
    proof_stall
        Seconds without an improvement before a proof phase; ``None``: 5% of the time limit, at least 1 s.
    tabu_elite_size
        Job shops over ``proof_max_operations`` operations: size of the tabu search's elite pool with path
        relinking (0: none; see :class:`~planner.scheduling.solvers.tabu.TabuSearch`).
    tabu_min_distance
        With an elite pool: two schedules that order at most this many pairs of operations differently are
        twins, of which the pool keeps only the better.
    tabu_neighbourhood
        Job shops: the tabu search's neighbourhood, ``"n7"`` or ``"n5"`` (see
        :class:`~planner.scheduling.solvers.tabu.TabuSearch`).
    tabu_flexible_stall
        Flexible shops: the tabu search restarts from its best schedule after this many iterations per
        operation (at least 250 operations' worth) without a new best; ``None``: the default of
        :class:`~planner.scheduling.solvers.tabu.FlexibleTabuSearch` (100).
    """

    def __init__(
        self,
        parameters: Mapping[str, Any] | None = None,
        model_options: Mapping[str, Any] | None = None,
        first_segment: float = 1.0,
        growth: float = 2.0,
        use_tabu: bool = True,
        tabu_flexible: bool = True,
        tabu_share_single_worker: float = 0.5,
        interleave_single_worker: bool = True,
        proof_parameters: Mapping[str, Any] | None = None,
        proof_max_operations: int = 0,
        proof_stall: float | None = None,
        tabu_elite_size: int = 0,
        tabu_min_distance: int = 30,
        tabu_neighbourhood: str = "n7",
        tabu_flexible_stall: int | None = None,
    ):
        if tabu_flexible_stall is not None and tabu_flexible_stall < 1:
            raise ValueError(f"tabu_flexible_stall must be at least 1, got {tabu_flexible_stall}")
        self.tabu_flexible_stall = tabu_flexible_stall
        self.parameters = dict(parameters or {})
        self.model_options = dict(model_options or {})
        self.first_segment = first_segment
        self.growth = growth
        self.use_tabu = use_tabu
        self.tabu_flexible = tabu_flexible
        self.tabu_share_single_worker = tabu_share_single_worker
        self.interleave_single_worker = interleave_single_worker
        self.proof_parameters = dict(proof_parameters or {})
        self.proof_max_operations = proof_max_operations
        self.proof_stall = proof_stall
        self.tabu_elite_size = tabu_elite_size
        self.tabu_min_distance = tabu_min_distance
        if tabu_neighbourhood not in ("n5", "n7"):
            raise ValueError(f"tabu_neighbourhood must be 'n5' or 'n7', got {tabu_neighbourhood!r}")
        self.tabu_neighbourhood = tabu_neighbourhood
        self._stop = threading.Event()  # stop requests for the solve running now
        self._lock = threading.Lock()
        self._solver: cp_model.CpSolver | None = None

    def _flexible_stall(self, data: ProblemData) -> int | None:
        """The flexible tabu search's ``max_stall`` for ``data`` (None: the search's default)."""
        if self.tabu_flexible_stall is None:
            return None
        from planner.scheduling.solvers.tabu.flexible import restart_period

        return restart_period(data.num_operations, self.tabu_flexible_stall)

    def stop(self) -> None:
        """Ask a running solve to return with its best schedule."""
        self._stop.set()
        with self._lock:
            if self._solver is not None:
                self._solver.stop_search()

    def solve(
        self,
        data: ProblemData,
        initial: Schedule,
        *,
        time_limit: float,
        num_workers: int,
        seed: int,
        on_progress: ProgressCallback | None = None,
        started: float | None = None,
    ) -> HybridOutcome:
        """Improve the feasible schedule ``initial`` until the time limit or a proof of optimality."""
        started = time.perf_counter() if started is None else started
        # stop searching a little early: joining the tabu thread and checking the schedule take time too
        deadline = started + max(0.05, time_limit - min(1.0, 0.03 * time_limit))
        incumbent = _Incumbent(on_progress, started)
        incumbent.raise_bound(simple_lower_bound(data))
        incumbent.offer(initial, "initial")
        stats: dict[str, Any] = {"segments": 0}

        tabu: _TabuThread | None = None
        single_worker_tabu = False
        with self._lock:
            stop = self._stop
        if self.use_tabu and (self.tabu_flexible or is_job_shop(data)):
            from planner.scheduling.solvers.tabu import available

            if available():
                if num_workers == 1:
                    # one core: a first CP-SAT segment (small instances end there), then the tabu search
                    # in this thread until it stalls or has had its share of the time, then CP-SAT again
                    single_worker_tabu = True
                else:
                    large = data.num_operations > self.proof_max_operations
                    elites = self.tabu_elite_size if large else 0
                    tabu = _TabuThread(
                        data,
                        incumbent,
                        deadline,
                        seed,
                        stop,
                        elite_size=elites,
                        min_distance=self.tabu_min_distance,
                        neighbourhood=self.tabu_neighbourhood,
                        flexible_stall=self._flexible_stall(data),
                    )
                    tabu.start()
            else:
                logger.info("numba is not installed: CP-SAT alone on the job shop")
        cp_workers = max(1, num_workers - 1) if tabu is not None and tabu.is_alive() else num_workers

        t_build = time.perf_counter()
        with incumbent.lock:
            horizon = incumbent.makespan or initial.makespan
        built = ShopModel(data, horizon, self.model_options)
        stats["build_seconds"] = round(time.perf_counter() - t_build, 4)
        # without a tabu search nothing feeds CP-SAT between segments: one solve keeps its learnt state
        segment = self.first_segment if tabu is not None or single_worker_tabu else time_limit
        proving = 0 < data.num_operations <= self.proof_max_operations
        stall = self.proof_stall if self.proof_stall is not None else max(1.0, 0.05 * time_limit)
        last_proof = started
        stats["proof_phases"] = 0
        while not stop.is_set() and not incumbent.closed():
            remaining = deadline - time.perf_counter()
            if remaining <= 0.05:
                break
            budget = remaining if remaining < 1.5 * segment else segment
            segment *= self.growth
            if proving and tabu is not None and tabu.is_alive() and tabu.ready_at is not None:
                idle = time.perf_counter() - max(incumbent.improved_at, tabu.ready_at, last_proof)
                if idle >= stall:
                    # pausing the tabu search and giving CP-SAT both workers measured worse (README)
                    self._prove(built, incumbent, remaining, cp_workers, seed, stop, stats, True)
                    last_proof = time.perf_counter()
                    continue
                budget = min(budget, max(0.25, stall - idle))  # look again when a proof may be due
            with incumbent.lock:
                upper = incumbent.makespan
                lower = incumbent.lower_bound
                hint = incumbent.schedule
            assert upper is not None and hint is not None
            # the incumbent stays inside the domain so that the hint is a complete solution: CP-SAT's LNS
            # workers start from it at once (excluding it leaves them waiting for a first solution)
            built.set_makespan_domain(lower, upper)
            built.add_hint(hint)
            solver = cp_model.CpSolver()
            params = solver.parameters
            params.max_time_in_seconds = max(0.01, budget)
            params.num_workers = cp_workers
            params.random_seed = seed + stats["segments"]
            if cp_workers == 1 and self.interleave_single_worker:
                # one CP-SAT worker: interleave its LNS subsolvers (around the hinted incumbent) with the
                # full search instead of running the full search alone
                params.interleave_search = True
            set_parameters(params, self.parameters)
            with self._lock:
                if stop.is_set():
                    break
                self._solver = solver
            code = solver.solve(built.model)
            with self._lock:
                self._solver = None
            stats["segments"] += 1
            if single_worker_tabu and not incumbent.closed() and code not in (cp_model.OPTIMAL,):
                single_worker_tabu = False
                share = self.tabu_share_single_worker * (deadline - time.perf_counter())
                idle = max(0.5, 0.05 * time_limit)
                first = _TabuThread(
                    data,
                    incumbent,
                    deadline,
                    seed,
                    stop,
                    idle_stop=idle,
                    budget=share,
                    neighbourhood=self.tabu_neighbourhood,
                    flexible_stall=self._flexible_stall(data),
                )
                first.run()
                stats["tabu_iterations"] = first.iterations
                stats["tabu_compile_seconds"] = round(first.compile_seconds, 3)
                if proving and not incumbent.closed():
                    remaining = deadline - time.perf_counter()
                    self._prove(built, incumbent, remaining, 1, seed, stop, stats)
            if code == cp_model.INFEASIBLE:  # cannot happen with the incumbent in the domain
                logger.warning("CP-SAT found the shop model infeasible below the incumbent")
                break
            if code == cp_model.MODEL_INVALID:
                raise RuntimeError(f"CP-SAT rejected the shop model: {built.model.validate()}")
            if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                found = built.schedule(solver)
                incumbent.offer(found, "cpsat")
                if code == cp_model.OPTIMAL:
                    incumbent.raise_bound(found.makespan)
                    break
            # the bound holds for makespans below the incumbent, hence min(bound, upper) for all
            incumbent.raise_bound(min(int(solver.best_objective_bound), upper))
            if tabu is not None and not tabu.is_alive() and cp_workers < num_workers:
                cp_workers = num_workers  # the tabu search has stopped: CP-SAT takes its core

        stats["search_seconds"] = round(time.perf_counter() - started, 3)
        if "proof_seconds" in stats:
            stats["proof_seconds"] = round(stats["proof_seconds"], 3)
        stop.set()
        with self._lock:
            self._stop = threading.Event()  # a fresh one for the next solve
        if tabu is not None:
            # the thread returns within one slice (~20 ms) unless it is still loading its kernels: then it
            # finishes that in the background and exits without touching this solve's result
            t_join = time.perf_counter()
            tabu.join(timeout=0.3)
            stats["join_seconds"] = round(time.perf_counter() - t_join, 3)
            stats["tabu_iterations"] = tabu.iterations
            stats["tabu_restarts"] = tabu.restarts
            stats["tabu_pool_runs"] = tabu.pool_runs
            stats["tabu_compile_seconds"] = round(tabu.compile_seconds, 3)
        with incumbent.lock:
            schedule, makespan = incumbent.schedule, incumbent.makespan
            bound = min(incumbent.lower_bound, makespan) if makespan is not None else incumbent.lower_bound
            stats["last_improvement_by"] = incumbent.source
            count = incumbent.count
        return HybridOutcome(
            schedule, makespan, bound, makespan is not None and bound >= makespan, count, stats
        )

    def _prove(
        self,
        built: ShopModel,
        incumbent: _Incumbent,
        budget: float,
        num_workers: int,
        seed: int,
        stop: threading.Event,
        stats: dict[str, Any],
        interruptible: bool = False,
    ) -> None:
        """One proof phase: CP-SAT on makespans below the incumbent, no hint.

        ``interruptible``: the tabu search runs beside it, and its next improvement ends the phase.
        """
        with incumbent.lock:
            upper = incumbent.makespan
            lower = incumbent.lower_bound
        if upper is None or upper <= lower or budget <= 0.05:
            return
        built.set_makespan_domain(lower, upper - 1)
        built.model.clear_hints()  # the incumbent is outside the domain: a hint would only mislead
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.max_time_in_seconds = budget
        params.num_workers = num_workers
        params.random_seed = seed + stats["segments"]
        set_parameters(params, self.proof_parameters)
        with self._lock:
            if stop.is_set():
                return
            self._solver = solver
        if interruptible:
            incumbent.on_tabu_improvement = solver.stop_search
            with incumbent.lock:
                stale = incumbent.makespan != upper  # the tabu search was quicker than the hook
            if stale:
                incumbent.on_tabu_improvement = None
                with self._lock:
                    self._solver = None
                return
        t0 = time.perf_counter()
        try:
            code = solver.solve(built.model, _OfferSolutions(built, incumbent))
        finally:
            incumbent.on_tabu_improvement = None
            with self._lock:
                self._solver = None
        stats["proof_phases"] += 1
        stats["proof_seconds"] = stats.get("proof_seconds", 0.0) + time.perf_counter() - t0
        if code == cp_model.MODEL_INVALID:
            raise RuntimeError(f"CP-SAT rejected the shop model: {built.model.validate()}")
        if code == cp_model.INFEASIBLE:
            incumbent.raise_bound(upper)  # no schedule below the incumbent: it is optimal
            stats["proof"] = "infeasible below the incumbent"
            return
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = built.schedule(solver)
            incumbent.offer(found, "cpsat")
            if code == cp_model.OPTIMAL:
                incumbent.raise_bound(found.makespan)
                stats["proof"] = "optimal below the incumbent"
                return
        # the bound holds for makespans below the incumbent, hence min(bound, upper) for all
        incumbent.raise_bound(min(int(solver.best_objective_bound), upper))


class _OfferSolutions(cp_model.CpSolverSolutionCallback):
    """Hands every schedule CP-SAT finds to the incumbent (progress reports see them at once)."""

    def __init__(self, built: ShopModel, incumbent: _Incumbent):
        super().__init__()
        self.built = built
        self.incumbent = incumbent

    def on_solution_callback(self) -> None:
        self.incumbent.offer(self.built.schedule(self), "cpsat")

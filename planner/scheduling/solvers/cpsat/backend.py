"""The CP-SAT backend: builds the model, solves it (lexicographically when asked), stops on request."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

from ortools.sat.python import cp_model

from planner.scheduling.check import check_solution
from planner.scheduling.problem_data import Objective, ProblemData
from planner.scheduling.result import Result, SolveStatus
from planner.scheduling.solution import Schedule
from planner.scheduling.solvers.base import Progress, ProgressCallback
from planner.scheduling.solvers.cpsat.model import CpSatModel
from planner.scheduling.solvers.cpsat.parameters import set_parameters
from planner.scheduling.solvers.cpsat.shop import is_plain_shop
from planner.scheduling.solvers.dispatch import dispatch
from planner.scheduling.solvers.energy_shift import shift_for_energy
from planner.scheduling.solvers.energy_start import frugal_start

logger = logging.getLogger(__name__)

PRESETS_FILE = "presets.toml"


def load_preset(name: str) -> dict[str, Any]:
    """The preset ``name`` of ``presets.toml`` next to this module.

    Raises
    ------
    ValidationError
        If there is no such preset.
    """
    import tomllib
    from importlib import resources

    text = resources.files("planner.scheduling.solvers.cpsat").joinpath(PRESETS_FILE).read_text()
    presets = tomllib.loads(text)
    if name not in presets:
        from planner.exceptions import ValidationError

        raise ValidationError(f"unknown preset {name!r}; choose one of {sorted(presets)}", "preset")
    return dict(presets[name])


_STATUS = {
    cp_model.OPTIMAL: SolveStatus.OPTIMAL,
    cp_model.FEASIBLE: SolveStatus.FEASIBLE,
    cp_model.INFEASIBLE: SolveStatus.INFEASIBLE,
    cp_model.UNKNOWN: SolveStatus.UNKNOWN,
}


class _Reporter(cp_model.CpSolverSolutionCallback):
    """Passes every improving solution to the user's callback."""

    def __init__(self, on_progress: ProgressCallback | None, started: float, offset: int):
        super().__init__()
        self.on_progress = on_progress
        self.started = started
        self.count = offset

    def on_solution_callback(self) -> None:
        self.count += 1
        if self.on_progress is not None:
            progress = Progress(
                objective=self.objective_value,
                bound=self.best_objective_bound,
                runtime=time.perf_counter() - self.started,
                num_solutions=self.count,
            )
            try:
                self.on_progress(progress)
            except Exception:  # a broken callback must not kill the solve
                logger.exception("progress callback failed")


WARM_START_SHARE = 0.5
"""Share of the time limit spent, when energy is weighted, on a schedule for the other terms and energy at a
flat rate (:mod:`.flat_energy`); the exact model gets what is left after the stages before and after it."""
START_SHARE = 0.25
"""Share of the time limit, when energy is weighted, for energy-frugal dispatch (:mod:`..energy_start`)."""
POLISH_SHARE = 0.05
"""Share of the time limit for sliding work to cheaper periods (:mod:`..energy_shift`), before and after."""


def _energy_weighted(data: ProblemData) -> bool:
    objective = data.objective
    return data.energy is not None and (
        bool(objective.energy or objective.co2) or bool({"energy", "co2"} & set(objective.lexicographic))
    )


def _makespan_cap(data: ProblemData, hint: Schedule | None) -> int | None:
    """A makespan no optimal schedule exceeds, from a feasible warm start, when energy is weighted.

    Every term is >= 0, so an optimum has ``makespan weight x makespan <= the warm start's objective``; with
    makespan first in a lexicographic order, its makespan is at most the warm start's. The cap keeps the
    per-period energy variables to the reachable tariff periods.
    """
    objective = data.objective
    energy_weighted = bool(objective.energy or objective.co2) or bool(
        {"energy", "co2"} & set(objective.lexicographic)
    )
    if hint is None or data.energy is None or not energy_weighted:
        return None
    if objective.lexicographic:
        return hint.makespan if objective.lexicographic[0] == "makespan" else None
    if objective.makespan <= 0:
        return None
    report = check_solution(data, hint)
    if report.objective is None:
        return None
    return int(report.objective // objective.makespan)


def _note(stages: dict[str, float], stage: str, data: ProblemData, schedule: Schedule) -> None:
    """Record the checker objective of ``schedule`` after ``stage``."""
    objective = check_solution(data, schedule).objective
    if objective is not None:
        stages[stage] = round(float(objective), 4)


class CpSatBackend:
    """Solves with OR-Tools CP-SAT.

    Parameters
    ----------
    parameters
        Extra CP-SAT parameters (names of ``SatParameters`` fields) passed through as given.
    """

    name = "cpsat"

    def __init__(self, parameters: Mapping[str, Any] | None = None, preset: str = "default"):
        self.preset = load_preset(preset)
        self.parameters = {**self.preset.get("parameters", {}), **dict(parameters or {})}
        self._lock = threading.Lock()
        self._solver: cp_model.CpSolver | None = None
        self._hybrid: Any = None
        self._stopped = False

    def stop(self) -> None:
        """Ask the running solve to stop; it returns with the best schedule found so far."""
        with self._lock:
            self._stopped = True
            if self._solver is not None:
                self._solver.stop_search()
            if self._hybrid is not None:
                self._hybrid.stop()

    def _solve_shop(
        self,
        data: ProblemData,
        initial: Schedule,
        *,
        time_limit: float,
        num_workers: int,
        seed: int,
        on_progress: ProgressCallback | None,
        started: float,
    ) -> Result:
        """The plain (flexible) job-shop path: tabu search and CP-SAT on the lean model."""
        from planner.scheduling.solvers.cpsat.hybrid import HybridShopSolver

        shop = self.preset.get("shop", {})
        proof = shop.get("proof", {})
        hybrid = HybridShopSolver(
            parameters=shop.get("parameters", {}),
            model_options=shop.get("model", {}),
            first_segment=float(shop.get("first_segment", 1.0)),
            growth=float(shop.get("growth", 2.0)),
            use_tabu=bool(shop.get("use_tabu", True)),
            tabu_flexible=bool(shop.get("tabu_flexible", True)),
            interleave_single_worker=bool(shop.get("interleave_single_worker", True)),
            proof_parameters=proof.get("parameters", {}),
            proof_max_operations=int(proof.get("max_operations", 0)),
            proof_stall=float(proof["stall"]) if "stall" in proof else None,
            tabu_elite_size=int(shop.get("tabu_elite_size", 0)),
            tabu_min_distance=int(shop.get("tabu_min_distance", 30)),
            tabu_neighbourhood=str(shop.get("tabu_neighbourhood", "n7")),
            tabu_flexible_stall=(int(shop["tabu_flexible_stall"]) if "tabu_flexible_stall" in shop else None),
        )
        with self._lock:
            if self._stopped:
                hybrid.stop()
            self._hybrid = hybrid
        try:
            outcome = hybrid.solve(
                data,
                initial,
                time_limit=time_limit,
                num_workers=num_workers,
                seed=seed,
                on_progress=on_progress,
                started=started,
            )
        finally:
            with self._lock:
                self._hybrid = None
        runtime = time.perf_counter() - started
        stats = {"path": "shop", **outcome.stats}
        schedule = outcome.schedule if outcome.schedule is not None else initial
        report = check_solution(data, schedule)
        if not report.ok:
            raise RuntimeError(
                f"the shop solver returned a schedule the checker rejects: {report.violations[:3]}"
            )
        assert report.objective is not None
        objective = float(report.objective)
        status = SolveStatus.OPTIMAL if outcome.proven else SolveStatus.FEASIBLE
        bound = objective if outcome.proven else min(float(outcome.lower_bound), objective)
        return Result(
            status, objective, bound, runtime, schedule, report.kpis, self.name, outcome.num_solutions, stats
        )

    def _warm_start_flat_energy(
        self, data: ProblemData, hint: Schedule | None, budget: float, num_workers: int, seed: int
    ) -> Schedule | None:
        """A schedule for the other terms plus energy at flat rates, if it beats ``hint`` on the full objective.

        The exact energy terms (overlaps with the tariff runs) slow CP-SAT down; priced at one flat rate
        (:func:`.flat_energy.flat_energy_objective`) energy is linear in the mode literals and the
        makespan, so the search still prefers frugal modes and short idle time at no cost in speed. The
        tariff's timing is left to the later stages.
        """
        from planner.scheduling.solvers.cpsat.flat_energy import flat_energy_objective

        objective = data.objective
        if not (objective.makespan or objective.tardiness or objective.setup):
            return None
        plain = data.replace(
            objective=Objective(
                makespan=objective.makespan, tardiness=objective.tardiness, setup=objective.setup
            )
        )
        built = CpSatModel(plain)
        if hint is not None:
            built.add_hint(hint)
        built.model.minimize(flat_energy_objective(data, built, hint))
        solver = self._new_solver(budget, num_workers, seed)
        with self._lock:
            if self._stopped:
                return None
            self._solver = solver
        code = solver.solve(built.model)
        with self._lock:
            self._solver = None
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        schedule = built.schedule(solver)
        report = check_solution(data, schedule)
        if not report.ok or report.objective is None:
            return None
        if hint is not None:
            before = check_solution(data, hint).objective
            if before is not None and before <= report.objective:
                return None
        return schedule

    def _new_solver(self, time_limit: float, num_workers: int, seed: int) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.max_time_in_seconds = max(0.01, time_limit)
        params.num_workers = num_workers
        params.random_seed = seed
        params.log_search_progress = False
        set_parameters(params, self.parameters)
        return solver

    def solve(
        self,
        data: ProblemData,
        *,
        time_limit: float = 10.0,
        num_workers: int = 2,
        seed: int = 1,
        initial_solution: Schedule | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> Result:
        """Solve ``data`` within ``time_limit`` seconds on ``num_workers`` threads."""
        started = time.perf_counter()
        hint = initial_solution
        hint_ok = False
        if hint is None:
            hint = dispatch(data)
            hint_ok = hint is not None
        else:
            hint_ok = check_solution(data, hint).ok
            if not hint_ok:
                logger.warning("the initial solution is not feasible; it is used as a hint only")
        if self.preset.get("shop", {}).get("enabled", False) and is_plain_shop(data):
            start = hint if hint_ok and hint is not None else dispatch(data)
            if start is not None and check_solution(data, start).ok:
                return self._solve_shop(
                    data,
                    start,
                    time_limit=time_limit,
                    num_workers=num_workers,
                    seed=seed,
                    on_progress=on_progress,
                    started=started,
                )
        warm_seconds = 0.0
        stages_seen: dict[str, float] = {}  # checker objective after each stage of an energy solve
        if _energy_weighted(data) and not data.objective.lexicographic:
            # the energy terms slow the search down: first a good schedule for the other terms and energy
            # at a flat rate, from the best of dispatch and energy-frugal dispatch
            warm_started = time.perf_counter()
            frugal = frugal_start(
                data, hint if hint_ok else None, time_limit=START_SHARE * time_limit, seed=seed
            )
            if frugal is not None:
                hint, hint_ok = frugal, True
                _note(stages_seen, "start", data, hint)
            better = self._warm_start_flat_energy(
                data, hint if hint_ok else None, WARM_START_SHARE * time_limit, num_workers, seed
            )
            if better is not None:
                hint, hint_ok = better, True
                _note(stages_seen, "flat_energy", data, hint)
            if hint_ok and hint is not None:
                polished = shift_for_energy(data, hint, time_limit=POLISH_SHARE * time_limit)
                if polished is not hint:
                    hint = polished
                    _note(stages_seen, "shifted", data, hint)
            warm_seconds = time.perf_counter() - warm_started
        built = CpSatModel(data, makespan_cap=_makespan_cap(data, hint if hint_ok else None))
        if hint is not None:
            built.add_hint(hint)
        build_time = time.perf_counter() - started

        terms = data.objective.terms()
        stages = terms if data.objective.lexicographic else ("weighted",)
        status = SolveStatus.UNKNOWN
        schedule: Schedule | None = None
        bound = 0.0
        count = 0
        stats: dict[str, Any] = {"build_seconds": round(build_time - warm_seconds, 4)}
        if warm_seconds:
            stats["warm_start_seconds"] = round(warm_seconds, 4)
        if stages_seen:
            stats["energy_stages"] = stages_seen
        all_optimal = True
        polish = (
            POLISH_SHARE * time_limit if _energy_weighted(data) and not data.objective.lexicographic else 0.0
        )
        for stage_idx, stage in enumerate(stages):
            remaining = time_limit - polish - (time.perf_counter() - started)
            budget = remaining / (len(stages) - stage_idx)
            expr = built.weighted_objective() if stage == "weighted" else built.term(stage)
            scale = built.objective_scale if stage == "weighted" else built.term_scale(stage)
            built.model.minimize(expr)
            solver = self._new_solver(budget, num_workers, seed)
            with self._lock:
                if self._stopped:
                    break
                self._solver = solver
            reporter = _Reporter(on_progress, started, count)
            code = solver.solve(built.model, reporter)
            with self._lock:
                self._solver = None
            count = reporter.count
            stage_status = _STATUS.get(code, SolveStatus.UNKNOWN)
            if code == cp_model.MODEL_INVALID:
                raise RuntimeError(f"CP-SAT rejected the model: {built.model.validate()}")
            if stage_idx == 0:
                status = stage_status
                bound = solver.best_objective_bound / scale if stage_status != SolveStatus.INFEASIBLE else 0.0
            if stage_status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
                schedule = built.schedule(solver)
                if stage_status != SolveStatus.OPTIMAL:
                    all_optimal = False
                if stage_idx + 1 < len(stages):
                    built.model.add(expr <= round(solver.objective_value))
                    built.add_hint(schedule)
            else:
                all_optimal = False
                break
            if self._stopped:
                break
        if data.objective.lexicographic and schedule is not None:
            status = SolveStatus.OPTIMAL if all_optimal and len(stages) > 0 else SolveStatus.FEASIBLE
        if not built.exact and status == SolveStatus.OPTIMAL:
            status = (
                SolveStatus.FEASIBLE
            )  # optimal for the model, which rounds or leaves out part of the energy
            stats["model"] = "approximate energy or power"
        bound = max(0.0, bound)  # every term is >= 0 (the model's paused-energy credits can dip below)
        if not built.bound_valid and status != SolveStatus.INFEASIBLE:
            bound = 0.0  # the model restricts or approximates the problem: its bound is none of the problem

        if (
            schedule is None
            and status in (SolveStatus.UNKNOWN, SolveStatus.INFEASIBLE)
            and hint is not None
            and check_solution(data, hint).ok
        ):
            # CP-SAT found nothing in time: the warm start is still a valid answer. A checker-valid warm
            # start also proves the problem feasible when the model says otherwise: the model is conservative
            # where it approximates (a paused resumable operation counted against the power limit, the
            # makespan cap derived from the warm start), so its "infeasible" is no proof then.
            if status == SolveStatus.INFEASIBLE:
                stats["model"] = "infeasible under its approximations; the warm start is feasible"
                bound = 0.0
            schedule = hint
            status = SolveStatus.FEASIBLE
            stats["fallback"] = "initial solution"
        runtime = time.perf_counter() - started
        if schedule is None:
            return Result(status, None, bound, runtime, None, None, self.name, count, stats)
        report = check_solution(data, schedule)
        if not report.ok:
            raise RuntimeError(f"CP-SAT returned a schedule the checker rejects: {report.violations[:3]}")
        assert report.objective is not None
        if stages_seen:
            _note(stages_seen, "cpsat", data, schedule)
        if (not built.exact or polish) and hint_ok and hint is not None and not data.objective.lexicographic:
            # the model rounds or leaves out part of the energy, or CP-SAT left the hinted warm start for a
            # worse schedule: the warm start is a valid answer, judged by the checker
            hint_report = check_solution(data, hint)
            if hint_report.objective is not None and hint_report.objective < report.objective:
                schedule, report = hint, hint_report
                stats["fallback"] = "initial solution (better by the checker)"
        if polish:
            polished = shift_for_energy(data, schedule, time_limit=polish)
            if polished is not schedule:
                polished_report = check_solution(data, polished)
                assert polished_report.objective is not None and report.objective is not None
                stats["energy_shift_saving"] = round(report.objective - polished_report.objective, 6)
                stages_seen["shifted_after"] = round(float(polished_report.objective), 4)
                schedule, report = polished, polished_report
                if status == SolveStatus.OPTIMAL:
                    status = SolveStatus.FEASIBLE  # the model's optimum was not the problem's
        stats["energy_scale"] = built.scale
        stats["model_exact"] = built.exact
        if built.energy_model:
            stats["energy_model"] = built.energy_model
            stats["horizon"] = built.horizon
        assert report.objective is not None
        objective = float(report.objective)
        if status == SolveStatus.OPTIMAL and not data.objective.lexicographic:
            bound = objective
        return Result(
            status, objective, min(bound, objective), runtime, schedule, report.kpis, self.name, count, stats
        )

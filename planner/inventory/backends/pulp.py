"""PuLP backend: the same MIP solved by CBC, an independent solver, through PuLP's CBC command."""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import shutil
import signal
import tempfile
import threading
import warnings

from planner.inventory.backends.base import MipOutcome
from planner.inventory.formulation import LinearModel

logger = logging.getLogger(__name__)

_BOUND_RE = re.compile(r"^Lower bound:\s*(-?[\d.eE+-]+)", re.MULTILINE)
_RESULT_RE = re.compile(r"^Result - (.*)$", re.MULTILINE)
_INCUMBENT_RE = re.compile(r"Partial search - best objective (\S+)")


def max_violation(lp: LinearModel, values: list[float]) -> float:
    """Largest violation of a bound, a row or integrality by ``values``, relative to the row's size."""
    worst = 0.0
    for v, lo, hi, isint in zip(values, lp.lb, lp.ub, lp.integer, strict=True):
        worst = max(worst, lo - v, v - hi, abs(v - round(v)) if isint else 0.0)
    for terms, lo, hi in zip(lp.rows, lp.row_lb, lp.row_ub, strict=True):
        act = sum(c * values[k] for k, c in terms)
        scale = max(1.0, abs(lo) if math.isfinite(lo) else 0.0, abs(hi) if math.isfinite(hi) else 0.0)
        worst = max(worst, (lo - act) / scale, (act - hi) / scale)
    return worst


class PulpBackend:
    """Solve with CBC through PuLP.

    PuLP reports "Optimal" as the problem status even when CBC's time limit stopped it, so the status
    here comes from ``sol_status`` and from the "Result -" line of CBC's log, which also gives the bound.

    The time limit is wall-clock (``timeMode elapsed``): with ``timeMode cpu`` the bundled CBC 2.10 was seen
    to write its last LP point instead of its incumbent when the limit stopped it, on G9, G24 and G42-G45.
    """

    name = "pulp"

    def __init__(self) -> None:
        self._stop_event = threading.Event()

    def stop(self) -> None:
        """Ask CBC to stop; it is sent an interrupt (as Ctrl-C would) and writes its best solution."""
        self._stop_event.set()

    def _watch(self, tmpdir: str, done: threading.Event) -> None:
        """Until the solve ends: once a stop is requested, interrupt the CBC process of this solve (the
        only child process whose work files are in our private folder). CBC ignores an interrupt that
        arrives before its branch and bound starts, so it is repeated every half second."""
        import psutil

        while not done.wait(0.1 if not self._stop_event.is_set() else 0.5):
            if not self._stop_event.is_set():
                continue
            for child in psutil.Process().children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    if any(tmpdir in arg for arg in child.cmdline()):
                        child.send_signal(signal.SIGINT)

    def solve(
        self,
        lp: LinearModel,
        *,
        time_limit: float,
        num_threads: int = 2,
        seed: int = 1,
        mip_gap: float = 1e-6,
    ) -> MipOutcome:
        """Solve ``lp`` within ``time_limit`` seconds."""
        import pulp

        prob = pulp.LpProblem("lotsizing", pulp.LpMinimize)

        def fin(v: float) -> float | None:
            return v if math.isfinite(v) else None

        variables = [
            prob.add_variable(f"v{k}", fin(lo), fin(hi), pulp.LpInteger if isint else pulp.LpContinuous)
            for k, (lo, hi, isint) in enumerate(zip(lp.lb, lp.ub, lp.integer, strict=True))
        ]
        prob += (
            pulp.LpAffineExpression([(variables[v], c) for v, c in lp.objective.items()])
            + lp.objective_offset
        )
        for k, (terms, lo, hi) in enumerate(zip(lp.rows, lp.row_lb, lp.row_ub, strict=True)):
            expr = pulp.LpAffineExpression([(variables[v], c) for v, c in terms])
            if lo == hi:
                prob.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintEQ, f"r{k}", lo))
                continue
            if math.isfinite(lo):
                prob.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintGE, f"r{k}l", lo))
            if math.isfinite(hi):
                prob.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintLE, f"r{k}u", hi))
        tmpdir = tempfile.mkdtemp(prefix="planner-cbc-")
        log_path = os.path.join(tmpdir, "cbc.log")
        with warnings.catch_warnings():
            # PuLP 3.3 deprecates the bundled-CBC command in favour of a separately installed CBC; the
            # bundled binary is the one this project ships with.
            warnings.simplefilter("ignore", DeprecationWarning)
            cmd = pulp.PULP_CBC_CMD(
                msg=False,
                timeLimit=max(1.0, time_limit),
                threads=max(1, num_threads),
                gapRel=mip_gap,
                logPath=log_path,
                timeMode="elapsed",
                options=[f"randomCbcSeed {max(1, seed)}"],
            )
        cmd.tmpDir = tmpdir
        if self._stop_event.is_set():
            shutil.rmtree(tmpdir, ignore_errors=True)
            return MipOutcome("unknown", None, None, None, "stopped before start")
        done = threading.Event()
        watcher = threading.Thread(target=self._watch, args=(tmpdir, done), daemon=True)
        watcher.start()
        try:
            prob.solve(cmd)
            with open(log_path) as f:
                log_text = f.read()
        except (pulp.PulpSolverError, OSError) as exc:
            logger.warning("CBC failed: %s", exc)
            return MipOutcome("unknown", None, None, None, f"error: {exc}")
        finally:
            done.set()
            watcher.join()
            shutil.rmtree(tmpdir, ignore_errors=True)
        result_m = _RESULT_RE.search(log_text)
        result_line = result_m.group(1).strip() if result_m else ""
        sol_status = prob.sol_status
        word = f"{pulp.LpSolution[sol_status]}; {result_line}".strip("; ")
        logger.info("CBC finished: %s", word)
        if sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
            status = (
                "infeasible"
                if sol_status == pulp.LpSolutionInfeasible or "infeasible" in result_line.lower()
                else "unknown"
            )
            return MipOutcome(status, None, None, None, word)
        values = [v.varValue if v.varValue is not None else 0.0 for v in variables]
        objective = float(pulp.value(prob.objective) or 0.0)
        optimal = sol_status == pulp.LpSolutionOptimal and result_line.startswith("Optimal")
        bound_m = _BOUND_RE.search(log_text)
        bound = float(bound_m.group(1)) if bound_m else None
        violation = max_violation(lp, values)
        if violation > 1e-5:
            # CBC sometimes writes the last LP point instead of its incumbent when it stops on a limit
            # (coin-or/Cbc issues 358 and 709); such a point is not a plan.
            found = _INCUMBENT_RE.search(log_text)
            note = f"; incumbent {found.group(1)} was lost" if found else ""
            logger.warning("CBC returned a point violating the model by %g%s", violation, note)
            return MipOutcome(
                "unknown",
                None,
                None,
                bound,
                f"{word}; CBC returned an infeasible point (violation {violation:.3g}){note}",
            )
        if optimal and bound is None:
            bound = objective
        if not optimal and bound is not None and objective - bound <= 1e-6 * max(1.0, abs(objective)):
            # CBC stopped on a limit with its bound already equal to the incumbent: proven optimal all the same.
            optimal = True
        return MipOutcome("optimal" if optimal else "feasible", values, objective, bound, word)

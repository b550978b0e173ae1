"""The interface every lot-sizing backend implements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from planner.exceptions import PlannerError
from planner.inventory.formulation import LinearModel


@dataclass(frozen=True)
class MipOutcome:
    """What a backend returns: a status word, the values (None without a solution), objective and bound.

    ``status`` is one of ``optimal``, ``feasible``, ``infeasible``, ``unknown``.
    """

    status: str
    values: list[float] | None
    objective: float | None
    bound: float | None
    solver_status: str


class Backend(Protocol):
    """A MIP backend: solves a :class:`LinearModel` and can be asked from another thread to stop."""

    name: str

    def solve(
        self, lp: LinearModel, *, time_limit: float, num_threads: int, seed: int, mip_gap: float
    ) -> MipOutcome:
        """Solve ``lp`` and return the best solution found."""
        ...

    def stop(self) -> None:
        """Ask a running :meth:`solve` to return as soon as it can with its best solution."""
        ...


def _ortools(**options: Any) -> Backend:
    from planner.inventory.backends.ortools import OrToolsBackend

    return OrToolsBackend(**options)


def _pulp(**options: Any) -> Backend:
    from planner.inventory.backends.pulp import PulpBackend

    return PulpBackend(**options)


BACKENDS: dict[str, Callable[..., Backend]] = {"ortools": _ortools, "pulp": _pulp}


def make_backend(name: str, **options: Any) -> Backend:
    """Create a backend by name, passing ``options`` to its constructor.

    Raises
    ------
    PlannerError
        If the name is unknown.
    """
    try:
        factory = BACKENDS[name]
    except KeyError:
        raise PlannerError(
            f"unknown lot-sizing backend {name!r}; choose from {', '.join(BACKENDS)}"
        ) from None
    return factory(**options)

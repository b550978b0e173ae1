"""Scheduling backends, registered by name; each is imported only when asked for."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from planner.scheduling.solvers.base import Backend


def _cpsat(**options: Any) -> Backend:
    from planner.scheduling.solvers.cpsat import CpSatBackend

    return CpSatBackend(**options)


def _dispatch(**options: Any) -> Backend:
    from planner.scheduling.solvers.dispatch import DispatchBackend

    return DispatchBackend(**options)


BACKENDS: dict[str, Callable[..., Backend]] = {"cpsat": _cpsat, "dispatch": _dispatch}


def make_backend(name: str, **options: Any) -> Backend:
    """Create the backend registered as ``name``."""
    try:
        factory = BACKENDS[name]
    except KeyError:
        from planner.exceptions import ValidationError

        raise ValidationError(
            f"unknown solver {name!r}; choose one of {sorted(BACKENDS)}", "solver"
        ) from None
    return factory(**options)

"""Solver backends of the lot-sizing MIP, registered by name."""

from __future__ import annotations

from planner.inventory.backends.base import BACKENDS, Backend, MipOutcome, make_backend

__all__ = ["BACKENDS", "Backend", "MipOutcome", "make_backend"]

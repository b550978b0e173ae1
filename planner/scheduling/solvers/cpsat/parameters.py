"""CP-SAT parameters from the presets (``presets.toml``) and callers' overrides."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def set_parameters(params: Any, values: Mapping[str, Any]) -> None:
    """Set ``values`` (SatParameters field names) on ``params``; lists replace repeated fields."""
    for key, value in values.items():
        if isinstance(value, Sequence) and not isinstance(value, str):
            repeated = getattr(params, key)
            repeated.clear()
            repeated.extend(value)
        else:
            setattr(params, key, value)

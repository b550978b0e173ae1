"""Capacity per period from a machine calendar (the plant's unavailability windows)."""

from __future__ import annotations

from collections.abc import Sequence

from planner.exceptions import ValidationError


def capacity_from_calendar(
    num_periods: int,
    period_length: int,
    unavailable: Sequence[tuple[int, int]] = (),
    time_units_per_hour: float = 60.0,
    num_machines: int = 1,
) -> tuple[float, ...]:
    """Hours available per period on a resource, given the windows in which its machines are down.

    Parameters
    ----------
    num_periods
        Number of planning periods.
    period_length
        Length of a period in the calendar's time unit (e.g. 1440 minutes for a day).
    unavailable
        ``(start, end)`` windows, half-open, in the calendar's time unit from the start of period 0; they
        may overlap each other and period boundaries.
    time_units_per_hour
        Calendar time units in one hour (60 for minutes).
    num_machines
        Identical machines sharing the calendar.

    Returns
    -------
    tuple of float
        Capacity in hours per period.
    """
    if num_periods < 1 or period_length < 1:
        raise ValidationError(
            f"num_periods and period_length must be >= 1, got {num_periods} and {period_length}",
            field="calendar",
        )
    # Merge windows so that overlaps are not subtracted twice.
    merged: list[list[int]] = []
    for start, end in sorted(unavailable):
        if end < start:
            raise ValidationError(
                f"window ({start}, {end}) ends before it starts", field="calendar.unavailable"
            )
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out = []
    for t in range(num_periods):
        lo, hi = t * period_length, (t + 1) * period_length
        down = sum(max(0, min(hi, e) - max(lo, s)) for s, e in merged)
        out.append(num_machines * (period_length - down) / time_units_per_hour)
    return tuple(out)

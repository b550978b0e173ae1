"""Neighbourhoods of fix-and-optimise (Helber & Sahling 2010) over a lot-sizing MIP's setup variables.

A neighbourhood is the set of setup variables a sub-MIP may change; every other setup keeps its value in
the incumbent. Two families take turns: windows of consecutive periods (all items) and blocks of
consecutive items (all periods), each sized to free about ``target`` setups and overlapping by half, so that every setup is
freed at least once per pass.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from itertools import zip_longest


def _blocks(num: int, width: int) -> list[range]:
    """Ranges of ``width`` consecutive indices out of ``num``, moved by half a width, the last ending at
    ``num``."""
    width = max(1, min(num, width))
    step = max(1, width // 2)
    starts = list(range(0, num - width + 1, step))
    if starts[-1] + width < num:
        starts.append(num - width)
    return [range(lo, lo + width) for lo in starts]


def neighbourhoods(
    setup_period: Mapping[int, int], setup_item: Mapping[int, int], target: int
) -> list[frozenset[int]]:
    """One pass of neighbourhoods: period windows, then item blocks, each freeing about ``target`` setups.

    Parameters
    ----------
    setup_period, setup_item
        Period and item of each setup variable (by variable index).
    target
        About how many setup variables each neighbourhood frees (at least one period or one item).

    Returns
    -------
    list of frozenset
        The variable indices each neighbourhood frees, without repeats, in the order to try them.
    """
    if not setup_period:
        return []
    num_periods = 1 + max(setup_period.values())
    num_items = 1 + max(setup_item.values(), default=0)
    windows = [
        frozenset(v for v, t in setup_period.items() if t in window)
        for window in _blocks(num_periods, math.ceil(target / num_items))
    ]
    blocks = (
        [
            frozenset(v for v, i in setup_item.items() if i in block)
            for block in _blocks(num_items, math.ceil(target / num_periods))
        ]
        if num_items > 1
        else []
    )
    # Alternate the families, so that a pass cut short by the time limit has tried both.
    out = [n for pair in zip_longest(windows, blocks) for n in pair if n is not None]
    seen: set[frozenset[int]] = set()
    unique = []
    for free in out:
        if free and free not in seen:
            seen.add(free)
            unique.append(free)
    return unique

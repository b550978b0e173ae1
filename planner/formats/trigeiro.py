"""Reader and writer of the Trigeiro, Thomas & McClain (1989) capacitated lot-sizing ``.DAT`` format.

Layout (whitespace separated): ``n T``; an unused number; the capacity per period; ``n`` lines
``unit_time holding_cost setup_time setup_cost``; then the demand, ``T`` rows of at most 15 item
columns, block after block (items 1-15, then 16-30, ...). Trailing text labels are ignored.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from planner.exceptions import FormatError, ValidationError
from planner.inventory.problem_data import Item, LotSizingData, Resource

_BLOCK = 15


def _tokens(text: str) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        out.extend((tok, line_no) for tok in line.split())
    return out


def read_trigeiro(path: str | os.PathLike[str], name: str | None = None) -> LotSizingData:
    """Read a Trigeiro ``.DAT`` file.

    Parameters
    ----------
    path
        The file.
    name
        Instance name (default: the file name without extension).

    Returns
    -------
    LotSizingData
        One resource with the same capacity in every period; no backlog, no initial stock.

    Raises
    ------
    FormatError
        When the file is missing, truncated or holds something other than a number where one is expected.
    """
    p = Path(path)
    try:
        text = p.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(str(p), None, f"cannot read the file: {exc}") from None
    return parse_trigeiro(text, str(p), name if name is not None else p.stem)


def parse_trigeiro(text: str, path: str = "<string>", name: str = "") -> LotSizingData:
    """Parse the text of a Trigeiro ``.DAT`` file; see :func:`read_trigeiro`."""
    toks = _tokens(text)
    pos = 0

    def number(what: str, integer: bool = False) -> float:
        nonlocal pos
        if pos >= len(toks):
            last = toks[-1][1] if toks else None
            raise FormatError(path, last, f"file ends early: expected {what}")
        tok, line = toks[pos]
        try:
            val = float(tok)
        except ValueError:
            raise FormatError(path, line, f"expected {what} (a number), got {tok!r}") from None
        if not math.isfinite(val) or val < 0:
            raise FormatError(path, line, f"{what} must be a finite number >= 0, got {tok!r}")
        if integer and val != int(val):
            raise FormatError(path, line, f"{what} must be an integer, got {tok!r}")
        pos += 1
        return val

    n = int(number("the number of items", integer=True))
    num_periods = int(number("the number of periods", integer=True))
    if n < 1 or num_periods < 1:
        raise FormatError(
            path, toks[0][1], f"need at least 1 item and 1 period, got {n} items, {num_periods} periods"
        )
    number("the unused second number")
    capacity = number("the capacity per period")
    params = []
    for i in range(n):
        params.append(
            tuple(
                number(f"{label} of item {i + 1}")
                for label in ("unit time", "holding cost", "setup time", "setup cost")
            )
        )
    demand = [[0.0] * num_periods for _ in range(n)]
    for start in range(0, n, _BLOCK):
        for t in range(num_periods):
            for i in range(start, min(n, start + _BLOCK)):
                demand[i][t] = number(f"the demand of item {i + 1} in period {t + 1}")
    if pos < len(toks):
        tok, line = toks[pos]
        try:
            float(tok)
        except ValueError:
            pass  # trailing labels ("Bi hi su su / time cost")
        else:
            raise FormatError(
                path, line, f"more numbers than {n} items x {num_periods} periods need: {tok!r}"
            )
    items = tuple(
        Item(
            name=f"item{i + 1}",
            demand=tuple(demand[i]),
            unit_time=b,
            holding_cost=h,
            setup_time=st,
            setup_cost=sc,
            resource=0,
        )
        for i, (b, h, st, sc) in enumerate(params)
    )
    try:
        return LotSizingData(items, (Resource("capacity", (capacity,) * num_periods),), name=name)
    except ValidationError as exc:
        raise FormatError(path, None, str(exc)) from None


def write_trigeiro(data: LotSizingData, path: str | os.PathLike[str]) -> None:
    """Write a single-resource problem with constant capacity in the Trigeiro format.

    Raises
    ------
    ValueError
        If the problem uses something the format cannot hold (several resources, varying capacity,
        BOM, backlog, lost sales, initial stock, safety stock, lot rules).
    """
    if data.num_resources != 1 or len(set(data.resources[0].capacity)) != 1 or data.bom:
        raise ValueError("the Trigeiro format holds one resource with constant capacity and no BOM")
    for item in data.items:
        if (
            item.resource != 0
            or item.initial_inventory
            or item.backlog_penalty is not None
            or item.lost_sales_penalty is not None
            or item.min_lot
            or item.lot_multiple
            or any(item.safety_stock)
            or item.production_cost
            or item.max_inventory is not None
        ):
            raise ValueError(f"item {item.name!r} uses a feature the Trigeiro format cannot hold")
    lines = [f"{data.num_items:5d}{data.num_periods:5d}", "    1", f"{data.resources[0].capacity[0]:g}"]
    for item in data.items:
        lines.append(f"{item.unit_time!r} {item.holding_cost!r} {item.setup_time!r} {item.setup_cost!r}")
    for start in range(0, data.num_items, _BLOCK):
        cols = range(start, min(data.num_items, start + _BLOCK))
        for t in range(data.num_periods):
            lines.append(" ".join(repr(data.items[i].demand[t]) for i in cols))
    lines.append("  Bi   hi   su   su")
    lines.append("           time cost")
    Path(path).write_text("\n".join(lines) + "\n")


REPO_ROOT = Path(__file__).resolve().parents[2]


def _reference_files(path: Path) -> list[Path]:
    candidates = [
        path.parent / "bks_trigeiro_G.csv",
        path.parent.parent / "bks_trigeiro_G.csv",
        REPO_ROOT.parent / "shared" / "instances" / "lotsizing" / "bks_trigeiro_G.csv",
    ]
    seen: list[Path] = []
    for c in candidates:
        if c.exists() and c.resolve() not in [s.resolve() for s in seen]:
            seen.append(c)
    return seen


def trigeiro_best_known(path: str | os.PathLike[str], data: LotSizingData | None = None) -> float | None:
    """Best-known objective of a Trigeiro instance (the literature optimum when known, else the reference
    value of ``bks_trigeiro_G.csv``), or None. With ``data``, a file of another size is not compared."""
    import csv

    p = Path(path)
    for ref in _reference_files(p):
        try:
            with open(ref, newline="") as f:
                for row in csv.DictReader(f):
                    if row.get("instance") != p.stem:
                        continue
                    if data is not None and (
                        int(row["n_items"]) != data.num_items or int(row["n_periods"]) != data.num_periods
                    ):
                        return None
                    values = [
                        float(row[k])
                        for k in ("literature_optimum", "best_known_objective_here")
                        if row.get(k)
                    ]
                    return min(values) if values else None
        except (OSError, ValueError, KeyError):
            continue
    return None

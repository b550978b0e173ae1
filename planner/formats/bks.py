"""Best known bounds of benchmark instances.

The bounds come from CSV files with the columns ``name,n_jobs,n_machines,lower_bound,upper_bound,optimal,
source``: the project's ``instances/bks.csv`` and, when present, the larger benchmark sets
``../shared/instances/jssp/bks.csv`` and ``../shared/instances/fjsp/bks.csv`` next to the repository.
Names are spelled as in those files: ``la01``, ``mk05``, ``hurink_rdata/la21``, ``dauzere/07a``.
"""

from __future__ import annotations

import csv
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath

logger = logging.getLogger(__name__)

__all__ = ["Bound", "best_known", "bks_files", "instance_key", "load_bounds", "merge_bounds"]

REPO_ROOT = Path(__file__).resolve().parents[2]
#: Folders whose name is part of the instance name (``hurink_rdata/la21``), as in the FJSP ``bks.csv``.
PREFIX_DIRS = ("hurink_edata", "hurink_rdata", "hurink_vdata", "dauzere")
_EXTENSIONS = (".txt", ".fjs", ".json", ".jss", ".tai", ".jsp")


@dataclass(frozen=True)
class Bound:
    """Best known bounds of an instance's makespan.

    Parameters
    ----------
    name
        Instance name as the bounds file spells it.
    lower, upper
        Best known lower bound and best known solution (upper bound).
    optimal
        Whether the bounds meet (the optimum is known).
    n_jobs, n_machines
        Size of the instance.
    source
        Where the bounds come from.
    """

    name: str
    lower: int
    upper: int
    optimal: bool
    n_jobs: int = 0
    n_machines: int = 0
    source: str = ""

    def __post_init__(self) -> None:
        if self.lower > self.upper:
            raise ValueError(f"bound {self.name!r}: lower {self.lower} must be <= upper {self.upper}")


def bks_files() -> tuple[Path, ...]:
    """The bounds files looked at, in priority order (missing ones are skipped)."""
    shared = REPO_ROOT.parent / "shared" / "instances"
    return (REPO_ROOT / "instances" / "bks.csv", shared / "jssp" / "bks.csv", shared / "fjsp" / "bks.csv")


def load_bounds(path: str | os.PathLike[str]) -> dict[str, Bound]:
    """Read one bounds CSV file into a map from lower-case name to :class:`Bound`.

    Rows that cannot be read are logged and skipped.
    """
    bounds: dict[str, Bound] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for row_number, row in enumerate(csv.DictReader(handle), start=2):
            try:
                bound = Bound(
                    name=row["name"].strip(),
                    lower=int(row["lower_bound"]),
                    upper=int(row["upper_bound"]),
                    optimal=row["optimal"].strip().lower() in ("true", "1", "yes"),
                    n_jobs=int(row.get("n_jobs") or 0),
                    n_machines=int(row.get("n_machines") or 0),
                    source=(row.get("source") or "").strip(),
                )
            except (KeyError, ValueError, TypeError, AttributeError) as exc:
                logger.warning("%s:%d: skipped bounds row (%s)", path, row_number, exc)
                continue
            bounds.setdefault(bound.name.lower(), bound)
    return bounds


def merge_bounds(paths: Iterable[str | os.PathLike[str]]) -> dict[str, Bound]:
    """Read several bounds CSV files into one map; a name's first file wins, missing files are skipped."""
    merged: dict[str, Bound] = {}
    for path in paths:
        if Path(path).is_file():
            for key, bound in load_bounds(path).items():
                merged.setdefault(key, bound)
    return merged


@cache
def _all_bounds() -> dict[str, Bound]:
    return merge_bounds(bks_files())


def instance_key(name_or_path: str | os.PathLike[str]) -> str:
    """The name under which an instance's bounds are filed.

    ``instances/jssp/ft06.txt`` -> ``ft06``; ``.../hurink_rdata/la21.fjs`` -> ``hurink_rdata/la21``: the
    Hurink and Dauzere-Peres sets are told apart by the name of the file's folder.
    """
    path = PurePosixPath(os.fspath(name_or_path).replace("\\", "/"))
    stem = path.stem if path.suffix.lower() in _EXTENSIONS else path.name
    parent = path.parent.name
    if parent.lower() in PREFIX_DIRS:
        return f"{parent.lower()}/{stem.lower()}"
    return stem.lower()


def best_known(name_or_path: str | os.PathLike[str]) -> Bound | None:
    """Best known bounds of an instance, or None when it is not a known benchmark.

    Parameters
    ----------
    name_or_path
        A name as the bounds files spell it (``la01``, ``mk05``, ``hurink_rdata/la21``) or the path of an
        instance file (its folder tells the Hurink sets apart).

    Returns
    -------
    Bound or None
        The bounds, from the first bounds file that has the instance.
    """
    return _all_bounds().get(instance_key(name_or_path))

"""Shared problem builders for the scheduling tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.scheduling import Job, Machine, Mode, Operation, ProblemData

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "instances"


def jssp_from_text(text: str, name: str = "") -> ProblemData:
    """A tiny independent JSSP reader, so these tests do not depend on planner.formats."""
    toks = [t for line in text.splitlines() if not line.startswith("#") for t in line.split()]
    n, m = int(toks[0]), int(toks[1])
    vals = list(map(int, toks[2:]))
    jobs = [
        Job(tuple(Operation((Mode(vals[(j * m + k) * 2], vals[(j * m + k) * 2 + 1]),)) for k in range(m)))
        for j in range(n)
    ]
    return ProblemData(tuple(Machine() for _ in range(m)), tuple(jobs), name=name)


def fjsp_from_text(text: str, name: str = "") -> ProblemData:
    toks = text.split()
    n, m = int(toks[0]), int(toks[1])
    pos = 3
    jobs = []
    for _ in range(n):
        k = int(toks[pos])
        pos += 1
        ops = []
        for _ in range(k):
            a = int(toks[pos])
            pos += 1
            modes = []
            for _ in range(a):
                modes.append(Mode(int(toks[pos]) - 1, int(toks[pos + 1])))
                pos += 2
            ops.append(Operation(tuple(modes)))
        jobs.append(Job(tuple(ops)))
    return ProblemData(tuple(Machine() for _ in range(m)), tuple(jobs), name=name)


def instance(name: str) -> ProblemData:
    """Load ft06/la01 (JSSP) or mk01 (FJSP) from the project's instances/ or ../shared."""
    for base in (ROOT / "instances", SHARED):
        for sub, ext, reader in (("jssp", ".txt", jssp_from_text), ("fjsp", ".fjs", fjsp_from_text)):
            path = base / sub / f"{name}{ext}"
            if path.exists():
                return reader(path.read_text(), name)
    pytest.skip(f"instance {name} not found")


@pytest.fixture
def small_setup_problem() -> ProblemData:
    """Two machines, three jobs of two families, changeovers, a closed window, due dates."""
    setup = ((0, 5), (7, 0))
    machines = (
        Machine("A", unavailable=((10, 15),), setup_times=setup, initial_family=0),
        Machine("B", setup_times=setup),
    )
    jobs = (
        Job((Operation((Mode(0, 4),)), Operation((Mode(1, 3), Mode(0, 6)))), "j0", due=12, family=0),
        Job(
            (Operation((Mode(0, 3), Mode(1, 5))), Operation((Mode(1, 4),))), "j1", release=2, due=15, family=1
        ),
        Job((Operation((Mode(1, 2),)), Operation((Mode(0, 5),))), "j2", due=20, weight=3, family=0),
    )
    return ProblemData(machines, jobs, num_families=2)

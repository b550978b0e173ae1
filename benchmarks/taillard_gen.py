#!/usr/bin/env python3
"""Taillard's (1993) job-shop instance generator, and the published seeds of ta01-ta80.

Taillard, E. (1993). Benchmarks for basic scheduling problems. European Journal of Operational Research
64(2), 278-285. The generator is the Lehmer / Park-Miller linear congruential generator computed with
Schrage's method (a = 16807, b = 127773, c = 2836, m = 2^31 - 1) and the rule
``unif(seed, low, high) = low + floor(seed / m * (high - low + 1))`` after each step. Processing times are
``unif(time_seed, 1, 99)`` row by row; every job starts with machines 1..m in order and, for each position j,
swaps machine j with machine ``unif(machine_seed, j, m)``.

Regenerating ta01 from its published seeds (time 840612802, machine 398197754) gives the published first
rows (times ``94 66 10 53 26 15 65 82 10 27 93 92 96 70 83``, machines ``7 13 5 8 4 3 11 12 9 15 10 14 6 1 2``),
which ``--verify`` checks.

Examples
--------
Write ta01..ta80 in the standard JSSP format (0-based machines) to a folder::

    .venv/bin/python benchmarks/taillard_gen.py --out var/taillard

Fresh Taillard-class instances (not the published ones: seeds of your own)::

    .venv/bin/python benchmarks/taillard_gen.py --jobs 30 --machines 20 --seeds 12345:67890 --out var/tai_new
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

_A = 16807
_B = 127773
_C = 2836
_M = 2**31 - 1


class TaillardRandom:
    """Taillard's LCG: ``next(low, high)`` draws an integer uniformly in ``[low, high]``."""

    def __init__(self, seed: int):
        if not 0 < seed < _M:
            raise ValueError(f"seed must be in 1..{_M - 1}, got {seed}")
        self.seed = seed

    def next(self, low: int, high: int) -> int:
        k = self.seed // _B
        self.seed = _A * (self.seed % _B) - k * _C
        if self.seed < 0:
            self.seed += _M
        return low + int(self.seed / _M * (high - low + 1))


@dataclass(frozen=True)
class TaillardInstance:
    """A generated instance: ``times[j][k]`` and 1-based ``machines[j][k]`` of operation k of job j."""

    name: str
    times: tuple[tuple[int, ...], ...]
    machines: tuple[tuple[int, ...], ...]

    def to_jssp(self) -> str:
        """The standard JSSP text format (``n m`` then ``machine duration`` pairs, machines 0-based)."""
        lines = [f"{len(self.times)} {len(self.times[0])}"]
        for times, machines in zip(self.times, self.machines, strict=True):
            lines.append(" ".join(f"{m - 1} {t}" for m, t in zip(machines, times, strict=True)))
        return "\n".join(lines) + "\n"


def generate(
    num_jobs: int, num_machines: int, time_seed: int, machine_seed: int, name: str = ""
) -> TaillardInstance:
    """Generate one instance exactly as Taillard's published generator does."""
    time_rng = TaillardRandom(time_seed)
    times = [[time_rng.next(1, 99) for _ in range(num_machines)] for _ in range(num_jobs)]
    machine_rng = TaillardRandom(machine_seed)
    machines = [[k + 1 for k in range(num_machines)] for _ in range(num_jobs)]
    for row in machines:
        for k in range(num_machines):
            other = machine_rng.next(k, num_machines - 1)
            row[k], row[other] = row[other], row[k]
    return TaillardInstance(
        name or f"tai_{num_jobs}x{num_machines}_{time_seed}_{machine_seed}",
        tuple(map(tuple, times)),
        tuple(map(tuple, machines)),
    )


# (jobs, machines, time seed, machine seed) of ta01..ta80 as published by Taillard (1993).
_SIZES = [(15, 15)] * 10 + [(20, 15)] * 10 + [(20, 20)] * 10 + [(30, 15)] * 10
_SIZES += [(30, 20)] * 10 + [(50, 15)] * 10 + [(50, 20)] * 10 + [(100, 20)] * 10
_SEEDS = [
    (840612802, 398197754), (1314640371, 386720536), (1227221349, 316176388), (342269428, 1806358582),
    (1603221416, 1501949241), (1357584978, 1734077082), (44531661, 1374316395), (302545136, 2092186050),
    (1153780144, 1393392374), (73896786, 1544979948), (533484900, 317419073), (1894307698, 1474268163),
    (874340513, 509669280), (1124986343, 1209573668), (1463788335, 529048107), (1056908795, 25321885),
    (195672285, 1717580117), (961965583, 1353003786), (1610169733, 1734469503), (532794656, 998486810),
    (1035939303, 773961798), (5997802, 1872541150), (1357503601, 722225039), (806159563, 1166962073),
    (1902815253, 1879990068), (1503184031, 1850351876), (1032645967, 99711329), (229894219, 1158117804),
    (823349822, 108033225), (1297900341, 489486403), (98640593, 1981283465), (1839268120, 248890888),
    (573875290, 2081512253), (1670898570, 788294565), (1118914567, 1074349202), (178750207, 294279708),
    (1549372605, 596993084), (798174738, 151685779), (553410952, 1329272528), (1661531649, 1173386294),
    (1841414609, 1357882888), (2116959593, 1546338557), (796392706, 1230864158), (532496463, 254174057),
    (2020525633, 978943053), (524444252, 185526083), (1569394691, 487269855), (1460267840, 1631446539),
    (198324822, 1937476577), (38071822, 1541985579), (17271, 718939), (660481279, 449650254),
    (352229765, 949737911), (1197518780, 166840558), (1376020303, 483922052), (2106639239, 955932362),
    (1765352082, 1209982549), (1105092880, 1349003108), (907248070, 919544535), (2011630757, 1845447001),
    (8493988, 2738939), (1991925010, 709517751), (342093237, 786960785), (1634043183, 973178279),
    (341706507, 286513148), (320167954, 1411193018), (1089696753, 298068750), (433032965, 1589656152),
    (615974477, 331205412), (236150141, 592292984), (302034063, 1203569070), (1437643198, 1692025209),
    (1792475497, 1039908559), (1647273132, 1012841433), (696480901, 1689682358), (1785569423, 1092647459),
    (117806902, 739059626), (1639154709, 1319962509), (2007423389, 749368241), (682761130, 262763021),
]  # fmt: skip

#: Best-known makespans (upper bounds) of the published instances, from ScheduleOpt/benchmarks
#: jobshop/solutions/bks.json (2026-06). Those marked optimal have a matching proven lower bound.
BEST_KNOWN: dict[str, tuple[int | None, int]] = {
    # name: (lower bound, upper bound)
    "ta01": (1231, 1231), "ta02": (1244, 1244), "ta11": (1357, 1357), "ta12": (1367, 1367),
    "ta21": (1642, 1642), "ta22": (1600, 1600), "ta31": (1764, 1764), "ta32": (1774, 1783),
    "ta41": (1926, 2005), "ta42": (1900, 1937), "ta51": (2760, 2760), "ta52": (2756, 2756),
    "ta61": (2868, 2868), "ta62": (2869, 2869), "ta71": (5464, 5464), "ta72": (5181, 5181),
}  # fmt: skip
#: Best-known makespans (upper bounds) of ta11-ta50 as listed by thomasWeise/jsspInstancesAndResults;
#: only the reference of the gaps (a few are a unit or two off other lists, which shifts both variants alike).
UPPER_TA11_TA50 = {
    **dict(zip(range(11, 21), (1357, 1367, 1342, 1345, 1339, 1360, 1462, 1396, 1332, 1348), strict=True)),
    **dict(zip(range(21, 31), (1642, 1600, 1557, 1644, 1595, 1643, 1680, 1603, 1625, 1584), strict=True)),
    **dict(zip(range(31, 41), (1764, 1784, 1791, 1829, 2007, 1819, 1771, 1673, 1795, 1669), strict=True)),
    **dict(zip(range(41, 51), (2005, 1937, 1846, 1979, 2000, 2004, 1889, 1941, 1961, 1923), strict=True)),
}
#: Best-known makespans (upper bounds only) of the other ta11-ta50 as listed by thomasWeise/jsspInstancesAndResults
#: (UPPER_TA11_TA50); the ScheduleOpt entries take precedence.
for _index, _upper in UPPER_TA11_TA50.items():
    BEST_KNOWN.setdefault(f"ta{_index:02d}", (None, _upper))

PUBLISHED_TA01_FIRST_TIMES = (94, 66, 10, 53, 26, 15, 65, 82, 10, 27, 93, 92, 96, 70, 83)
PUBLISHED_TA01_FIRST_MACHINES = (7, 13, 5, 8, 4, 3, 11, 12, 9, 15, 10, 14, 6, 1, 2)


def published(index: int) -> TaillardInstance:
    """The published instance ta``index`` (1..80)."""
    if not 1 <= index <= 80:
        raise ValueError(f"index must be in 1..80, got {index}")
    jobs, machines = _SIZES[index - 1]
    time_seed, machine_seed = _SEEDS[index - 1]
    return generate(jobs, machines, time_seed, machine_seed, f"ta{index:02d}")


def verify() -> bool:
    """True when ta01 regenerates with the published first rows."""
    ta01 = published(1)
    return ta01.times[0] == PUBLISHED_TA01_FIRST_TIMES and ta01.machines[0] == PUBLISHED_TA01_FIRST_MACHINES


def simple_lower_bound(times: tuple[tuple[int, ...], ...], machines: tuple[tuple[int, ...], ...]) -> int:
    """Max of the longest job and the most loaded machine (with its shortest head and tail)."""
    job_bound = max(sum(row) for row in times)
    num_machines = len(times[0])
    best = 0
    for m in range(1, num_machines + 1):
        load, heads, tails = 0, [], []
        for row_t, row_m in zip(times, machines, strict=True):
            k = row_m.index(m)
            load += row_t[k]
            heads.append(sum(row_t[:k]))
            tails.append(sum(row_t[k + 1 :]))
        best = max(best, min(heads) + load + min(tails))
    return max(job_bound, best)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, help="folder for the .txt files")
    parser.add_argument("--which", default="1-80", help="published instances to write, e.g. 1-10,41,71")
    parser.add_argument("--jobs", type=int, help="generate a new instance of this many jobs")
    parser.add_argument("--machines", type=int, help="... and machines")
    parser.add_argument("--seeds", action="append", default=[], help="TIME:MACHINE seed pair (repeatable)")
    parser.add_argument("--verify", action="store_true", help="check ta01 against the published first rows")
    args = parser.parse_args(argv)
    if args.verify:
        ok = verify()
        sys.stdout.write(f"ta01 first row {'matches' if ok else 'DOES NOT match'} the published one\n")
        return 0 if ok else 1
    if args.out is None:
        parser.error("--out is required")
    args.out.mkdir(parents=True, exist_ok=True)
    instances: list[TaillardInstance] = []
    if args.jobs:
        for pair in args.seeds:
            t_seed, m_seed = (int(x) for x in pair.split(":"))
            instances.append(generate(args.jobs, args.machines, t_seed, m_seed))
    else:
        for part in args.which.split(","):
            lo, _, hi = part.partition("-")
            instances += [published(i) for i in range(int(lo), int(hi or lo) + 1)]
    for inst in instances:
        (args.out / f"{inst.name}.txt").write_text(inst.to_jssp())
    sys.stdout.write(f"wrote {len(instances)} instances to {args.out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""A builder for scheduling problems: add machines and jobs, then lower to :class:`ProblemData`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from planner.scheduling.problem_data import (
    Energy,
    Job,
    Machine,
    MaintenanceTask,
    Mode,
    Objective,
    Operation,
    ProblemData,
)


@dataclass
class _JobDraft:
    name: str
    release: int
    due: int | None
    weight: int
    family: int
    operations: list[Operation] = field(default_factory=list)


class Model:
    """Build a problem step by step.

    Examples
    --------
    >>> m = Model()
    >>> saw = m.add_machine("saw")
    >>> job = m.add_job("order-1", due=50)
    >>> m.add_operation(job, [(saw, 10)])
    0
    >>> m.data().num_operations
    1
    """

    def __init__(self, name: str = "", time_unit: str = "", time_origin: str = ""):
        self.name = name
        self.time_unit = time_unit
        self.time_origin = time_origin
        self._machines: list[Machine] = []
        self._jobs: list[_JobDraft] = []
        self._families: list[str] = []
        self._maintenance: list[MaintenanceTask] = []
        self.energy: Energy | None = None
        self.objective = Objective()

    def add_family(self, name: str) -> int:
        """Add a product family and return its index."""
        self._families.append(name)
        return len(self._families) - 1

    def add_machine(
        self,
        name: str = "",
        unavailable: Sequence[tuple[int, int]] = (),
        setup_times: Sequence[Sequence[int]] | None = None,
        initial_family: int | None = None,
        idle_power: float = 0.0,
    ) -> int:
        """Add a machine and return its index (``idle_power`` in kW while it runs nothing)."""
        self._machines.append(
            Machine(
                name=name,
                unavailable=tuple(tuple(w) for w in unavailable),  # type: ignore[misc]
                setup_times=None if setup_times is None else tuple(tuple(r) for r in setup_times),
                initial_family=initial_family,
                idle_power=idle_power,
            )
        )
        return len(self._machines) - 1

    def add_job(
        self, name: str = "", release: int = 0, due: int | None = None, weight: int = 1, family: int = 0
    ) -> int:
        """Add a job (order) and return its index."""
        self._jobs.append(_JobDraft(name, release, due, weight, family))
        return len(self._jobs) - 1

    def add_operation(
        self,
        job: int,
        modes: Sequence[tuple[int, int] | tuple[int, int, float]],
        name: str = "",
        pinned: tuple[int, int] | None = None,
        resumable: bool = False,
    ) -> int:
        """Append an operation to ``job`` with ``modes`` as (machine, duration[, power]); return its index.

        A ``resumable`` operation may pause over its machine's closed windows.
        """
        op = Operation(
            modes=tuple(Mode(*mode) for mode in modes),
            name=name,
            pinned_machine=pinned[0] if pinned else None,
            pinned_start=pinned[1] if pinned else None,
            resumable=resumable,
        )
        self._jobs[job].operations.append(op)
        return len(self._jobs[job].operations) - 1

    def add_maintenance(
        self, machine: int, duration: int, earliest: int = 0, latest: int | None = None, name: str = ""
    ) -> int:
        """Add a maintenance task to place on ``machine`` inside ``[earliest, latest]``; return its index."""
        self._maintenance.append(MaintenanceTask(machine, duration, earliest, latest, name))
        return len(self._maintenance) - 1

    def set_energy(
        self,
        period: int,
        price: Sequence[float] = (),
        co2: Sequence[float] = (),
        peak_power: float | None = None,
        hours_per_unit: float = 1 / 60,
    ) -> Energy:
        """Set the time-of-use tariff, CO2 intensity and peak-power limit (see :class:`Energy`)."""
        self.energy = Energy(period, tuple(price), tuple(co2), peak_power, hours_per_unit)
        return self.energy

    def set_objective(
        self, makespan: int = 1, tardiness: int = 0, setup: int = 0, energy: int = 0, co2: int = 0
    ) -> None:
        """Set the weights of the objective terms."""
        self.objective = Objective(
            makespan=makespan, tardiness=tardiness, setup=setup, energy=energy, co2=co2
        )

    def data(self) -> ProblemData:
        """Lower the model to validated, immutable problem data."""
        return ProblemData(
            machines=tuple(self._machines),
            jobs=tuple(
                Job(tuple(d.operations), d.name, d.release, d.due, d.weight, d.family) for d in self._jobs
            ),
            num_families=max(1, len(self._families)),
            family_names=tuple(self._families),
            objective=self.objective,
            name=self.name,
            time_unit=self.time_unit,
            time_origin=self.time_origin,
            maintenance=tuple(self._maintenance),
            energy=self.energy,
        )

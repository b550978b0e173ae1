"""The native JSON format: everything :class:`~planner.scheduling.ProblemData` holds.

A document looks like this (the full rules are in ``planner-instance.schema.json``, JSON Schema
draft 2020-12, shipped with the package and in ``instances/``)::

    {
      "version": 1, "name": "bike_plant", "time_unit": "min", "time_origin": "2026-12-07T06:00:00+01:00",
      "families": ["white", "black"],
      "machines": [{"name": "PAINT", "unavailable": [[960, 1440]], "idle_power": 2.5,
                    "setup_times": [[0, 20], [45, 0]], "initial_family": "white"}, ...],
      "jobs": [{"name": "SO-1001", "release": 0, "due": 900, "weight": 3, "family": "black",
                "operations": [{"name": "paint", "modes": [{"machine": "PAINT", "duration": 40, "power": 25.0}],
                                "resumable": true, "pinned": {"machine": "PAINT", "start": 0},
                                "planned_machine": "PAINT", "planned_start": 0}]}],
      "maintenance": [{"name": "service", "machine": "PAINT", "duration": 240, "earliest": 0, "latest": 2880}],
      "energy": {"period": 60, "price": [0.12, 0.31], "co2": [0.25, 0.4], "peak_power": 80.0,
                 "hours_per_unit": 0.016666666666666666},
      "objective": {"makespan": 1, "tardiness": 10, "energy": 5, "moved": 10, "shift": 1}
                   or {"lexicographic": ["tardiness", "makespan"]}
    }

Machines and families are referred to by name, or by 0-based index (the writer uses indices when names are
missing or not unique). In the weighted form of ``objective`` missing weights are 0; without any weight the
defaults of :class:`~planner.scheduling.Objective` apply. ``planned_machine``/``planned_start`` (a previous
plan's placement) and the weights ``moved``/``shift`` are the stability terms of rescheduling. :func:`to_native_dict` and :func:`from_native_dict`
round-trip exactly.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from planner.exceptions import FieldViolation, FormatError, ValidationError
from planner.formats._text import PathLike, decode, read_text
from planner.scheduling.problem_data import (
    OBJECTIVE_TERMS,
    Energy,
    Job,
    Machine,
    MaintenanceTask,
    Mode,
    Objective,
    Operation,
    ProblemData,
    prefixed,
)

__all__ = [
    "SCHEMA_FILE",
    "format_native",
    "from_native_dict",
    "parse_native",
    "read_native",
    "schema",
    "to_native_dict",
    "write_native",
]

logger = logging.getLogger(__name__)

SCHEMA_FILE = "planner-instance.schema.json"
FORMAT_VERSION = 1
_MAX_SCHEMA_ERRORS = 5


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of the native format (a parsed copy shipped inside the package)."""
    text = resources.files("planner.formats").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    result: dict[str, Any] = json.loads(text)
    return result


def _inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    """The schema with every local ``$ref`` replaced by its definition (it has no cycles).

    jsonschema resolves references slowly; the inlined schema validates about three times faster.
    """
    if isinstance(node, dict):
        if "$ref" in node:
            target = _inline_refs(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
            return {**target, **{k: _inline_refs(v, defs) for k, v in node.items() if k != "$ref"}}
        return {k: _inline_refs(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline_refs(v, defs) for v in node]
    return node


@cache
def _validator() -> Any:
    import jsonschema  # lazy: only native files need it

    full = schema()
    return jsonschema.Draft202012Validator(_inline_refs(full, full.get("$defs", {})))


def _json_path(parts: Sequence[Any]) -> str:
    """``jobs[3].operations[0]`` from a jsonschema path deque; ``(root)`` for the document itself."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(root)"


def _check_schema(doc: Any, path: str) -> None:
    errors = sorted(_validator().iter_errors(doc), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    if not errors:
        return
    shown = [f"{_json_path(e.absolute_path)}: {e.message}" for e in errors[:_MAX_SCHEMA_ERRORS]]
    more = len(errors) - _MAX_SCHEMA_ERRORS
    if more > 0:
        shown.append(f"and {more} more")
    raise FormatError(path, None, "not a valid planner instance: " + "; ".join(shown))


def read_native(path: PathLike) -> ProblemData:
    """Read a native JSON instance.

    Parameters
    ----------
    path
        The file; when the document has no ``name``, the instance is named after the file stem.

    Returns
    -------
    ProblemData
        The problem, with names resolved to indices.

    Raises
    ------
    FormatError
        When the file is not JSON (names the line) or breaks the schema (names the JSON path).
    ValidationError
        When names do not resolve or values break a rule of the problem data, with field paths.
    """
    return parse_native(read_text(path), name=Path(path).stem, path=str(path))


def parse_native(text: str | bytes, name: str = "", path: str = "<text>") -> ProblemData:
    """Parse a native JSON document; ``name`` is used when it has none, ``path`` only in messages.

    See :func:`read_native` for the result and the errors.
    """
    text = decode(text, path)
    if not text.strip():
        raise FormatError(path, None, "empty file: expected a JSON object")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(path, exc.lineno, f"invalid JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise FormatError(path, None, "invalid JSON: nested too deeply") from None
    return from_native_dict(doc, name=name, path=path)


def _int(value: Any) -> int:
    """JSON Schema counts 5.0 as an integer; the problem data wants a Python int."""
    return int(value) if isinstance(value, float) else value  # type: ignore[no-any-return]


class _Names:
    """Resolves references by name or index to indices, recording the violations."""

    def __init__(self, kind: str, names: Sequence[str], count: int):
        self.kind = kind
        self.count = count
        self.index: dict[str, int] = {}
        self.duplicates: set[str] = set()
        for idx, name in enumerate(names):
            if name in self.index:
                self.duplicates.add(name)
            self.index.setdefault(name, idx)

    def resolve(self, ref: Any, field: str, errors: list[FieldViolation]) -> int | None:
        if isinstance(ref, str):
            if ref in self.duplicates:
                errors.append(FieldViolation(field, f"{self.kind} name {ref!r} is ambiguous (used twice)"))
                return None
            if ref not in self.index:
                known = ", ".join(repr(n) for n in list(self.index)[:10])
                errors.append(
                    FieldViolation(field, f"unknown {self.kind} {ref!r} (known: {known or 'none'})")
                )
                return None
            return self.index[ref]
        idx = _int(ref)
        if idx >= self.count:
            errors.append(FieldViolation(field, f"{self.kind} index {idx} out of range 0..{self.count - 1}"))
            return None
        return idx


def from_native_dict(doc: Any, name: str = "", path: str = "<dict>") -> ProblemData:
    """Build problem data from a parsed native document (validated against the schema first).

    Parameters
    ----------
    doc
        The parsed JSON document.
    name
        Instance name used when the document has none.
    path
        Shown in error messages.

    Returns
    -------
    ProblemData
        The problem.

    Raises
    ------
    FormatError
        When the document breaks the schema (names the JSON path of each problem).
    ValidationError
        When references do not resolve or values break a rule of the problem data.
    """
    _check_schema(doc, path)
    errors: list[FieldViolation] = []

    families = doc.get("families", 1)
    family_names: tuple[str, ...] = tuple(families) if isinstance(families, list) else ()
    num_families = len(family_names) if family_names else _int(families)
    fams = _Names("family", family_names, num_families)

    machine_docs = doc["machines"]
    machine_names = _Names("machine", [m.get("name", "") for m in machine_docs], len(machine_docs))
    machines = []
    for m_idx, m_doc in enumerate(machine_docs):
        field = f"machines[{m_idx}]"
        initial = m_doc.get("initial_family")
        initial_idx = None if initial is None else fams.resolve(initial, f"{field}.initial_family", errors)
        setup = m_doc.get("setup_times")
        try:
            machines.append(
                Machine(
                    name=m_doc.get("name", ""),
                    unavailable=tuple((_int(s), _int(e)) for s, e in m_doc.get("unavailable", ())),
                    setup_times=None if setup is None else tuple(tuple(map(_int, row)) for row in setup),
                    initial_family=initial_idx,
                    idle_power=m_doc.get("idle_power", 0.0),
                )
            )
        except ValidationError as exc:
            errors.extend(prefixed(exc, field))

    jobs = []
    for j_idx, j_doc in enumerate(doc["jobs"]):
        field = f"jobs[{j_idx}]"
        operations = []
        for o_idx, o_doc in enumerate(j_doc["operations"]):
            op = _operation(o_doc, f"{field}.operations[{o_idx}]", machine_names, errors)
            if op is not None:
                operations.append(op)
        family = j_doc.get("family", 0)
        family_idx = fams.resolve(family, f"{field}.family", errors)
        if len(operations) != len(j_doc["operations"]) or family_idx is None:
            continue  # the violations are recorded already
        due = j_doc.get("due")
        try:
            jobs.append(
                Job(
                    tuple(operations),
                    name=j_doc.get("name", ""),
                    release=_int(j_doc.get("release", 0)),
                    due=None if due is None else _int(due),
                    weight=_int(j_doc.get("weight", 1)),
                    family=family_idx,
                )
            )
        except ValidationError as exc:
            errors.extend(prefixed(exc, field))

    maintenance = []
    for t_idx, t_doc in enumerate(doc.get("maintenance", ())):
        field = f"maintenance[{t_idx}]"
        machine_idx = machine_names.resolve(t_doc["machine"], f"{field}.machine", errors)
        if machine_idx is None:
            continue
        latest = t_doc.get("latest")
        try:
            maintenance.append(
                MaintenanceTask(
                    machine_idx,
                    _int(t_doc["duration"]),
                    earliest=_int(t_doc.get("earliest", 0)),
                    latest=None if latest is None else _int(latest),
                    name=t_doc.get("name", ""),
                )
            )
        except ValidationError as exc:
            errors.extend(prefixed(exc, field))

    energy = None
    if "energy" in doc:
        e_doc = doc["energy"]
        try:
            energy = Energy(
                _int(e_doc["period"]),
                price=tuple(e_doc.get("price", ())),
                co2=tuple(e_doc.get("co2", ())),
                peak_power=e_doc.get("peak_power"),
                hours_per_unit=e_doc.get("hours_per_unit", 1 / 60),
            )
        except ValidationError as exc:
            errors.extend(prefixed(exc, "energy"))

    try:
        objective = _objective(doc.get("objective"))
    except ValidationError as exc:
        errors.extend(prefixed(exc, "objective"))
        objective = Objective()

    time_origin = doc.get("time_origin", "")
    if time_origin:
        try:
            datetime.fromisoformat(time_origin)
        except ValueError:
            errors.append(
                FieldViolation(
                    "time_origin",
                    f"must be an ISO 8601 timestamp such as 2026-12-07T06:00:00+01:00, got {time_origin!r}",
                )
            )
    if errors:
        raise ValidationError(errors)
    return ProblemData(
        machines=tuple(machines),
        jobs=tuple(jobs),
        num_families=num_families,
        family_names=family_names,
        objective=objective,
        name=doc.get("name", name),
        time_unit=doc.get("time_unit", ""),
        time_origin=time_origin,
        maintenance=tuple(maintenance),
        energy=energy,
        max_makespan=None if doc.get("max_makespan") is None else _int(doc["max_makespan"]),
        max_tardiness=None if doc.get("max_tardiness") is None else _int(doc["max_tardiness"]),
    )


def _operation(
    o_doc: dict[str, Any], field: str, machines: _Names, errors: list[FieldViolation]
) -> Operation | None:
    modes = []
    ok = True
    for k, mode_doc in enumerate(o_doc["modes"]):
        machine = machines.resolve(mode_doc["machine"], f"{field}.modes[{k}].machine", errors)
        if machine is None:
            ok = False
            continue
        try:
            modes.append(Mode(machine, _int(mode_doc["duration"]), mode_doc.get("power", 0.0)))
        except ValidationError as exc:
            errors.extend(prefixed(exc, f"{field}.modes[{k}]"))
            ok = False
    pinned_machine = pinned_start = None
    if "pinned" in o_doc:
        pinned_machine = machines.resolve(o_doc["pinned"]["machine"], f"{field}.pinned.machine", errors)
        pinned_start = _int(o_doc["pinned"]["start"])
        ok = ok and pinned_machine is not None
    planned_machine = planned_start = None
    if "planned_machine" in o_doc:
        planned_machine = machines.resolve(o_doc["planned_machine"], f"{field}.planned_machine", errors)
        planned_start = _int(o_doc["planned_start"])
        ok = ok and planned_machine is not None
    if not ok:
        return None
    try:
        return Operation(
            tuple(modes),
            name=o_doc.get("name", ""),
            pinned_machine=pinned_machine,
            pinned_start=pinned_start,
            resumable=o_doc.get("resumable", False),
            planned_machine=planned_machine,
            planned_start=planned_start,
        )
    except ValidationError as exc:
        errors.extend(prefixed(exc, field))
        return None


def _objective(o_doc: dict[str, Any] | None) -> Objective:
    if o_doc is None:
        return Objective()
    weights = {term: o_doc[term] for term in OBJECTIVE_TERMS if term in o_doc}
    lexicographic = tuple(o_doc.get("lexicographic", ()))
    if weights:
        return Objective(**{t: weights.get(t, 0) for t in OBJECTIVE_TERMS}, lexicographic=lexicographic)
    return Objective(lexicographic=lexicographic)


def _unique(names: Sequence[str]) -> bool:
    return all(names) and len(set(names)) == len(names)


def to_native_dict(data: ProblemData) -> dict[str, Any]:
    """Return ``data`` as a native JSON document (a dict ready for :func:`json.dumps`).

    Defaults are left out (power 0, idle power 0, release 0, no due date, weight 1, no pinning, not
    resumable, no maintenance, no energy); machines and families are referred to by name when their names
    are unique, else by index.
    """
    machine_names = [m.name for m in data.machines]
    by_machine_name = _unique(machine_names)
    by_family_name = bool(data.family_names) and _unique(data.family_names)

    def machine_ref(idx: int) -> str | int:
        return machine_names[idx] if by_machine_name else idx

    def family_ref(idx: int) -> str | int:
        return data.family_names[idx] if by_family_name else idx

    doc: dict[str, Any] = {"version": FORMAT_VERSION, "name": data.name}
    if data.time_unit:
        doc["time_unit"] = data.time_unit
    if data.time_origin:
        doc["time_origin"] = data.time_origin
    if data.family_names:
        doc["families"] = list(data.family_names)
    elif data.num_families != 1:
        doc["families"] = data.num_families
    doc["objective"] = _objective_dict(data.objective)

    doc["machines"] = []
    for machine in data.machines:
        m_doc: dict[str, Any] = {"name": machine.name}
        if machine.unavailable:
            m_doc["unavailable"] = [list(w) for w in machine.unavailable]
        if machine.setup_times is not None:
            m_doc["setup_times"] = [list(row) for row in machine.setup_times]
        if machine.initial_family is not None:
            m_doc["initial_family"] = family_ref(machine.initial_family)
        if machine.idle_power:
            m_doc["idle_power"] = machine.idle_power
        doc["machines"].append(m_doc)

    doc["jobs"] = []
    for job in data.jobs:
        j_doc: dict[str, Any] = {"name": job.name}
        if data.num_families != 1 or data.family_names:
            j_doc["family"] = family_ref(job.family)
        if job.release:
            j_doc["release"] = job.release
        if job.due is not None:
            j_doc["due"] = job.due
        if job.weight != 1:
            j_doc["weight"] = job.weight
        j_doc["operations"] = []
        for op in job.operations:
            o_doc: dict[str, Any] = {}
            if op.name:
                o_doc["name"] = op.name
            o_doc["modes"] = []
            for mode in op.modes:
                mode_doc: dict[str, Any] = {"machine": machine_ref(mode.machine), "duration": mode.duration}
                if mode.power:
                    mode_doc["power"] = mode.power
                o_doc["modes"].append(mode_doc)
            if op.resumable:
                o_doc["resumable"] = True
            if op.pinned_machine is not None:
                o_doc["pinned"] = {"machine": machine_ref(op.pinned_machine), "start": op.pinned_start}
            if op.planned_machine is not None:
                o_doc["planned_machine"] = machine_ref(op.planned_machine)
                o_doc["planned_start"] = op.planned_start
            j_doc["operations"].append(o_doc)
        doc["jobs"].append(j_doc)

    if data.maintenance:
        doc["maintenance"] = []
        for task in data.maintenance:
            t_doc: dict[str, Any] = {}
            if task.name:
                t_doc["name"] = task.name
            t_doc["machine"] = machine_ref(task.machine)
            t_doc["duration"] = task.duration
            if task.earliest:
                t_doc["earliest"] = task.earliest
            if task.latest is not None:
                t_doc["latest"] = task.latest
            doc["maintenance"].append(t_doc)
    if data.energy is not None:
        energy = data.energy
        e_doc: dict[str, Any] = {"period": energy.period}
        if energy.price:
            e_doc["price"] = list(energy.price)
        if energy.co2:
            e_doc["co2"] = list(energy.co2)
        if energy.peak_power is not None:
            e_doc["peak_power"] = energy.peak_power
        if energy.hours_per_unit != 1 / 60:
            e_doc["hours_per_unit"] = energy.hours_per_unit
        doc["energy"] = e_doc
    for bound in ("max_makespan", "max_tardiness"):
        if getattr(data, bound) is not None:
            doc[bound] = getattr(data, bound)
    return doc


_ALWAYS_WRITTEN = ("makespan", "tardiness", "setup")


def _objective_dict(objective: Objective) -> dict[str, Any]:
    # the newer terms are written only when weighted, so older files write back unchanged
    weights = {
        t: getattr(objective, t) for t in OBJECTIVE_TERMS if t in _ALWAYS_WRITTEN or getattr(objective, t)
    }
    if not objective.lexicographic:
        return weights
    if objective == Objective(lexicographic=objective.lexicographic):
        return {"lexicographic": list(objective.lexicographic)}
    return {**weights, "lexicographic": list(objective.lexicographic)}


def format_native(data: ProblemData, width: int = 110) -> str:
    """Return ``data`` as native JSON text: indented, with short arrays and objects kept on one line."""
    return _dumps(to_native_dict(data), 0, width) + "\n"


def _dumps(value: Any, indent: int, width: int) -> str:
    flat = json.dumps(value, ensure_ascii=False)
    if not isinstance(value, dict | list) or not value or indent + len(flat) <= width:
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        items = [
            f"{pad}{json.dumps(k, ensure_ascii=False)}: {_dumps(v, indent + 2, width)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + _dumps(v, indent + 2, width) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def write_native(data: ProblemData, path: PathLike) -> None:
    """Write ``data`` to ``path`` as native JSON (see :func:`to_native_dict`)."""
    Path(path).write_text(format_native(data), encoding="utf-8")
    logger.debug("wrote %s (%d jobs, %d machines)", path, data.num_jobs, data.num_machines)

"""Readers and writers of instance files.

Formats (:data:`FORMATS`):

``jssp``
    The standard job shop format (OR-Library / JSPLIB), machines 0-based.
``taillard``
    Taillard's matrix format: processing times, then machine numbers (1-based).
``fjsp``
    The Brandimarte / FJSPLIB flexible job shop format (``.fjs``), machines 1-based.
``native``
    JSON holding everything the problem data has (families, setups, calendars, due dates, objective),
    described by ``planner-instance.schema.json``.

:func:`read_instance` detects the format from the extension (``.fjs``, ``.json``) or else from the
content; :func:`read_instance_text` does the same for instance text that arrives without a file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from planner.exceptions import FormatError
from planner.formats._text import PathLike, content_lines, decode, is_number, read_text
from planner.formats.bks import Bound, best_known
from planner.formats.fjsp import format_fjsp, parse_fjsp, read_fjsp, write_fjsp
from planner.formats.jssp import format_jssp, parse_jssp, read_jssp, write_jssp
from planner.formats.native import (
    format_native,
    from_native_dict,
    parse_native,
    read_native,
    to_native_dict,
    write_native,
)
from planner.formats.taillard import format_taillard, is_label, parse_taillard, read_taillard, write_taillard
from planner.scheduling.problem_data import ProblemData

__all__ = [
    "FORMATS",
    "Bound",
    "best_known",
    "detect_format",
    "format_instance",
    "from_native_dict",
    "read_fjsp",
    "read_instance",
    "read_instance_text",
    "read_jssp",
    "read_native",
    "read_taillard",
    "to_native_dict",
    "write_fjsp",
    "write_instance",
    "write_jssp",
    "write_native",
    "write_taillard",
]

FORMATS = ("jssp", "taillard", "fjsp", "native")

_PARSERS: dict[str, Callable[[str, str, str], ProblemData]] = {
    "jssp": parse_jssp,
    "taillard": parse_taillard,
    "fjsp": parse_fjsp,
    "native": parse_native,
}
_FORMATTERS: dict[str, Callable[[ProblemData, str], str]] = {
    "jssp": format_jssp,
    "taillard": format_taillard,
    "fjsp": format_fjsp,
    "native": lambda data, path: format_native(data),
}
_EXTENSIONS = {".fjs": "fjsp", ".json": "native"}
_WRITE_EXTENSIONS = {**_EXTENSIONS, ".txt": "jssp", ".jss": "jssp", ".tai": "taillard"}


def _check_format(format: str, path: str) -> str:
    name = format.strip().lower()
    if name not in FORMATS:
        raise FormatError(path, None, f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    return name


def detect_format(path_or_text: PathLike, *, name: str = "<text>") -> str:
    """Tell the format of an instance file or text.

    Parameters
    ----------
    path_or_text
        A path (``Path``, or a one-line string naming a file) or the text of an instance.
    name
        Shown in error messages when ``path_or_text`` is text.

    Returns
    -------
    str
        One of :data:`FORMATS`: from the extension when clear (``.fjs``, ``.json``), else from the content.

    Raises
    ------
    FormatError
        When the file is missing or empty, or the content fits no format.
    """
    if isinstance(path_or_text, os.PathLike) or (
        "\n" not in path_or_text
        and not path_or_text.lstrip().startswith("{")
        and _looks_like_path(path_or_text)
    ):
        path = Path(path_or_text)
        by_extension = _EXTENSIONS.get(path.suffix.lower())
        if by_extension:
            return by_extension
        return _detect_text(read_text(path), str(path))
    return _detect_text(str(path_or_text), name)


def _looks_like_path(text: str) -> bool:
    return Path(text).suffix.lower() in _WRITE_EXTENSIONS or os.path.exists(text) or "/" in text


def _detect_text(text: str, path: str) -> str:
    """Tell the format from the content (see :func:`detect_format`)."""
    if text.lstrip().startswith(("{", "[")):
        return "native"
    lines = content_lines(text)
    if not lines:
        raise FormatError(path, None, "empty file: cannot tell its format")
    labels = [line for line in lines if is_label(line)]
    if labels:
        return "taillard"
    header = lines[0].tokens
    if len(header) < 2 or not all(is_number(t) for t in header) or not all(t.isdigit() for t in header[:2]):
        raise FormatError(
            path,
            lines[0].number,
            "cannot tell the format: the first line should start with 'n_jobs n_machines'",
        )
    num_jobs, num_machines = int(header[0]), int(header[1])
    if len(header) == 3 and not header[2].lstrip("-").isdigit():
        return "fjsp"  # the FJSPLIB average alternatives, e.g. 2.09
    if len(header) > 3:
        return "taillard"  # seeds and bounds after n_jobs n_machines
    rows = [line.tokens for line in lines[1:]]
    if len(rows) == 2 * num_jobs and all(len(r) == num_machines for r in rows):
        return "taillard"
    fjsp_rows = sum(_fits_fjsp(r) for r in rows)
    jssp_rows = sum(len(r) == 2 * num_machines for r in rows)
    if len(header) == 3 or fjsp_rows > jssp_rows:
        return "fjsp"
    if jssp_rows or len(rows) <= num_jobs:
        return "jssp"  # also for a malformed JSSP file, so that its reader names the bad line
    if all(len(r) == num_machines for r in rows):
        return "taillard"
    raise FormatError(path, None, "cannot tell the format (jssp, taillard or fjsp); pass it explicitly")


def _fits_fjsp(tokens: tuple[str, ...]) -> bool:
    """Whether a line is exactly one FJSPLIB job: n_ops, then per operation k and k (machine, duration)."""
    if not all(t.isdigit() for t in tokens) or not tokens:
        return False
    numbers = [int(t) for t in tokens]
    pos = 1
    for _ in range(numbers[0]):
        if pos >= len(numbers) or numbers[pos] < 1:
            return False
        pos += 1 + 2 * numbers[pos]
    return pos == len(numbers) and numbers[0] >= 1


def read_instance(path: PathLike, format: str | None = None) -> ProblemData:
    """Read an instance file in any of :data:`FORMATS`.

    Parameters
    ----------
    path
        The file; text formats name the instance after its stem.
    format
        One of :data:`FORMATS`; detected with :func:`detect_format` when None.

    Returns
    -------
    ProblemData
        The problem.

    Raises
    ------
    FormatError
        When the file is missing or malformed (names the line and what was expected).
    ValidationError
        When values break a rule of the problem data (names the field path).
    """
    file = Path(path)
    text = read_text(file)
    name = _check_format(format, str(path)) if format else _detect_from(file, text)
    return _PARSERS[name](text, file.stem, str(path))


def _detect_from(file: Path, text: str) -> str:
    return _EXTENSIONS.get(file.suffix.lower()) or _detect_text(text, str(file))


def read_instance_text(text: str | bytes, format: str | None = None, name: str = "") -> ProblemData:
    """Read an instance from its text, e.g. bytes that arrived over the network.

    Parameters
    ----------
    text
        The content of an instance file (bytes are decoded as UTF-8).
    format
        One of :data:`FORMATS`; detected from the content when None.
    name
        Instance name (native documents with a ``name`` keep theirs); also shown in error messages.

    Returns
    -------
    ProblemData
        The problem.

    Raises
    ------
    FormatError, ValidationError
        As :func:`read_instance`.
    """
    where = name or "<text>"
    text = decode(text, where)
    chosen = _check_format(format, where) if format else _detect_text(text, where)
    return _PARSERS[chosen](text, name, where)


def format_instance(data: ProblemData, format: str) -> str:
    """Return ``data`` as the text of an instance file in ``format``.

    Raises
    ------
    FormatError
        When the format cannot hold ``data`` (e.g. due dates in ``jssp``).
    """
    chosen = _check_format(format, "<text>")
    return _FORMATTERS[chosen](data, "<text>")


def write_instance(data: ProblemData, path: PathLike, format: str | None = None) -> None:
    """Write ``data`` to ``path``.

    Parameters
    ----------
    data
        The problem.
    path
        The file to write.
    format
        One of :data:`FORMATS`; when None, from the extension (``.json`` native, ``.fjs`` fjsp,
        ``.txt`` jssp, ``.tai`` taillard).

    Raises
    ------
    FormatError
        When the format is unknown or cannot hold ``data``.
    """
    file = Path(path)
    if format is None:
        if file.suffix.lower() not in _WRITE_EXTENSIONS:
            raise FormatError(
                str(path), None, f"cannot tell the format from the extension; pass one of {FORMATS}"
            )
        chosen = _WRITE_EXTENSIONS[file.suffix.lower()]
    else:
        chosen = _check_format(format, str(path))
    file.write_text(_FORMATTERS[chosen](data, str(path)), encoding="utf-8")

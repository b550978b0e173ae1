"""Reading B2MML documents (XML or B2MML-JSON) with the location of every element for error messages.

:func:`load_document` parses and validates a document and returns a :class:`Node` of its data area; nodes
of XML documents know their line, nodes of JSON documents their JSON path, so every reader built on them
reports errors as ``file: line 12, element ActualEndTime: ...`` or ``file: $.DataArea...: ...``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from planner.interchange.b2mml import B2MML_NS, VERBS
from planner.interchange.errors import DocumentError
from planner.planning.plan import Plan


class Node:
    """One element of a document (XML or JSON), with where it is."""

    source: str
    name: str

    @property
    def where(self) -> str:
        raise NotImplementedError

    def all(self, name: str) -> list[Node]:
        """Child elements called ``name`` (none when absent)."""
        raise NotImplementedError

    def value(self) -> str:
        """The element's text."""
        raise NotImplementedError

    def attr(self, name: str) -> str | None:
        raise NotImplementedError

    def fail(self, message: str) -> DocumentError:
        """An error located at this element."""
        return DocumentError(self.source, self.where, message)

    def child(self, name: str) -> Node | None:
        found = self.all(name)
        return found[0] if found else None

    def require(self, name: str) -> Node:
        found = self.child(name)
        if found is None:
            raise self.fail(f"{self.name} needs a {name}")
        return found

    def text(self, name: str) -> str:
        """The text of the required child ``name``."""
        return self.require(name).value().strip()

    def optional_text(self, name: str) -> str | None:
        found = self.child(name)
        return None if found is None else found.value().strip()

    def moment(self) -> datetime:
        """The element's text as an aware datetime."""
        text = self.value().strip()
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise self.fail(f"not an ISO 8601 date and time: {text!r}") from None
        if moment.tzinfo is None:
            raise self.fail(f"{text!r} needs a UTC offset (e.g. +01:00 or Z)")
        return moment

    def plan_time(self, name: str, plan: Plan) -> int:
        """The required child ``name`` (a date and time) in plan time units."""
        return plan.time_of(self.require(name).moment())

    def number(self) -> float:
        text = self.value().strip()
        try:
            value = float(text)
        except ValueError:
            raise self.fail(f"not a number: {text!r}") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise self.fail(f"not a finite number: {text!r}")
        return value


class XmlNode(Node):
    def __init__(self, elem: Any, source: str):
        self.elem = elem
        self.source = source
        self.name = elem.tag.rsplit("}", 1)[-1]

    @property
    def where(self) -> str:
        return f"line {self.elem.sourceline}, element {self.name}"

    def all(self, name: str) -> list[Node]:
        return [XmlNode(e, self.source) for e in self.elem.iterchildren(f"{{{B2MML_NS}}}{name}")]

    def value(self) -> str:
        return self.elem.text or ""

    def attr(self, name: str) -> str | None:
        value = self.elem.get(name)
        return None if value is None else str(value)


class JsonNode(Node):
    def __init__(self, data: Any, path: str, name: str, source: str):
        self.data = data
        self.path = path
        self.name = name
        self.source = source

    @property
    def where(self) -> str:
        return self.path

    def all(self, name: str) -> list[Node]:
        if not isinstance(self.data, Mapping) or name not in self.data:
            return []
        value = self.data[name]
        if isinstance(value, list):
            return [JsonNode(v, f"{self.path}.{name}[{i}]", name, self.source) for i, v in enumerate(value)]
        return [JsonNode(value, f"{self.path}.{name}", name, self.source)]

    def value(self) -> str:
        data = self.data.get("$", "") if isinstance(self.data, Mapping) else self.data
        if isinstance(data, bool):
            return "true" if data else "false"
        return "" if data is None else str(data)

    def attr(self, name: str) -> str | None:
        if isinstance(self.data, Mapping) and f"@{name}" in self.data:
            return str(self.data[f"@{name}"])
        return None


class _Holder(Node):
    """The data area of a bare noun document: holds the root as its only child."""

    def __init__(self, root: Node):
        self.root = root
        self.source = root.source
        self.name = root.name

    @property
    def where(self) -> str:
        return self.root.where

    def all(self, name: str) -> list[Node]:
        return [self.root] if name == self.root.name else []

    def value(self) -> str:
        return ""

    def attr(self, name: str) -> str | None:
        return None


def _data_area(root: Node) -> Node:
    if any(root.name.startswith(verb) for verb in (*VERBS, "Sync", "Show", "Respond", "Acknowledge")):
        area = root.child("DataArea")
        if area is not None:
            return area
    return _Holder(root)


def load_document(source: str | Path | Mapping[str, Any], *, validate: bool = True) -> tuple[Node, str]:
    """Parse a B2MML document and return its data area and root element name.

    Parameters
    ----------
    source
        A ``.xml`` or ``.json`` file (the content decides: XML starts with ``<``), or a B2MML-JSON document.
    validate
        Check the document against the B2MML V0701 schema first.

    Raises
    ------
    DocumentError
        When the file is not XML/JSON, not in the B2MML namespace or not valid, naming line or JSON path.
    """
    from planner.interchange.validate import validate_json

    if isinstance(source, Mapping):
        name, node = _json_root(dict(source), "<document>")
        if validate:
            validate_json(dict(source), "<document>")
        return _data_area(node), name
    path = Path(source)
    label = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DocumentError(label, "", f"cannot read: {exc.strerror or exc}") from None
    if raw.lstrip()[:1] == b"<":
        return _load_xml(raw, label, validate)
    try:
        doc = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        where = f"line {line}" if line else ""
        raise DocumentError(label, where, f"neither XML nor JSON ({exc})") from None
    name, node = _json_root(doc, label)
    if validate:
        validate_json(doc, label)
    return _data_area(node), name


def _json_root(doc: Any, label: str) -> tuple[str, Node]:
    if not isinstance(doc, Mapping):
        raise DocumentError(label, "$", "a B2MML-JSON document is an object with one root element")
    names = [k for k in doc if not k.startswith("@")]
    if len(names) != 1:
        raise DocumentError(label, "$", f"a B2MML-JSON document has one root element, found {names}")
    name = names[0]
    return name, JsonNode(doc[name], f"$.{name}", name, label)


def _load_xml(raw: bytes, label: str, validate: bool) -> tuple[Node, str]:
    from lxml import etree

    from planner.interchange.validate import validate_xml

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise DocumentError(
            label, f"line {line}" if line else "", f"not well-formed XML: {exc.msg}"
        ) from None
    tag = root.tag if isinstance(root.tag, str) else ""
    name = tag.rsplit("}", 1)[-1]
    namespace = tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
    if namespace != B2MML_NS:
        raise DocumentError(
            label,
            f"line {root.sourceline}, element {name}",
            f"namespace {namespace or '(none)'!r} is not B2MML V0701's {B2MML_NS!r}",
        )
    if validate:
        validate_xml(root, label)
    node = XmlNode(root, label)
    return _data_area(node), name

"""Validation of B2MML documents against the shipped B2MML V0701 schemas (XML Schema and B2MML-JSON).

The schemas are loaded once per process (loading the XML Schema takes a few seconds).
"""

from __future__ import annotations

import functools
import json
import logging
from pathlib import Path
from typing import Any

from planner.interchange.errors import DocumentError

logger = logging.getLogger(__name__)

SCHEMA_DIR = Path(__file__).parent / "schemas"
B2MML_DIR = SCHEMA_DIR / "b2mml"
B2MML_XSD = B2MML_DIR / "AllSchemas.xsd"
B2MML_JSON_SCHEMA = B2MML_DIR / "AllSchemas.json"
JOBCONTROL_NODESET = SCHEMA_DIR / "opcua-isa95-jobcontrol" / "opc.ua.isa95-jobcontrol.nodeset2.xml"


@functools.cache
def xml_schema() -> Any:
    """The B2MML V0701 XML Schema (every document type), as an ``xmlschema.XMLSchema``."""
    import xmlschema

    logger.info("loading the B2MML XML Schema %s", B2MML_XSD)
    return xmlschema.XMLSchema(str(B2MML_XSD))


@functools.cache
def json_validator() -> Any:
    """A ``jsonschema`` validator of B2MML-JSON documents (``AllSchemas.json``, JSON Schema 2020-12)."""
    import jsonschema

    schema = json.loads(B2MML_JSON_SCHEMA.read_text())
    return jsonschema.Draft202012Validator(schema)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def validate_xml(root: Any, source: str = "<document>") -> None:
    """Check an XML document against the B2MML schema.

    Parameters
    ----------
    root
        The root element (lxml) or element tree.
    source
        File name for the message.

    Raises
    ------
    DocumentError
        On the first violation, naming the line and the element.
    """
    for error in xml_schema().iter_errors(root):
        elem = error.elem
        parent = ""
        child = getattr(error, "invalid_child", None)
        if child is not None and isinstance(getattr(child, "tag", None), str):
            # name the unexpected element itself, not the parent that holds it
            parent = f" (in {_local(elem.tag)})" if elem is not None else ""
            elem = child
        line = getattr(elem, "sourceline", None) if elem is not None else None
        name = _local(elem.tag) if elem is not None and isinstance(getattr(elem, "tag", None), str) else "?"
        where = f"line {line}, element {name}{parent}" if line else f"element {name}{parent} at {error.path}"
        reason = error.reason or error.message
        raise DocumentError(source, where, f"not valid B2MML V0701: {reason}")


def validate_json(doc: Any, source: str = "<document>") -> None:
    """Check a B2MML-JSON document against ``AllSchemas.json``.

    Raises
    ------
    DocumentError
        On the first violation (the one deepest in the document), naming its JSON path.
    """
    import jsonschema

    errors = list(json_validator().iter_errors(doc))
    if errors:
        error = jsonschema.exceptions.best_match(errors)
        assert error is not None
        raise DocumentError(source, error.json_path, f"not valid B2MML-JSON V0701: {error.message}")

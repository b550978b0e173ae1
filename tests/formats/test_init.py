"""Tests of format detection and the generic entry points in planner.formats."""

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.exceptions import FormatError, PlannerError, ValidationError
from planner.formats import (
    FORMATS,
    detect_format,
    format_instance,
    read_instance,
    read_instance_text,
    write_instance,
)

ROOT = Path(__file__).resolve().parents[2]
INSTANCES = ROOT / "instances"
SHIPPED = sorted(p for p in INSTANCES.rglob("*") if p.suffix in (".txt", ".fjs") or p.parent.name == "native")
EXPECTED = {".txt": "jssp", ".fjs": "fjsp", ".json": "native"}


def test_formats_tuple():
    """Tests that the four formats are published in a fixed order."""
    assert FORMATS == ("jssp", "taillard", "fjsp", "native")


def test_every_shipped_file_is_found():
    """Tests that the shipped set holds the promised 7 JSSP, 6 FJSP and 1 native files."""
    assert [p.suffix for p in SHIPPED].count(".txt") == 7
    assert [p.suffix for p in SHIPPED].count(".fjs") == 6
    assert (INSTANCES / "native" / "bike_plant.json") in SHIPPED


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(INSTANCES)))
def test_detects_and_reads_every_shipped_file(path, tmp_path):
    """Tests that each shipped file is detected by extension and by content alone, and reads the same way."""
    expected = EXPECTED[path.suffix]
    assert detect_format(path) == expected
    assert detect_format(path.read_text()) == expected
    renamed = tmp_path / f"{path.stem}.dat"  # no telling extension: content decides
    shutil.copy(path, renamed)
    assert detect_format(renamed) == expected
    data = read_instance(path)
    assert data.num_operations > 0
    assert read_instance(renamed) == data.replace(name=data.name if expected == "native" else path.stem)
    assert read_instance_text(path.read_bytes(), name=data.name) == data


def test_detects_taillard_layouts():
    """Tests that both Taillard layouts (with labels, and bare 2n lines of m numbers) are detected."""
    assert detect_format(ROOT / "tests" / "data" / "ft06_taillard.txt") == "taillard"
    assert detect_format("2 3\n1 2 3\n4 5 6\n1 2 3\n3 2 1\n") == "taillard"
    assert detect_format("2 3 77 88 1000 900\n1 2 3\n4 5 6\n1 2 3\n3 2 1\n") == "taillard"


def test_detects_by_content():
    """Tests the content rules: 2m numbers per job line (jssp), FJSP job lines or a decimal average (fjsp)."""
    assert detect_format("2 2\n0 1 1 2\n1 3 0 4\n") == "jssp"
    assert detect_format("2 2\n1 2 1 3 2 4\n2 1 1 5 1 2 6\n") == "fjsp"
    assert detect_format("1 2 1.5\n1 2 1 3 2 4\n") == "fjsp"
    assert detect_format('{"machines": []}') == "native"
    # A malformed JSSP file is still detected as JSSP, so its reader can name the bad line.
    assert detect_format("2 2\n0 1 1 2\n1 3 0\n") == "jssp"


def test_detect_errors():
    """Tests that empty text, a missing file and unreadable content give FormatErrors."""
    with pytest.raises(FormatError, match="empty"):
        detect_format("\n# nothing\n")
    with pytest.raises(FormatError, match="no such file"):
        detect_format(Path("/nonexistent/file.txt"))
    with pytest.raises(FormatError, match="cannot tell"):
        detect_format("hello there\nfriend\n")


def test_read_instance_with_explicit_format_and_errors(tmp_path):
    """Tests that an explicit format is used, an unknown one is refused, and the reader's errors name the line."""
    path = tmp_path / "x.dat"
    path.write_text("1 2\n0 5 1 6\n")
    assert read_instance(path, format="JSSP").jobs[0].operations[1].modes[0].duration == 6
    with pytest.raises(FormatError, match="unknown format 'xml'"):
        read_instance(path, format="xml")
    path.write_text("1 2\n0 5 1\n")
    with pytest.raises(FormatError) as info:
        read_instance(path)
    assert (info.value.path, info.value.line) == (str(path), 2)
    with pytest.raises(FormatError, match="no such file"):
        read_instance(tmp_path / "missing.txt")


def test_read_instance_text_names_and_decodes():
    """Tests that text arriving without a file gets the given name, and bad bytes give a FormatError."""
    data = read_instance_text(b"1 1\n0 7\n", name="from-grpc")
    assert data.name == "from-grpc"
    with pytest.raises(FormatError, match="not UTF-8"):
        read_instance_text(b"1 1\n0 \xff\n", format="jssp")
    with pytest.raises(FormatError) as info:
        read_instance_text("1 1\n0 x\n", name="upload")
    assert info.value.path == "upload" and info.value.line == 2


@pytest.mark.parametrize(
    ("suffix", "fmt"), [(".txt", "jssp"), (".fjs", "fjsp"), (".json", "native"), (".tai", "taillard")]
)
def test_write_instance_by_extension(tmp_path, suffix, fmt):
    """Tests that write_instance picks the format from the extension and the file reads back equal."""
    data = read_instance(INSTANCES / "jssp" / "la01.txt")
    out = tmp_path / f"la01{suffix}"
    write_instance(data, out)
    assert detect_format(out.read_text()) == fmt
    assert read_instance(out, format=fmt) == data
    assert format_instance(data, fmt) == out.read_text()


def test_write_instance_refusals(tmp_path):
    """Tests that an unknown extension without a format, and a format that cannot hold the data, are refused."""
    bike = read_instance(INSTANCES / "native" / "bike_plant.json")
    with pytest.raises(FormatError, match="cannot tell the format"):
        write_instance(bike, tmp_path / "bike.xyz")
    with pytest.raises(FormatError, match="the fjsp format cannot hold"):
        write_instance(bike, tmp_path / "bike.fjs")


text_of_numbers = st.lists(
    st.lists(
        st.one_of(st.integers(-3, 12).map(str), st.sampled_from(["x", "1.5", "#", "Times"])), max_size=12
    ).map(" ".join),
    max_size=8,
).map("\n".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=text_of_numbers, fmt=st.sampled_from([None, "jssp", "taillard", "fjsp"]))
def test_garbage_never_gives_a_raw_traceback(text, fmt):
    """Tests that arbitrary small texts either read or raise FormatError/ValidationError, never anything else."""
    try:
        read_instance_text(text, format=fmt)
    except (FormatError, ValidationError) as exc:
        assert isinstance(exc, PlannerError)
        if isinstance(exc, FormatError):
            assert exc.line is None or exc.line >= 1

"""Hostile input at every reader: exit 2 with the file and the place in it, never a traceback,
never a bomb, never nonsense accepted. Each class of input is built here, small."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from builders import TINY
from rostering.cli import app
from rostering.domain.errors import InputError
from rostering.domain.problem import build_problem
from rostering.io.roster_file import MAX_ROWS, read_roster
from rostering.io.scenario_file import load_scenario

runner = CliRunner()
SCENARIO = TINY.read_text(encoding="utf-8")
HEADER = "employee_id,date,shift_id,start,end\n"
GOOD_ROW = "e01,2026-03-30,dag,2026-03-30T07:00,2026-03-30T15:00\n"
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


def _edit(old: str, new: str) -> str:
    assert old in SCENARIO, old
    return SCENARIO.replace(old, new, 1)


def _laughs() -> str:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefg", "bcdefgh", strict=True):
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    return "\n".join(levels) + "\n" + SCENARIO


SCENARIO_CASES = {
    # case: (text, suffix, what the message names)
    "month 13": (_edit("2026-04-01, kind", "2026-13-01, kind"), ".yaml", ":15: "),
    "feb 30": (_edit("2026-04-01, kind", "2026-02-30, kind"), ".yaml", ":15: "),
    "year 9999": (_edit("start: 2026-03-30", "start: 9999-12-27"), ".yaml", "horizon.start"),
    "year 0001": (_edit("start: 2026-03-30", "start: 0001-01-01"), ".yaml", "horizon.start"),
    "nested 900 deep": (SCENARIO + "x: " + "[" * 900 + "]" * 900 + "\n", ".yaml", "nested deeper"),
    "nested maps": (SCENARIO + "x: " + "{a: " * 900 + "1" + "}" * 900 + "\n", ".yaml", "nested deeper"),
    "list as key": (SCENARIO + "? [a, b]\n: 1\n", ".yaml", "mapping key"),
    "5000 digits": (_edit("contract_hours: 37}", "contract_hours: " + "9" * 5000 + "}"), ".yaml", ":12: "),
    "seconds": (_edit('start: "07:00", end', 'start: "07:00:30", end'), ".yaml", "shift_types[0] (dag).start"),
    "weight 1e20": (SCENARIO + "weights: {understaffed_min: 100000000000000000000}\n", ".yaml", "understaffed_min"),
    "weight 4.6e18": (SCENARIO + "weights: {understaffed_min: 4600000000000000000}\n", ".yaml", "understaffed_min"),
    "soft weight NaN": (
        SCENARIO + "rules: {shifts.max_consecutive_days: {soft: {weight: .nan}}}\n",
        ".yaml",
        "soft.weight",
    ),
    "rule limit 1e12": (
        SCENARIO + "rules: {shifts.max_per_type: {max_shifts: {nat: 1000000000000}}}\n",
        ".yaml",
        "shifts.max_per_type",
    ),
    "contract NaN": (_edit("contract_hours: 37}", "contract_hours: .nan}"), ".yaml", "contract_hours"),
    "billion laughs": (_laughs(), ".yaml", "1,000,000 values"),
    "python tag": (SCENARIO + "x: !!python/object/apply:os.system [ls]\n", ".yaml", "not valid YAML"),
    "json 100000 deep": ("[" * 100_000 + "]" * 100_000, ".json", "nested deeper"),
    "json 5000 digits": ('{"name": ' + "9" * 5000 + "}", ".json", "not valid JSON"),
    "json NaN": (
        json.dumps({**yaml.safe_load(SCENARIO), "weights": {"wish": float("nan")}}, default=str),
        ".json",
        "weights.wish",
    ),
}


@pytest.mark.parametrize("case", SCENARIO_CASES, ids=list(SCENARIO_CASES))
def test_hostile_scenario_is_exit_2_with_its_place(tmp_path, case):
    text, suffix, named = SCENARIO_CASES[case]
    path = tmp_path / f"scenario{suffix}"
    path.write_text(text, encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text(HEADER + GOOD_ROW, encoding="utf-8")
    started = time.perf_counter()
    result = runner.invoke(app, ["validate", str(path), str(roster)])
    assert time.perf_counter() - started < 30
    assert result.exit_code == 2, (result.output, result.exception)
    assert str(path) in result.output and named in result.output, result.output


def test_a_megabyte_name_is_refused_without_being_echoed(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(_edit("name: Tiny plejehjem", "name: " + "x" * 1_000_000), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert "name" in info.value.render() and len(info.value.render()) < 1_000


ROSTER_CASES = {
    "field over 128 kB": ("e" * 200_000 + GOOD_ROW[3:], "row 2"),
    "long id": ("e" * 500 + GOOD_ROW[3:], "longer than 200"),
    "seconds": (GOOD_ROW.replace("T07:00,", "T07:00:30,"), "to the minute"),
    "year 9999": (GOOD_ROW.replace("2026-03-30", "9999-12-31"), "outside the dates"),
    "year 0001": (GOOD_ROW.replace("2026-03-30", "0001-01-01"), "outside the dates"),
    "month 13": (GOOD_ROW.replace("2026-03-30", "2026-13-30"), "not an ISO date"),
}


@pytest.mark.parametrize("case", ROSTER_CASES, ids=list(ROSTER_CASES))
def test_hostile_roster_csv_is_exit_2_with_its_row(tmp_path, case):
    row, named = ROSTER_CASES[case]
    path = tmp_path / "roster.csv"
    path.write_text(HEADER + row, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(TINY), str(path)])
    assert result.exit_code == 2, (result.output, result.exception)
    assert f"{path}: row 2" in result.output and named in result.output, result.output
    assert len(result.output) < 2_000


GOOD = {"employee_id": "e01", "date": "2026-03-30", "shift_id": "dag", "start": "2026-03-30T07:00"}
ROSTER_JSON_CASES = {
    "competence a number": (json.dumps([{**GOOD, "end": "2026-03-30T15:00", "competence": 5}]), "unknown competence"),
    "employee a number": (json.dumps([{**GOOD, "employee_id": 5, "end": "2026-03-30T15:00"}]), "unknown employee"),
    "fields of the wrong kind": (json.dumps([{**GOOD, "date": ["x"], "start": {}, "end": 1}]), "not an ISO date"),
    "NaN and Infinity": ('[{"employee_id": "e01", "date": NaN, "shift_id": "dag", "start": Infinity}]', "roster[0]"),
    "100000 deep": ("[" * 100_000 + "]" * 100_000, "nested deeper"),
    "5000 digits": ("[" + "9" * 5000 + "]", "not valid JSON"),
}


@pytest.mark.parametrize("case", ROSTER_JSON_CASES, ids=list(ROSTER_JSON_CASES))
def test_hostile_roster_json_is_exit_2(tmp_path, case):
    text, named = ROSTER_JSON_CASES[case]
    path = tmp_path / "roster.json"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(TINY), str(path)])
    assert result.exit_code == 2, (result.output, result.exception)
    assert str(path) in result.output and named in result.output, result.output


def test_too_many_rows_are_refused_before_they_are_rows(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(HEADER + GOOD_ROW * (MAX_ROWS + 1), encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_roster(path)
    assert info.value.issues[0].where == "rows"


# --------------------------------------------------------------------------- workbooks


def _workbook(tmp_path, far_cell: str | None = None, sheet_xml=None):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(GOOD_ROW.strip().split(","))
    if far_cell:
        sheet[far_cell] = "x"
    path = tmp_path / "plain.xlsx"
    book.save(path)
    if sheet_xml is None:
        return path
    patched = tmp_path / "roster.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(patched, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            out.writestr(item, sheet_xml(data) if item.filename == "xl/worksheets/sheet1.xml" else data)
    return patched


def _entities() -> bytes:
    names = b"abcdefgh"
    chain = [b'<!ENTITY a "aaaaaaaaaa">']
    chain += [b'<!ENTITY %c "%s">' % (names[i], (b"&%c;" % names[i - 1]) * 10) for i in range(1, len(names))]
    return b'<?xml version="1.0"?><!DOCTYPE r [' + b"".join(chain) + b"]>"


LAUGHS_DTD = _entities()
XXE_DTD = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY h SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize(
    ("far_cell", "dtd", "named"),
    [("XFD1048576", None, "more than"), (None, LAUGHS_DTD, "row 2"), (None, XXE_DTD, "row 2")],
    ids=["far corner", "xml bomb", "external entity"],
)
def test_hostile_workbook_is_exit_2_quickly(tmp_path, far_cell, dtd, named):
    def bomb(xml: bytes) -> bytes:
        return dtd + xml.replace(b"<is><t>e01</t>", b"<is><t>&h;</t>", 1)

    path = _workbook(tmp_path, far_cell, bomb if dtd else None)
    started = time.perf_counter()
    result = runner.invoke(app, ["validate", str(TINY), str(path)])
    assert time.perf_counter() - started < 20
    assert result.exit_code == 2, (result.output, result.exception)
    assert str(path) in result.output and named in result.output, result.output
    assert "root:" not in result.output  # the external file was not read into the message


# --------------------------------------------------------------------------- fuzzing

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.dates().map(str),
    st.sampled_from(["07:00", "25:00", "07:00:30", "e01", "dag", "ssh", "", "-", "2026-13-01"]),
)
_VALUES = st.recursive(
    _SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
)
_BASE = yaml.safe_load(SCENARIO)
_PATHS = st.sampled_from(
    [
        ("name",),
        ("horizon", "start"),
        ("horizon", "weeks"),
        ("employees", 0, "contract_hours"),
        ("employees", 1, "id"),
        ("employees", 3, "wishes", 0, "date"),
        ("employees", 5, "absences", 0, "to"),
        ("shift_types", 0, "start"),
        ("shift_types", 2, "paid_minutes"),
        ("demand", 0, "min"),
        ("demand", 1, "days"),
        ("weights",),
        ("rules",),
        ("history",),
        ("competences", 1, "covers"),
    ]
)


def _set(data, path, value):
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


@FUZZ
@given(edits=st.lists(st.tuples(_PATHS, _VALUES), min_size=1, max_size=3), as_json=st.booleans())
def test_fuzzed_scenario_loads_or_is_an_input_error(tmp_path_factory, edits, as_json):
    data = json.loads(json.dumps(_BASE, default=str))
    for path, value in edits:
        _set(data, path, value)
    file = tmp_path_factory.mktemp("fuzz") / ("s.json" if as_json else "s.yaml")
    file.write_text(json.dumps(data, default=str) if as_json else yaml.safe_dump(data), encoding="utf-8")
    try:
        build_problem(load_scenario(file))
    except InputError as exc:
        assert exc.issues and str(file) in exc.render()


@FUZZ
@given(text=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=300))
def test_fuzzed_scenario_text_never_escapes_as_a_traceback(tmp_path_factory, text):
    file = tmp_path_factory.mktemp("fuzz") / "s.yaml"
    file.write_text(SCENARIO[:400] + text, encoding="utf-8")
    try:
        load_scenario(file)
    except InputError as exc:
        assert exc.issues


_CELLS = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=20),
    st.sampled_from(["e01", "dag", "nat", "2026-03-30", "2026-03-31T07:00", "07:00", "23:00", "adhoc", "ssh", "ssa"]),
    st.dates().map(str),
    st.datetimes().map(lambda moment: moment.isoformat()),
)
_PROBLEM = build_problem(load_scenario(TINY))


@FUZZ
@given(rows=st.lists(st.lists(_CELLS, max_size=7), max_size=6), as_json=st.booleans())
def test_fuzzed_roster_reads_or_is_an_input_error(tmp_path_factory, rows, as_json):
    columns = [*HEADER.strip().split(","), "competence", "extra"]
    folder = tmp_path_factory.mktemp("fuzz")
    if as_json:
        file = folder / "r.json"
        file.write_text(json.dumps([dict(zip(columns, row, strict=False)) for row in rows]), encoding="utf-8")
    else:
        buffer = io.StringIO()
        csv.writer(buffer).writerows([columns, *rows])
        file = folder / "r.csv"
        file.write_text(buffer.getvalue(), encoding="utf-8")
    try:
        read_roster(file, _PROBLEM)
    except InputError as exc:
        assert exc.issues and str(file) in exc.render()


def test_an_input_over_the_size_bound_is_exit_2(tmp_path, monkeypatch):
    import rostering.io.files as files

    monkeypatch.setattr(files, "MAX_INPUT_BYTES", 1_000)
    big = tmp_path / "big.yaml"
    big.write_text(SCENARIO, encoding="utf-8")  # about 2 kB
    result = runner.invoke(app, ["validate", str(big), str(big)])
    assert result.exit_code == 2 and "more than the 1,000 an input may have" in result.output, result.output


def test_a_name_too_long_to_look_up_is_exit_2(tmp_path):
    long_name = str(tmp_path / ("x" * 300 + ".yaml"))
    roster = str(TINY.parent.parent.parent / "tests" / "data" / "tiny_pool_published.csv")
    payroll = ["export", "payroll", str(TINY), roster, "--profile", long_name, "-o", str(tmp_path / "pay.csv")]
    for args in (["validate", long_name, str(TINY)], payroll):
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and "cannot read" in result.output, (args[0], result.output)


def test_a_workbook_that_unpacks_to_gigabytes_is_refused_unopened(tmp_path, monkeypatch):
    import rostering.io.workbook as workbook

    monkeypatch.setattr(workbook, "MAX_INPUT_BYTES", 10_000)  # the bound, scaled to a small file
    path = _workbook(tmp_path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/padding.xml", "x" * 20_000, compress_type=zipfile.ZIP_DEFLATED)
    result = runner.invoke(app, ["validate", str(TINY), str(path)])
    assert result.exit_code == 2 and "unpacks to" in result.output, result.output

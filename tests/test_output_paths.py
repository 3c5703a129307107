"""Where an output may go: only over a regular file (or nothing), never over an input of the same
command, into a missing folder only when asked, and never leaving a temp file behind."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from builders import TINY
from rostering.cli import app
from rostering.domain.errors import InputError
from rostering.io.files import check_output, save_atomic, write_atomic

runner = CliRunner()

ROSTER = "employee_id,date,shift_id,start,end\ne01,2026-03-30,dag,2026-03-30T07:00,2026-03-30T15:00\n"


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def inputs(tmp_path) -> tuple[Path, Path]:
    """The tiny scenario and a one-shift roster for it, in tmp_path."""
    scenario, roster = tmp_path / "tiny.yaml", tmp_path / "roster.csv"
    shutil.copy(TINY, scenario)
    roster.write_text(ROSTER, encoding="utf-8")
    return scenario, roster


def temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --------------------------------------------------------------------------- not a regular file


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _folder(path: Path) -> None:
    path.mkdir()


def _socket(path: Path) -> None:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()  # the socket file stays


@pytest.mark.skipif(os.name != "posix", reason="FIFOs and sockets are POSIX")
@pytest.mark.parametrize(
    ("make", "is_kind"), [(_fifo, stat.S_ISFIFO), (_folder, stat.S_ISDIR), (_socket, stat.S_ISSOCK)]
)
def test_save_refuses_anything_but_a_regular_file(tmp_path, make, is_kind):
    target = tmp_path / "out"
    make(target)
    with pytest.raises(InputError, match="not a regular file") as caught:
        write_atomic(target, "text")
    assert str(target) in caught.value.render()
    assert is_kind(os.lstat(target).st_mode)  # left as it was: not replaced by a file
    assert temp_files(tmp_path) == []


def _device(path: Path) -> None:
    """A character device like /dev/null, made in the test's folder: the real one must never be
    what a broken save replaces (as root it would be)."""
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (OSError, AttributeError):
        pytest.skip("cannot make a device node here (needs root)")


def test_save_refuses_a_device_node(tmp_path):
    null = tmp_path / "null"
    _device(null)
    with pytest.raises(InputError, match="not a regular file but a character device"):
        write_atomic(null, "text")
    assert stat.S_ISCHR(os.stat(null).st_mode)


def test_save_through_a_link_replaces_its_file_and_keeps_the_link(tmp_path):
    real, link = tmp_path / "real.csv", tmp_path / "link.csv"
    real.write_text("old\n", encoding="utf-8")
    link.symlink_to(real)
    write_atomic(link, "new\n")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new\n"
    assert temp_files(tmp_path) == []


def test_save_refuses_a_link_to_nothing(tmp_path):
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "gone.csv")
    with pytest.raises(InputError, match="symbolic link to nothing"):
        write_atomic(link, "new\n")
    assert not (tmp_path / "gone.csv").exists()


# --------------------------------------------------------------------------- temp files


def test_ctrl_c_during_a_save_leaves_no_temp_file(tmp_path):
    target = tmp_path / "roster.csv"
    target.write_text("old\n", encoding="utf-8")

    def interrupted(tmp: Path) -> None:
        tmp.write_text("half", encoding="utf-8")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        save_atomic(target, interrupted)
    assert os.listdir(tmp_path) == ["roster.csv"] and target.read_text(encoding="utf-8") == "old\n"


@pytest.mark.skipif(os.name != "posix", reason="whether a pid runs is asked the POSIX way")
def test_next_save_removes_temp_files_of_ended_writers_only(tmp_path):
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    target = tmp_path / "roster.csv"
    orphan = tmp_path / f".roster.csv.{ended.pid}.k9x2ab_q.tmp"  # its writer was killed with -9
    live = tmp_path / f".roster.csv.{os.getpid()}.a1b2c3d4.tmp"  # a writer still at work
    other = tmp_path / f".other.csv.{ended.pid}.k9x2ab_q.tmp"  # another file's: not this save's to judge
    for path in (orphan, live, other):
        path.write_text("half", encoding="utf-8")
    write_atomic(target, "new\n")
    assert not orphan.exists()
    assert live.exists() and other.exists()
    assert target.read_text(encoding="utf-8") == "new\n"


def test_temp_file_is_named_with_the_writers_pid(tmp_path):
    seen = []
    save_atomic(tmp_path / "roster.csv", lambda tmp: seen.append(tmp.name) or tmp.write_text("x"))
    assert seen[0].startswith(f".roster.csv.{os.getpid()}.") and seen[0].endswith(".tmp")


SLOW_SAVE = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from rostering.io.files import save_atomic

    def slow(tmp):
        tmp.write_text("half a roster")
        print("writing", flush=True)
        time.sleep(60)

    save_atomic(Path(sys.argv[1]), slow)
    """
)


@pytest.mark.skipif(os.name != "posix", reason="SIGTERM is POSIX")
def test_sigterm_during_a_save_leaves_no_temp_file(tmp_path):
    target = tmp_path / "roster.csv"
    target.write_text("old\n", encoding="utf-8")
    writer = subprocess.Popen([sys.executable, "-c", SLOW_SAVE, str(target)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline() == "writing\n"
        assert len(temp_files(tmp_path)) == 1
        writer.send_signal(signal.SIGTERM)
        assert writer.wait(timeout=30) == -signal.SIGTERM  # it still ends the way SIGTERM ends it
    finally:
        writer.kill()
    assert os.listdir(tmp_path) == ["roster.csv"]
    assert target.read_text(encoding="utf-8") == "old\n"


# --------------------------------------------------------------------------- check_output


def test_check_output_refuses_a_missing_folder_unless_asked(tmp_path):
    target = tmp_path / "out" / "week14" / "roster.csv"
    with pytest.raises(InputError) as caught:
        check_output(target)
    assert f"folder {target.parent} does not exist; create it or pass --parents" in caught.value.render()
    check_output(target, parents=True)  # asked: the save creates it
    write_atomic(target, "x")
    assert target.read_text() == "x"


def test_check_output_refuses_an_input_by_any_name(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    link = tmp_path / "link.csv"
    link.symlink_to(roster)
    for same in (roster, tmp_path / "sub" / ".." / "roster.csv", link):
        with pytest.raises(InputError, match="is the same file as"):
            check_output(same, (None, roster))
    check_output(tmp_path / "other.csv", (None, roster))


def test_check_output_for_a_folder(tmp_path):
    file = tmp_path / "file.txt"
    file.write_text("x")
    with pytest.raises(InputError, match="is a regular file, not a folder"):
        check_output(file, folder=True)
    check_output(tmp_path / "new", folder=True)  # the command makes the folder itself
    with pytest.raises(InputError, match="does not exist"):
        check_output(tmp_path / "a" / "new", folder=True)


# --------------------------------------------------------------------------- the commands


def test_output_equal_to_an_input_exits_2_and_keeps_it(inputs):
    scenario, roster = inputs
    before = scenario.read_bytes(), roster.read_bytes()
    cases = [
        ("coverage", scenario, roster, "-f", "csv", "-o", roster),
        ("validate", scenario, roster, "-f", "json", "-o", scenario),
        ("explain", scenario, roster, "-o", roster),
        ("solve", scenario, "-o", scenario),  # refused before the solve, not after it
        ("solve", scenario, "-o", roster, "--hint", roster),
        ("replan", scenario, roster, "-o", roster, "--today", "2026-03-31T06:00"),
        ("export", "payroll", scenario, roster, "-o", roster),
        ("export", "xlsx", scenario, roster, "-o", scenario),
    ]
    for args in cases:
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "is the same file as" in result.output, args
    assert (scenario.read_bytes(), roster.read_bytes()) == before


def test_validate_output_equal_to_published_exits_2(inputs, tmp_path):
    scenario, roster = inputs
    published = tmp_path / "published.csv"
    published.write_text(ROSTER, encoding="utf-8")
    result = invoke("validate", scenario, roster, "--published", published, "-f", "csv", "-o", published)
    assert result.exit_code == 2 and "is the same file as" in result.output
    assert published.read_text(encoding="utf-8") == ROSTER


def test_replan_change_list_may_not_overwrite_the_new_roster(inputs, tmp_path):
    scenario, roster = inputs
    new = tmp_path / "new.csv"
    result = invoke("replan", scenario, roster, "-o", new, "--changes", new, "--today", "2026-03-31T06:00")
    assert result.exit_code == 2 and "is the same file as" in result.output


@pytest.mark.skipif(os.name != "posix", reason="FIFOs are POSIX")
def test_output_onto_a_device_fifo_or_folder_exits_2(inputs, tmp_path):
    scenario, roster = inputs
    fifo, null = tmp_path / "pipe", tmp_path / "null"
    os.mkfifo(fifo)
    _device(null)
    for target in (null, fifo, tmp_path):
        result = invoke("coverage", scenario, roster, "-f", "csv", "-o", target)
        assert result.exit_code == 2, (target, result.output)
        assert "not a regular file" in result.output and str(target) in result.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and stat.S_ISCHR(os.stat(null).st_mode)


def test_missing_output_folder_exits_2_unless_parents(inputs, tmp_path):
    scenario, roster = inputs
    target = tmp_path / "out" / "cells.csv"
    result = invoke("coverage", scenario, roster, "-f", "csv", "-o", target)
    assert result.exit_code == 2
    assert f"folder {target.parent} does not exist; create it or pass --parents" in " ".join(result.output.split())
    assert not target.parent.exists()
    result = invoke("coverage", scenario, roster, "-f", "csv", "-o", target, "--parents")
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("date,shift,competence")


def test_folder_outputs_make_their_folder_but_not_its_parents(inputs, tmp_path):
    scenario, roster = inputs
    result = invoke("export", "ical", scenario, roster, "-o", tmp_path / "a" / "cal")
    assert result.exit_code == 2 and "does not exist" in result.output
    file = tmp_path / "notes.txt"
    file.write_text("x")
    result = invoke("export", "ical", scenario, roster, "-o", file)
    assert result.exit_code == 2 and "not a folder" in result.output
    result = invoke("export", "ical", scenario, roster, "-o", tmp_path / "cal")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cal" / "e01.ics").is_file()
    result = invoke("evaluate", scenario, "--fixed-roster", roster, "-o", tmp_path / "b" / "eval")
    assert result.exit_code == 2 and "does not exist" in result.output


def test_evaluate_refuses_an_input_inside_the_records_it_empties(inputs, tmp_path):
    scenario, _ = inputs
    records = tmp_path / "eval" / "runs"
    records.mkdir(parents=True)
    kept = records / "tiny.yaml"
    shutil.copy(scenario, kept)
    result = invoke("evaluate", kept, "-o", tmp_path / "eval", "--workers", "1")
    assert result.exit_code == 2 and "which a new batch empties" in result.output
    assert kept.exists()

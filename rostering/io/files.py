"""Files in and out: reading an input's text, and writing an output whole or not at all."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from rostering.domain.errors import InputError, InputIssue


def read_input(path, encoding: str = "utf-8-sig") -> str:
    """A file's text, or an InputError naming it (missing, unreadable, not UTF-8). A leading BOM,
    as spreadsheet exports write, is dropped."""
    try:
        with open(path, encoding=encoding) as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), [InputIssue("file", f"cannot read: {exc}")]) from None


def save_atomic(path: str | Path, save: Callable[[Path], object]) -> None:
    """Let `save` write a temp file in the target's folder, then rename it over the target, so a
    reader never sees half a file and a failed write leaves the old file as it was."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        save(Path(tmp))
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _cannot_write(path, exc) from None
        raise


def _mode_for(path: Path) -> int:
    """The replaced file's permissions, or what a plain open() would give (mkstemp makes 0600)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _cannot_write(path: Path, exc: OSError) -> InputError:
    """A full disk or a read-only folder is the user's to fix: name the file, not the stack."""
    return InputError(str(path), [InputIssue("output", f"cannot write: {exc.strerror or exc}")])


def write_atomic(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    save_atomic(path, lambda tmp: tmp.write_text(text, encoding=encoding, newline=""))


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    save_atomic(path, lambda tmp: tmp.write_bytes(data))

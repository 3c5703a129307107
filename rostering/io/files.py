"""Files in and out: reading an input's text, and writing an output whole or not at all, only
where an output may go."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from rostering.domain.errors import InputError, InputIssue

#: What a path holds, for the message that refuses to write there.
_KINDS = {
    stat.S_IFREG: "a regular file",
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


#: The largest input file read: a scenario for 400 staff with a year of wishes is a few MB, a
#: roster of 100,000 rows about 6 MB. A larger file is refused before it is read into memory.
MAX_INPUT_BYTES = 64 * 1024 * 1024


def read_input(path, encoding: str = "utf-8-sig") -> str:
    """A file's text, or an InputError naming it (missing, unreadable, too large, not UTF-8). A
    leading BOM, as spreadsheet exports write, is dropped."""
    check_input_size(path)
    try:
        with open(path, encoding=encoding) as handle:
            return handle.read(MAX_INPUT_BYTES + 1)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), [InputIssue("file", f"cannot read: {exc}")]) from None


def check_input_size(path) -> None:
    """Refuse a file over MAX_INPUT_BYTES, or a name the system cannot look up (too long), with an
    InputError naming it; a file that is missing is left to the reader to say."""
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        return
    except (OSError, ValueError) as exc:  # a name too long, a NUL in the name
        raise InputError(
            str(path)[:200], [InputIssue("file", f"cannot read: {getattr(exc, 'strerror', None) or exc}")]
        ) from None
    if size > MAX_INPUT_BYTES:
        raise InputError(
            str(path), [InputIssue("file", f"{size:,} bytes, more than the {MAX_INPUT_BYTES:,} an input may have")]
        )


def check_output(
    path: str | Path | None, others: Iterable[str | Path | None] = (), *, parents: bool = False, folder: bool = False
) -> None:
    """Refuse an output before a command does its work (a solve may run for minutes): a path that
    names one of `others` (an input such as the roster being re-planned, or another output of the
    command; None entries are skipped), one that holds anything but a regular file (with `folder`:
    anything but a folder), or one whose folder does not exist, unless `parents` lets the write
    create it (the command's --parents). save_atomic checks the kind again when it writes. No
    output (None: the screen) passes."""
    if path is None:
        return
    path = Path(path)
    for given in others:
        if given is not None and _same_file(path, Path(given)):
            raise _refused(path, f"is the same file as {given}; write the output to another file")
    if not folder:
        _target(path)
    mode = _mode(path)
    if mode is None:
        _check_folder(path, parents)
    elif folder and not stat.S_ISDIR(mode):
        raise _refused(path, f"is {_kind(mode)}, not a folder")


def save_atomic(path: str | Path, save: Callable[[Path], object]) -> None:
    """Let `save` write a temp file in the target's folder, then rename it over the target, so a
    reader never sees half a file and a failed write leaves the old file as it was.

    Only a regular file (or nothing) is replaced: a FIFO, a device such as /dev/null, a folder or
    a socket is refused with an InputError, since the rename would put a file in its place. A
    symbolic link to a regular file is written through: the file it points to is replaced and the
    link kept, as a shell's `>` would do (replacing the link would silently part the name given
    from the file others read); a link to nothing is refused. Missing folders are created: a
    command refuses them beforehand unless asked (check_output).

    The temp file, `.NAME.<pid>.<random>.tmp`, is removed on any exception, Ctrl+C and SIGTERM
    (_sigterm_raises). One left by a writer killed outright (kill -9, a power cut) is removed by
    the next save of the same file once no process has that pid (_remove_orphans)."""
    shown = Path(path)
    target = _target(shown)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot_write(shown, exc) from None
    _remove_orphans(target)
    with _sigterm_raises():
        _replace(target, save, shown)


def _replace(target: Path, save: Callable[[Path], object], shown: Path) -> None:
    """Temp file, `save`, the target's permissions, rename; the temp file goes on any failure."""
    tmp = None
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent)
        tmp = Path(name)
        os.close(fd)
        save(tmp)
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _cannot_write(shown, exc) from None
        raise


def _target(path: Path) -> Path:
    """The file a save of `path` replaces: `path` itself, or the file its link points to.
    Anything but a regular file or nothing yet is refused."""
    target = path
    if os.path.islink(path):
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):  # a link to nothing, or a loop of links
            raise _refused(path, "is a symbolic link to nothing; remove it or write to another file") from None
    mode = _mode(target)
    if mode is not None and not stat.S_ISREG(mode):
        raise _refused(path, f"is not a regular file but {_kind(mode)}; write to a file instead")
    return target


def _mode(path: Path) -> int | None:
    """The mode of what `path` holds (links followed), or None if nothing is there yet."""
    try:
        return os.stat(path).st_mode
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:  # a name too long, a file where a folder should be
        raise _cannot_write(path, exc) from None


def _kind(mode: int) -> str:
    return _KINDS.get(stat.S_IFMT(mode), "a special file")


def _check_folder(path: Path, parents: bool) -> None:
    """The folder a new output goes into must exist (or `parents` asks for it) and be a folder."""
    folder = path.parent
    mode = _mode(folder)
    if mode is None and not parents:
        raise _refused(path, f"folder {folder} does not exist; create it or pass --parents")
    if mode is not None and not stat.S_ISDIR(mode):
        raise _refused(path, f"{folder} is {_kind(mode)}, not a folder")


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: the same inode where both exist (through links, hard
    links and `..`), else the same absolute path."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        pass
    try:
        return a.resolve() == b.resolve()
    except (OSError, RuntimeError):
        return False


def _remove_orphans(target: Path) -> None:
    """Remove the temp files of `target` whose writer no longer runs (killed before it could)."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.(\d+)\.\w+\.tmp")
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for entry in entries:
        found = pattern.fullmatch(entry.name)
        if found and entry.is_file(follow_symlinks=False) and not _running(int(found[1])):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


def _running(pid: int) -> bool:
    """Whether a process `pid` runs on this machine. Off POSIX it cannot be asked safely
    (os.kill(pid, 0) sends Ctrl+C on Windows), so it is assumed to run; a reused pid keeps an
    orphan until that process ends."""
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except OSError:  # PermissionError: it runs, as another user
        return True
    return True


class _Terminated(BaseException):
    """SIGTERM arrived while a file was being written."""


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """While a file is written, SIGTERM raises instead of ending the process at once, so the temp
    file is removed; then the process ends by SIGTERM as it would have. Only in the main thread
    (where Python runs handlers) and where SIGTERM has its default action: a program with its own
    handler (a web server) keeps it."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) != signal.SIG_DFL:
        yield
        return

    def terminate(signum, frame):
        raise _Terminated

    signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    except _Terminated:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.raise_signal(signal.SIGTERM)
        raise  # not reached: the default action ends the process
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _mode_for(path: Path) -> int:
    """The replaced file's permissions, or what a plain open() would give (mkstemp makes 0600)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _refused(path: Path, message: str) -> InputError:
    return InputError(str(path), [InputIssue("output", message)])


def _cannot_write(path: Path, exc: OSError | ValueError) -> InputError:
    """A full disk or a read-only folder is the user's to fix: name the file, not the stack."""
    return _refused(path, f"cannot write: {getattr(exc, 'strerror', None) or exc}")


def write_atomic(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    save_atomic(path, lambda tmp: tmp.write_text(text, encoding=encoding, newline=""))


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    save_atomic(path, lambda tmp: tmp.write_bytes(data))

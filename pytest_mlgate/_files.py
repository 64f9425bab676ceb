"""Files that survive faults: atomic replacement, whole-line appends and an exclusive lock.

Every function here names the file the user asked for (never a temporary one) in its errors,
follows symbolic links to the file they point at, and leaves no temporary file behind when it
fails. Pure stdlib, no pytest import.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

try:  # advisory locking is POSIX-only; elsewhere an exclusively created lock file stands in
    import fcntl
except ImportError:  # pragma: no cover - exercised only on Windows
    fcntl = None  # type: ignore[assignment]

#: A temporary file older than this is stale whoever wrote it (a writer holds one for milliseconds).
STALE_TEMP_SECONDS = 3600.0

#: How long :func:`locked` waits for the lock where ``fcntl`` is missing.
LOCK_TIMEOUT_SECONDS = 120.0


def real_target(path: str | os.PathLike[str]) -> Path:
    """``path`` with every symbolic link followed (also a dangling one: its target is where to write)."""
    return Path(os.path.realpath(os.path.expanduser(os.fspath(path))))


def named_error(exc: OSError, path: Path | str) -> OSError:
    """The same kind of OSError, naming ``path`` instead of whatever file the system call saw."""
    out = type(exc)(exc.errno, exc.strerror or str(exc), str(path)) if exc.errno else type(exc)(f"{path}: {exc}")
    out.__cause__ = exc
    return out


def _temp_prefix(target: Path) -> str:
    return f".{target.name}."


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically: temp file in the same directory, fsync, replace.

    Readers see the old content or the new one, never a partial file. A symbolic link is kept
    and the file it points at is replaced. Parent directories are created. On any failure the
    temporary file is removed and the OSError names ``path``; temporary files left behind by a
    killed writer are removed first.
    """
    link = Path(path)
    target = real_target(link)
    try:
        if target.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a directory, not a file", str(link))
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(target)
        _write_replace(target, text.encode("utf-8"))
    except OSError as exc:
        if exc.filename == str(link) and exc.filename2 is None:
            raise
        raise named_error(exc, link) from exc
    _fsync_dir(target.parent)


def _write_replace(target: Path, data: bytes) -> None:
    tmp = ""
    try:
        # the temp file's name carries its writer's pid, so a later run can tell a stale one
        fd, tmp = tempfile.mkstemp(prefix=f"{_temp_prefix(target)}{os.getpid()}.", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            # mkstemp creates 0600; give the file the mode it had, else what open() would give
            if hasattr(os, "fchmod"):
                os.fchmod(fh.fileno(), _mode_for(target))
            _write_all(fh.fileno(), data)
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        tmp = ""
    finally:
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]


def remove_stale_temps(target: Path) -> list[Path]:
    """Remove temporary files of ``target`` whose writer is gone (or that are over an hour old)."""
    removed: list[Path] = []
    prefix = _temp_prefix(target)
    try:
        names = os.listdir(target.parent)
    except OSError:
        return removed
    now = time.time()
    for name in names:
        if not (name.startswith(prefix) and name.endswith(".tmp")):
            continue
        candidate = target.parent / name
        pid = name[len(prefix):].split(".", 1)[0]
        try:
            age = now - candidate.lstat().st_mtime
        except OSError:
            continue
        if age > STALE_TEMP_SECONDS or (pid.isdigit() and not _pid_alive(int(pid))):
            with contextlib.suppress(OSError):
                candidate.unlink()
                removed.append(candidate)
    return removed


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _mode_for(target: Path) -> int:
    """Permission bits for a rewrite of ``target``: its current ones, else 0666 minus the umask."""
    try:
        st = target.stat()
        if stat.S_ISREG(st.st_mode):
            return stat.S_IMODE(st.st_mode)
    except OSError:
        pass
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_dir(directory: Path) -> None:
    """Make a rename durable where the platform allows opening directories."""
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def append_whole(path: str | os.PathLike[str], data: bytes, *, create_parents: bool = True) -> None:
    """Append ``data`` (whole lines) to ``path``, or nothing at all.

    Under an exclusive ``flock`` where available, on an ``O_APPEND`` descriptor: a file that
    does not end in a newline gets one first, and a failed or short write (a full disk) is cut
    back to the previous size, so the file never holds a torn line. Errors name ``path``.
    Missing parent directories are created unless ``create_parents`` is false.
    """
    link = Path(path)
    target = real_target(link)
    try:
        if target.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a directory, not a file", str(link))
        if create_parents:
            target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as exc:
        raise named_error(exc, link) from exc
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        size = os.fstat(fd).st_size
        if size and not _ends_with_newline(target, size):
            data = b"\n" + data
        try:
            _write_all(fd, data)
        except BaseException:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, size)
            raise
    except OSError as exc:
        raise named_error(exc, link) from exc
    finally:
        os.close(fd)  # closing releases the lock


def _ends_with_newline(target: Path, size: int) -> bool:
    try:
        with open(target, "rb") as fh:
            fh.seek(size - 1)
            return fh.read(1) == b"\n"
    except OSError:
        return True  # cannot tell: do not add a blank line


@contextlib.contextmanager
def locked(target: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``target`` (through a sidecar ``.<name>.lock`` file) while inside.

    The lock file is removed on release. Other processes calling this for the same file wait.
    The sidecar is needed because ``target`` itself is replaced, not rewritten, by its writers.
    """
    lock = target.parent / f".{target.name}.lock"
    target.parent.mkdir(parents=True, exist_ok=True)
    if fcntl is None:  # pragma: no cover - exercised only on Windows
        with _exclusive_file(lock):
            yield
        return
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise named_error(exc, target) from exc
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(lock))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the holder removed the file we waited on: lock the new one
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)  # before unlocking, so a waiter notices and takes a fresh file
        os.close(fd)


@contextlib.contextmanager
def _exclusive_file(lock: Path) -> Iterator[None]:  # pragma: no cover - exercised only on Windows
    deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
    while True:
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            break
        except FileExistsError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{lock}: still locked after {LOCK_TIMEOUT_SECONDS:g} s; remove it if no run is saving") from None
            time.sleep(0.05)
    try:
        yield
    finally:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(lock)

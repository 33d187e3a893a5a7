"""One run at a time: an exclusive lock on a raw/ folder, held for a whole command.

Two fetches into one raw/ each load the manifest, add their captures and save
it whole: the last save wins and the other run's captures drop out, and a run
starting its crawl deletes the temporary files another run is still writing.
So `fetch`, `refresh`, `import` and `build` take `raw/.lock` before they read or
write anything, and a second run stops at once, naming the first.

- The lock is `fcntl.flock(LOCK_EX | LOCK_NB)` on the open file, not the file's
  existence: the kernel drops it when its process ends, however it ends (even
  SIGKILL), so a crash never blocks the next run.
- The file names its holder (PID, command, start time in UTC), so a second run
  can say who is in its way. A record left behind while the lock is free comes
  from a process that died holding it: the lock is taken over with a warning.
- On release the file is emptied, not removed: a run that had opened it just
  before would otherwise lock a removed file while a third run locks a new one.
  Only a folder this run created, and left holding nothing but the lock, is
  removed whole, so a run that stored nothing leaves no trace; a run that finds
  its lock file removed under it opens the new one instead.

The name starts with a dot and does not end in `.tmp`: the manifest never lists
it, it is not in captures/, and `RawStore.remove_temporaries` leaves it alone.
flock is local to one machine: do not share one raw/ between hosts over NFS.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

LOCK_NAME = ".lock"
HOLDER_WAIT = 1.0
"""Seconds to wait for a holder that has just taken the lock to write its record, or to finish."""
_RECORD_LIMIT = 4096
_COMMAND = re.compile(r"[\w-]{1,40}")


class LockHeld(Exception):
    """Another running process holds the lock; the message names it."""


class LockError(OSError):
    """The lock file cannot be used (not a regular file, not writable): bad input, like any unusable raw/."""


@dataclass(frozen=True)
class Holder:
    """Who holds a lock: what the lock file says, one JSON line."""

    pid: int
    command: str
    started_at: str

    def __str__(self) -> str:
        return f"PID {self.pid} ({self.command}, started {self.started_at})"

    @classmethod
    def now(cls, command: str) -> Holder:
        """This process, running `command`, from now."""
        return cls(os.getpid(), command, datetime.now(UTC).replace(microsecond=0).isoformat())

    def record(self) -> bytes:
        return (json.dumps(asdict(self)) + "\n").encode("utf-8")

    @classmethod
    def parse(cls, data: bytes) -> Holder | None:
        """The holder a lock file names; None for an empty, half-written or foreign file.

        Checked field by field: the holder is printed on one line, so nothing in it may break that line.
        """
        if not data.endswith(b"\n"):  # empty, or still being written
            return None
        try:
            entry = json.loads(data)
        except (ValueError, RecursionError):  # ValueError: not UTF-8 or not JSON
            return None
        if not isinstance(entry, dict):
            return None
        pid, command, started_at = entry.get("pid"), entry.get("command"), _timestamp(entry.get("started_at"))
        if type(pid) is not int or pid <= 0 or not isinstance(command, str) or not _COMMAND.fullmatch(command):
            return None
        return cls(pid, command, started_at) if started_at else None


def _timestamp(value: object) -> str | None:
    """An ISO date and time as it will be printed, or None for anything else."""
    try:
        return datetime.fromisoformat(value).isoformat() if isinstance(value, str) else None
    except ValueError:
        return None


@contextmanager
def hold(folder: Path, command: str) -> Iterator[str | None]:
    """Hold the lock on `folder` (created if missing) until the block ends, whatever ends it.

    Raises LockHeld when another process holds it. Yields a warning naming the
    holder whose stale lock was taken over, or None.
    """
    path = folder / LOCK_NAME
    fd, created = _open_locked(path)
    try:
        previous = os.pread(fd, _RECORD_LIMIT, 0)
        os.ftruncate(fd, 0)
        os.pwrite(fd, Holder.now(command).record(), 0)
        yield _stale_warning(path, previous)
    finally:
        _release(fd, folder, created)


def _make_folder(folder: Path) -> bool:
    """Create `folder` if it is missing; whether this run created it."""
    try:
        folder.mkdir(parents=True)
    except FileExistsError:
        return False
    return True


def _open_locked(path: Path) -> tuple[int, bool]:
    """The lock file, open and locked, and whether this run created its folder; LockHeld when another has it."""
    while True:
        created = _make_folder(path.parent)
        fd = _open(path)
        try:
            _lock(fd, path)
            if _still_there(fd, path):
                return fd, created
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # its last holder removed it (and maybe its folder) as we locked it: start again


def _open(path: Path) -> int:
    """Open (or create) the lock file, refusing a symlink or anything but a regular file.

    Never follows a link (a lock file linked elsewhere would be emptied) and never
    blocks on a FIFO, like everything else read from raw/.
    """
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        raise LockError(f"{path}: cannot open the lock file: {exc.strerror}") from exc
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise LockError(f"{path}: the lock file is not a regular file")
    return fd


def _lock(fd: int, path: Path) -> None:
    """Lock without waiting; a holder that has not written its record yet (or is just finishing) gets a moment."""
    deadline = time.monotonic() + HOLDER_WAIT
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            holder = Holder.parse(os.pread(fd, _RECORD_LIMIT, 0))
            if holder is not None or time.monotonic() >= deadline:
                raise LockHeld(_held_message(path, holder)) from None
            time.sleep(0.02)


def _still_there(fd: int, path: Path) -> bool:
    """Whether the locked file is still the one at `path` (a holder removes its lock file with its empty folder)."""
    try:
        on_disk = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (on_disk.st_dev, on_disk.st_ino)


def _held_message(path: Path, holder: Holder | None) -> str:
    who = str(holder) if holder else "a process that has not recorded its PID"
    return f"{path}: held by another run, {who}; try again when it has finished"


def _stale_warning(path: Path, previous: bytes) -> str | None:
    """The warning for a lock file that still names a holder although nobody holds the lock."""
    if not previous.strip():
        return None
    holder = Holder.parse(previous)
    who = str(holder) if holder else "an unreadable holder record"
    return f"{path}: took over a stale lock from {who}, which ended without releasing it"


def _release(fd: int, folder: Path, created: bool) -> None:
    """Empty the lock file, then unlock; a folder this run created and left empty goes with its lock file."""
    try:
        if not (created and _remove_if_only_the_lock(folder)):
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)


def _remove_if_only_the_lock(folder: Path) -> bool:
    """Remove `folder` when the lock file is all it holds; whether it is gone."""
    try:
        if [entry.name for entry in os.scandir(folder)] != [LOCK_NAME]:
            return False
        (folder / LOCK_NAME).unlink()
        folder.rmdir()
    except OSError:
        return False
    return True

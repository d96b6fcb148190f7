"""Append-only spool files: the durable local buffer under :class:`radiant.gateway.metering.Meter`.

A spool directory holds segment files ``usage-<pid>-<token>-<seq>.spool``, each a sequence
of newline-terminated records. Every live process writes its own segment, and holds an
exclusive ``flock`` on every segment it owns for as long as it owns it (a segment is
locked before it gets its name). The kernel releases the lock when the process dies,
however it dies, so a segment that can be locked belongs to nobody: :meth:`Spool.adopt`
takes it over and its records get flushed by whoever adopted it. Two live processes
never hold one segment: the lock is taken without waiting, and a segment deleted by the
adopter that flushed it is recognised (no links left) and let go.

Many processes, even on several machines, may share one directory, as long as its file
system has working ``flock`` (a local disk; NFS v4, where Linux maps ``flock`` onto its
byte-range locks); the token in the names keeps equal process ids of different machines
apart.

* :meth:`Spool.append` is one ``os.write`` on an ``O_APPEND`` descriptor: once it
  returns, the record is in the kernel's page cache and survives the death of the
  process. :meth:`Spool.sync` (``fdatasync``) makes it survive the machine's crash too.
* A reader reads a segment from an offset up to its last complete line.
  :meth:`Spool.release` deletes a segment whose records are all in the database.
* Nothing here knows what a record means; offsets live in memory only, so after a crash
  a segment is read again from its start (the reader must be idempotent).
"""

from __future__ import annotations

import fcntl
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Segment", "Spool"]

_SUFFIX = ".spool"
#: seconds after which a segment still being made belongs to a process that died
_STALE_MAKING = 60.0


@dataclass(eq=False)
class Segment:
    path: Path
    fd: int
    #: bytes already handled by the reader
    offset: int = 0
    #: adopted from a process that died: read it to its end, complete lines or not
    orphan: bool = False
    closed: bool = field(default=False)


class Spool:
    """The segments one process owns in ``directory``; the active one takes appends."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._prefix = f"usage-{os.getpid()}-{secrets.token_hex(4)}"
        self._seq = 0
        self._lock = threading.Lock()
        self.segments: list[Segment] = []
        self.active = self._new_segment()
        #: appends since the last :meth:`sync`
        self.dirty = False

    # ---------------------------------------------------------------- writing

    def _new_segment(self) -> Segment:
        self._seq += 1
        path = self.directory / f"{self._prefix}-{self._seq:06d}{_SUFFIX}"
        # made and locked under a name no adopter looks at, then renamed: a segment is
        # never seen unlocked, or another process could adopt (and delete) it
        making = path.with_name(f".{path.name}.new")
        flags = os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_EXCL | os.O_CLOEXEC
        fd = os.open(making, flags, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.rename(making, path)
        segment = Segment(path, fd)
        self.segments.append(segment)
        _sync_directory(self.directory)
        return segment

    def append(self, data: bytes) -> None:
        """Write one record (ending in a newline); atomic with respect to other appends."""
        with self._lock:
            fd = self.active.fd
            written = os.write(fd, data)
            while written < len(data):  # a regular file writes it all unless the disk is full
                written += os.write(fd, data[written:])
            self.dirty = True

    def sync(self) -> None:
        """Make every append so far survive a crash of the machine."""
        if not self.dirty:
            return
        with self._lock:
            self.dirty = False
            # a duplicate: the segment may be rotated and closed while the disk syncs
            fd = os.dup(self.active.fd)
        try:  # outside the lock: appends on the request path never wait for the disk
            os.fdatasync(fd)
        finally:
            os.close(fd)

    def rotate(self, max_bytes: int) -> None:
        """Start a new active segment when the current one is read to its end and large."""
        active = self.active
        if active.offset < max_bytes or active.offset < os.fstat(active.fd).st_size:
            return
        segment = self._new_segment()
        with self._lock:
            if self.dirty:
                os.fdatasync(active.fd)
                self.dirty = False
            self.active = segment

    # ---------------------------------------------------------------- reading

    def adopt(self) -> list[Segment]:
        """Take over the segments nobody holds (their process died)."""
        _remove_stale_makings(self.directory)
        adopted: list[Segment] = []
        owned = {s.path for s in self.segments}
        for path in sorted(self.directory.glob(f"usage-*{_SUFFIX}")):
            if path in owned:
                continue
            try:
                fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CLOEXEC)
            except FileNotFoundError:
                continue  # another process adopted and released it meanwhile
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)  # its writer is alive
                continue
            if os.fstat(fd).st_nlink == 0:  # released by its adopter before we locked it
                os.close(fd)
                continue
            segment = Segment(path, fd, orphan=True)
            self.segments.append(segment)
            adopted.append(segment)
        return adopted

    def read(self, segment: Segment, max_bytes: int) -> tuple[bytes, bool]:
        """Records of ``segment`` after its offset: complete lines, and whether more remain.

        An orphan's last bytes without a newline (a write torn by a crash of the machine)
        are returned too, as a last record: the reader decides what to do with it.
        """
        size = os.fstat(segment.fd).st_size
        end = min(size, segment.offset + max_bytes)
        if end <= segment.offset:
            return b"", False
        data = os.pread(segment.fd, end - segment.offset, segment.offset)
        if data.endswith(b"\n") or (segment.orphan and end == size):
            return data, end < size
        cut = data.rfind(b"\n") + 1
        return data[:cut], end < size and cut > 0

    def exhausted(self, segment: Segment) -> bool:
        return segment.offset >= os.fstat(segment.fd).st_size

    def release(self, segment: Segment) -> None:
        """Delete a segment that is not active and whose records are all handled."""
        if segment is self.active or segment.closed:
            return
        segment.path.unlink(missing_ok=True)
        self._close(segment)

    def _close(self, segment: Segment) -> None:
        segment.closed = True
        os.close(segment.fd)  # closing drops the lock
        self.segments.remove(segment)

    def close(self, *, delete_active: bool) -> None:
        """Sync and close every segment; delete the active one when asked (it is handled)."""
        self.sync()
        for segment in list(self.segments):
            if segment is self.active and delete_active:
                segment.path.unlink(missing_ok=True)
            self._close(segment)

    def pending_bytes(self) -> int:
        return sum(os.fstat(s.fd).st_size - s.offset for s in self.segments if not s.closed)


def _remove_stale_makings(directory: Path) -> None:
    """Delete segments a process died making: empty (no record is written before its
    rename), and old (a live process renames its own at once)."""
    stale = time.time() - _STALE_MAKING
    for path in directory.glob(f".usage-*{_SUFFIX}.new"):
        try:
            if path.stat().st_mtime < stale:
                path.unlink()
        except FileNotFoundError:
            continue


def _sync_directory(directory: Path) -> None:
    """Make a new file's name durable, not only its content."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

"""Parquet tables and atomic file writes.

Byte-identical output for identical rows: an explicit Arrow schema (no pandas metadata), zstd level 3,
dictionary encoding on, no statistics timestamps (Parquet stores none), one fixed row-group size.
Every file is written under a hidden temporary name in the target directory, fsynced and then
``os.replace``d, so a killed run leaves either the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .rows import COLUMNS, INT_COLUMNS

TMP_MARK = ".tmp-"
ROW_GROUP_SIZE = 16384


def schema() -> pa.Schema:
    return pa.schema([(c, pa.int64() if c in INT_COLUMNS else pa.string()) for c in COLUMNS])


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary sibling of ``path``; on success fsync it and rename it over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}{TMP_MARK}{os.getpid()}"
    try:
        yield tmp
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_bytes(path: str | Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text(path: str | Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def rows_to_table(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pydict({c: [r[c] for r in rows] for c in COLUMNS}, schema=schema())


def write_rows(path: str | Path, rows: list[dict]) -> None:
    """Write rows (dicts with every column) as one Parquet file, atomically and reproducibly.

    One row group per ROW_GROUP_SIZE rows, converted to Arrow one group at a time (memory stays at one group).
    """
    with (
        atomic_path(path) as tmp,
        pq.ParquetWriter(
            tmp,
            schema(),
            compression="zstd",
            compression_level=3,
            use_dictionary=True,
            write_statistics=True,
            store_schema=False,
        ) as writer,
    ):
        for start in range(0, max(len(rows), 1), ROW_GROUP_SIZE):
            writer.write_table(rows_to_table(rows[start : start + ROW_GROUP_SIZE]))


def read_rows(path: str | Path) -> list[dict]:
    return pq.read_table(path).to_pylist()


def read_frame(path: str | Path):
    """The Parquet file as a pandas DataFrame (index = row number in the file)."""
    return pq.read_table(path).to_pandas()


def remove_stale_temporaries(directory: str | Path) -> int:
    """Delete temporaries left by a killed run (never a finished file). Returns how many."""
    directory = Path(directory)
    if not directory.is_dir():
        return 0
    n = 0
    for p in directory.rglob(f".*{TMP_MARK}*"):
        if _owner_alive(p):
            continue  # a concurrent shard is writing it
        p.unlink(missing_ok=True)
        n += 1
    return n


def _owner_alive(p: Path) -> bool:
    try:
        pid = int(p.name.rsplit(TMP_MARK, 1)[1])
    except ValueError:
        return False
    return pid != os.getpid() and _pid_alive(pid)


def sha256_of(path: str | Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class LockedError(RuntimeError):
    """Another live process holds the writer's lock of a directory."""


@contextlib.contextmanager
def writer_lock(
    directory: str | Path, name: str = ".writer.lock", wait_s: float = 0.0, on_wait=None
) -> Iterator[Path]:
    """Hold ``directory/name`` (created exclusively, holding the pid) while writing; a lock whose process is
    gone is taken over. A live holder is waited for up to ``wait_s`` seconds (``on_wait(pid)`` is called
    once), then ``LockedError``."""
    import time

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    lock = directory / name
    deadline, told = time.monotonic() + wait_s, False
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                pid = int(lock.read_text().strip() or "0")
            except (OSError, ValueError):
                pid = 0
            if pid and pid != os.getpid() and _pid_alive(pid):
                if time.monotonic() >= deadline:
                    raise LockedError(
                        f"{directory} is being written by process {pid} (lock {lock})"
                    ) from None
                if on_wait is not None and not told:
                    on_wait(pid)
                    told = True
                time.sleep(0.5)
            else:
                lock.unlink(missing_ok=True)  # left by a killed writer
            continue
        with os.fdopen(fd, "w") as f:
            f.write(f"{os.getpid()}\n")
        break
    try:
        yield lock
    finally:
        lock.unlink(missing_ok=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

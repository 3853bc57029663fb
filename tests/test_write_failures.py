"""Writes the machine refuses (a file where a folder should be, no permission, a full disk) are one line
and exit code 2, before any compute where they can be seen in advance."""

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from src.cli import is_write_failure, unwritable_folder, write_failure_line

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "WANDB_MODE": "disabled", "OMP_NUM_THREADS": "1"}


def test_a_folder_that_can_be_created_is_writable_and_nothing_is_left_behind(tmp_path):
    assert unwritable_folder(tmp_path / "new" / "deeper", "paths.data_dir") is None
    assert list(tmp_path.iterdir()) == []  # the check made and removed its probe


def test_a_file_in_the_way_is_named(tmp_path):
    (tmp_path / "f").write_text("x")
    assert unwritable_folder(tmp_path / "f" / "data", "paths.data_dir") == (
        f"paths.data_dir={tmp_path}/f/data: {tmp_path}/f is a file, not a folder"
    )


def test_refused_writes_are_told_apart_from_bugs():
    full = OSError(errno.ENOSPC, "No space left on device", "/x/train.parquet")
    assert is_write_failure(full)
    assert write_failure_line(full, "the dataset /x") == (
        "cannot write the dataset /x (No space left on device: /x/train.parquet); "
        "free space or choose a writable folder"
    )
    pyarrow_words = "[Errno 28] Error writing bytes to file. Detail: No space left on device"
    assert is_write_failure(OSError(pyarrow_words))
    assert is_write_failure(RuntimeError("PytorchStreamWriter failed writing file data/0: file write failed"))
    assert not is_write_failure(FileNotFoundError(errno.ENOENT, "No such file or directory", "x"))
    assert not is_write_failure(RuntimeError("shape mismatch"))


def test_generate_into_a_file_path_is_one_line_before_any_work(tmp_path):
    (tmp_path / "f").write_text("x")
    proc = subprocess.run(
        [sys.executable, "-m", "src.generate", "data=tiny", f"paths.data_dir={tmp_path / 'f' / 'data'}"],
        cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "is a file, not a folder" in proc.stderr


@pytest.fixture
def full_disk(tmp_path):
    """A 64 KiB tmpfs (root and mount(2) needed; skipped where the machine does not allow it)."""
    mount = tmp_path / "small"
    mount.mkdir()
    command = ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)]
    if shutil.which("mount") is None or subprocess.run(command, capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root and mount permission)")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_generate_on_a_full_disk_is_one_line_and_leaves_no_complete_looking_dataset(full_disk):
    proc = subprocess.run(
        [sys.executable, "-m", "src.generate", "data=quickstart", "data.n_lagrangians=1000",
         f"paths.data_dir={full_disk}", "progress=false"],
        cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("error: cannot write the dataset")
    assert "No space left on device" in proc.stderr
    assert not (full_disk / "quickstart" / "meta.json").exists()  # reads as incomplete, never as done

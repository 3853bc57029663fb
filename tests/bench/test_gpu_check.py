"""The GPU check's CPU-side parts: the skip without a GPU, the MFU arithmetic, the report file."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from src.bench.gpu import mfu, write_report

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message of a machine without a GPU")
def test_without_a_gpu_the_check_says_so_and_writes_nothing(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "src.bench", "gpu", "--out", str(tmp_path / "report")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert "gpu check skipped: no CUDA GPU" in out.stdout
    assert not (tmp_path / "report").exists()


def test_mfu_is_useful_flops_per_second_over_the_peak():
    assert mfu(1e12, 2.0, 1e12) == 0.5
    assert math.isnan(mfu(1e12, 0.0, 1e12))


def test_report_is_valid_json_even_with_nan(tmp_path):
    path = write_report(
        tmp_path / "a" / "report.json", {"x": float("nan"), "y": [1.5, float("nan")], "z": "ok"}
    )
    assert json.loads(path.read_text()) == {"x": None, "y": [1.5, None], "z": "ok"}
    assert not list(path.parent.glob("*.tmp"))


CPU_FIT = ["trainer.accelerator=cpu", "data=tiny", "model=tiny", "logger=none", "decode.max_new_tokens=16"]


@pytest.mark.slow
def test_the_fit_check_trains_the_gpu_trainer_as_configured_with_the_accelerator_swapped(tmp_path):
    from src.bench.gpu import fit_check

    trained, line = fit_check(tmp_path, [*CPU_FIT, f"paths.root_dir={tmp_path}", "trainer.max_steps=3"])
    assert trained, line
    assert line.startswith("fit check: 3 steps of trainer=gpu")


def test_a_fit_check_that_cannot_train_says_what_failed_in_one_line(tmp_path):
    from src.bench.gpu import fit_check

    trained, line = fit_check(tmp_path, [*CPU_FIT, f"paths.root_dir={tmp_path}", "trainer.devices=999"])
    assert not trained
    assert "\n" not in line and line.startswith("gpu check failed:")
    assert "trainer.devices=999" in line

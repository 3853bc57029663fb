"""User mistakes on the training command line: one line naming the problem, exit code 2, no traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from src.cli import first_of_sweeps, split_overrides
from src.train import preflight

ROOT = Path(__file__).resolve().parents[2]


def test_unknown_experiment_exits_2_with_one_line_listing_the_options():
    env = {**os.environ, "WANDB_MODE": "disabled"}
    proc = subprocess.run(
        [sys.executable, "-m", "src.train", "experiment=nope"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "experiment/nope" in lines[0] and "quickstart" in lines[0]
    assert "Traceback" not in proc.stderr + proc.stdout


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["no_such_key=3"], "no_such_key"),
        (["trainer.max_epochs=[1"], "[1"),
        (["ckpt_path=/nonexistent/last.ckpt"], "/nonexistent/last.ckpt"),
        (["model=huge"], "model/huge"),
    ],
)
def test_bad_command_lines_are_reported_in_one_line(argv, needle):
    problem = preflight(argv)
    assert problem is not None and needle in problem and "\n" not in problem


def test_tensorboard_logger_fails_clearly_when_the_package_is_missing():
    import importlib.util

    problem = preflight(["logger=tensorboard"])
    missing = not any(importlib.util.find_spec(m) for m in ("tensorboard", "tensorboardX"))
    assert (problem is not None and "tensorboard" in problem) == missing


def test_a_valid_multirun_command_line_passes_preflight():
    argv = ["-m", "experiment=field_count_sweep", "data.max_fields=1,2,3,4"]
    assert split_overrides(["--cfg", "job", *argv]) == [
        "experiment=field_count_sweep",
        "data.max_fields=1,2,3,4",
    ]
    assert first_of_sweeps(split_overrides(argv))[1] == "data.max_fields=1"
    assert preflight(argv) is None

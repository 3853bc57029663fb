"""SIGTERM (a scheduler's pre-emption) stops ``python -m src.train`` cleanly, in training and in decoding."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from src.callbacks.signals import EXIT_CODE

ROOT = Path(__file__).resolve().parents[2]
TINY_RUN = ["data=tiny", "model=tiny", "data.datamodule.batch_size=8"]
QUICK_SCORES = ["callbacks.decoding_scores.num_examples=4", "callbacks.embedding_analysis=null"]
pytestmark = pytest.mark.slow


def _start(tiny_data_root: Path, tmp_path: Path, overrides: list[str]) -> subprocess.Popen:
    env = {**os.environ, "WANDB_MODE": "offline", "OMP_NUM_THREADS": "1", "WANDB_SILENT": "true"}
    cmd = [
        sys.executable, "-m", "src.train", *TINY_RUN, *QUICK_SCORES, "logger=csv",
        f"paths.root_dir={tiny_data_root}", f"paths.runs_dir={tmp_path}/runs", *overrides,
    ]  # fmt: skip
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(predicate, proc: subprocess.Popen, timeout: float = 300.0) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        assert proc.poll() is None, f"the run ended before the signal: {proc.stderr.read()[-2000:]}"
        assert time.monotonic() < end, "timed out waiting for the run"
        time.sleep(0.2)


def test_sigterm_during_training_saves_a_checkpoint_and_exits_non_zero(tiny_data_root, tmp_path):
    proc = _start(tiny_data_root, tmp_path, ["trainer.max_epochs=1000", "decode.max_new_tokens=32"])
    # the first validation has written a best checkpoint: training is well under way
    _wait_for(lambda: any((tmp_path / "runs").glob("**/checkpoints/best-*.ckpt")), proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == EXIT_CODE, err[-2000:]
    line = [x for x in err.splitlines() if "stopped by SIGTERM during training" in x][-1]
    step = int(line.split("at step ")[1].split(";")[0])
    ckpt = Path(line.split("ckpt_path=")[1].strip())
    assert ckpt.name == "last.ckpt" and ckpt.is_file()
    assert torch.load(ckpt, map_location="cpu", weights_only=False)["global_step"] == step
    assert not list(ckpt.parent.glob("*.tmp"))


def test_sigterm_during_final_decoding_keeps_the_finished_splits(tiny_data_root, tmp_path):
    # an untrained model writes up to max_new_tokens per row: the final decoding lasts long enough
    proc = _start(
        tiny_data_root,
        tmp_path,
        ["trainer.max_epochs=1", "decode.max_new_tokens=1500", "final_eval.limit=null", "debug=limit"],
    )
    lines: list[str] = []
    while True:
        line = proc.stdout.readline()
        assert line, f"no final decoding: {proc.stderr.read()[-2000:]}"
        lines.append(line)
        if line.startswith("final decoding:"):
            break
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == EXIT_CODE, err[-2000:]
    assert "stopped by SIGTERM during the final evaluation" in err
    (results,) = (tmp_path / "runs").glob("**/results.json")
    summary = json.loads(results.read_text())
    assert summary["stopped_by"] == "sigterm"
    assert "SIGTERM: final evaluation stopped" in "".join(lines) + out

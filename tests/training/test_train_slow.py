"""Slow tier: a resumed run continues one record, a tiny model memorises 32 Lagrangians, multirun jobs get
own runs."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from src.runs import WANDB_ID_FILE
from src.train import train

ROOT = Path(__file__).resolve().parents[2]
TINY_RUN = ["data=tiny", "model=tiny", "data.datamodule.batch_size=8", "decode.max_new_tokens=48"]
QUICK_SCORES = ["callbacks.decoding_scores.num_examples=4", "callbacks.embedding_analysis=null"]


def _logged(run_dir) -> list[tuple[int, tuple[str, ...]]]:
    """(step, metric names) of every metrics.csv row, in order."""
    import csv

    with open(Path(run_dir) / "csv" / "metrics.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return [
        (int(float(r["step"])), tuple(sorted(k for k, v in r.items() if v and k != "step"))) for r in rows
    ]


@pytest.mark.slow
def test_an_interrupted_and_resumed_run_continues_one_record(tiny_data_root, compose_cfg_at, tmp_path):
    import wandb

    def run(cfg) -> dict:  # one process per invocation in real use: close its W&B run as hydra_main does
        try:
            return train(cfg)
        finally:
            wandb.finish()

    base = [
        *TINY_RUN, *QUICK_SCORES, "debug=limit", "logger=[csv,wandb]", f"paths.wandb_dir={tmp_path}/wandb",
        "final_eval.limit=0", "trainer.log_every_n_steps=1", "trainer.max_epochs=3",
    ]  # fmt: skip
    whole_cfg = compose_cfg_at(tiny_data_root, base)
    whole_cfg.run_dir = str(tmp_path / "whole")
    whole = run(whole_cfg)
    first_cfg = compose_cfg_at(tiny_data_root, [*base, "trainer.max_steps=6"])  # stops mid-epoch 2
    first_cfg.run_dir = str(tmp_path / "first")
    first = run(first_cfg)
    assert first["global_step"] == 6
    first_id = (tmp_path / "first" / WANDB_ID_FILE).read_text().strip()

    resumed_cfg = compose_cfg_at(tiny_data_root, [*base, f"ckpt_path={first['last_checkpoint']}"])
    resumed_cfg.run_dir = str(
        tmp_path / "elsewhere"
    )  # a new invocation's own folder: the run continues its own
    second = run(resumed_cfg)
    assert second["global_step"] == whole["global_step"] == 12
    assert Path(second["run_dir"]) == (tmp_path / "first").resolve()
    assert (tmp_path / "first" / WANDB_ID_FILE).read_text().strip() == first_id
    assert Path(second["wandb_run_folder"]).name.endswith(first_id)
    # the same steps with the same metrics as the run that was never interrupted (no shift, no repeat), plus
    # the epoch-end rows the first invocation wrote when it stopped after 6 steps (its validation and its
    # token count, logged at step 5 as the whole run logs those of its first 4 steps at step 3)
    record, whole_record = _logged(tmp_path / "first"), _logged(tmp_path / "whole")
    at_stop = [r for r in record if r[0] == 5 and r not in whole_record]
    assert [keys for _, keys in at_stop] == [keys for step, keys in whole_record if step == 3][-2:]
    assert [r for r in record if r not in at_stop] == whole_record
    info = json.loads((tmp_path / "first" / "run_info.json").read_text())
    assert info["config"]["trainer"]["max_steps"] == 6  # the first record is kept ...
    assert [r["step"] for r in info["resumes"]] == [6]  # ... and the resume appended with what changed
    assert info["resumes"][0]["changed"]["trainer.max_steps"] == -1
    assert info["resumes"][0]["changed"]["ckpt_path"] == first["last_checkpoint"]


@pytest.mark.slow
def test_tiny_model_memorises_32_lagrangians(tiny_data_root, compose_cfg_at):
    cfg = compose_cfg_at(
        tiny_data_root,
        [
            *TINY_RUN,
            "callbacks=none",
            "logger=csv",
            "data.datamodule.limit_train=32",
            "model.d_model=128",
            "model.encoder_layers=2",
            "model.decoder_layers=2",
            "trainer.max_epochs=150",
            "trainer.check_val_every_n_epoch=50",
            "trainer.enable_progress_bar=false",
            "optim.lr=2e-3",
            "optim.warmup_steps=40",
            "decode.max_new_tokens=700",
            "test_after_fit=false",
            "final_eval.splits=[train]",
            "final_eval.limit=32",
        ],
    )
    summary = train(cfg)
    assert summary["validation"]["final/train/S_lagrangian"] >= 0.9


@pytest.mark.slow
def test_two_job_multirun_writes_two_separate_wandb_offline_runs(tiny_data_root, tmp_path):
    env = {**os.environ, "WANDB_MODE": "offline", "OMP_NUM_THREADS": "1", "WANDB_SILENT": "true"}
    cmd = [
        sys.executable, "-m", "src.train", "-m", *TINY_RUN, *QUICK_SCORES, "debug=limit",
        "trainer.max_epochs=1", "final_eval.limit=2", "logger=wandb", "seed=0,1",
        f"paths.root_dir={tiny_data_root}", f"paths.wandb_dir={tmp_path}/wandb",
        f"paths.runs_dir={tmp_path}/runs",
    ]  # fmt: skip
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    runs = sorted((tmp_path / "wandb" / "wandb").glob("offline-run-*"))
    assert len(runs) == 2
    ids = {r.name.rsplit("-", 1)[1] for r in runs}
    assert len(ids) == 2
    jobs = sorted((tmp_path / "runs").glob("debug/multirun_*/[01]"))
    assert {(j / WANDB_ID_FILE).read_text().strip() for j in jobs} == ids


@pytest.mark.slow
def test_a_run_without_the_probe_keeps_its_best_checkpoint_by_the_loss(tiny_data_root, compose_cfg_at):
    off = ["callbacks.decoding_scores=null", "callbacks.model_checkpoint.monitor=val/loss"]
    cfg = compose_cfg_at(
        tiny_data_root,
        [*TINY_RUN, *off, "callbacks.model_checkpoint.mode=min", "callbacks.embedding_analysis=null"]
        + ["logger=csv", "trainer.max_steps=4", "final_eval.limit=2", "decode.max_new_tokens=24"],
    )
    summary = train(cfg)
    assert summary["global_step"] == 4
    assert Path(summary["best_checkpoint"]).is_file() and "final/val/S_lagrangian" in summary["validation"]

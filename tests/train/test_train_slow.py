"""Slow tier: resume continues a run, a tiny model memorises 32 Lagrangians, multirun jobs get own runs."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from src.train import WANDB_ID_FILE, train

ROOT = Path(__file__).resolve().parents[2]
TINY_RUN = ["data=tiny", "model=tiny", "data.datamodule.batch_size=8", "decode.max_new_tokens=48"]
QUICK_SCORES = ["callbacks.generation_scores.num_examples=4", "callbacks.embedding_analysis=null"]


@pytest.mark.slow
def test_resume_from_last_ckpt_continues_the_step_count_and_the_wandb_run(
    tiny_data_root, compose_cfg_at, tmp_path
):
    base = [*TINY_RUN, *QUICK_SCORES, "debug=limit", "logger=wandb", f"paths.wandb_dir={tmp_path}/wandb"]
    first = train(compose_cfg_at(tiny_data_root, [*base, "final_eval.limit=0"]))
    assert first["global_step"] == 8  # 2 epochs x 4 batches
    last = first["last_checkpoint"]
    assert last and Path(last).is_file()
    first_id = (Path(first["run_dir"]) / WANDB_ID_FILE).read_text().strip()

    resumed_cfg = compose_cfg_at(
        tiny_data_root, [*base, "trainer.max_epochs=3", f"ckpt_path={last}", "final_eval.limit=0"]
    )
    resumed_cfg.run_dir = str(tmp_path / "resumed")
    second = train(resumed_cfg)
    assert second["global_step"] == 12  # 8 restored + one more epoch of 4
    assert (tmp_path / "resumed" / WANDB_ID_FILE).read_text().strip() == first_id
    assert Path(second["wandb_run_folder"]).name.endswith(first_id)


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

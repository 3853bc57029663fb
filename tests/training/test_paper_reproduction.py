"""experiment=paper_reproduction: the paper's setting composes as documented, and its debug run (tiny model,
CPU, a few dozen Lagrangians in the paper's convention) trains, validates and scores end to end."""

import json
import math
from pathlib import Path

import pytest
from train_helpers import PAPER_TINY_DATA

from src.train import train


def test_paper_reproduction_is_the_papers_setting(compose_cfg):
    cfg = compose_cfg(["experiment=paper_reproduction"])
    assert cfg.data.basis == "paper"
    assert cfg.data.sampler == "sampled" and cfg.data.max_fields == 6 and cfg.data.n_lagrangians == 286000
    assert cfg.tokenizer.name == "paper" and not cfg.tokenizer.get("canonical", False)
    assert cfg.model.d_model == 1024 and cfg.model.max_position_embeddings == 2048
    assert cfg.trainer.precision == "bf16-mixed" and cfg.trainer.accelerator == "gpu"
    assert cfg.decode.max_new_tokens == 2048


@pytest.mark.slow
def test_the_paper_reproduction_config_trains_a_debug_step_on_the_cpu(compose_cfg):
    cfg = compose_cfg(
        [
            "experiment=paper_reproduction",
            "debug=fdr",
            "model=tiny",
            "trainer.accelerator=cpu",  # the GPU trainer's precision, clipping and optimiser, on the CPU
            "logger=csv",
            "data.name=paper_reproduction_tiny",
            *PAPER_TINY_DATA,
            "callbacks.embedding_analysis=null",
        ]
    )
    summary = train(cfg)
    assert summary["global_step"] == 1
    assert math.isfinite(summary["validation"]["val/loss"])
    assert 0.0 <= summary["test"]["final/test/S_lagrangian"] <= 1.0
    meta = json.loads((Path(cfg.data.datamodule.data_dir) / "meta.json").read_text())
    assert meta["config"]["basis"] == "paper"

"""One training, validation and test batch through the real wiring (src.train.train), every scheme."""

import math

import pytest

from src.train import train

SCHEMES = ["paper", "paper_canonical", "opaque", "field_refs", "numeric_u1"]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_fast_dev_run_trains_validates_and_tests_every_split(scheme, tiny_data_root, compose_cfg_at):
    cfg = compose_cfg_at(
        tiny_data_root,
        [
            "data=tiny",
            "model=tiny",
            f"tokenizer={scheme}",
            "debug=fdr",
            "logger=csv",
            "data.datamodule.batch_size=4",
            "data.datamodule.eval_splits=[ood_hypercharge]",
            # the t-SNE callback once (paper) is enough here; it is the evaluation's to test
            *([] if scheme == "paper" else ["callbacks.embedding_analysis=null"]),
        ],
    )
    summary = train(cfg)
    assert summary["global_step"] == 1
    assert math.isfinite(summary["validation"]["val/loss"])
    for split in ("test", "ood_hypercharge"):
        assert math.isfinite(summary["test"][f"{split}/loss"])
        assert 0.0 <= summary["test"][f"final/{split}/S_lagrangian"] <= 1.0  # decoded and scored
    assert 0.0 <= summary["validation"]["final/val/S_lagrangian"] <= 1.0


def test_a_run_with_composed_decoding_probes_and_scores_composed(tiny_data_root, compose_cfg_at, capsys):
    cfg = compose_cfg_at(
        tiny_data_root,
        [
            "data=tiny",
            "model=tiny",
            "debug=fdr",
            "logger=csv",
            "data.datamodule.batch_size=4",
            "data.datamodule.eval_splits=[ood_fields]",
            "callbacks.embedding_analysis=null",
            "decode.compose=2",
        ],
    )
    assert cfg.callbacks.decoding_scores.compose == 2
    summary = train(cfg)
    assert 0.0 <= summary["test"]["final/ood_fields/S_lagrangian"] <= 1.0
    out = capsys.readouterr().out
    assert "final decoding: ood_fields (4 rows; greedy, composed from sub-lists of at most 2 fields)" in out
    assert "composed: " in out and " sub-lists, " in out

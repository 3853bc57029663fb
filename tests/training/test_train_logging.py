"""What a finished run logs: the validation history of the fit, then the best checkpoint as best/*."""

import json
from pathlib import Path

import pandas as pd
import yaml

from src.models.precision import resolve_precision
from src.train import train

TINY = ["data=tiny", "model=tiny", "data.datamodule.batch_size=8", "decode.max_new_tokens=48"]


def _refuse(name):  # results.json must be strict JSON (no bare NaN / Infinity)
    raise AssertionError(f"bare {name} in results.json")


def test_best_checkpoint_revalidation_is_logged_as_best_not_as_a_last_val_point(
    tiny_data_root, compose_cfg_at
):
    cfg = compose_cfg_at(
        tiny_data_root,
        [
            *TINY,
            "debug=limit",  # 2 epochs x 4 batches, a validation after each
            "logger=csv",
            "callbacks.decoding_scores.num_examples=4",
            "callbacks.embedding_analysis=null",
            "final_eval.limit=2",
        ],
    )
    summary = train(cfg)
    [metrics_csv] = list(Path(summary["run_dir"]).rglob("metrics.csv"))
    df = pd.read_csv(metrics_csv)
    val_rows = df[df["val/loss"].notna()]
    assert list(val_rows["step"]) == [3, 7]  # the two epoch-end validations of the fit, nothing after
    best = df[df["best/val/loss"].notna()]
    assert len(best) == 1 and int(best["step"].iloc[0]) == summary["global_step"] == 8
    assert best["best/val/loss"].iloc[0] == summary["validation"]["val/loss"]
    assert "best/test/loss" in df.columns and "final/val/S_lagrangian" in df.columns
    # the run's parameters and the dataset's meta.json, logged once the trainer had prepared the data
    hparams = yaml.safe_load((metrics_csv.parent / "hparams.yaml").read_text())
    assert hparams["seed"] == cfg.seed and hparams["data"]["name"] == cfg.data.name
    assert hparams["data_meta"]["generation"]["n_lagrangians"] == cfg.data.n_lagrangians


def test_a_fit_stopped_by_max_steps_mid_epoch_validates_and_checkpoints_its_last_step(
    tiny_data_root, compose_cfg_at
):
    cfg = compose_cfg_at(
        tiny_data_root,
        [
            *TINY,
            "debug=limit",  # 4 batches per epoch; max_steps=6 stops in the middle of the second epoch
            "trainer.max_steps=6",
            "logger=csv",
            "callbacks.decoding_scores.num_examples=4",
            "callbacks.embedding_analysis=null",
            "callbacks.model_checkpoint.save_top_k=-1",
            "final_eval.limit=0",
        ],
    )
    summary = train(cfg)
    assert summary["global_step"] == 6
    [metrics_csv] = list(Path(summary["run_dir"]).rglob("metrics.csv"))
    df = pd.read_csv(metrics_csv)
    assert list(df[df["val/S_lagrangian"].notna()]["step"]) == [3, 5]  # epoch end, then the last step
    saved = sorted(p.name for p in (Path(summary["run_dir"]) / "checkpoints").glob("best-*.ckpt"))
    assert saved == ["best-epoch000-step000004.ckpt", "best-epoch001-step000006.ckpt"]


def test_a_streamed_run_records_its_stop_tokens_time_and_every_collapse_probe(tiny_data_root, compose_cfg_at):
    cfg = compose_cfg_at(
        tiny_data_root,
        [
            *TINY,
            "data.datamodule.stream.enabled=true",
            "data.datamodule.stream.epoch_batches=3",
            "trainer.max_steps=6",
            "trainer.max_epochs=10",
            "logger=csv",
            "callbacks.decoding_scores.num_examples=4",
            "callbacks.embedding_analysis=null",
            "final_eval.limit=2",
            "budget.total=00:00:30:00",
            "trainer.precision=auto",
        ],
    )
    summary = train(cfg)
    results = json.loads((Path(summary["run_dir"]) / "results.json").read_text(), parse_constant=_refuse)
    info = json.loads((Path(summary["run_dir"]) / "run_info.json").read_text())
    # the precision chosen for this device is recorded
    assert info["config"]["trainer"]["precision"] == resolve_precision("auto", "cpu")
    assert results["stopped_by"] == "max_steps" and results["global_step"] == 6
    assert results["tokens_seen"] > 6 * 8  # six batches of 8 fresh Lagrangians, many target tokens each
    assert 0 < results["train_seconds"] <= results["job_seconds"]
    probes = results["collapse"]["probes"]
    assert [p["step"] for p in probes] == [
        3,
        6,
    ]  # every validation of the fit, not only the best checkpoint's
    assert all(
        {"distinct_share", "encoder_spread", "input_dependence", "collapsed"} <= set(p) for p in probes
    )
    assert set(results["collapse"]["final_distinct_outputs"]) == {"val", "test"}
    [metrics_csv] = list(Path(summary["run_dir"]).rglob("metrics.csv"))
    df = pd.read_csv(metrics_csv)
    assert df["train/tokens_seen"].dropna().is_monotonic_increasing
    # the console output is kept in the run folder: Lightning's summary, the final decoding, the scores
    log = (Path(summary["run_dir"]) / "train.log").read_text()
    assert "Total params" in log and "final decoding: test" in log
    assert "scores (best checkpoint" in log and f"run folder: {summary['run_dir']}" in log


def test_the_id_curriculum_ends_at_its_share_of_the_training_time(tiny_data_root, compose_cfg_at):
    overrides = [
        *TINY,
        "tokenizer=paper",  # random IDs: the curriculum applies
        "data.datamodule.stream.enabled=true",
        "data.datamodule.stream.epoch_batches=2",
        "data.datamodule.stream.canonical_ids=[1.0,1.0,1.0]",
        "trainer.max_steps=4",
        "trainer.max_epochs=10",
        "logger=none",  # also: a run without loggers leaves the learning-rate monitor out and runs
        "callbacks.decoding_scores.num_examples=2",
        "callbacks.embedding_analysis=null",
        "final_eval.limit=1",
        "budget.total=00:00:30:00",
    ]
    # no time at all: the first epoch's end is already past the share, epochs 1 and 2 lose their canonical IDs
    until = "data.datamodule.stream.canonical_ids_until"
    cut = train(compose_cfg_at(tiny_data_root, [*overrides, f"{until}=0.0"]))
    assert cut["id_curriculum_ended_at_step"] == 2
    # all the time in the world: the list runs its epochs
    kept = train(compose_cfg_at(tiny_data_root, [*overrides, f"{until}=1.0"]))
    assert kept["id_curriculum_ended_at_step"] is None


def test_the_printed_headline_has_one_row_per_split_with_exact_and_validity_columns():
    from src.training.report import headline_table

    summary = {
        "validation": {"val/loss": 0.5, "final/val/S_lagrangian": 0.25, "final/val/validity_rate": 0.75},
        "test": {"test/loss": 0.5, "final/test/exact/S_lagrangian": -0.125},
    }
    head, val, test = headline_table(summary)
    titles = ["split", "loss", "S_Lagrangian", "exact", "S", "perfect", "valid", "terms", "P_length"]
    assert head.split() == titles
    assert val.split() == ["val", "0.5000", "0.2500", "-", "-", "0.7500", "-"]
    assert test.split() == ["test", "0.5000", "-", "-0.1250", "-", "-", "-"]


def test_last_ckpt_holds_the_final_step_even_when_the_last_validation_did_not_improve(
    tiny_data_root, compose_cfg_at
):
    import torch

    cfg = compose_cfg_at(
        tiny_data_root,
        [
            *TINY,
            "debug=limit",  # validations at steps 4 and 8
            "logger=csv",
            "callbacks.decoding_scores.num_examples=2",
            "callbacks.embedding_analysis=null",
            "callbacks.model_checkpoint.monitor=val/loss",
            "callbacks.model_checkpoint.mode=max",  # the loss falls: the step-4 checkpoint stays the "best"
            "final_eval.limit=0",
        ],
    )
    summary = train(cfg)
    assert summary["best_checkpoint"].endswith("step000004.ckpt")
    last = torch.load(summary["last_checkpoint"], map_location="cpu", weights_only=False)
    assert last["global_step"] == summary["global_step"] == 8

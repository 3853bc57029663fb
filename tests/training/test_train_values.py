"""Bad values on the training command line: one line naming the key, found before any compute (exit 2)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from src.train import preflight

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["seed=abc"], "seed='abc' must be an integer"),
        (["optim.lr=abc"], "optim.lr=abc: Value 'abc' of type 'str' could not be converted to Float"),
        (["optim.warmup_steps=1.5"], "optim.warmup_steps=1.5: Value '1.5' of type 'float' could not be"),
        (["optim.nosuch=1"], "Key 'nosuch' not in 'OptimNode'"),
        (["optim.lr=0"], "optim.lr=0.0 must be > 0"),
        (["optim.schedule=foo"], "optim.schedule='foo': use one of linear, cosine, constant"),
        (["optim.warmup_steps=-5"], "optim.warmup_steps=-5 must be >= 0"),
        (["optim.decision_weight=-1"], "optim.decision_weight=-1.0 must be >= 0.0"),
        (["optim.encoder_lr_scale=-1"], "optim.encoder_lr_scale=-1.0 must be >= 0.0"),
        (["trainer.max_epochs=abc"], "trainer.max_epochs='abc' must be an integer"),
        (["data.datamodule.batch_size=0"], "data.datamodule.batch_size=0 must be >= 1"),
        (["data.datamodule.stream.epoch_batches=0"], "data.datamodule.stream.epoch_batches=0 must be >= 1"),
        (
            ["data.datamodule.eval_splits=[ood_typo]"],
            "data.datamodule.eval_splits: 'ood_typo' is not a split",
        ),
        (["decode.max_new_tokens=0"], "decode.max_new_tokens=0 must be an integer >= 1"),
        (["decode.compose=5"], "decode.compose=5: 0"),
        (["trainer.precision=16-mixed"], "trainer.precision=16-mixed needs a CUDA GPU"),
        (
            ["data.datamodule.stream.canonical_ids=[1.0,2.0]"],
            "data.datamodule.stream.canonical_ids[1]=2.0 must be <= 1.0",
        ),
        (
            ["data.datamodule.stream.canonical_ids_until=1.5"],
            "data.datamodule.stream.canonical_ids_until=1.5 must be <= 1.0",
        ),
        (
            ["data.datamodule.stream.keep_by_fields=[x]"],
            "data.datamodule.stream.keep_by_fields=[x]: Value 'x' of type 'str' could not be converted",
        ),
        (["data.n_lagrangians=abc"], "data.n_lagrangians=abc: Value 'abc' of type 'str' could not be"),
        (["data.vocabulary.nosuch=1"], "Key 'nosuch' not in 'VocabularyNode'"),
        (["+data.nosuch=1"], "data.nosuch: Key 'nosuch' not in 'DataNode'"),
        (["data.ood.ood_reps.size=-1"], "data.ood.ood_reps.size must be >= 0, got -1"),
        (["model.d_model=7"], "model.d_model=7 must be a multiple of model.encoder_attention_heads=4"),
        (
            ["model.d_model=abc"],
            "model.d_model=abc: Value 'abc' of type 'str' could not be converted to Integer",
        ),
        (["model.encoder_layers=1.5"], "model.encoder_layers=1.5: Value '1.5' of type 'float' could not be"),
        (["model.nosuch=1"], "Key 'nosuch' not in 'ModelNode'"),
        (["budget.total=abc"], "budget.total='abc' is not a duration \"DD:HH:MM:SS\""),
        (["budget.final_eval=-5"], "budget.final_eval=-5 must not be negative"),
        (["final_eval.limit=abc"], "final_eval.limit='abc' must be an integer"),
        (["final_eval.batch_size=0"], "final_eval.batch_size=0 must be >= 1"),
        (["tokenizer.canonical=maybe"], "tokenizer.canonical=maybe: Value 'maybe' is not a valid bool"),
        (["tokenizer.nosuch=1"], "Key 'nosuch' not in 'TokenizerNode'"),
        (["tokenizer.charges=sixths"], "tokenizer.charges='sixths': choose from reduced, common_denominator"),
        (
            ["tokenizer=paper", "tokenizer.charges=common_denominator"],
            "tokenizer.charges is not an option of the paper scheme (its options: canonical, seed)",
        ),
        (
            ["tokenizer=field_refs", "tokenizer.charge_sums=true"],
            "tokenizer.charge_sums=true writes sums of the numerators over the list's common denominator",
        ),
        (
            [
                "tokenizer=field_refs",
                "tokenizer.charges=common_denominator",
                "tokenizer.charge_sums=true",
                "optim.decision_weight=5",
            ],
            "optim.decision_weight weights a target's first word, which tokenizer.charge_sums=true makes",
        ),
        (
            [
                "tokenizer=field_refs",
                "tokenizer.charges=common_denominator",
                "tokenizer.charge_sums=true",
                "decode.write_threshold=0.2",
            ],
            "decode.write_threshold acts at the first target word, which tokenizer.charge_sums=true makes",
        ),
        (["data.name=fresh_name", "data.max_fields=0"], "data.max_fields must be >= 1, got 0"),
        (["ckpt_path=/nonexistent/last.ckpt"], "ckpt_path=/nonexistent/last.ckpt does not exist"),
        (
            ["callbacks.decoding_scores=null"],
            "callbacks.decoding_scores=null, but callbacks.model_checkpoint.monitor=val/S_lagrangian",
        ),
        (
            ["+trainer.max_stepz=5"],
            "trainer.max_stepz: lightning.pytorch.Trainer takes no argument 'max_stepz'; did you mean "
            "trainer.max_steps?",
        ),
        (
            ["+callbacks.model_checkpoint.monitr=val/loss"],
            "callbacks.model_checkpoint.monitr: lightning.pytorch.callbacks.ModelCheckpoint takes no "
            "argument 'monitr'; did you mean callbacks.model_checkpoint.monitor?",
        ),
        (["+logger.wandb.projekt=x"], "logger.wandb.projekt: src.models.loggers.wandb_logger takes no"),
        (["callbacks.lr_monitor._target_=src.nosuch.Thing"], "callbacks.lr_monitor._target_=src.nosuch"),
        (
            [
                "data.datamodule.stream.sublists.sizes=[1,1]",
                "data.datamodule.stream.sublists.empty_share=[1]",
            ],
            "data.datamodule.stream.sublists.empty_share: a share in [0, 1], or one per sub-list size (2",
        ),
    ],
)
def test_bad_values_are_one_line_naming_the_key(argv, needle):
    problem = preflight(["experiment=quickstart", *argv])
    assert problem is not None and needle in problem and "\n" not in problem


def test_charge_sums_pass_the_preflight_with_the_common_denominator():
    sums = ["tokenizer=field_refs", "tokenizer.charges=common_denominator", "tokenizer.charge_sums=true"]
    assert preflight(["experiment=quickstart", *sums]) is None


def test_without_the_decoding_probe_the_best_checkpoint_is_chosen_by_the_loss():
    off = ["callbacks.decoding_scores=null", "callbacks.model_checkpoint.monitor=val/loss"]
    assert preflight(["experiment=quickstart", *off, "callbacks.model_checkpoint.mode=min"]) is None


def test_an_output_folder_that_cannot_be_written_is_named_before_any_compute(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    problem = preflight(["experiment=quickstart", f"paths.output_dir={blocker / 'outputs'}"])
    assert problem == f"paths.runs_dir={blocker}/outputs/runs: {blocker} is a file, not a folder"


def test_a_folder_as_ckpt_path_is_called_a_folder(tmp_path):
    problem = preflight([f"ckpt_path={tmp_path}"])
    assert problem is not None and "is a folder" in problem and "does not exist" not in problem


def test_the_defaults_and_the_experiments_pass(tmp_path):
    for experiment in ("quickstart", "learn_1to3", "ood_hypercharge", "learn_paper_format"):
        assert preflight([f"experiment={experiment}"]) is None, experiment
    # a GPU experiment passes with its accelerator swapped; as it is, only where a GPU is visible
    assert preflight(["experiment=paper_sampled", "trainer.accelerator=cpu"]) is None
    problem = preflight(["experiment=paper_sampled"])
    if torch.cuda.is_available():
        assert problem is None
    else:
        assert problem.startswith("trainer.accelerator=gpu: no CUDA GPU is visible")


def test_a_corrupt_checkpoint_is_one_line_and_exit_2_before_any_data_work(tmp_path):
    bad = tmp_path / "last.ckpt"
    bad.write_bytes(os.urandom(2048))
    env = {**os.environ, "WANDB_MODE": "disabled", "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "src.train", "data=tiny", "model=tiny", f"ckpt_path={bad}",
         f"paths.data_dir={tmp_path / 'data'}", f"paths.output_dir={tmp_path / 'runs'}", "logger=csv"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("error:") and "is not a readable checkpoint" in last
    assert not (tmp_path / "data").exists()  # refused before the dataset was generated


@pytest.mark.parametrize(
    ("override", "needle"),
    [
        ("tokenizer.name=nosuch", "tokenizer.name='nosuch': unknown token scheme (choose from paper,"),
        (
            "callbacks.decoding_scores.num_examples=0",
            "callbacks.decoding_scores: every_n_epochs, num_examples and batch_size must be at least 1",
        ),
    ],
)
def test_values_found_while_the_job_builds_are_one_line_naming_the_key(
    tiny_data_root, compose_cfg_at, override, needle
):
    """Values that only the building of the run rejects (the scheme, a callback built by ``instantiate``)
    are user errors too: one line naming the key, not a traceback."""
    from src.cli import error_line
    from src.train import train

    base = ["data=tiny", "model=tiny", "logger=csv", "data.datamodule.stream.enabled=true"]
    cfg = compose_cfg_at(tiny_data_root, [*base, override])
    with pytest.raises(Exception) as err:
        train(cfg)
    line = error_line(err.value, "the run")
    assert line is not None and needle in line and "\n" not in line, line

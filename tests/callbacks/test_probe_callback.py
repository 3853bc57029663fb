"""``DecodingProbe`` on the tiny dataset: with a model that answers like the oracle it logs perfect scores
for every number of fields; with a tiny untrained BART it runs end to end and logs bounded scores."""

from __future__ import annotations

import json
import random

import lightning as L
import pytest
import torch
from eval_helpers import OracleAnswers, validate_with

from src.callbacks.probe import DecodingProbe
from src.decoding import fixed_subset
from src.models.module import LagrangianBart


def test_fixed_subset_is_the_same_every_time_and_sorted():
    a = fixed_subset(100, 10, seed=3)
    assert a == fixed_subset(100, 10, seed=3) == sorted(a) and len(set(a)) == 10
    assert fixed_subset(5, 10, seed=0) == [0, 1, 2, 3, 4]


def test_oracle_answers_score_one_overall_and_per_field_count(tiny_datamodule, tiny_arch):
    dm = tiny_datamodule
    model = OracleAnswers(tiny_arch, vocab_size=dm.scheme.vocab_size, scheme=dm.scheme)
    callback = DecodingProbe(num_examples=8, batch_size=3)
    metrics = validate_with(model, dm, callback)
    assert float(metrics["val/S_lagrangian"]) == 1.0 and float(metrics["val/perfect"]) == 1.0
    per_nf = [k for k in metrics if k.startswith("val/S_lagrangian/nf=")]
    assert per_nf and all(float(metrics[k]) == 1.0 for k in per_nf)
    assert float(metrics["val/validity_rate"]) == 1.0 and float(metrics["val/truncated_rate"]) == 0.0
    assert float(metrics["val/distinct_outputs"]) == 1.0  # 8 different inputs, 8 different Lagrangians


def test_a_model_that_ignores_its_input_shows_as_one_distinct_output(tiny_datamodule):
    from src.decoding import score_rows, summarize

    dm = tiny_datamodule
    table = dm.table("train")
    rows = [table.iloc[i].to_dict() for i in range(6)]
    constant = ["+", "FIELD", "SPIN", "0", "ID0"]  # the same words whatever the input
    results = score_rows(dm.scheme, rows, [constant] * len(rows), None)
    metrics = summarize(results, [int(r["n_fields"]) for r in rows], "val")
    assert metrics["val/distinct_outputs"] == 1 / 6


def test_untrained_tiny_bart_runs_and_logs_bounded_scores(tiny_datamodule, tiny_arch):
    torch.manual_seed(0)
    dm = tiny_datamodule
    model = LagrangianBart(tiny_arch, vocab_size=dm.scheme.vocab_size, scheme=dm.scheme, max_new_tokens=24)
    callback = DecodingProbe(num_examples=4, batch_size=4)
    metrics = validate_with(model, dm, callback)
    assert 0.0 <= float(metrics["val/S_contraction"]) <= 1.0
    assert float(metrics["val/S_lagrangian"]) <= 1.0
    assert set(callback.last) >= {"val/S_lagrangian", "val/P_length", "val/S_object", "val/validity_rate"}


def test_the_probe_decodes_with_the_configured_constraint(tiny_datamodule, tiny_arch, compose_cfg):
    import hydra

    cfg = compose_cfg(["data=tiny", "model=tiny", "decode.constrain=oracle", "decode.max_new_tokens=1024"])
    callback = hydra.utils.instantiate(cfg.callbacks.decoding_scores, num_examples=6, batch_size=3)
    assert (callback.engine, callback.constrain) == ("lean", "oracle")  # the decode node, as the final scores
    torch.manual_seed(0)
    dm = tiny_datamodule
    model = LagrangianBart(tiny_arch, vocab_size=dm.scheme.vocab_size, scheme=dm.scheme, max_new_tokens=1024)
    validate_with(model, dm, callback)
    assert callback.last["val/truncated_rate"] == 0.0
    assert callback.last["val/validity_rate"] == 1.0  # an untrained model, held to the oracle's terms


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        DecodingProbe(every_n_epochs=0)


def test_wandb_table_of_generations_is_written(tiny_datamodule, tiny_arch, tmp_path):
    from lightning.pytorch.loggers import WandbLogger

    dm = tiny_datamodule
    model = OracleAnswers(tiny_arch, vocab_size=dm.scheme.vocab_size, scheme=dm.scheme)
    logger = WandbLogger(save_dir=str(tmp_path), project="test", offline=True)
    trainer = L.Trainer(
        accelerator="cpu",
        logger=logger,
        callbacks=[DecodingProbe(num_examples=3, batch_size=3, table_examples=2)],
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        limit_val_batches=1,
    )
    trainer.validate(model, datamodule=dm, verbose=False)
    logger.experiment.finish()
    tables = list(tmp_path.rglob("val/decoded*.table.json"))
    assert len(tables) == 1
    content = json.loads(tables[0].read_text())
    assert content["columns"][:4] == ["epoch", "row", "n_fields", "input"] and len(content["data"]) == 2


def test_rescored_schemes_are_written_with_the_rows_charge_spelling(tiny_datamodule, tiny_arch):
    from eval_helpers import LookupAnswers

    from src.data.datamodule import LagrangianDataModule
    from src.data.rows import lagrangian_from_row, row_spelling
    from src.decoding import decode_rows, score_rows
    from src.tokens import build_scheme

    dm = LagrangianDataModule(data_dir=str(tiny_datamodule.data_dir), scheme=build_scheme("field_refs"))
    table = dm.table("ood_hypercharge")
    rows = [table.iloc[i].to_dict() for i in range(len(table))]
    assert any(row_spelling(r) for r in rows)  # the split really holds unreduced / two-digit spellings
    model = LookupAnswers(tiny_arch, vocab_size=dm.scheme.vocab_size, scheme=dm.scheme)
    model.answers = {}
    for i, row in enumerate(rows):
        ids = dm.encode_row(row, "ood_hypercharge", i)["input_ids"]
        model.answers[tuple(ids)] = dm.scheme.target_tokens(lagrangian_from_row(row), random.Random(i))
    preds = decode_rows(model, dm, "ood_hypercharge", rows, list(range(len(rows))), 4, 64, 1)
    results = score_rows(dm.scheme, rows, preds, None)
    assert all(r.score.perfect for r in results)


def test_decoding_starts_no_batch_after_its_deadline(tiny_datamodule, tiny_arch):
    import time

    from src.decoding import decode_rows

    torch.manual_seed(0)
    dm = tiny_datamodule
    model = LagrangianBart(tiny_arch, vocab_size=dm.scheme.vocab_size, scheme=dm.scheme, max_new_tokens=8)
    table = dm.table("val")
    rows = [table.iloc[i].to_dict() for i in range(4)]
    late = decode_rows(model, dm, "val", rows, [0, 1, 2, 3], 2, 8, 1, deadline=time.monotonic() - 1)
    assert late == [None] * 4  # nothing decoded: the caller scores only decoded rows
    timely = decode_rows(model, dm, "val", rows, [0, 1, 2, 3], 2, 8, 1, deadline=time.monotonic() + 600)
    assert all(isinstance(p, list) for p in timely)

"""The DataModule: tokenized batches with -100 label padding, row mapping, length buckets."""

from __future__ import annotations

import random

import pytest
import torch
from data_helpers import compose_data

from src.data.batching import LengthBucketBatchSampler, padding_fraction
from src.data.datamodule import LagrangianDataModule, training_field_lists
from src.data.rows import fields_from_row
from src.tokens import build_scheme


def make_dm(data_dir, **kw) -> LagrangianDataModule:
    return LagrangianDataModule(str(data_dir), build_scheme("paper"), batch_size=8, **kw)


def test_batches_have_padded_inputs_and_labels_padded_with_minus_100(tiny_dir):
    dm = make_dm(tiny_dir)
    dm.setup("fit")
    batch = next(iter(dm.train_dataloader()))
    assert set(batch) >= {"input_ids", "attention_mask", "labels", "row"}
    assert batch["input_ids"].shape == batch["attention_mask"].shape
    assert (batch["input_ids"][batch["attention_mask"] == 0] == 2).all()
    assert (batch["labels"] == -100).any() or batch["labels"].shape[0] == 1
    assert not (batch["labels"] == 2).any()


def test_row_entry_maps_a_batch_back_to_its_table_row(tiny_dir):
    dm = make_dm(tiny_dir)
    dm.setup("fit")
    table = dm.table("val")
    scheme = dm.scheme
    for batch in dm.val_dataloader():
        for ids, row in zip(batch["input_ids"], batch["row"].tolist()):
            words = scheme.decode(ids)
            assert words == scheme.source_tokens(fields_from_row(table.iloc[row]))


def test_every_training_row_is_seen_once_per_epoch(tiny_dir):
    dm = make_dm(tiny_dir)
    dm.setup("fit")
    rows = torch.cat([b["row"] for b in dm.train_dataloader()]).tolist()
    assert sorted(rows) == list(range(len(dm.table("train"))))


def test_test_dataloader_gives_one_loader_per_split(tiny_dir):
    dm = make_dm(tiny_dir, eval_splits=["ood_fields", "ood_hypercharge"])
    dm.setup("test")
    assert dm.test_split_names == ["test", "ood_fields", "ood_hypercharge"]
    loaders = dm.test_dataloader()
    assert [len(loader.dataset) for loader in loaders] == [len(dm.table(s)) for s in dm.test_split_names]


def test_ood_hypercharge_inputs_keep_their_spelling(tiny_dir):
    dm = make_dm(tiny_dir, eval_splits=["ood_hypercharge"])
    dm.setup("test")
    loader = dm.test_dataloader()[1]
    table = dm.table("ood_hypercharge")
    for batch in loader:
        for ids, labels, row in zip(batch["input_ids"], batch["labels"], batch["row"].tolist()):
            assert " ".join(dm.scheme.decode(ids)) == table.iloc[row]["fields"]
            target = dm.scheme.decode([t for t in labels.tolist() if t != -100])
            assert len(target) == table.iloc[row]["n_tokens"]


def test_missing_data_is_generated_from_the_generate_settings(tmp_path):
    gen = compose_data("tiny")
    gen.pop("datamodule")
    gen["ood"]["ood_reps"]["enabled"] = False
    dm = make_dm(tmp_path / "fresh", generate=gen, limit_train=10)
    with pytest.raises(FileNotFoundError, match=r"prepare_data\(\) \(which Lightning calls before setup\)"):
        dm.setup("fit")  # setup reads; generating is prepare_data's work (the trainer calls it first)
    assert not (tmp_path / "fresh").exists()
    dm.prepare_data()
    dm.setup("fit")
    assert (tmp_path / "fresh" / "meta.json").exists()
    assert len(dm.table("train")) == 10


def test_length_buckets_pad_less_than_plain_batches():
    rng = random.Random(0)
    lengths = [rng.randint(20, 1500) for _ in range(2000)]
    bucketed = LengthBucketBatchSampler(lengths, 32, shuffle=True, bucket=True, seed=0).batches()
    plain = LengthBucketBatchSampler(lengths, 32, shuffle=True, bucket=False, seed=0).batches()
    assert sorted(i for b in bucketed for i in b) == list(range(2000))
    assert padding_fraction(lengths, bucketed) < 0.1 < padding_fraction(lengths, plain)


def test_bucketed_order_changes_with_the_epoch_but_not_with_the_run():
    lengths = list(range(500))
    a = LengthBucketBatchSampler(lengths, 16, seed=3)
    b = LengthBucketBatchSampler(lengths, 16, seed=3)
    first = a.batches()
    assert first == b.batches()
    a.set_epoch(1)
    assert a.batches() != first


def test_every_token_scheme_yields_batches(tiny_dir):
    from src.tokens import SCHEMES

    for name in SCHEMES:
        scheme = build_scheme(name)
        dm = LagrangianDataModule(str(tiny_dir), scheme, batch_size=16, eval_splits=["ood_reps"])
        # a no-op unless the scheme's vocabulary comes from the training fields
        scheme.fit(training_field_lists({"datamodule": {"data_dir": str(tiny_dir)}}))
        dm.setup()
        batch = next(iter(dm.test_dataloader()[1]))
        assert batch["labels"].shape[0] == batch["input_ids"].shape[0] > 0, name
        if name == "numeric_u1":
            assert batch["u1_values"].shape == batch["input_ids"].shape


def test_a_scheme_that_needs_fitting_is_fitted_before_setup(tiny_dir):
    from src.data.field_space import ConfigError

    scheme = build_scheme("opaque")
    dm = LagrangianDataModule(str(tiny_dir), scheme, batch_size=8)
    with pytest.raises(ConfigError, match="opaque scheme takes its vocabulary from the training fields"):
        dm.setup("fit")
    fields = training_field_lists({"datamodule": {"data_dir": str(tiny_dir), "limit_train": 5}})
    assert len(fields) == 5
    scheme.fit(training_field_lists({"datamodule": {"data_dir": str(tiny_dir)}}))
    assert scheme.is_fitted
    dm.setup("fit")
    words = {
        w for row in dm.table("train").to_dict("records") for w in scheme.source_tokens(fields_from_row(row))
    }
    assert words <= set(scheme.field_words)


def test_an_eval_split_that_is_no_split_or_was_not_generated_is_named(tiny_dir, tmp_path):
    """A module built by hand (no check_values before it) names the eval split it cannot read."""
    import json
    import shutil

    from src.data.field_space import ConfigError

    with pytest.raises(ConfigError, match="data.datamodule.eval_splits: 'ood_typo' is not a split"):
        LagrangianDataModule(str(tiny_dir), build_scheme("paper"), eval_splits=["ood_typo"]).prepare_data()
    copy = tmp_path / "tiny"  # a complete dataset generated without the ood_reps split
    shutil.copytree(tiny_dir, copy)
    (copy / "ood_reps.parquet").unlink()
    meta = json.loads((copy / "meta.json").read_text())
    meta["files"].remove("ood_reps.parquet")
    del meta["sha256"]["ood_reps.parquet"]
    (copy / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ConfigError, match="ood_reps.parquet was not generated"):
        LagrangianDataModule(str(copy), build_scheme("paper"), eval_splits=["ood_reps"]).prepare_data()

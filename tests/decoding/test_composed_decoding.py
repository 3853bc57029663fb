"""Compositional decoding with a real (tiny, untrained) BART: every entry point decodes through it, identical
sub-lists are decoded once, composed words score like any prediction, and a bad value is refused by name."""

from __future__ import annotations

import pytest
import torch

from src.cli import UserError
from src.data.rows import fields_from_row
from src.decoding import Decoder
from src.decoding.compose import compose_predictions, sublists
from src.evaluate import main, parse_config
from src.models.module import LagrangianBart
from src.physics.models import get_model


@pytest.fixture
def model(tiny_datamodule, tiny_arch):
    torch.manual_seed(0)
    dm = tiny_datamodule
    return LagrangianBart(tiny_arch, vocab_size=dm.scheme.vocab_size, scheme=dm.scheme, max_new_tokens=24)


def test_identical_sub_lists_are_decoded_once_and_every_row_gets_words(model):
    sm = get_model("sm")
    lists = [sm, sm[:4], sm[2:]]  # rows sharing fields share their one-, two- and three-field sub-lists
    preds, cost = compose_predictions(model, model.scheme, lists, [None] * 3, 3, 8, max_new_tokens=24)
    asked = sum(len(sublists(len(f), 3)) for f in lists)
    distinct = {tuple(f[i] for i in s) for f in lists for s in sublists(len(f), 3)}
    assert cost.sublists == asked and cost.decoded == len(distinct) < asked
    assert cost.tokens >= 0 and cost.seconds > 0
    assert all(isinstance(p, list) for p in preds)


def test_decoder_predict_composes_dataset_rows_and_scores_them(model, tiny_datamodule):
    dm = tiny_datamodule
    table = dm.table("ood_fields")
    rows = [table.iloc[i].to_dict() for i in range(3)]
    decoder = Decoder(max_new_tokens=24, compose=2)
    cost: dict = {}
    preds = decoder.predict(model, dm, "ood_fields", rows, [0, 1, 2], 8, cost=cost)
    assert cost["rows"] == 3
    assert cost["sublists"] == sum(len(sublists(len(fields_from_row(r)), 2)) for r in rows)
    results = decoder.score(dm.scheme, rows, preds)
    assert len(results) == 3 and all(0.0 <= r.score.S_lagrangian <= 1.0 for r in results)
    assert not any(r.truncated for r in results)  # a composed answer is not cut by the per-answer limit


def test_a_past_deadline_leaves_composed_rows_undecoded(model, tiny_datamodule):
    dm = tiny_datamodule
    rows = [dm.table("test").iloc[0].to_dict()]
    preds = Decoder(max_new_tokens=24, compose=2).predict(model, dm, "test", rows, [0], 8, deadline=0.0)
    assert preds == [None]


def test_evaluate_reports_the_cost_of_composed_decoding(model, tiny_datamodule, tmp_path, capsys):
    saved = model.save_pretrained(tmp_path / "run" / "best_model")
    args = [f"ckpt={saved}", f"data_dir={tiny_datamodule.data_dir}", f"out_dir={tmp_path / 'eval'}"]
    args += ["splits=[ood_fields]", "limit=2", "decode.max_new_tokens=16", "decode.compose=2", "wandb=false"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert '"how": "greedy, composed from sub-lists of at most 2 fields"' in out
    assert '"sublists"' in out and '"seconds_per_row"' in out


@pytest.mark.parametrize(
    ("value", "message"),
    [("5", "decode.compose=5"), ("-1", "decode.compose=-1"), ("true", "decode.compose")],
)
def test_a_compose_value_no_decoding_can_use_is_refused_by_name(value, message):
    with pytest.raises(UserError, match=message):
        parse_config(["ckpt=x", f"decode.compose={value}"])


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("decode.write_threshold=0", "decode.write_threshold=0.0: null"),
        ("decode.write_threshold=1.5", "decode.write_threshold=1.5: null"),
        (
            "decode.num_beams=2 decode.write_threshold=0.2",
            "decode.write_threshold needs greedy lean decoding",
        ),
    ],
)
def test_a_write_threshold_no_decoding_can_use_is_refused_by_name(override, message):
    with pytest.raises(UserError, match=message):
        parse_config(["ckpt=x", *override.split()])


def test_a_write_threshold_reaches_every_sub_list_answer(model):
    """An untrained model made to answer [EOS] first (its EOS bias raised): the plain argmax leaves every
    sub-list empty; with a threshold below every sub-list's P(write), none is."""
    eos = model.ids.eos
    with torch.no_grad():
        model.model.final_logits_bias[0, eos] = 6.0
        for special in (model.ids.pad, model.ids.decoder_start):  # words the scheme does not read back
            model.model.final_logits_bias[0, special] = -50.0
    sm = get_model("sm")
    plain, _ = compose_predictions(model, model.scheme, [sm[:3]], [None], 2, 8, max_new_tokens=8)
    forced, cost = compose_predictions(
        model, model.scheme, [sm[:3]], [None], 2, 8, max_new_tokens=8, write_threshold=1e-6
    )
    assert plain == [[]]  # nothing written anywhere
    assert cost.tokens >= cost.decoded  # every decoded sub-list wrote at least one word

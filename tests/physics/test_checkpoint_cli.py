"""``python -m src.lagrangian FIELDS --checkpoint PATH``: a tiny trained model beside the oracle, and the
one-line errors for checkpoints that are missing or corrupt."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import torch

from src.config.model import model_preset
from src.lagrangian import main
from src.physics.lagrangian import build_lagrangian
from src.tokens import build_scheme
from src.tokens.stats import random_fields

CONF_DIR = Path(__file__).resolve().parents[2] / "conf"
FIELDS = "H: S(1,2,1/2); e: R(1,1,-1)"


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> Path:
    """A run folder with ``best_model/`` and ``checkpoints/last.ckpt`` of the tiny model after 3 steps on 8
    oracle Lagrangians (enough to exercise loading and generation; the answers are not expected right)."""
    import lightning as L
    from torch.utils.data import DataLoader

    from src.models.module import LagrangianBart

    torch.manual_seed(0)
    scheme = build_scheme("paper")
    rng = random.Random(0)
    lags = [build_lagrangian(random_fields(rng, 1 + k % 2)) for k in range(8)]
    examples = [scheme.encode(lag.fields, lag, random.Random(k)) for k, lag in enumerate(lags)]
    loader = DataLoader(examples, batch_size=4, collate_fn=scheme.collate)
    arch = model_preset("tiny")
    model = LagrangianBart(arch, vocab_size=scheme.vocab_size, scheme=scheme, max_new_tokens=24)
    trainer = L.Trainer(
        max_steps=3,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        accelerator="cpu",
    )
    trainer.fit(model, train_dataloaders=loader)
    run = tmp_path_factory.mktemp("cli_run")
    trainer.save_checkpoint(run / "checkpoints" / "last.ckpt")
    model.save_pretrained(run / "best_model")
    return run


def _run(capsys, *argv):
    rc = main([str(a) for a in argv])
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_text_shows_the_oracle_lagrangian_and_a_diff_covering_every_term(tiny_run, capsys):
    rc, out, err = _run(capsys, FIELDS, "--checkpoint", tiny_run / "best_model", "--max-new-tokens", 24)
    assert rc == 0, err
    oracle = build_lagrangian_of(FIELDS)
    assert f"Total: {len(oracle.terms)} terms" in out
    head, _, diff = out.partition("against the oracle")
    lines = diff.splitlines()[1:]
    assert lines[0].startswith("S_lagrangian=")
    # every oracle term is either matched (=) or missing (-)
    assert sum(line[:2] in ("= ", "- ") for line in lines[1:]) == len(oracle.terms)


def test_json_lists_both_lagrangians_and_a_consistent_diff(tiny_run, capsys):
    rc, out, err = _run(capsys, FIELDS, "--checkpoint", tiny_run / "best_model", "--format", "json")
    assert rc == 0, err
    data = json.loads(out)
    n_oracle = len(build_lagrangian_of(FIELDS).terms)
    assert data["n_oracle_terms"] == len(data["oracle"]) == n_oracle
    assert len(data["matched"]) + len(data["missing"]) == n_oracle
    assert len(data["matched"]) + len(data["extra"]) == data["n_model_terms"]
    assert set(data["scores"]) == {"S_lagrangian", "S_contraction", "P_length", "S_object", "perfect"}
    assert 0.0 <= data["scores"]["S_lagrangian"] <= 1.0
    assert all(set(d) == {"term", "kind", "reason"} for d in data["invalid"])
    assert [f["name"] for f in data["fields"]] == ["H", "e"]


def test_a_lightning_ckpt_predicts_what_its_exported_model_predicts(tiny_run, capsys):
    outs = []
    for path in (tiny_run / "best_model", tiny_run / "checkpoints" / "last.ckpt"):
        rc, out, err = _run(capsys, FIELDS, "--checkpoint", path, "--format", "json", "--max-new-tokens", 16)
        assert rc == 0, err
        outs.append(json.loads(out))
    assert outs[0]["model"] == outs[1]["model"] and outs[0]["scores"] == outs[1]["scores"]


def test_beam_search_is_accepted(tiny_run, capsys):
    argv = [FIELDS, "--checkpoint", tiny_run / "best_model", "--format", "json", "--max-new-tokens", 8]
    rc, out, err = _run(capsys, *argv, "--num-beams", 2)
    assert rc == 0, err
    assert json.loads(out)["n_oracle_terms"] > 0


def test_composed_and_direct_decoding_each_say_how_they_decoded_and_what_it_took(tiny_run, capsys):
    base = [FIELDS, "--checkpoint", tiny_run / "best_model", "--max-new-tokens", 8]
    rc, out, err = _run(capsys, *base, "--compose", 2)
    assert rc == 0, err
    assert out.splitlines()[-1].startswith("decoding (greedy, composed from sub-lists of at most 2 fields): ")
    assert out.splitlines()[-1].endswith(", 3 sub-lists")  # H, e and (H, e)
    rc, out, err = _run(capsys, *base, "--compose", 0, "--format", "json")
    assert rc == 0, err
    decoding = json.loads(out)["decoding"]
    assert decoding["how"] == "greedy" and decoding["seconds"] > 0 and "decoded" not in decoding


def _corrupt_folder(tmp_path: Path, tiny_run: Path) -> Path:
    folder = tmp_path / "broken_model"
    folder.mkdir()
    (folder / "lagrangian_bart.json").write_text("{ not json")
    return folder


def _corrupt_ckpt(tmp_path: Path, tiny_run: Path) -> Path:
    # beside the run's best_model (so the tokenizer is found) but not a checkpoint
    path = tiny_run / "checkpoints" / "garbage.ckpt"
    path.write_bytes(b"\x00not a torch checkpoint" * 10)
    return path


@pytest.mark.parametrize(
    "make, extra, message",
    [
        (lambda tmp, run: tmp / "nowhere", [], "does not exist"),
        (_corrupt_folder, [], "--checkpoint: cannot load"),
        (_corrupt_ckpt, [], "--checkpoint: cannot load"),
        (lambda tmp, run: run / "best_model", ["--format", "latex"], "text or json"),
        (lambda tmp, run: run / "best_model", ["--num-beams", "0"], "--num-beams=0 must be an integer >= 1"),
        (lambda tmp, run: run / "best_model", ["--compose", "5"], "--compose=5: 0 (decode the whole list)"),
    ],
    ids=["missing", "corrupt-folder", "corrupt-ckpt", "latex", "zero-beams", "compose-5"],
)
def test_bad_checkpoints_exit_2_with_one_line(tiny_run, tmp_path, capsys, make, extra, message):
    rc, out, err = _run(capsys, FIELDS, "--checkpoint", make(tmp_path, tiny_run), *extra)
    assert rc == 2 and out == ""
    assert err.startswith("error:") and err.strip().count("\n") == 0 and message in err


def build_lagrangian_of(text: str):
    from src.tokens.paper import parse_fields

    return build_lagrangian(parse_fields(text))


@pytest.mark.parametrize(("max_fields", "expected"), [(1, 1), (2, 2), (6, 3), (None, 3)])
def test_compose_defaults_to_the_most_fields_the_model_trained_on_up_to_3(tmp_path, max_fields, expected):
    from src.lagrangian import default_compose

    run = tmp_path / "run"
    (run / "best_model").mkdir(parents=True)
    if max_fields is not None:
        (run / "run_info.json").write_text(json.dumps({"config": {"data": {"max_fields": max_fields}}}))
    assert default_compose(str(run / "best_model")) == expected
    assert default_compose(str(tmp_path / "elsewhere" / "model")) == 3


def test_compose_defaults_to_the_runs_own_composition_when_it_decoded_composed(tmp_path):
    from src.lagrangian import default_compose

    run = tmp_path / "run"
    (run / "best_model").mkdir(parents=True)
    config = {"data": {"max_fields": 6}, "decode": {"compose": 4}}  # a model trained on sub-lists of 1-4
    (run / "run_info.json").write_text(json.dumps({"config": config}))
    assert default_compose(str(run / "best_model")) == 4
    config["decode"]["compose"] = 0  # trained to write whole Lagrangians: its training lists decide
    (run / "run_info.json").write_text(json.dumps({"config": config}))
    assert default_compose(str(run / "best_model")) == 3

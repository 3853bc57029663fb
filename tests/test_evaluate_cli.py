"""``python -m src.evaluate`` on a tiny saved model and the tiny dataset: files, tables, user errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import torch

from src.cli import UserError
from src.evaluate import main, markdown_table, parse_config
from src.models.module import LagrangianBart

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def saved_model(tiny_datamodule, tiny_arch, tmp_path):
    torch.manual_seed(0)
    dm = tiny_datamodule
    model = LagrangianBart(tiny_arch, vocab_size=dm.scheme.vocab_size, scheme=dm.scheme, max_new_tokens=32)
    return model.save_pretrained(tmp_path / "run" / "best_model")


def test_evaluate_writes_predictions_summary_and_markdown(saved_model, tiny_datamodule, tmp_path, capsys):
    out = tmp_path / "eval"
    args = [f"ckpt={saved_model}", f"data_dir={tiny_datamodule.data_dir}", f"out_dir={out}"]
    args += [
        "splits=[test,ood_fields]",
        "limit=3",
        "decode.max_new_tokens=16",
        "decode.verified=true",
        "wandb=false",
    ]
    assert main(args) == 0
    preds = pd.read_parquet(out / "predictions.parquet")
    assert len(preds) == 6 and set(preds["split"]) == {"test", "ood_fields"}
    assert {"S_lagrangian", "verified/S_lagrangian", "missing", "extra", "invalid"} <= set(preds.columns)
    summary = pd.read_csv(out / "summary.csv")
    alls = summary[summary["n_fields"] == "all"]
    assert list(alls["split"]) == ["test", "ood_fields"] and list(alls["n"]) == [3, 3]
    md = (out / "summary.md").read_text()
    assert "| test |" in md and "| ood_fields |" in md and "verified" in md
    assert '"summary.md"' not in capsys.readouterr().err


def test_markdown_table_is_split_by_field_count():
    summary = [
        {"split": "test", "n_fields": "1", "S_lagrangian": 1.0},
        {"split": "test", "n_fields": "2", "S_lagrangian": 0.5},
        {"split": "test", "n_fields": "all", "S_lagrangian": 0.75},
        {"split": "ood", "n_fields": "7", "S_lagrangian": 0.25},
        {"split": "ood", "n_fields": "all", "S_lagrangian": 0.25},
    ]
    lines = markdown_table(summary, "S_lagrangian").splitlines()
    assert lines[0] == "| split | nf=1 | nf=2 | nf=7 | all |"
    assert lines[2] == "| test | 1.000 | 0.500 |  | 0.750 |"
    assert lines[3] == "| ood |  |  | 0.250 | 0.250 |"


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "ckpt"),
        (["ckpt=x", "decode.num_beams=zero"], "num_beams"),
        (["ckpt=x", "nonsense=1"], "nonsense"),
        (["ckpt=x", "batch_size=0"], "batch_size"),
        (["ckpt"], "missing EQUAL"),
        (["ckpt=x", "limit=0"], "limit"),
        (["ckpt=x", "decode.engine=fast"], "decode.engine"),
    ],
)
def test_bad_command_lines_are_refused(args, message):
    with pytest.raises(UserError, match=message):
        parse_config(args)


@pytest.mark.slow  # two interpreter start-ups with torch: about 10 s here
def test_cli_user_errors_exit_2_with_one_line(tmp_path, saved_model):
    cases = [
        [f"ckpt={tmp_path / 'nowhere'}"],
        [f"ckpt={saved_model}", f"data_dir={tmp_path}", "wandb=false"],  # no split files there
    ]
    for args in cases:
        out = subprocess.run(
            [sys.executable, "-m", "src.evaluate", *args], cwd=ROOT, capture_output=True, text=True
        )
        assert out.returncode == 2, out.stderr
        assert out.stderr.startswith("error:") and out.stderr.strip().count("\n") == 0


def test_an_output_folder_that_cannot_be_written_is_refused_before_decoding(
    saved_model, tiny_datamodule, tmp_path, capsys, monkeypatch
):
    import src.evaluate as evaluate_module

    (tmp_path / "f").write_text("x")
    decoded = []
    monkeypatch.setattr(evaluate_module, "evaluate_split", lambda *a, **k: decoded.append(a) or [])
    args = [
        f"ckpt={saved_model}",
        f"data_dir={tiny_datamodule.data_dir}",
        f"out_dir={tmp_path / 'f' / 'eval'}",
    ]
    assert main([*args, "wandb=false"]) == 2
    err = capsys.readouterr().err
    assert "out_dir=" in err and "is a file, not a folder" in err and err.strip().count("\n") == 0
    assert not decoded  # refused before any row was decoded


def test_a_model_outside_a_run_needs_data_dir(saved_model, capsys):
    assert main([f"ckpt={saved_model}"]) == 2
    assert "pass data_dir=DIR" in capsys.readouterr().err


def test_evaluation_is_logged_to_an_offline_wandb_run(saved_model, tiny_datamodule, tmp_path, capsys):
    out = tmp_path / "eval"
    args = [f"ckpt={saved_model}", f"data_dir={tiny_datamodule.data_dir}", f"out_dir={out}", "limit=2"]
    assert main([*args, "decode.max_new_tokens=8", "wandb=true"]) == 0
    result = json.loads(capsys.readouterr().out)
    run_folder = Path(result["wandb"])
    assert run_folder.is_dir() and run_folder.name.startswith("offline-run-")
    assert list(run_folder.rglob("eval/summary*.table.json"))


def test_a_lightning_checkpoint_is_evaluated_with_the_runs_tokenizer(
    tiny_datamodule, tiny_arch, tmp_path, capsys
):
    import lightning as L

    torch.manual_seed(0)
    dm = tiny_datamodule
    model = LagrangianBart(tiny_arch, vocab_size=dm.scheme.vocab_size, scheme=dm.scheme, max_new_tokens=8)
    trainer = L.Trainer(
        max_steps=1,
        limit_train_batches=1,
        limit_val_batches=0,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    dm.setup("fit")
    trainer.fit(model, datamodule=dm)
    ckpt = tmp_path / "run" / "checkpoints" / "last.ckpt"
    trainer.save_checkpoint(ckpt)
    model.save_pretrained(tmp_path / "run" / "best_model")
    args = [
        f"ckpt={ckpt}",
        f"data_dir={dm.data_dir}",
        "limit=2",
        "wandb=false",
        f"out_dir={tmp_path / 'eval'}",
    ]
    assert main(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["all"]["test"]["n"] == 2


def test_comparison_with_the_oracle_lists_every_term(tiny_datamodule, tiny_arch):
    from eval_helpers import OracleAnswers

    from src.decoding import compare_with_oracle
    from src.tokens.paper import parse_fields

    dm = tiny_datamodule
    model = OracleAnswers(tiny_arch, vocab_size=dm.scheme.vocab_size, scheme=dm.scheme)
    fields = parse_fields("H: S(1,2,1/2); e: R(1,1,-1)")
    result, text = compare_with_oracle(model, fields)
    lines = text.splitlines()
    assert result.score.perfect and lines[0].startswith("S_lagrangian=1.000")
    assert len(lines) == 1 + result.score.n_true and all(line.startswith("= ") for line in lines[1:])


def _broken_copy(saved_model: Path, tmp_path: Path, how: str) -> Path:
    import shutil

    run = tmp_path / "broken_run"
    folder = run / "best_model"
    shutil.copytree(saved_model, folder)
    if how == "empty folder":
        empty = tmp_path / "empty"
        empty.mkdir()
        return empty
    if how == "broken lagrangian_bart.json":
        (folder / "lagrangian_bart.json").write_text("{ not json")
    elif how == "truncated model.safetensors":
        weights = folder / "model.safetensors"
        weights.write_bytes(weights.read_bytes()[:100])
    elif how == "missing scheme.json":
        (folder / "scheme.json").unlink()
    elif how == "truncated last.ckpt":
        ckpt = run / "checkpoints" / "last.ckpt"
        ckpt.parent.mkdir()
        ckpt.write_bytes(b"PK\x03\x04 truncated")
        return ckpt
    return folder


@pytest.mark.parametrize(
    "how, message",
    [
        ("empty folder", "is a folder without lagrangian_bart.json"),
        ("broken lagrangian_bart.json", "cannot load"),
        ("truncated model.safetensors", "cannot load"),
        ("missing scheme.json", "cannot load"),
        ("truncated last.ckpt", "cannot load"),
    ],
)
def test_a_model_that_cannot_be_read_is_one_line_naming_it(
    saved_model, tiny_datamodule, tmp_path, capsys, how, message
):
    path = _broken_copy(saved_model, tmp_path, how)
    assert main([f"ckpt={path}", f"data_dir={tiny_datamodule.data_dir}", "wandb=false"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ckpt: ") and str(path) in err and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.slow  # one interpreter start-up with torch and Hydra
def test_a_multirun_evaluates_each_checkpoint_in_its_run(tiny_datamodule, tiny_arch, tmp_path):
    torch.manual_seed(0)
    dm = tiny_datamodule
    ckpts = []
    for name in ("a", "b"):
        model = LagrangianBart(tiny_arch, vocab_size=dm.scheme.vocab_size, scheme=dm.scheme, max_new_tokens=8)
        ckpts.append(model.save_pretrained(tmp_path / name / "best_model"))
    args = [f"ckpt={ckpts[0]},{ckpts[1]}", f"data_dir={dm.data_dir}", "splits=[test]", "limit=2"]
    args += ["decode.max_new_tokens=8", "wandb=false", f"hydra.sweep.dir={tmp_path / 'sweep'}"]
    out = subprocess.run(
        [sys.executable, "-m", "src.evaluate", "-m", *args], cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    for name in ("a", "b"):
        summaries = list((tmp_path / name / "eval").glob("*/summary.csv"))
        assert len(summaries) == 1
        assert list(pd.read_csv(summaries[0])["n"])[-1] == 2


def _released_folder(path: Path, tiny_arch: dict, vocab: dict | None = None) -> Path:
    """A plain Hugging Face BART folder with a word-level tokenizer.json: the paper's published layout."""
    from transformers import BartConfig, BartForConditionalGeneration

    from src.tokens import build_scheme

    scheme = build_scheme("paper")
    geometry = {k: v for k, v in tiny_arch.items() if k not in ("name", "norm")}
    torch.manual_seed(0)
    model = BartForConditionalGeneration(BartConfig(vocab_size=scheme.vocab_size, **geometry))
    model.save_pretrained(path)
    scheme.tokenizer.save_pretrained(str(path))
    if vocab is not None:
        tok = json.loads((path / "tokenizer.json").read_text())
        tok["model"]["vocab"] = vocab
        (path / "tokenizer.json").write_text(json.dumps(tok))
    return path


def test_a_model_in_the_papers_released_layout_is_evaluated(tiny_datamodule, tiny_arch, tmp_path, capsys):
    from transformers import BartForConditionalGeneration

    folder = _released_folder(tmp_path / "BART-Lagrangian", tiny_arch)
    assert not (folder / "lagrangian_bart.json").exists() and not (folder / "scheme.json").exists()
    model = LagrangianBart.load(folder)
    assert model.scheme.name == "paper" and model.scheme.vocab_size == 41
    plain = BartForConditionalGeneration.from_pretrained(folder)
    weight = plain.model.shared.weight
    assert torch.equal(model.model.model.shared.weight, weight)  # the folder's weights, not a fresh model
    args = [f"ckpt={folder}", f"data_dir={tiny_datamodule.data_dir}", "splits=[test]", "limit=2"]
    assert main([*args, "decode.max_new_tokens=8", "wandb=false", f"out_dir={tmp_path / 'eval'}"]) == 0
    assert json.loads(capsys.readouterr().out)["all"]["test"]["n"] == 2


def test_a_released_folder_with_another_vocabulary_is_refused_by_word(
    tiny_datamodule, tiny_arch, tmp_path, capsys
):
    from src.tokens import build_scheme

    vocab = dict(build_scheme("paper").tokenizer.get_vocab())
    vocab["SU3"], vocab["SU2"] = vocab["SU2"], vocab["SU3"]
    folder = _released_folder(tmp_path / "other", tiny_arch, vocab)
    args = [f"ckpt={folder}", f"data_dir={tiny_datamodule.data_dir}", "wandb=false"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not the paper's 41-word vocabulary" in err and "'SU2'" in err


def test_the_evaluation_summary_and_the_probes_metrics_agree_on_the_same_answers(tiny_datamodule):
    """One definition of the validity and truncation rates: ``src.evaluate``'s table (from records) and the
    probe's / final scores' metrics (from results) give the same numbers for the same answers."""
    from src.data.rows import fields_from_row
    from src.decoding import Decoder
    from src.decoding.engine import summarize
    from src.evaluate import example_record, summary_rows
    from src.physics.lagrangian import build_lagrangian

    dm = tiny_datamodule
    rows = dm.table("train").head(6).to_dict("records")
    fields = [fields_from_row(r) for r in rows]
    answers = [dm.scheme.decode(dm.scheme.encode(f, build_lagrangian(f))["labels"]) for f in fields]
    answers[1] = answers[1][: len(answers[1]) // 2]  # cut: truncated, its last term unreadable
    answers[2] = ["[SOS]", "[EOS]"]  # nothing written
    results = Decoder(max_new_tokens=600).score(dm.scheme, rows, answers)
    records = [example_record("val", i, r, p, None) for i, (r, p) in enumerate(zip(rows, results))]
    table = next(s for s in summary_rows(records) if s["n_fields"] == "all")
    metrics = summarize(results, [int(r["n_fields"]) for r in rows], "val")
    assert table["truncated_rate"] == metrics["val/truncated_rate"] > 0
    assert table["validity_rate"] == pytest.approx(metrics["val/validity_rate"])
    assert table["validity_rate"] < 1


def test_a_runs_relative_data_dir_is_found_from_anywhere(tmp_path, monkeypatch):
    """A run started in PROJECT records data_dir ./outputs/data/x; evaluated from another folder, its
    checkpoint still finds PROJECT/outputs/data/x."""
    from src.evaluate import default_data_dir

    run = tmp_path / "project" / "outputs" / "runs" / "task" / "2026-12-07_10-00-00"
    (run / "best_model").mkdir(parents=True)
    data = {"datamodule": {"data_dir": "./outputs/data/x"}}
    config = {"paths": {"runs_dir": "./outputs/runs"}, "data": data}
    (run / "run_info.json").write_text(json.dumps({"config": config}))
    (tmp_path / "project" / "outputs" / "data" / "x").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    assert default_data_dir(run / "best_model") == tmp_path / "project" / "outputs" / "data" / "x"

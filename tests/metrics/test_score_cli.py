"""``python -m src.score`` run for real (subprocess with the project's interpreter)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from metric_examples import CROSSED, DIAGONAL, FERMION_MASS, HIGGS, SINGLET, SU3_QUARTIC, rewrite

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "src.score", *map(str, args)], cwd=ROOT, capture_output=True, text=True
    )


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines))
    return path


def test_permuted_copy_scores_one(tmp_path):
    targets = [HIGGS, SINGLET, SU3_QUARTIC]
    rng = random.Random(7)
    preds = [f"[SOS] {rewrite(t, rng)} [EOS]" for t in targets]
    out = _run(_write(tmp_path / "t.txt", targets), _write(tmp_path / "p.txt", preds))
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    expected = {"S_lagrangian": 1.0, "S_contraction": 1.0, "P_length": 0.0, "S_object": 1.0, "perfect": 1.0}
    assert {k: result[k] for k in expected} == expected
    assert result["n"] == 3


def test_by_line_reports_every_line(tmp_path):
    targets = [SINGLET, HIGGS]
    preds = [SINGLET, f"{HIGGS} {FERMION_MASS}"]
    out = _run(_write(tmp_path / "t.txt", targets), _write(tmp_path / "p.txt", preds), "--by-line")
    result = json.loads(out.stdout)
    assert [line["S_lagrangian"] for line in result["by_line"]] == [1.0, 1 - 1 / 6]
    assert result["S_lagrangian"] == pytest.approx((1.0 + 1 - 1 / 6) / 2)


def test_missing_file_exits_2_with_one_line(tmp_path):
    t = _write(tmp_path / "t.txt", [HIGGS])
    out = _run(t, tmp_path / "nope.txt")
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "PREDICTIONS file not found" in out.stderr
    assert out.stdout == ""


def test_different_line_counts_exit_2_with_one_line(tmp_path):
    out = _run(_write(tmp_path / "t.txt", [HIGGS, SINGLET]), _write(tmp_path / "p.txt", [HIGGS]))
    assert out.returncode == 2
    assert out.stderr.strip() == "error: TARGETS has 2 lines but PREDICTIONS has 1"


def test_empty_target_line_and_bad_arguments_exit_2(tmp_path):
    out = _run(_write(tmp_path / "t.txt", [HIGGS, ""]), _write(tmp_path / "p.txt", [HIGGS, HIGGS]))
    assert (out.returncode, out.stderr.strip()) == (2, "error: line 2 of TARGETS is empty")
    out = _run(tmp_path / "t.txt")
    assert out.returncode == 2 and out.stderr.strip().count("\n") == 0


def test_exact_matching_is_selectable(tmp_path, capsys):
    from src.score import main

    t, p = _write(tmp_path / "t.txt", [DIAGONAL]), _write(tmp_path / "p.txt", [CROSSED])
    assert main([str(t), str(p)]) == 0
    assert json.loads(capsys.readouterr().out)["S_lagrangian"] == 1.0
    assert main([str(t), str(p), "--matching", "exact"]) == 0
    assert json.loads(capsys.readouterr().out)["S_lagrangian"] == 0.0
    assert main([str(t), str(p), "--matching", "fuzzy"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("the Higgs Lagrangian", "term 1 does not start with a sign"),
        ("\x00\x00", "term 1 does not start with a sign"),
        ("+ FIELD SPIN 0 ID1 FIELD SPIN 0 DAGGER CONTRACTIONS", "term 1 object"),
    ],
)
def test_a_target_that_is_not_a_lagrangian_is_named_by_its_line(tmp_path, capsys, line, problem):
    from src.score import main

    t = tmp_path / "t.txt"
    t.write_text(f"{HIGGS}\n{line}\n")
    p = _write(tmp_path / "p.txt", [HIGGS, line])
    assert main([str(t), str(p)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: line 2 of TARGETS is not a Lagrangian: " + problem) and err.count("\n") == 1


def test_a_byte_order_mark_does_not_change_the_score(tmp_path, capsys):
    from src.score import main

    t = tmp_path / "t.txt"
    t.write_text(f"\ufeff{HIGGS}\n", encoding="utf-8")
    p = tmp_path / "p.txt"
    p.write_text(f"\ufeff{HIGGS}\n", encoding="utf-8")
    assert main([str(t), str(p)]) == 0
    assert json.loads(capsys.readouterr().out)["perfect"] == 1.0


def _split(path: Path, field_lists: list[str], basis: str) -> Path:
    """A dataset split as src.generate writes its rows (src.data.rows.make_row), in Parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from src.data.rows import make_row
    from src.physics.lagrangian import build_lagrangian
    from src.tokens.paper import parse_fields

    rows = []
    for i, text in enumerate(field_lists):
        fields = parse_fields(text)
        rows.append(make_row(i, fields, build_lagrangian(fields, basis), random.Random(i)))
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def test_two_dataset_splits_are_joined_on_their_field_lists(tmp_path):
    # the paper's convention writes a second (vanishing) quartic for the Higgs alone; the singlet agrees
    lists = ["H: S(1,2,1/2)", "S: S(1,1,0)", "X: S(3,1,0)"]
    independent = _split(tmp_path / "a.parquet", lists, "independent")
    paper = _split(tmp_path / "b.parquet", ["S: S(1,1,0)", "H: S(1,2,1/2)"], "paper")
    out = _run(independent, paper, "--by-line")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["n"] == 2 and result["joined_on"] == "key"
    assert result["unmatched_targets"] == 1 and result["unmatched_predictions"] == 0
    higgs, singlet = result["by_line"]
    assert singlet["perfect"] == 1.0
    assert higgs["n_pred"] == higgs["n_true"] + 1 and higgs["perfect"] == 0.0


def test_a_parquet_file_that_is_not_a_split_is_one_line(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"x": [1]}), tmp_path / "x.parquet")
    (tmp_path / "bad.parquet").write_bytes(b"not parquet")
    for name, words in (("x.parquet", "has no key or lagrangian column"), ("bad.parquet", "not a readable")):
        out = _run(tmp_path / name, tmp_path / name)
        assert out.returncode == 2 and out.stderr.count("\n") == 1 and words in out.stderr, out.stderr

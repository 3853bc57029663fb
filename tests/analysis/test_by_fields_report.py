"""Accuracy against the number of fields over seeds (RESULTS.md): compose_eval reports in, a table of mean
[min, max] per field count and a figure out; bad arguments are one line and exit code 2."""

import json

import pytest

from src.analysis.by_fields import combine, main, perfect_by_fields


def _report(test: dict, ood: dict, registry_ok: int, direct_test: dict | None = None) -> dict:
    models = {f"m{k}": k < registry_ok for k in range(12)}
    composed = "composed k=4"
    splits = {
        "test": {composed: {"perfect_by_fields": {str(n): v for n, v in test.items()}}},
        "ood_fields": {composed: {"perfect_by_fields": {str(n): v for n, v in ood.items()}}},
        "benchmarks": {composed: {"models": models}},
    }
    if direct_test is not None:
        splits["test"]["direct"] = {"perfect_by_fields": {str(n): v for n, v in direct_test.items()}}
    return {"compose": 4, "splits": splits}


def test_field_counts_of_test_and_ood_fields_share_one_axis():
    report = _report({1: 1.0, 6: 0.5}, {7: 0.25, 10: 0.0}, 3, direct_test={1: 1.0, 6: 0.0})
    by = perfect_by_fields(report)
    assert by["composed"] == {1: 1.0, 6: 0.5, 7: 0.25, 10: 0.0}
    assert by["direct"] == {1: 1.0, 6: 0.0}


def test_seeds_give_mean_min_and_max_per_field_count(tmp_path):
    a = tmp_path / "s0.json"
    b = tmp_path / "s1.json"
    a.write_text(json.dumps(_report({3: 0.8}, {8: 0.5}, 10)))
    b.write_text(json.dumps(_report({3: 0.6}, {8: 0.7}, 8)))
    assert main(["--report", f"sub={a},{b}", "--report", f"one={a}", "--out", str(tmp_path / "out")]) == 0
    md = (tmp_path / "out" / "by_fields.md").read_text()
    assert "| sub | composed | 2 | 70.0 [60.0, 80.0] | 60.0 [50.0, 70.0] | 9.0 of 12 [8, 10] |" in md
    assert "| one | composed | 1 (anecdote) | 80.0 | 50.0 | 10.0 of 12 |" in md
    assert (tmp_path / "out" / "by_fields.png").stat().st_size > 1000
    lines = combine({"sub": [json.loads(a.read_text()), json.loads(b.read_text())]})
    assert lines[("sub", "composed")]["by_n"] == {3: [0.8, 0.6], 8: [0.5, 0.7]}


@pytest.mark.parametrize("arg", ["noequals", "x=missing.json"])
def test_a_bad_report_argument_is_one_line_and_exit_2(tmp_path, capsys, arg):
    assert main(["--report", arg, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: --report")

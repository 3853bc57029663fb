"""PERFORMANCE.md's tables: each row sets our figure beside its anchor; > 1 means ours is faster."""

from __future__ import annotations

import math

from src.bench import report
from src.bench.__main__ import main as bench_main


def test_the_ratio_is_above_one_when_ours_is_faster_for_rates_and_for_times():
    rate = report.Row("x", "rate", 300.0, "anchor", 100.0, "tokens/s")
    time = report.Row("x", "time", 2.0, "anchor", 6.0, "s", higher_is_better=False)
    slower = report.Row("x", "time", 6.0, "anchor", 2.0, "s", higher_is_better=False)
    assert rate.ratio == 3.0 and time.ratio == 3.0 and math.isclose(slower.ratio, 1 / 3)
    assert report.Row("x", "not run", 1.0, "AutoEFT", None, "s").ratio is None
    assert report.Row("x", "nan", float("nan"), "a", 1.0, "s").ratio is None


def test_markdown_has_a_row_per_comparison_with_both_figures_and_the_ratio():
    rows = [
        report.Row("oracle", "100 lists", 2461.0, "basisgen 1.0.4", 12.5, "Lagrangians/s", note="same count"),
        report.Row("oracle", "100 lists", None, "AutoEFT", None, "Lagrangians/s", note="not installed"),
        report.Row("decode", "padding", 0.026, "unbucketed", 0.5, "fraction", higher_is_better=False),
    ]
    lines = report.markdown(rows)
    assert lines[0].startswith("| measure | unit | ours | anchor |") and len(lines) == 2 + len(rows)
    assert lines[2] == "| 100 lists | Lagrangians/s | 2,461 | basisgen 1.0.4 | 12.50 | 196.88× | same count |"
    assert lines[3] == "| 100 lists | Lagrangians/s | – | AutoEFT | – | – | not installed |"
    assert "| 2.6% | unbucketed | 50.0% | 19.23× |" in lines[4]


def test_a_benchmark_adds_its_rows_for_the_report(capsys):
    report.take()
    assert bench_main(["score", "--sizes", "0.005,0.02"]) == 0
    rows = report.take()
    assert [r.stage for r in rows] == ["score"] and rows[0].anchor_value > 0 and rows[0].ours > 0
    assert "S_lagrangian 1.000" in rows[0].note
    assert report.take() == []


def test_the_report_holds_each_benchmarks_table_and_its_own_output(tmp_path, capsys):
    from src.bench.__main__ import run_all

    out = tmp_path / "PERFORMANCE.md"
    assert run_all(str(out), {"score": ["--sizes", "0.005,0.02"]}, names=("score",)) == 0
    text = out.read_text()
    assert "## score" in text and "`python -m src.bench score`" in text and "- machine: " in text
    table = text.split("## score", 1)[1].split("## The benchmarks' own output", 1)[0]
    assert sum(line.startswith("|") for line in table.splitlines()) >= 3  # header, rule, a measured row
    printed = capsys.readouterr().out  # what the benchmark printed reached the terminal and the report
    own = text.split("<summary>score</summary>", 1)[1]
    lines = [line for line in printed.splitlines() if line.strip() and not line.startswith(("===", "wrote "))]
    assert lines[0] in own and lines[-1] in own

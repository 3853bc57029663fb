"""The run-comparison report behind RESULTS.md: tables by number of fields and the two figures."""

import json

import pandas as pd

from src.analysis.runs import load_run, main, score_table


def _write_run(folder, s1, s2, steps):
    folder.mkdir(parents=True)
    results = {
        "validation": {"final/val/S_lagrangian": (s1 + s2) / 2, "final/val/S_lagrangian/nf=1": s1},
        "test": {
            "final/test/S_lagrangian": (s1 + s2) / 2,
            "final/test/S_lagrangian/nf=1": s1,
            "final/test/S_lagrangian/nf=2": s2,
            "final/test/perfect": 0.5,
            "test/loss": 1.0,
        },
        "global_step": steps,
        "wandb_run_folder": "outputs/wandb/offline-run-x",
    }
    (folder / "results.json").write_text(json.dumps(results))
    (folder / "csv").mkdir()
    pd.DataFrame({"step": [10, 20, 30], "val/S_lagrangian": [0.1, None, 0.3]}).to_csv(
        folder / "csv" / "metrics.csv", index=False
    )


def test_score_table_has_one_column_per_field_count_and_all(tmp_path):
    _write_run(tmp_path / "a" / "run", 0.5, 0.25, 100)
    run = load_run(tmp_path / "a" / "run", "a")
    table = score_table([run], "test")
    assert list(table.columns) == ["1", "2", "all"]
    assert table.loc["a", "2"] == 0.25
    assert run.steps == 100
    assert list(run.history["step"]) == [10, 30]  # only rows where the score was logged


def test_report_writes_markdown_and_figures(tmp_path):
    _write_run(tmp_path / "a", 0.5, 0.25, 100)
    _write_run(tmp_path / "b", 0.9, 0.7, 100)
    out = tmp_path / "report"
    assert main([str(tmp_path / "a"), str(tmp_path / "b"), "--labels", "a,b", "--out", str(out)]) == 0
    text = (out / "runs.md").read_text()
    assert "| b | 0.900 | 0.700 | 0.800 |" in text
    assert (out / "score_vs_fields.png").stat().st_size > 1000
    assert (out / "score_vs_steps.png").stat().st_size > 1000


def test_report_on_unfinished_run_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "x").mkdir()
    assert main([str(tmp_path / "x"), "--out", str(tmp_path / "o")]) == 2
    assert "has no results.json" in capsys.readouterr().err


def test_history_drops_the_old_revalidation_point_only_in_runs_without_best_columns(tmp_path):
    _write_run(
        tmp_path / "old", 0.5, 0.25, 30
    )  # no best/* column: step 30 = global_step is the re-validation
    assert list(load_run(tmp_path / "old").history["step"]) == [10]
    _write_run(tmp_path / "new", 0.5, 0.25, 30)
    pd.DataFrame(
        {"step": [10, 20, 30], "val/S_lagrangian": [0.1, None, 0.3], "best/val/loss": [None, None, 0.5]}
    ).to_csv(tmp_path / "new" / "csv" / "metrics.csv", index=False)
    assert list(load_run(tmp_path / "new").history["step"]) == [10, 30]


def test_report_starts_each_split_with_a_summary_row_per_run(tmp_path):
    _write_run(tmp_path / "a", 0.5, 0.25, 100)
    out = tmp_path / "report"
    assert main([str(tmp_path / "a"), "--labels", "a", "--splits", "test", "--out", str(out)]) == 0
    text = (out / "runs.md").read_text()
    assert "| run | steps | S_Lagrangian | exact S | perfect | valid terms | P_length | truncated |" in text
    assert "| a | 100 | 0.375 |  | 0.500 |  |  |  |" in text

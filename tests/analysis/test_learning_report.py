"""The learning table behind RESULTS.md: recipes over seeds (mean [min, max]), collapse counts, curves."""

import json

import pandas as pd

from src.analysis.learning import learning_curve, main


def _write_run(folder, seed, perfect, collapsed=False):
    folder.mkdir(parents=True)
    results = {
        "validation": {},
        "test": {
            "final/test/S_lagrangian": perfect + 0.1,
            "final/test/exact/S_lagrangian": perfect + 0.1,
            "final/test/perfect": perfect,
            "final/test/perfect/nf=1": 1.0,
            "final/test/perfect/nf=2": perfect - 0.1,
        },
        "global_step": 100,
        "train_seconds": 600.0,
        "tokens_seen": 2_000_000,
        "collapse": {"collapsed": collapsed, "final_collapsed": []},
    }
    (folder / "results.json").write_text(json.dumps(results))
    (folder / "run_info.json").write_text(json.dumps({"seed": seed}))
    (folder / "csv").mkdir()
    pd.DataFrame(
        {
            "step": [9, 9, 19, 49, 99],
            "train/elapsed_s": [10.0, None, 20.0, 50.0, 100.0],
            "train/tokens_seen": [1000.0, None, 2000.0, 5000.0, 9000.0],
            "val/S_lagrangian": [None, 0.2, None, 0.5, 0.7],
        }
    ).to_csv(folder / "csv" / "metrics.csv", index=False)


def test_curve_takes_time_and_tokens_from_the_last_training_row_before_each_validation(tmp_path):
    _write_run(tmp_path / "r", 0, 0.5)
    curve = learning_curve(tmp_path / "r")
    assert list(curve["step"]) == [9, 49, 99]
    assert list(curve["elapsed_s"]) == [10.0, 50.0, 100.0]
    assert list(curve["tokens_seen"]) == [1000.0, 5000.0, 9000.0]
    assert list(curve["S"]) == [0.2, 0.5, 0.7]


def test_table_gives_mean_and_range_over_seeds_and_counts_collapsed_runs(tmp_path):
    for seed, perfect in enumerate([0.6, 0.7, 0.8]):
        _write_run(tmp_path / "a" / str(seed), seed, perfect, collapsed=seed == 2)
    _write_run(tmp_path / "b" / "0", 0, 0.4)
    out = tmp_path / "out"
    assert main(["--recipe", f"A={tmp_path}/a/*", "--recipe", f"B={tmp_path}/b/0", "--out", str(out)]) == 0
    text = (out / "learning.md").read_text()
    row_a = next(line for line in text.splitlines() if line.startswith("| A |"))
    assert "0.700 [0.600, 0.800]" in row_a and "1 of 3" in row_a and "| 0,1,2 |" in row_a
    row_b = next(line for line in text.splitlines() if line.startswith("| B |"))
    assert "one seed: an anecdote" in row_b and "0 of 1" in row_b
    assert (out / "score_vs_time.png").stat().st_size > 0 and (out / "score_vs_tokens.png").is_file()


def test_a_missing_run_is_one_line_and_exit_code_2(tmp_path, capsys):
    assert main(["--recipe", f"A={tmp_path}/nothing", "--out", str(tmp_path / "o")]) == 2
    assert "results.json" in capsys.readouterr().err

"""``python -m src.tokens stats``: a length table for every scheme; user mistakes exit 2 in one line."""

import random

from src.tokens import SCHEMES
from src.tokens.__main__ import main
from src.tokens.stats import random_fields, summary


def test_stats_prints_one_row_per_field_count_with_every_scheme(capsys):
    assert main(["stats", "--n", "12", "--seed", "1", "--side", "labels"]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.startswith("| fields"))
    assert all(name in header for name in SCHEMES)
    rows = [line for line in out.splitlines() if line[:3] in {f"| {n}" for n in range(1, 7)}]
    assert len(rows) == 6


def test_stats_rejects_a_bad_count_with_exit_code_2_and_one_line(capsys):
    assert main(["stats", "--n", "0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--n" in err


def test_unknown_command_exits_2(capsys):
    assert main(["lengths"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_sampled_field_lists_have_no_repeated_field():
    rng = random.Random(0)
    for n in range(1, 7):
        fields = random_fields(rng, n)
        assert len({f.quantum_numbers() for f in fields}) == n


def test_summary_p95_is_the_nearest_rank():
    assert summary(list(range(1, 101))) == (50.5, 95, 100)

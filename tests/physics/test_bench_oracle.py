"""The oracle benchmark runs and reports cold and warm rates and peak memory."""

from __future__ import annotations

import random

from src.bench.oracle import main, paper_like_fields


def test_benchmark_prints_cold_warm_and_memory(capsys):
    assert main(["--n", "20", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "cold cache" in out and "warm cache" in out and "peak memory" in out
    assert "AutoEFT: " in out  # optional: installed or not, the report says which


def test_autoeft_status_says_not_installed_when_the_package_is_absent(monkeypatch):
    import importlib.util

    from src.bench.oracle import autoeft_status

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert autoeft_status().startswith("not installed")


def test_paper_like_sampler_draws_distinct_training_range_fields():
    rng = random.Random(0)
    for _ in range(200):
        fields = paper_like_fields(rng)
        assert 1 <= len(fields) <= 6 and len(set(fields)) == len(fields)
        assert all(f.su3.name in ("1", "3", "-3") and f.su2.n <= 3 for f in fields)
        assert all(abs(f.u1.numerator) <= 9 and f.u1.denominator <= 9 for f in fields)

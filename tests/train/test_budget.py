"""The job's wall-clock budget: durations, the training time it leaves, and the lr decay that follows time."""

from __future__ import annotations

import time

import pytest
from omegaconf import OmegaConf

from src.models.module import lr_factor
from src.train import Budget, UserError, _dd_hh_mm_ss, parse_duration


def test_durations_parse_in_every_spelling():
    assert parse_duration("00:00:15:00", "k") == 900
    assert parse_duration("01:30", "k") == 90
    assert parse_duration("00:01:00:05", "k") == 3605
    assert parse_duration(42, "k") == 42
    assert parse_duration(None, "k") is None
    assert _dd_hh_mm_ss(3605.9) == "00:01:00:05"


@pytest.mark.parametrize("bad", ["abc", "1:2:3:4:5", "-5"])
def test_bad_durations_name_the_key(bad):
    with pytest.raises(UserError, match="budget.total"):
        parse_duration(bad, "budget.total")


def test_training_gets_the_total_minus_time_spent_and_the_reserve():
    cfg = OmegaConf.create({"budget": {"total": "00:00:15:00", "final_eval": "00:00:02:00"}})
    budget = Budget(cfg, start=time.monotonic() - 60)  # one minute already spent on data and set-up
    left = budget.training_seconds(None)
    assert 719 < left <= 720  # 900 - 60 - 120
    assert budget.training_seconds("00:00:05:00") == 300  # trainer.max_time caps it further
    assert budget.deadline == pytest.approx(budget.start + 900)


def test_no_budget_leaves_trainer_max_time_alone():
    budget = Budget(OmegaConf.create({"budget": {"total": None}}), start=time.monotonic())
    assert budget.training_seconds(None) is None and budget.deadline is None
    assert budget.training_seconds("00:00:11:00") == 660


def test_a_budget_too_small_for_any_training_is_a_user_error():
    cfg = OmegaConf.create({"budget": {"total": "00:00:02:10", "final_eval": "00:00:02:00"}})
    with pytest.raises(UserError, match="leaves"):
        Budget(cfg, start=time.monotonic()).training_seconds(None)


def test_lr_decay_follows_whichever_budget_runs_out_first():
    # steps bind: the usual schedule; time binds (a slow machine): the decay is as far as the time used
    assert lr_factor(55, 10, 100, "linear", 0.0, time_progress=0.1) == pytest.approx(0.5)
    assert lr_factor(20, 10, 100, "linear", 0.0, time_progress=0.75) == pytest.approx(0.25)
    assert lr_factor(20, 10, 100, "linear", 0.0, time_progress=1.5) == pytest.approx(0.0)
    assert lr_factor(5, 10, 100, "linear", 0.0, time_progress=0.9) == pytest.approx(0.6)  # warm-up first

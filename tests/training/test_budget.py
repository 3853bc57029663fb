"""The job's wall-clock budget: durations, the training time it leaves, and the lr decay that follows time."""

from __future__ import annotations

import time

import pytest
from omegaconf import OmegaConf

from src.errors import UserError
from src.models.module import lr_factor
from src.training.budget import Budget, dd_hh_mm_ss, parse_duration


def test_durations_parse_in_every_spelling():
    assert parse_duration("00:00:15:00", "k") == 900
    assert parse_duration("01:30", "k") == 90
    assert parse_duration("00:01:00:05", "k") == 3605
    assert parse_duration(42, "k") == 42
    assert parse_duration(None, "k") is None
    assert dd_hh_mm_ss(3605.9) == "00:01:00:05"


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


class _Trainer:
    """The three attributes FinishInTime reads from a trainer."""

    def __init__(self, callbacks):
        self.callbacks, self.should_stop, self.global_step, self.sanity_checking = callbacks, False, 7, False


class _Probe:
    seconds_per_row = 0.5


def test_finish_in_time_waits_for_a_measured_validation_then_keeps_the_final_phase_inside_the_deadline():
    import time

    from src.callbacks.budget import FinishInTime

    now = time.monotonic()
    guard = FinishInTime(deadline=now + 100.0, final_rows=100, safety=1.0, margin_s=5.0)
    trainer = _Trainer([_Probe(), guard])
    guard.on_train_batch_end(trainer, None, None, None, 0)
    assert not trainer.should_stop  # nothing measured yet: the fixed reserve is in charge
    guard.validation_s = 10.0  # 3 x 10 s validation and losses + 100 rows x 0.5 s + 5 s = 85 s < 100 s
    assert guard.needed_s(trainer) == 85.0
    guard.on_train_batch_end(trainer, None, None, None, 0)
    assert not trainer.should_stop
    guard.validation_s = 20.0  # 115 s > 100 s left: stop now
    guard.on_train_batch_end(trainer, None, None, None, 0)
    assert trainer.should_stop and guard.stopped_at == 7


def test_finish_in_time_measures_validations_but_not_the_sanity_check():
    from src.callbacks.budget import FinishInTime

    guard = FinishInTime(deadline=0.0, final_rows=0)
    trainer = _Trainer([guard])
    trainer.sanity_checking = True
    guard.on_validation_start(trainer, None)
    guard.on_validation_end(trainer, None)
    assert guard.validation_s is None
    trainer.sanity_checking = False
    guard.on_validation_start(trainer, None)
    guard.on_validation_end(trainer, None)
    assert guard.validation_s is not None and guard.validation_s >= 0.0

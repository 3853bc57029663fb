"""The job's wall-clock budget (``budget.total``, ``budget.final_eval``): durations read from the config and
the training time they leave. ``src.callbacks.budget.FinishInTime`` stops training in time for the rest."""

from __future__ import annotations

import time

from omegaconf import DictConfig, OmegaConf

from src.errors import UserError


def parse_duration(text, key: str) -> float | None:
    """Seconds of a "DD:HH:MM:SS" (or "HH:MM:SS", "MM:SS") string or a number of seconds; None for null."""
    if text is None:
        return None
    if isinstance(text, int | float) and not isinstance(text, bool):
        seconds = float(text)
    else:
        parts = str(text).split(":")
        try:
            values = [float(p) for p in parts]
        except ValueError:
            raise UserError(f'{key}={text!r} is not a duration "DD:HH:MM:SS"') from None
        if not 1 <= len(values) <= 4:
            raise UserError(f'{key}={text!r} is not a duration "DD:HH:MM:SS"')
        seconds = sum(v * u for v, u in zip(reversed(values), (1, 60, 3600, 86400)))
    if seconds < 0:
        raise UserError(f"{key}={text!r} must not be negative")
    return seconds


class Budget:
    """The job's wall-clock budget (``budget.total``) counted from the job's start."""

    def __init__(self, cfg: DictConfig, start: float):
        node = cfg.get("budget") or {}
        self.start = start
        self.total = parse_duration(node.get("total"), "budget.total")
        self.reserve = parse_duration(node.get("final_eval"), "budget.final_eval") or 0.0

    @property
    def deadline(self) -> float | None:
        return None if self.total is None else self.start + self.total

    def training_seconds(self, max_time) -> float | None:
        """Training time left: the total minus what has been spent and the final-eval reserve, capped by
        ``trainer.max_time``; None when neither limit is set."""
        cap = parse_duration(_max_time_text(max_time), "trainer.max_time")
        if self.total is None:
            return cap
        left = self.total - (time.monotonic() - self.start) - self.reserve
        if left < 30:
            raise UserError(
                f"budget.total={self.total:.0f}s leaves {left:.0f}s for training after the set-up and the "
                f"budget.final_eval reserve of {self.reserve:.0f}s"
            )
        return left if cap is None else min(cap, left)


def dd_hh_mm_ss(seconds: float) -> str:
    """Lightning's max_time string for a number of seconds (whole seconds, rounded down)."""
    s = int(seconds)
    return f"{s // 86400:02d}:{s % 86400 // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _max_time_text(max_time):
    if max_time is None or isinstance(max_time, str | int | float):
        return max_time
    node = OmegaConf.to_container(max_time) if OmegaConf.is_config(max_time) else dict(max_time)
    units = {"days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}
    return sum(float(node.get(k, 0)) * u for k, u in units.items())

"""Is the model using its input? Signals of a collapsed encoder-decoder (one answer for every input).

Three signals, each computed on a fixed probe set of inputs:

* ``distinct_share(predictions)``: distinct decoded outputs / probe size. 1 when every input gets its own
  answer; 1/n when the model writes one answer for every input.
* ``encoder_spread(states, mask)``: how much the encoder output changes between inputs: the mean distance of
  each input's mean-pooled encoder state from the probe's centroid, over the mean norm of the states.
  0 when every input is encoded alike.
* input dependence (computed by the callback, ``src.callbacks.probe``): the teacher-forced loss on the
  probe targets with each row's decoder attending to *another* row's encoder output, minus the loss with its
  own. About 0 when the decoder ignores the encoder: the failure mode seen in RESULTS.md, where the encoder
  still produced distinct states but the decoder wrote the same Lagrangian for every input.

``CollapseDetector`` turns the decoded share into a verdict per probe and decides when a run should stop.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import torch

from src.errors import UserError


def distinct_share(predictions: Sequence[Sequence[Hashable]]) -> float:
    """Share of distinct predictions (each a sequence of words or ids); 0 for an empty probe."""
    if not predictions:
        return 0.0
    return len({tuple(p) for p in predictions}) / len(predictions)


def encoder_spread(states: torch.Tensor, mask: torch.Tensor) -> float:
    """Mean distance of the mean-pooled encoder states (B, S, d) from their centroid, over their mean norm."""
    m = mask.to(states.dtype).unsqueeze(-1)
    pooled = (states * m).sum(1) / m.sum(1).clamp_min(1.0)  # (B, d)
    pooled = pooled.float()
    norm = pooled.norm(dim=-1).mean()
    if pooled.shape[0] < 2 or float(norm) == 0.0:
        return 0.0
    return float((pooled - pooled.mean(0, keepdim=True)).norm(dim=-1).mean() / norm)


@dataclass
class CollapseDetector:
    """Verdicts on successive probes.

    A probe of n inputs is *collapsed* when it has at most max(1, floor(``max_distinct_share`` * n)) distinct
    outputs (default 0.1: at most 3 for 32 inputs; a single answer for fewer than 20). ``stop_after`` > 0 asks
    the run to stop after that many consecutive collapsed probes at or after ``min_step``; 0 only reports.
    Every model starts out collapsed (an untrained decoder writes the same tokens for every input), so early
    probes are reported but should not stop a run: ``min_step`` says when collapse starts to mean failure.
    """

    max_distinct_share: float = 0.1
    stop_after: int = 0
    min_step: int = 0
    history: list[dict] = field(default_factory=list)

    def __post_init__(self):
        if not 0.0 <= self.max_distinct_share < 1.0:
            raise UserError(f"collapse.max_distinct_share must be in [0, 1), got {self.max_distinct_share}")
        if self.stop_after < 0 or self.min_step < 0:
            raise UserError(
                f"collapse.stop_after and min_step must be >= 0, got {self.stop_after}, {self.min_step}"
            )

    def collapsed(self, share: float, n: int) -> bool:
        return round(share * n) <= max(1, int(self.max_distinct_share * n))

    def update(self, step: int, share: float, n: int, **signals: float) -> bool:
        """Record one probe of ``n`` inputs; True when it is collapsed."""
        verdict = self.collapsed(share, n)
        self.history.append(
            {"step": int(step), "distinct_share": float(share), "n": int(n), "collapsed": verdict, **signals}
        )
        return verdict

    def should_stop(self) -> bool:
        """True when the last ``stop_after`` probes (all at or after ``min_step``) were collapsed."""
        if self.stop_after <= 0 or len(self.history) < self.stop_after:
            return False
        tail = self.history[-self.stop_after :]
        return all(h["collapsed"] and h["step"] >= self.min_step for h in tail)

    def summary(self) -> dict:
        """For results.json: the last verdict, the first collapsed step after ``min_step``, every probe."""
        late = [h for h in self.history if h["collapsed"] and h["step"] >= self.min_step]
        return {
            "collapsed": bool(self.history and self.history[-1]["collapsed"]),
            "first_collapsed_step": late[0]["step"] if late else None,
            "max_distinct_share": self.max_distinct_share,
            "probes": list(self.history),
        }

    def state_dict(self) -> dict:
        return {"history": list(self.history)}

    def load_state_dict(self, state: dict) -> None:
        self.history = list(state.get("history", []))

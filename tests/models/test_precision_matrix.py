"""Every precision trains and resumes with either AdamW kernel, clipping on or off; the GPU configs train with
only their accelerator swapped to the CPU; impossible device settings are refused before any compute."""

from __future__ import annotations

import lightning as L
import pytest
import torch
from train_helpers import PAPER_TINY_DATA

from src.train import train

BRIEF = [  # a short fit: no logger, a 4-row probe, no final scores
    "logger=none",
    "callbacks.decoding_scores.num_examples=4",
    "decode.max_new_tokens=16",
    "callbacks.embedding_analysis=null",
    "final_eval.limit=0",
    "test_after_fit=false",
]
# debug=limit: 4 batches an epoch
TINY = ["data=tiny", "model=tiny", "data.datamodule.batch_size=8", "debug=limit", *BRIEF]
CLIP = 0.01  # small enough to bite on every step of a fresh tiny model


class ClippedNorms(L.Callback):
    """The total gradient norm each optimiser step used (after clipping: Lightning zeroes the gradients only
    at the start of the next step)."""

    def __init__(self):
        self.norms: list[float] = []
        self._step_before = 0

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
        self._step_before = trainer.global_step

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        if trainer.global_step == self._step_before:  # a batch that only accumulated gradients
            return
        grads = [p.grad.detach().float() for p in pl_module.parameters() if p.grad is not None]
        if grads:
            self.norms.append(float(torch.linalg.vector_norm(torch.stack([g.norm() for g in grads]))))


def _fit(cfg, monkeypatch) -> tuple[dict, list[float]]:
    """train(cfg) with the norm recorder added to its callbacks."""
    import src.training.build as build_module

    recorder = ClippedNorms()
    build = build_module.build_callbacks
    monkeypatch.setattr(build_module, "build_callbacks", lambda *a, **k: [*build(*a, **k), recorder])
    return train(cfg), recorder.norms


@pytest.mark.parametrize("clip", [True, False], ids=["clip", "noclip"])
@pytest.mark.parametrize("fused", [True, False], ids=["fused", "loop"])
@pytest.mark.parametrize("precision", ["32-true", "bf16-mixed", "bf16-true"])
def test_a_tiny_model_trains_and_resumes_in_every_precision(
    precision, fused, clip, tiny_data_root, compose_cfg_at, monkeypatch, tmp_path
):
    settings = [
        *TINY,
        f"trainer.precision={precision}",
        f"optim.fused={str(fused).lower()}",
        f"trainer.gradient_clip_val={CLIP if clip else 'null'}",
    ]
    first, norms = _fit(compose_cfg_at(tiny_data_root, [*settings, "trainer.max_steps=3"]), monkeypatch)
    assert first["global_step"] == 3 and first["last_checkpoint"]
    assert len(norms) == 3 and all(n == n for n in norms)  # finite gradients, every step
    if clip:
        assert max(norms) <= CLIP * 1.01
    else:
        assert min(norms) > CLIP  # so the clipped case above shows clipping at work
    resumed_cfg = compose_cfg_at(
        tiny_data_root, [*settings, "trainer.max_steps=5", f"ckpt_path={first['last_checkpoint']}"]
    )
    resumed_cfg.run_dir = str(tmp_path / "resumed")
    second, more = _fit(resumed_cfg, monkeypatch)
    assert second["global_step"] == 5 and len(more) == 2
    assert (max(more) <= CLIP * 1.01) if clip else (min(more) > CLIP)


GPU_CONFIGS = {  # the GPU configs as a GPU run composes them, with only the accelerator (and count) swapped
    "trainer=gpu": ["trainer=gpu", *TINY, "trainer.accelerator=cpu", "trainer.max_steps=2"],
    "trainer=ddp": [
        "trainer=ddp",
        *TINY,
        "trainer.accelerator=cpu",
        "trainer.devices=1",
        "trainer.max_steps=2",
    ],
}


@pytest.mark.parametrize("name", list(GPU_CONFIGS))
def test_the_gpu_trainer_configs_train_on_the_cpu_with_their_own_precision_and_clipping(
    name, tiny_data_root, compose_cfg_at, monkeypatch
):
    cfg = compose_cfg_at(tiny_data_root, GPU_CONFIGS[name])
    assert cfg.trainer.precision == "bf16-mixed" and cfg.trainer.gradient_clip_val > 0 and cfg.optim.fused
    summary, norms = _fit(cfg, monkeypatch)
    assert summary["global_step"] == 2
    assert len(norms) == 2 and max(norms) <= cfg.trainer.gradient_clip_val * 1.01


PAPER_TINY = [  # the paper experiments on a few dozen 1-2-field Lagrangians and the tiny model, on the CPU
    "model=tiny",
    "trainer.accelerator=cpu",
    "trainer.max_steps=2",
    *PAPER_TINY_DATA,
    *BRIEF,
]


@pytest.mark.slow
@pytest.mark.parametrize("experiment", ["paper_reproduction", "paper_sampled"])
def test_the_paper_gpu_experiments_train_on_the_cpu_as_configured(experiment, compose_cfg, monkeypatch):
    cfg = compose_cfg([f"experiment={experiment}", *PAPER_TINY, f"data.name={experiment}_tiny"])
    assert cfg.trainer.precision == "bf16-mixed" and cfg.trainer.gradient_clip_val > 0 and cfg.optim.fused
    summary, norms = _fit(cfg, monkeypatch)
    assert summary["global_step"] == 2
    assert len(norms) == 2 and max(norms) <= cfg.trainer.gradient_clip_val * 1.01

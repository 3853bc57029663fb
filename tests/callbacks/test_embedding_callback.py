"""``EmbeddingAnalysis`` on a tiny untrained BART: it writes a t-SNE PNG and logs the conjugation measure."""

from __future__ import annotations

import math

import torch
from eval_helpers import validate_with

from src.callbacks.embeddings import EmbeddingAnalysis
from src.metrics.embedding import encoder_states, single_field_grid
from src.models.module import LagrangianBart


def test_tsne_callback_runs_on_a_tiny_model_and_writes_an_image(tiny_datamodule, tiny_arch, tmp_path):
    torch.manual_seed(0)
    dm = tiny_datamodule
    model = LagrangianBart(tiny_arch, vocab_size=dm.scheme.vocab_size, scheme=dm.scheme)
    callback = EmbeddingAnalysis(every_n_epochs=1, charges=["0", "1/2", "-1/2"], dirpath=str(tmp_path))
    metrics = validate_with(model, dm, callback)
    image = callback.last["image"]
    assert image.exists() and image.suffix == ".png" and image.stat().st_size > 10_000
    value = float(metrics["val/conjugation_coherence"])
    assert -1.0 <= value <= 1.0 and not math.isnan(value)


def test_encoder_states_follow_the_field_order(tiny_datamodule, tiny_arch):
    torch.manual_seed(0)
    dm = tiny_datamodule
    model = LagrangianBart(tiny_arch, vocab_size=dm.scheme.vocab_size, scheme=dm.scheme).eval()
    fields = single_field_grid()[:10]
    states = encoder_states(model, dm.scheme, fields, batch_size=3)
    alone = encoder_states(model, dm.scheme, fields[4:5])
    assert states.shape == (10, tiny_arch["d_model"])
    assert torch.allclose(torch.from_numpy(states[4]), torch.from_numpy(alone[0]), atol=1e-5)

"""The lean greedy loop writes exactly the ids ``model.generate`` writes, for BART and for pre-LN."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import torch
import yaml

from src.models.greedy import greedy_decode
from src.models.module import LagrangianBart
from src.physics.lagrangian import build_lagrangian
from src.tokens import build_scheme
from src.tokens.stats import random_fields

CONF_DIR = Path(__file__).resolve().parents[2] / "conf"
pytestmark = pytest.mark.slow  # trains two tiny models


def _examples(scheme, rng: random.Random, n: int, labels: bool) -> dict:
    rows = []
    for _ in range(n):
        fields = random_fields(rng, rng.randint(1, 2))
        row = scheme.encode(fields, build_lagrangian(fields), rng)
        rows.append({k: v for k, v in row.items() if labels or k != "labels"})
    return scheme.collate(rows)


def _trained_tiny(norm: str) -> LagrangianBart:
    """A tiny model trained 50 steps: its rows end at different lengths, so finished rows leave the loop."""
    torch.manual_seed(0)
    rng = random.Random(0)
    scheme = build_scheme("field_refs")
    arch = yaml.safe_load((CONF_DIR / "model" / "tiny.yaml").read_text())
    arch.pop("name")
    arch["norm"] = norm
    model = LagrangianBart(arch, scheme.vocab_size, scheme=scheme)
    opt = torch.optim.AdamW(model.parameters(), 3e-3)
    model.train()
    for _ in range(50):
        batch = _examples(scheme, rng, 16, labels=True)
        model({k: v for k, v in batch.items() if k != "row"}).loss.backward()
        opt.step()
        opt.zero_grad()
    return model.eval()


@pytest.fixture(scope="module", params=["post", "pre"])
def trained(request):
    return _trained_tiny(request.param)


@pytest.mark.parametrize("max_new_tokens", [1, 8, 200])
def test_lean_greedy_equals_generate_token_for_token(trained, max_new_tokens):
    batch = _examples(trained.scheme, random.Random(1), 32, labels=False)
    reference = trained.generate_ids(batch, max_new_tokens=max_new_tokens, engine="hf")
    lean = trained.generate_ids(batch, max_new_tokens=max_new_tokens)
    assert torch.equal(lean, reference)
    assert lean.shape[1] <= max_new_tokens + 1
    if max_new_tokens == 200:  # the case that drops finished rows from the batch and the cache mid-way
        lengths = (lean != trained.ids.pad).sum(dim=1)
        assert len(set(lengths.tolist())) >= 2, "the trained model should end its rows at different lengths"
        assert bool((lean[torch.arange(len(lean)), lengths - 1] == trained.ids.eos).all())


def test_beam_search_still_runs_generate(trained):
    batch = _examples(trained.scheme, random.Random(2), 4, labels=False)
    beams = trained.generate_ids(batch, max_new_tokens=20, num_beams=2)
    assert beams.shape[0] == 4 and bool((beams[:, 0] == trained.ids.decoder_start).all())


def test_bad_settings_are_refused(trained):
    batch = _examples(trained.scheme, random.Random(3), 2, labels=False)
    with pytest.raises(ValueError, match="engine"):
        trained.generate_ids(batch, engine="fast")
    hidden = torch.zeros(1, 3, 64)
    with pytest.raises(ValueError, match="max_new_tokens"):
        greedy_decode(
            trained.model, hidden, torch.ones(1, 3), decoder_start=0, eos=1, pad=2, max_new_tokens=0
        )

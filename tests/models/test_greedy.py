"""The lean greedy loop writes exactly the ids ``model.generate`` writes, for BART and for pre-LN."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import torch

from src.config.model import model_preset
from src.models import greedy
from src.models.greedy import greedy_decode, greedy_decode_queue
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
    arch = model_preset("tiny")
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


@pytest.mark.parametrize("norm", ["post", "pre"])
@pytest.mark.parametrize("scale_embedding", [False, True])
def test_lean_step_logits_equal_the_model_forward(norm, scale_embedding):
    """The lean step's logits at each position equal the full decoder forward's on the same prefix (random
    weights). With ``scale_embedding`` BART's embedding multiplies by sqrt(d) in its own forward: once."""
    torch.manual_seed(1)
    scheme = build_scheme("field_refs")
    arch = model_preset("tiny")
    arch |= {"norm": norm, "scale_embedding": scale_embedding}
    model = LagrangianBart(arch, scheme.vocab_size, scheme=scheme).eval()
    batch = _examples(scheme, random.Random(6), 4, labels=False)
    prefix = torch.tensor([[model.ids.decoder_start, 7, 9, 11, 13]] * 4)
    with torch.no_grad():
        full = model.model(
            input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], decoder_input_ids=prefix
        ).logits
        hidden = model.model.get_encoder()(
            input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
        )
        lean = greedy.LeanDecoder(model.model)
        bias = torch.zeros(batch["attention_mask"].shape).masked_fill(batch["attention_mask"] == 0, -1e30)
        cohort = greedy._Cohort(
            lean, range(4), lean.cross_kv(hidden[0]), bias[:, None, None, :], 10, model.ids.decoder_start, 0
        )
        for t in range(prefix.shape[1]):
            logits = lean.step(prefix[:, t], [cohort])
            torch.testing.assert_close(logits, full[:, t], rtol=1e-4, atol=1e-4)
            cohort.write(prefix[:, t + 1] if t + 1 < prefix.shape[1] else prefix[:, 0])


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


def test_beam_search_runs_through_generate(trained):
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


@pytest.mark.parametrize("slots, refill_at", [(8, 1), (8, 3), (7, 1), (4, 1)])
def test_queue_equals_generate_batch_by_batch(trained, slots, refill_at, monkeypatch):
    """Rows in flight ``slots`` at a time, later rows starting as earlier ones finish (several cohorts at
    different positions, a cohort taking rows from two encoder chunks): each row's ids are generate's."""
    scheme = trained.scheme
    rng = random.Random(4)
    examples = [scheme.encode(random_fields(rng, rng.randint(1, 2)), None) for _ in range(23)]
    examples.sort(key=lambda e: len(e["input_ids"]))
    chunks = [examples[i : i + slots] for i in range(0, len(examples), slots)]
    reference = [row for c in chunks for row in trained.generate_ids(scheme.collate(c), 200, engine="hf")]

    def encode(indices):
        batch = scheme.collate([examples[i] for i in indices])
        hidden = trained.model.get_encoder()(
            input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
        )
        return hidden.last_hidden_state, batch["attention_mask"]

    cohorts_per_step = []
    step = greedy.LeanDecoder.step
    monkeypatch.setattr(
        greedy.LeanDecoder, "step", lambda self, t, c: cohorts_per_step.append(len(c)) or step(self, t, c)
    )
    calls = []
    rows = greedy_decode_queue(
        trained.model,
        lambda indices: calls.append(indices) or encode(indices),
        len(examples),
        slots=slots,
        refill_at=refill_at,
        decoder_start=trained.ids.decoder_start,
        eos=trained.ids.eos,
        pad=trained.ids.pad,
        max_new_tokens=200,
    )
    assert calls == [list(range(i, min(i + slots, len(examples)))) for i in range(0, len(examples), slots)]
    for got, want in zip(rows, reference):
        assert torch.equal(got, want[want != trained.ids.pad])
    assert max(cohorts_per_step) >= 2  # rows started mid-way, beside rows further on


def test_queue_deadline_starts_no_row_after_it(trained):
    scheme = trained.scheme
    examples = [scheme.encode(random_fields(random.Random(i), 1), None) for i in range(6)]
    words = trained.decode_examples(examples, 2, deadline=0.0, max_new_tokens=20)
    assert words == [None] * 6
    words = trained.decode_examples(examples, 2, max_new_tokens=20)
    assert all(w is not None and w[-1] != "[PAD]" for w in words)


def test_decode_examples_agrees_with_batches(trained):
    """Evaluation's path (the queue) and the batch-by-batch path give the same words."""
    scheme = trained.scheme
    rng = random.Random(5)
    examples = [scheme.encode(random_fields(rng, rng.randint(1, 2)), None) for _ in range(12)]
    examples.sort(key=lambda e: len(e["input_ids"]))
    queued = trained.decode_examples(examples, 4, max_new_tokens=150)
    batched = trained.decode_examples(examples, 4, max_new_tokens=150, engine="hf")
    assert queued == batched
    assert trained.example_ids(examples, 4, max_new_tokens=150) == trained.example_ids(
        examples, 4, max_new_tokens=150, engine="hf"
    )


def test_write_threshold_rules_out_an_empty_answer_exactly_where_writing_is_likely(trained):
    """With the [EOS] logit raised so that most first answers are empty, a row's first word is [EOS] iff
    the plain argmax is [EOS] and the model's P(write) = 1 - P([EOS]) at the first word is at most t."""
    scheme, model = trained.scheme, trained.model
    rng = random.Random(11)
    examples = [scheme.encode(random_fields(rng, rng.randint(1, 2)), None) for _ in range(16)]
    examples.sort(key=lambda e: len(e["input_ids"]))
    eos, start = trained.ids.eos, trained.ids.decoder_start
    saved = model.final_logits_bias.clone()
    try:
        with torch.no_grad():
            batch = scheme.collate(examples)
            first = model(
                input_ids=batch["input_ids"],
                attention_mask=batch["attention_mask"],
                decoder_input_ids=torch.full((len(examples), 1), start),
            ).logits[:, 0]
            gap = (first.max(dim=-1).values - first[:, eos]).max().item()
            model.final_logits_bias[0, eos] += gap + 1.0  # [EOS] is every row's plain argmax
            p_write = (1 - torch.softmax(first + model.final_logits_bias[0], dim=-1)[:, eos]).tolist()
        ranked = sorted(p_write)
        half = len(ranked) // 2
        t = (ranked[half - 1] + ranked[half]) / 2  # between two rows: no row sits on the threshold
        plain = trained.example_ids(examples, 4, max_new_tokens=12)
        assert all(row[1] == eos for row in plain)
        ids = trained.example_ids(examples, 4, max_new_tokens=12, write_threshold=t)
        wrote = [row[1] != eos for row in ids]
        assert wrote == [p > t for p in p_write]
        assert 0 < sum(wrote) < len(wrote)
        assert trained.example_ids(examples, 4, max_new_tokens=12, write_threshold=None) == plain
        with pytest.raises(ValueError, match="write threshold needs greedy lean"):
            trained.example_ids(examples, 4, max_new_tokens=12, num_beams=2, write_threshold=t)
    finally:
        with torch.no_grad():
            model.final_logits_bias.copy_(saved)

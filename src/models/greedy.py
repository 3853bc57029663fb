"""Greedy decoding in a lean loop: the ids ``model.generate`` writes, with far less work per token.

``generate`` re-enters the model's full forward at every token: the cache grows by concatenation
(a copy of all keys and values per step), and finished rows stay in the batch until the longest one ends.
Here, for a (M)BART model:

- the encoder output comes in once, and each layer's cross-attention keys and values are projected once;
- the self-attention keys and values go into a cache allocated once for ``max_new_tokens`` positions;
- a step works on (rows, d) through functional calls on the layers' own tensors; q, k and v come from
  one fused projection; the logits come from the new position only;
- a row leaves the batch, and the caches, as soon as it writes [EOS]; with more rows waiting
  (``greedy_decode_queue``), the freed places go to the next rows, started together as a *cohort*.
  Rows of a cohort share a position, so each cohort attends over its own positions (no mask), while the
  projections and the feed-forward run on the rows of all cohorts at once.

The arithmetic is the model's own (post-LN BART or pre-LN mBART layers, learned positions with BART's
offset of 2, the embedding scale, ``final_logits_bias``), so the argmax tokens are those of
``generate``; the float sums are ordered differently, so a near-tie between two logits could in
principle resolve differently: the tests and ``make bench`` compare the ids token for token. Settings
reproduced from ``generation_config``: start at ``decoder_start``, stop at ``eos``, pad finished rows
with ``pad``, and force ``eos`` at the last step (``forced_eos_token_id``), so a row never exceeds
1 + ``max_new_tokens`` ids.

``constraints`` (one per row, e.g. ``src.tokens.constraint.TermConstraint``) restrict each step's argmax
to the ids the row's ``allowed()`` names, and are told each chosen id through ``advance``.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

POSITION_OFFSET = 2  # BART's and mBART's learned positions start at index 2


def _norm(module) -> tuple:
    return (module.normalized_shape, module.weight, module.bias, module.eps)


class _Layer:
    """One decoder layer's weights as tensors (q/k/v fused for self-attention), for functional calls."""

    def __init__(self, layer):
        sa, ca = layer.self_attn, layer.encoder_attn
        self.qkv = (
            torch.cat([sa.q_proj.weight, sa.k_proj.weight, sa.v_proj.weight]),
            torch.cat([sa.q_proj.bias, sa.k_proj.bias, sa.v_proj.bias]),
        )
        self.sa_out, self.ca_q, self.ca_out = (
            (m.weight, m.bias) for m in (sa.out_proj, ca.q_proj, ca.out_proj)
        )
        self.ca_k, self.ca_v = ca.k_proj, ca.v_proj  # run once per input, as modules
        self.fc1, self.fc2 = (layer.fc1.weight, layer.fc1.bias), (layer.fc2.weight, layer.fc2.bias)
        norms = (layer.self_attn_layer_norm, layer.encoder_attn_layer_norm, layer.final_layer_norm)
        self.sa_norm, self.ca_norm, self.ffn_norm = (_norm(n) for n in norms)
        self.act = layer.activation_fn


class LeanDecoder:
    """The decoder of a (M)BART ``ForConditionalGeneration`` as a step function over explicit caches.

    A step works on (M, d) rows (one new position each) through functional calls on the layers' own
    tensors: the same kernels as the model's modules on (M, 1, d), with less dispatch per token."""

    def __init__(self, model):
        config = model.config
        if config.model_type not in ("bart", "mbart"):
            raise ValueError(f"the lean decoder reads BART or mBART layers, not {config.model_type!r}")
        decoder = model.get_decoder()
        self.pre_norm = config.model_type == "mbart"
        self.heads = config.decoder_attention_heads
        self.head_dim = config.d_model // self.heads
        self.scale = self.head_dim**-0.5
        self.embed = decoder.embed_tokens.weight
        # BART's scaled embedding multiplies inside its forward; a plain nn.Embedding gets the config's scale
        scale = getattr(decoder.embed_tokens, "embed_scale", None)
        if scale is None:
            scale = math.sqrt(config.d_model) if config.scale_embedding else 1.0
        self.embed_scale = float(scale)
        self.positions = decoder.embed_positions.weight
        self.embed_norm = _norm(decoder.layernorm_embedding)
        final = getattr(decoder, "layer_norm", None) if self.pre_norm else None
        self.final_norm = None if final is None else _norm(final)
        self.layers = [_Layer(layer) for layer in decoder.layers]
        head = model.get_output_embeddings()
        self.head = (head.weight, head.bias)
        bias = getattr(model, "final_logits_bias", None)
        self.bias = None if bias is None else bias.reshape(-1)

    def _split(self, x: torch.Tensor) -> torch.Tensor:  # (B, T, d) -> (B, H, T, hd)
        return x.view(x.shape[0], x.shape[1], self.heads, self.head_dim).transpose(1, 2)

    def cross_kv(self, memory: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """Each layer's cross-attention keys and values (B, H, S, hd), contiguous so no step copies them."""
        split = self._split
        return [
            (split(lay.ca_k(memory)).contiguous(), split(lay.ca_v(memory)).contiguous())
            for lay in self.layers
        ]

    def _attend(self, q, k, v, bias=None):  # q (B, H, 1, hd), k/v (B, H, T, hd) -> (B, d)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=bias, scale=self.scale)
        return out.view(q.shape[0], -1)  # (B, H, 1, hd) is contiguous: a view, no copy

    def step(self, token: torch.Tensor, cohorts: list[_Cohort]) -> torch.Tensor:
        """Logits (M, V) for the next token after ``token`` (M,): the cohorts' rows in order, each cohort at
        its own position; writes each cohort's keys/values. The projections run on all M rows at once,
        attention per cohort (its rows share a position, so it attends over its own positions unmasked)."""
        rows, heads, hd = token.shape[0], self.heads, self.head_dim
        if len(cohorts) == 1:
            pos_embed = self.positions[cohorts[0].pos + POSITION_OFFSET]
        else:
            at = [c.pos + POSITION_OFFSET for c in cohorts for _ in c.rows]
            pos_embed = self.positions[torch.tensor(at, device=token.device)]
        h = F.embedding(token, self.embed)
        if self.embed_scale != 1.0:
            h = h * self.embed_scale
        h = F.layer_norm(h + pos_embed, *self.embed_norm)
        pre, norm, linear = self.pre_norm, F.layer_norm, F.linear
        for i, lay in enumerate(self.layers):
            x = norm(h, *lay.sa_norm) if pre else h
            qkv = linear(x, *lay.qkv).view(rows, 3, heads, hd)
            q, k, v = qkv[:, 0, :, None], qkv[:, 1], qkv[:, 2]  # q (M, H, 1, hd), k/v (M, H, hd)
            parts, start = [], 0
            for c in cohorts:
                end, (k_cache, v_cache) = start + len(c.rows), c.self_kv[i]
                k_cache[:, :, c.pos] = k[start:end]
                v_cache[:, :, c.pos] = v[start:end]
                upto = c.pos + 1
                parts.append(self._attend(q[start:end], k_cache[:, :, :upto], v_cache[:, :, :upto]))
                start = end
            a = linear(parts[0] if len(parts) == 1 else torch.cat(parts), *lay.sa_out)
            h = h + a if pre else norm(h + a, *lay.sa_norm)
            x = norm(h, *lay.ca_norm) if pre else h
            q, parts, start = linear(x, *lay.ca_q).view(rows, heads, 1, hd), [], 0
            for c in cohorts:
                end, (ck, cv) = start + len(c.rows), c.cross[i]
                parts.append(self._attend(q[start:end], ck, cv, c.memory_bias))
                start = end
            a = linear(parts[0] if len(parts) == 1 else torch.cat(parts), *lay.ca_out)
            h = h + a if pre else norm(h + a, *lay.ca_norm)
            x = norm(h, *lay.ffn_norm) if pre else h
            f = linear(lay.act(linear(x, *lay.fc1)), *lay.fc2)
            h = h + f if pre else norm(h + f, *lay.ffn_norm)
        if self.final_norm is not None:
            h = norm(h, *self.final_norm)
        logits = linear(h, *self.head)
        return logits if self.bias is None else logits + self.bias


@torch.inference_mode()
def greedy_decode(
    model,
    encoder_hidden: torch.Tensor,
    attention_mask: torch.Tensor,
    *,
    decoder_start: int,
    eos: int,
    pad: int,
    max_new_tokens: int,
    constraints: list | None = None,
) -> torch.Tensor:
    """(B, T) ids, each row ``decoder_start`` then the argmax tokens up to its [EOS], [PAD] after it.

    ``model`` is a (M)BART ``ForConditionalGeneration``; ``encoder_hidden`` its encoder's last hidden
    state (B, S, d) for the inputs whose padding ``attention_mask`` (B, S) marks. T is the longest row.
    With ``constraints`` (one per row: ``allowed() -> list[int]`` and ``advance(id)``), each row's argmax
    is taken over its allowed ids only.
    """
    batch = encoder_hidden.shape[0]
    rows = greedy_decode_queue(
        model,
        lambda indices: (encoder_hidden, attention_mask),  # one chunk: every row, in order
        batch,
        slots=max(batch, 1),
        decoder_start=decoder_start,
        eos=eos,
        pad=pad,
        max_new_tokens=max_new_tokens,
        constraints=constraints,
    )
    return pad_rows(rows, pad, encoder_hidden.device)


def pad_rows(rows: list[torch.Tensor], pad: int, device=None) -> torch.Tensor:
    """1-D id rows as one (B, T) tensor, [PAD] after each row's end (T: the longest row)."""
    width = max((len(r) for r in rows), default=0)
    out = torch.full((len(rows), width), pad, dtype=torch.long, device=device)
    for i, r in enumerate(rows):
        out[i, : len(r)] = r
    return out


@torch.inference_mode()
def greedy_decode_queue(
    model,
    encode,
    n_rows: int,
    *,
    slots: int,
    decoder_start: int,
    eos: int,
    pad: int,
    max_new_tokens: int,
    constraints: list | None = None,
    deadline: float | None = None,
    refill_at: int | None = None,
    write_threshold: float | None = None,
) -> list[torch.Tensor | None]:
    """Each of ``n_rows`` rows' ids (1-D: ``decoder_start``, its argmax tokens, [EOS]), with up to ``slots``
    rows decoded at once: once ``refill_at`` slots (default a quarter) are free, the next rows waiting start
    as a new cohort, so the batch stays nearly full until the queue is empty.

    ``encode(indices)`` returns the encoder's last hidden state (b, S, d) and attention mask (b, S) of the
    rows ``indices``; it is called for consecutive chunks of ``slots`` rows, in order, as rows are needed
    (pass rows sorted by input length so that a chunk pads little; the chunks are the batches a batched
    decoder would see). ``constraints``: one per row, as in ``greedy_decode``. With a ``deadline``
    (``time.monotonic()``), no row starts after it; rows that never started are None.

    ``write_threshold`` t: at a row's first answer word (the first after the start and an opening [SOS]),
    [EOS] (an empty answer) is ruled out whenever the model gives writing something a probability
    1 - P([EOS]) above t; None (or 1) is the plain argmax. A lower t makes the model write where it is
    unsure (a calibration of the write decision, to be chosen on validation rows).
    """
    import time

    if max_new_tokens < 1:
        raise ValueError(f"max_new_tokens must be at least 1, got {max_new_tokens}")
    if slots < 1:
        raise ValueError(f"slots must be at least 1, got {slots}")
    if constraints is not None and len(constraints) != n_rows:
        raise ValueError(f"{len(constraints)} constraints for {n_rows} rows")
    refill_at = max(1, slots // 4) if refill_at is None else refill_at
    lean = LeanDecoder(model)
    queue = _Queue(lean, encode, n_rows, slots)
    results: list[torch.Tensor | None] = [None] * n_rows
    cohorts: list[_Cohort] = []
    while True:
        free = slots - sum(len(c.rows) for c in cohorts)
        open_queue = deadline is None or time.monotonic() < deadline
        if open_queue and queue.waiting() and free >= min(refill_at, queue.waiting()):
            cohorts.append(queue.cohort(free, max_new_tokens, decoder_start, pad))
        if not cohorts:
            return results
        token = cohorts[0].token if len(cohorts) == 1 else torch.cat([c.token for c in cohorts])
        forced = [c.pos + 1 == max_new_tokens for c in cohorts for _ in c.rows]  # generate's forced_eos
        logits = lean.step(token, cohorts).float()
        live = [r for c in cohorts for r in c.rows]
        if write_threshold is not None:  # before the first answer word: after the start (and the [SOS] the
            # targets open with, which a trained model writes first), nothing else written yet
            pos = torch.tensor([c.pos for c in cohorts for _ in c.rows], device=logits.device)
            first = (pos <= 1) & (token == decoder_start)
            writes = 1.0 - torch.softmax(logits, dim=-1)[:, eos] > write_threshold
            logits[first & writes, eos] = float("-inf")
        if constraints is not None:
            mask = torch.full_like(logits, float("-inf"))
            for i, r in enumerate(live):
                mask[i, [eos] if forced[i] else constraints[r].allowed()] = 0.0
            logits = logits + mask
        token = logits.argmax(dim=-1)
        if any(forced):
            token[torch.tensor(forced, device=token.device)] = eos
        if constraints is not None:
            for r, t, f in zip(live, token.tolist(), forced):
                if not f:
                    constraints[r].advance(t)
        start, left = 0, []
        for c in cohorts:
            end = start + len(c.rows)
            c.write(token[start:end])
            start = end
            done = (c.token == eos).nonzero().squeeze(1).tolist()
            for i in done:
                results[c.rows[i]] = c.out[i, : c.pos + 1].clone()
            if len(done) < len(c.rows):
                left.append(c.drop(done) if done else c)
        cohorts = left


class _Cohort:
    """Rows that started together, so share a position: their ids so far, next tokens, and caches."""

    def __init__(self, lean, rows, cross, memory_bias, max_new_tokens: int, decoder_start: int, pad: int):
        self.rows, n = list(rows), len(rows)
        self.pos = 0  # the position of the next input token = ids written so far - 1
        device = memory_bias.device
        self.token = torch.full((n,), decoder_start, dtype=torch.long, device=device)
        self.out = torch.full((n, max_new_tokens + 1), pad, dtype=torch.long, device=device)
        self.out[:, 0] = decoder_start
        self.cross, self.memory_bias = cross, memory_bias
        shape = (n, lean.heads, max_new_tokens, lean.head_dim)
        self.self_kv = [(memory_bias.new_empty(shape), memory_bias.new_empty(shape)) for _ in lean.layers]

    def write(self, token: torch.Tensor) -> None:
        self.pos += 1
        self.out[:, self.pos] = token
        self.token = token

    def drop(self, finished: list[int]) -> _Cohort:
        """The cohort without its rows at ``finished`` (caches copied for the positions written so far)."""
        gone = set(finished)
        kept = [i for i in range(len(self.rows)) if i not in gone]
        keep = torch.tensor(kept, dtype=torch.long, device=self.token.device)
        self.rows = [self.rows[i] for i in kept]
        self.token, self.out, self.memory_bias = self.token[keep], self.out[keep], self.memory_bias[keep]
        self.cross = [(k[keep], v[keep]) for k, v in self.cross]
        self.self_kv = [(_rows_of(k, keep, self.pos), _rows_of(v, keep, self.pos)) for k, v in self.self_kv]
        return self


class _Queue:
    """Rows waiting to be decoded, encoded a chunk of ``slots`` rows at a time."""

    def __init__(self, lean, encode, n_rows: int, slots: int):
        self.lean, self.encode, self.n_rows, self.slots = lean, encode, n_rows, slots
        self.next_row = 0  # the first row not yet encoded
        self.pending: list[tuple] = []  # per encoded chunk: (its rows not started, cross keys/values, bias)

    def waiting(self) -> int:
        return self.n_rows - self.next_row + sum(len(rows) for rows, _, _ in self.pending)

    def _encode_next(self) -> None:
        indices = list(range(self.next_row, min(self.next_row + self.slots, self.n_rows)))
        self.next_row += len(indices)
        hidden, mask = self.encode(indices)
        bias = torch.zeros(mask.shape, dtype=hidden.dtype, device=hidden.device)
        bias = bias.masked_fill(mask == 0, torch.finfo(hidden.dtype).min)[:, None, None, :]
        self.pending.append((indices, self.lean.cross_kv(hidden), bias))

    def cohort(self, n: int, max_new_tokens: int, decoder_start: int, pad: int) -> _Cohort:
        """A cohort of the next ``n`` rows waiting (or all of them, when fewer wait)."""
        parts = []
        while n > 0 and self.waiting():
            if not self.pending:
                self._encode_next()
            rows, cross, bias = self.pending[0]
            take = min(n, len(rows))
            parts.append((rows[:take], [(k[:take], v[:take]) for k, v in cross], bias[:take]))
            if take == len(rows):
                self.pending.pop(0)
            else:
                self.pending[0] = (rows[take:], [(k[take:], v[take:]) for k, v in cross], bias[take:])
            n -= take
        if len(parts) == 1:
            rows, cross, bias = parts[0]
        else:  # rows from two chunks: their inputs padded to the longer one (the padding masked)
            width = max(b.shape[-1] for _, _, b in parts)
            fill = torch.finfo(parts[0][2].dtype).min
            rows = [r for p, _, _ in parts for r in p]
            bias = torch.cat([F.pad(b, (0, width - b.shape[-1]), value=fill) for _, _, b in parts])
            cross = [
                tuple(torch.cat([F.pad(c[i][j], (0, 0, 0, width - c[i][j].shape[2])) for _, c, _ in parts])
                      for j in (0, 1))
                for i in range(len(parts[0][1]))
            ]  # fmt: skip
        return _Cohort(self.lean, rows, cross, bias, max_new_tokens, decoder_start, pad)


def _rows_of(cache: torch.Tensor, keep: torch.Tensor, used: int) -> torch.Tensor:
    """The cache (B, H, T, hd) of the rows ``keep``, the same capacity T; only the ``used`` positions written
    so far are copied (a finished row otherwise costs a copy of the whole preallocated cache)."""
    out = cache.new_empty((keep.numel(), *cache.shape[1:]))
    out[:, :, :used] = cache[:, :, :used].index_select(0, keep)
    return out

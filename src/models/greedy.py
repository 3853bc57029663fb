"""Greedy decoding in a lean loop: the ids ``model.generate`` writes, with far less work per token.

``generate`` re-enters the model's full forward at every token: the cache grows by concatenation
(a copy of all keys and values per step), attention on one query goes through the general SDPA kernel,
and finished rows stay in the batch until the longest one ends. Here, for a (M)BART model:

- the encoder output comes in once, and each layer's cross-attention keys and values are projected once;
- the self-attention keys and values go into a cache allocated once for ``max_new_tokens`` positions;
- attention for the one new query is one fused SDPA call; q, k and v come from one
  fused projection;
- the logits come from the language-model head of the new position only;
- a row leaves the batch, and the caches, as soon as it writes [EOS].

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


class _Layer:
    """One decoder layer's weights, with q/k/v fused for self-attention."""

    def __init__(self, layer):
        sa, ca = layer.self_attn, layer.encoder_attn
        self.qkv_w = torch.cat([sa.q_proj.weight, sa.k_proj.weight, sa.v_proj.weight])
        self.qkv_b = torch.cat([sa.q_proj.bias, sa.k_proj.bias, sa.v_proj.bias])
        self.sa_out, self.ca_q, self.ca_k, self.ca_v, self.ca_out = (
            sa.out_proj,
            ca.q_proj,
            ca.k_proj,
            ca.v_proj,
            ca.out_proj,
        )
        self.sa_norm, self.ca_norm, self.ffn_norm = (
            layer.self_attn_layer_norm,
            layer.encoder_attn_layer_norm,
            layer.final_layer_norm,
        )
        self.fc1, self.fc2, self.act = layer.fc1, layer.fc2, layer.activation_fn


class LeanDecoder:
    """The decoder of a (M)BART ``ForConditionalGeneration`` as a step function over explicit caches."""

    def __init__(self, model):
        config = model.config
        if config.model_type not in ("bart", "mbart"):
            raise ValueError(f"the lean decoder reads BART or mBART layers, not {config.model_type!r}")
        decoder = model.get_decoder()
        self.pre_norm = config.model_type == "mbart"
        self.heads = config.decoder_attention_heads
        self.head_dim = config.d_model // self.heads
        self.scale = self.head_dim**-0.5
        self.embed = decoder.embed_tokens
        scale = getattr(decoder.embed_tokens, "embed_scale", None)  # BART's scaled embedding carries it
        if scale is None:
            scale = math.sqrt(config.d_model) if config.scale_embedding else 1.0
        self.embed_scale = float(scale)
        self.positions = decoder.embed_positions.weight
        self.embed_norm = decoder.layernorm_embedding
        self.final_norm = getattr(decoder, "layer_norm", None) if self.pre_norm else None
        self.layers = [_Layer(layer) for layer in decoder.layers]
        self.head = model.get_output_embeddings()
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

    def _attend(self, q, k, v, bias=None):  # q (B, H, 1, hd), k/v (B, H, T, hd) -> (B, 1, d)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=bias, scale=self.scale)
        return out.transpose(1, 2).reshape(q.shape[0], 1, -1)

    def step(self, token, position: int, self_kv, cross, memory_bias) -> torch.Tensor:
        """Logits (B, V) for the next token after ``token`` (B,) at ``position``; writes its keys/values."""
        h = self.embed(token[:, None]) * self.embed_scale + self.positions[position + POSITION_OFFSET]
        h = self.embed_norm(h)
        for lay, (k_cache, v_cache), (ck, cv) in zip(self.layers, self_kv, cross):
            x = lay.sa_norm(h) if self.pre_norm else h
            q, k, v = F.linear(x, lay.qkv_w, lay.qkv_b).chunk(3, dim=-1)
            k_cache[:, :, position] = k.view(k.shape[0], self.heads, self.head_dim)
            v_cache[:, :, position] = v.view(v.shape[0], self.heads, self.head_dim)
            a = self._attend(self._split(q), k_cache[:, :, : position + 1], v_cache[:, :, : position + 1])
            h = h + lay.sa_out(a) if self.pre_norm else lay.sa_norm(h + lay.sa_out(a))
            x = lay.ca_norm(h) if self.pre_norm else h
            a = self._attend(self._split(lay.ca_q(x)), ck, cv, memory_bias)
            h = h + lay.ca_out(a) if self.pre_norm else lay.ca_norm(h + lay.ca_out(a))
            x = lay.ffn_norm(h) if self.pre_norm else h
            f = lay.fc2(lay.act(lay.fc1(x)))
            h = h + f if self.pre_norm else lay.ffn_norm(h + f)
        if self.final_norm is not None:
            h = self.final_norm(h)
        logits = self.head(h[:, 0])
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
    if max_new_tokens < 1:
        raise ValueError(f"max_new_tokens must be at least 1, got {max_new_tokens}")
    if constraints is not None and len(constraints) != encoder_hidden.shape[0]:
        raise ValueError(f"{len(constraints)} constraints for {encoder_hidden.shape[0]} rows")
    lean = LeanDecoder(model)
    batch, device = encoder_hidden.shape[0], encoder_hidden.device
    dtype = encoder_hidden.dtype
    out = torch.full((batch, max_new_tokens + 1), pad, dtype=torch.long, device=device)
    out[:, 0] = decoder_start
    alive = torch.arange(batch, device=device)  # rows of ``out`` still decoding, in the caches' order
    cross = lean.cross_kv(encoder_hidden)
    memory_bias = torch.zeros(attention_mask.shape, dtype=dtype, device=device)
    memory_bias = memory_bias.masked_fill(attention_mask == 0, torch.finfo(dtype).min)[:, None, None, :]
    shape = (batch, lean.heads, max_new_tokens, lean.head_dim)
    self_kv = [(encoder_hidden.new_empty(shape), encoder_hidden.new_empty(shape)) for _ in lean.layers]
    token = out[:, 0]
    length = 1
    for step in range(1, max_new_tokens + 1):
        if step == max_new_tokens:  # the last position is [EOS] (generate's forced_eos_token_id)
            token = torch.full((alive.numel(),), eos, dtype=torch.long, device=device)
        else:
            logits = lean.step(token, step - 1, self_kv, cross, memory_bias).float()
            if constraints is not None:
                rows = alive.tolist()
                mask = torch.full_like(logits, float("-inf"))
                for i, r in enumerate(rows):
                    mask[i, constraints[r].allowed()] = 0.0
                logits = logits + mask
            token = logits.argmax(dim=-1)
            if constraints is not None:
                for r, t in zip(rows, token.tolist()):
                    constraints[r].advance(t)
        out[alive, step] = token
        length = step + 1
        finished = token == eos
        if bool(finished.all()):
            break
        if bool(finished.any()):
            keep = (~finished).nonzero().squeeze(1)
            alive, token, memory_bias = alive[keep], token[keep], memory_bias[keep]
            cross = [(k[keep], v[keep]) for k, v in cross]
            self_kv = [(_rows_of(k, keep, step), _rows_of(v, keep, step)) for k, v in self_kv]
    return out[:, :length]


def _rows_of(cache: torch.Tensor, keep: torch.Tensor, used: int) -> torch.Tensor:
    """The cache (B, H, T, hd) of the rows ``keep``, the same capacity T; only the ``used`` positions written
    so far are copied (a finished row otherwise costs a copy of the whole preallocated cache)."""
    out = cache.new_empty((keep.numel(), *cache.shape[1:]))
    out[:, :, :used] = cache[:, :, :used].index_select(0, keep)
    return out

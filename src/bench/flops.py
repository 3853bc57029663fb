"""Matrix-multiply FLOPs of a BART training step, from the preset and the padded batch shape.

Counted: every matrix product of the forward pass (projections, feed-forward layers, attention scores and
weighted sums over the padded lengths, the language-model head), times 3 for forward + backward (the
backward pass does two products per forward one). Not counted: embeddings, layer norms, activations,
softmax, the optimiser (a few per cent at these sizes). This is the convention of model-FLOPs utilisation
(MFU): useful arithmetic per step, whatever the kernels do. ``tests/bench`` checks it against PyTorch's own
``FlopCounterMode`` on a real step (eager attention), where they agree exactly.
"""

from __future__ import annotations


def forward_flops(arch: dict, vocab_size: int, batch: int, source_len: int, target_len: int) -> int:
    """FLOPs (2 per multiply-add) of one forward pass over a padded (batch, source_len, target_len) batch."""
    d = int(arch["d_model"])
    s, t = int(source_len), int(target_len)
    enc_f, dec_f = int(arch["encoder_ffn_dim"]), int(arch["decoder_ffn_dim"])
    encoder_layer = s * (4 * d * d + 2 * d * enc_f) + 2 * s * s * d
    decoder_layer = (
        t * (4 * d * d)  # self-attention q, k, v, out
        + 2 * t * t * d  # self-attention scores and weighted sum (the full padded square)
        + t * 2 * d * d  # cross-attention q, out
        + s * 2 * d * d  # cross-attention k, v of the encoder output
        + 2 * t * s * d  # cross-attention scores and weighted sum
        + t * 2 * d * dec_f  # feed-forward
    )
    head = t * d * int(vocab_size)
    macs = batch * (
        int(arch["encoder_layers"]) * encoder_layer + int(arch["decoder_layers"]) * decoder_layer + head
    )
    return 2 * macs


def train_step_flops(arch: dict, vocab_size: int, batch: int, source_len: int, target_len: int) -> int:
    """Forward + backward FLOPs of one training step (3 x forward)."""
    return 3 * forward_flops(arch, vocab_size, batch, source_len, target_len)


def greedy_decode_flops(arch: dict, vocab_size: int, batch: int, source_len: int, new_tokens: int) -> int:
    """FLOPs of greedy decoding with a key/value cache: the encoder once, each decoder layer's
    cross-attention keys and values once, then ``new_tokens`` one-token decoder steps, the k-th attending
    over k cached positions, each with the language-model head."""
    d, s = int(arch["d_model"]), int(source_len)
    enc_f, dec_f = int(arch["encoder_ffn_dim"]), int(arch["decoder_ffn_dim"])
    enc_layers, dec_layers = int(arch["encoder_layers"]), int(arch["decoder_layers"])
    once = enc_layers * (s * (4 * d * d + 2 * d * enc_f) + 2 * s * s * d) + dec_layers * s * 2 * d * d
    per_step = dec_layers * (4 * d * d + 2 * d * d + 2 * s * d + 2 * d * dec_f) + d * int(vocab_size)
    attention_over_cache = dec_layers * 2 * d * sum(range(1, new_tokens + 1))
    return 2 * batch * (once + new_tokens * per_step + attention_over_cache)

"""Greedy decoding in a lean loop, token for token what ``model.generate`` writes for the same settings.

``generate`` re-enters the model's full forward, runs the logits processors and the stopping
criteria, and keeps every finished row in the batch to the end. Here the encoder output comes in once,
each step runs the decoder on the last token with a key/value cache, the logits come from the
language-model head of that one position, and a row leaves the batch (and the cache) as soon as it
writes [EOS]. Settings reproduced from ``generation_config``: start at ``decoder_start``, stop at
``eos``, pad finished rows with ``pad``, and force ``eos`` at the last step (``forced_eos_token_id``),
so a row never exceeds 1 + ``max_new_tokens`` ids.
"""

from __future__ import annotations

import torch
from transformers.cache_utils import DynamicCache, EncoderDecoderCache


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
) -> torch.Tensor:
    """(B, T) ids, each row ``decoder_start`` then the argmax tokens up to its [EOS], [PAD] after it.

    ``model`` is a (M)BART ``ForConditionalGeneration``; ``encoder_hidden`` its encoder's last hidden
    state (B, S, d) for the inputs whose padding ``attention_mask`` (B, S) marks. T is the longest row.
    """
    if max_new_tokens < 1:
        raise ValueError(f"max_new_tokens must be at least 1, got {max_new_tokens}")
    batch = encoder_hidden.shape[0]
    device = encoder_hidden.device
    out = torch.full((batch, max_new_tokens + 1), pad, dtype=torch.long, device=device)
    out[:, 0] = decoder_start
    alive = torch.arange(batch, device=device)  # rows of ``out`` still decoding, in the cache's order
    current = out[:, :1]
    memory, memory_mask = encoder_hidden, attention_mask
    cache = EncoderDecoderCache(DynamicCache(), DynamicCache())
    decoder, head = model.get_decoder(), model.get_output_embeddings()
    bias = getattr(model, "final_logits_bias", None)
    length = 1
    for step in range(1, max_new_tokens + 1):
        hidden = decoder(
            input_ids=current,
            encoder_hidden_states=memory,
            encoder_attention_mask=memory_mask,
            cache=cache,
            use_cache=True,
        ).last_hidden_state[:, -1]
        if step == max_new_tokens:  # the last position is [EOS] (generate's forced_eos_token_id)
            token = torch.full((alive.numel(),), eos, dtype=torch.long, device=device)
        else:
            logits = head(hidden).float()
            if bias is not None:
                logits = logits + bias.float()
            token = logits.argmax(dim=-1)
        out[alive, step] = token
        length = step + 1
        finished = token == eos
        if bool(finished.all()):
            break
        if bool(finished.any()):
            keep = (~finished).nonzero().squeeze(1)
            alive, token = alive[keep], token[keep]
            memory, memory_mask = memory[keep], memory_mask[keep]
            cache.batch_select_indices(keep)
        current = token.unsqueeze(1)
    return out[:, :length]

"""Training throughput of a bare BART step in fp32 and in bf16 autocast (three model sizes, two batch sizes).

    OMP_NUM_THREADS=2 python scripts/precision_probe.py

Random tokens (vocabulary 60, source 30, target 190), AdamW; the median of steps 3-6 per setting, as target
tokens/s and the bf16/fp32 ratio. Whether bf16 pays on a CPU depends on the processor (AMX / AVX512-BF16).
"""

import time
from contextlib import nullcontext

import torch
from transformers import BartConfig, BartForConditionalGeneration

torch.manual_seed(0)


def run(d, L, ffn, heads, B, S, T, bf16, steps=6, dropout=0.1):
    cfg = BartConfig(
        vocab_size=60,
        d_model=d,
        encoder_layers=L,
        decoder_layers=L,
        encoder_ffn_dim=ffn,
        decoder_ffn_dim=ffn,
        encoder_attention_heads=heads,
        decoder_attention_heads=heads,
        max_position_embeddings=1024,
        dropout=dropout,
        pad_token_id=2,
        bos_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
        forced_eos_token_id=1,
    )
    m = BartForConditionalGeneration(cfg)
    opt = torch.optim.AdamW(m.parameters(), 1e-4)
    x = torch.randint(4, 60, (B, S))
    y = torch.randint(4, 60, (B, T))
    ctx = torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else nullcontext()
    ts = []
    for _ in range(steps):
        t = time.perf_counter()
        with ctx:
            loss = m(input_ids=x, attention_mask=torch.ones_like(x), labels=y).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
        ts.append(time.perf_counter() - t)
    dt = sorted(ts[2:])[len(ts[2:]) // 2]
    return B * T / dt


for spec in [(256, 3, 1024, 4), (384, 4, 1536, 6), (512, 6, 2048, 8)]:
    for B, T in [(16, 190), (64, 190)]:
        r = [run(*spec, B, 30, T, bf) for bf in (False, True)]
        print(
            spec, B, T, f"fp32 {r[0]:.0f} tok/s  bf16 {r[1]:.0f} tok/s  ratio {r[1] / r[0]:.2f}", flush=True
        )

"""``python -m src.bench decode [--model small] [--batch 32] [--new-tokens 128] [--json PATH]``.

Greedy decoding throughput of a randomly initialised BART preset, with the KV cache
(as ``generate_tokens`` runs) and without it, on encoder inputs of random 1-6-field lists
in the paper scheme. Decoding runs for exactly ``--new-tokens`` steps
(``min_new_tokens`` = ``max_new_tokens``) so both variants do the same work; the ratio
printed beside the absolute figures comes from this one process.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

from src.bench.machine import describe, peak_rss_mib

CONF_DIR = Path(__file__).resolve().parents[2] / "conf"


def _model(preset: str, scheme):
    import yaml

    from src.models.bart import SpecialIds, build_bart

    arch = yaml.safe_load((CONF_DIR / "model" / f"{preset}.yaml").read_text())
    arch.pop("name", None)
    return build_bart(arch, scheme.vocab_size, SpecialIds.from_scheme(scheme)).eval()


def measure(model, batch: dict, new_tokens: int, use_cache: bool, repeats: int) -> float:
    """Generated tokens per second (batch rows x steps / seconds), best of ``repeats``."""
    import torch

    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        with torch.no_grad():
            model.generate(
                input_ids=batch["input_ids"],
                attention_mask=batch["attention_mask"],
                max_new_tokens=new_tokens,
                min_new_tokens=new_tokens,
                use_cache=use_cache,
                num_beams=1,
                do_sample=False,
            )
        best = min(best, time.perf_counter() - start)
    return batch["input_ids"].shape[0] * new_tokens / best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m src.bench decode", description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="small", help="model preset in conf/model (default: small)")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default=None, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.batch < 1 or args.new_tokens < 1:
        parser.error("--batch and --new-tokens must be positive")
    if not (CONF_DIR / "model" / f"{args.model}.yaml").exists():
        parser.error(f"unknown model preset {args.model!r}")

    import torch

    from src.tokens import build_scheme
    from src.tokens.stats import random_fields

    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    scheme = build_scheme("paper")
    model = _model(args.model, scheme)
    examples = [scheme.encode(random_fields(rng, rng.randint(1, 6)), None) for _ in range(args.batch)]
    batch = scheme.collate(examples)
    cached = measure(model, batch, args.new_tokens, True, args.repeats)
    uncached = measure(model, batch, args.new_tokens, False, max(1, args.repeats - 1))
    result = {
        "machine": describe(),
        "threads": torch.get_num_threads(),
        "model": args.model,
        "batch": args.batch,
        "new_tokens": args.new_tokens,
        "tokens_per_s_cache": round(cached, 1),
        "tokens_per_s_no_cache": round(uncached, 1),
        "cache_speedup": round(cached / uncached, 2),
        "ms_per_step_cache": round(1000 * args.batch / cached, 2),
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }
    print(f"machine: {result['machine']} ({result['threads']} torch threads)")
    print(
        f"greedy decoding, {args.model} model, batch {args.batch}, {args.new_tokens} new tokens: "
        f"{cached:,.0f} tokens/s with the KV cache ({result['ms_per_step_cache']} ms/step), "
        f"{uncached:,.0f} without; cache speed-up x{result['cache_speedup']}"
    )
    print(f"peak memory: {result['peak_rss_mib']} MiB RSS")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return 0

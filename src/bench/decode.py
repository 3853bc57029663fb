"""``python -m src.bench decode [--model small] [--batch 32] [--new-tokens 128] [--json PATH]
[--checkpoint RUN/best_model --rows DATA/test.parquet]``.

Greedy decoding throughput of a randomly initialised BART preset on encoder inputs of random
1-6-field lists in the paper scheme, three ways: the lean loop that evaluation uses
(``src.models.greedy``: encoder once, KV cache, finished rows leave the batch), ``model.generate``
with its default cache (the anchor), and ``generate`` without a cache. [EOS] is masked out of the
random model's logits, so every row runs exactly ``--new-tokens`` steps in each variant (the same
work; the last step is the forced [EOS]), and the lean ids are checked to equal ``generate``'s.
The ratios printed beside the absolute figures come from this one process.

With ``--checkpoint`` (a trained ``best_model`` folder) and ``--rows`` (a Parquet split), the same two
engines also decode those rows as evaluation does (sorted by input length, batches of ``--batch``, up to
``--max-new-tokens``): rows that end at different lengths are where dropping finished rows pays.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

from src.bench import report
from src.bench.flops import greedy_decode_flops
from src.bench.machine import describe, matmul_peak, peak_rss_mib
from src.cli import ArgumentParser, run_main

CONF_DIR = Path(__file__).resolve().parents[2] / "conf"


def _model(preset: str, scheme):
    import torch

    from src.config.model import model_preset
    from src.models.bart import SpecialIds, build_bart

    arch = model_preset(preset)
    ids = SpecialIds.from_scheme(scheme)
    model = build_bart(arch, scheme.vocab_size, ids).eval()
    with torch.no_grad():  # no row ends early: every variant decodes exactly max_new_tokens steps
        model.final_logits_bias[..., ids.eos] = -1e4
    return model, ids


def measure_lean(model, ids, batch: dict, new_tokens: int, repeats: int):
    """(tokens/s, ids) of the lean greedy loop, encoder included, best of ``repeats``."""
    import torch

    from src.models.greedy import greedy_decode

    best, out = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        with torch.inference_mode():
            hidden = model.get_encoder()(
                input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
            ).last_hidden_state
            out = greedy_decode(
                model,
                hidden,
                batch["attention_mask"],
                decoder_start=ids.decoder_start,
                eos=ids.eos,
                pad=ids.pad,
                max_new_tokens=new_tokens,
            )
        best = min(best, time.perf_counter() - start)
    return batch["input_ids"].shape[0] * new_tokens / best, out


def measure(model, ids, batch: dict, new_tokens: int, use_cache: bool, repeats: int):
    """(tokens/s, ids) of ``model.generate`` (batch rows x steps / seconds), best of ``repeats``."""
    import torch

    from src.models.bart import generation_config

    best, out = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        with torch.no_grad():
            out = model.generate(
                input_ids=batch["input_ids"],
                attention_mask=batch["attention_mask"],
                generation_config=generation_config(ids, new_tokens),
                use_cache=use_cache,
            )
        best = min(best, time.perf_counter() - start)
    return batch["input_ids"].shape[0] * new_tokens / best, out


def measure_trained(checkpoint: str, rows_path: str, batch_size: int, max_new: int) -> dict:
    """Decode every row of a split with both engines as evaluation does (through the ``Decoder``, engine by
    engine: the lean engine keeps ``batch_size`` rows in flight; ``model.generate`` runs consecutive batches
    of ``batch_size``) on a trained model: seconds, and whether the words are the same."""
    import pandas as pd

    from src.data.rows import fields_from_row
    from src.decoding import Decoder
    from src.models.module import LagrangianBart

    model = LagrangianBart.load(checkpoint)
    rows = pd.read_parquet(rows_path).to_dict("records")
    encoded = [model.scheme.encode(fields_from_row(r), None) for r in rows]
    encoded.sort(key=lambda e: len(e["input_ids"]))
    seconds, outputs = {}, {}
    for engine in ("hf", "lean", "hf", "lean"):  # alternated: a drift in machine load hits both
        decoder = Decoder(max_new_tokens=max_new, engine=engine)
        start = time.perf_counter()
        words = decoder.decode_examples(model, encoded, batch_size)
        seconds[engine] = min(seconds.get(engine, float("inf")), time.perf_counter() - start)
        outputs[engine] = words
    same = outputs["hf"] == outputs["lean"]  # word for word, every row
    tokens = sum(len(row) for row in outputs["lean"])  # generated words, up to [EOS]
    return {
        "checkpoint": checkpoint,
        "rows": len(rows),
        "generated_tokens": tokens,
        "seconds_generate": round(seconds["hf"], 2),
        "seconds_lean": round(seconds["lean"], 2),
        "lean_over_generate_trained": round(seconds["hf"] / seconds["lean"], 2),
        "identical_ids_trained": bool(same),
    }


def main(argv: list[str] | None = None) -> int:
    """The benchmark's exit code; a bad argument is one line ``error: ...`` and exit code 2 (``src.cli``)."""
    return run_main(lambda: _main(argv))


def _main(argv: list[str] | None) -> int:
    parser = ArgumentParser(prog="python -m src.bench decode", description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="small", help="model preset in conf/model (default: small)")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default=None, help="also write the figures to this JSON file")
    parser.add_argument("--checkpoint", default=None, help="a trained best_model folder (with --rows)")
    parser.add_argument("--rows", default=None, help="a Parquet split to decode with --checkpoint")
    parser.add_argument("--max-new-tokens", type=int, default=600, help="limit with --checkpoint")
    args = parser.parse_args(argv)
    if (args.checkpoint is None) != (args.rows is None):
        parser.error("--checkpoint and --rows go together")
    for path in (args.checkpoint, args.rows):
        if path is not None and not Path(path).exists():
            parser.error(f"{path} does not exist")
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
    model, ids = _model(args.model, scheme)
    examples = [scheme.encode(random_fields(rng, rng.randint(1, 6)), None) for _ in range(args.batch)]
    batch = scheme.collate(examples)
    lean, lean_ids = measure_lean(model, ids, batch, args.new_tokens, args.repeats)
    cached, hf_ids = measure(model, ids, batch, args.new_tokens, True, args.repeats)
    uncached, _ = measure(model, ids, batch, args.new_tokens, False, max(1, args.repeats - 1))
    arch = {k: getattr(model.config, k) for k in ("d_model", "encoder_ffn_dim", "decoder_ffn_dim")}
    arch |= {"encoder_layers": model.config.encoder_layers, "decoder_layers": model.config.decoder_layers}
    flops = greedy_decode_flops(
        arch, scheme.vocab_size, args.batch, batch["input_ids"].shape[1], args.new_tokens
    )
    lean_flops_per_s = flops * lean / (args.batch * args.new_tokens)
    peak = matmul_peak("float32", n=1024, repeats=5, device="cpu")  # the decoding above ran on the CPU
    result = {
        "machine": describe(),
        "threads": torch.get_num_threads(),
        "model": args.model,
        "batch": args.batch,
        "new_tokens": args.new_tokens,
        "tokens_per_s_lean": round(lean, 1),
        "tokens_per_s_cache": round(cached, 1),
        "tokens_per_s_no_cache": round(uncached, 1),
        "lean_over_generate": round(lean / cached, 2),
        "cache_speedup": round(cached / uncached, 2),
        "ms_per_step_lean": round(1000 * args.batch / lean, 2),
        "ms_per_step_cache": round(1000 * args.batch / cached, 2),
        "identical_ids": bool(torch.equal(lean_ids, hf_ids)),
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "decode_gflop": round(flops / 1e9, 3),
        "lean_gflops_per_s": round(lean_flops_per_s / 1e9, 2),
        "matmul_peak_gflops_per_s": round(peak / 1e9, 2),
    }
    print(f"machine: {result['machine']} ({result['threads']} torch threads)")
    print(
        f"greedy decoding, {args.model} model, batch {args.batch}, {args.new_tokens} new tokens: "
        f"lean loop {lean:,.0f} tokens/s ({result['ms_per_step_lean']} ms/step), "
        f"generate {cached:,.0f} with its cache ({result['ms_per_step_cache']} ms/step), "
        f"{uncached:,.0f} without; lean / generate x{result['lean_over_generate']}, "
        f"cache speed-up x{result['cache_speedup']}; identical ids: {result['identical_ids']}"
    )
    print(
        f"useful arithmetic: {flops / 1e9:.3f} GFLOP per lean decode = {lean_flops_per_s / 1e9:.2f} GFLOP/s "
        f"against {peak / 1e9:.1f} GFLOP/s of a 1024^3 fp32 matmul here: {lean_flops_per_s / peak:.1%}"
    )
    command = f"python -m src.bench decode --model {args.model} --batch {args.batch}"
    what = f"greedy decoding, {args.model}, random weights, batch {args.batch}, {args.new_tokens} steps"
    report.add("decode", what, lean, "model.generate with its cache", cached, "tokens/s",
               note=f"identical ids: {result['identical_ids']}", command=command)  # fmt: skip
    report.add("decode", f"{what}, without a cache", cached, "model.generate without a cache", uncached,
               "tokens/s", note="the cache's own gain (generate vs generate)", command=command)  # fmt: skip
    report.add("decode", f"{what}: useful matmul FLOP/s of the lean loop", lean_flops_per_s / 1e9,
               "the machine's fp32 matmul rate (1024³, measured)", peak / 1e9,
               "GFLOP/s", note="ratio = the share of the machine's matmul rate the decoder uses",
               command=command)  # fmt: skip
    if args.checkpoint:
        trained = measure_trained(args.checkpoint, args.rows, args.batch, args.max_new_tokens)
        result.update(trained)
        print(
            f"trained {trained['checkpoint']}, {trained['rows']} rows of {args.rows} "
            f"({trained['generated_tokens']:,} tokens): generate {trained['seconds_generate']} s, "
            f"lean loop {trained['seconds_lean']} s, x{trained['lean_over_generate_trained']}; "
            f"identical ids: {trained['identical_ids_trained']}"
        )
        result["peak_rss_mib"] = round(peak_rss_mib(), 1)
        report.add("decode", f"{trained['rows']} rows of a trained model ({args.rows}), seconds",
                   trained["seconds_lean"], "model.generate with its cache", trained["seconds_generate"], "s",
                   higher_is_better=False, note=f"identical ids: {trained['identical_ids_trained']}",
                   command=f"{command} --checkpoint ... --rows ...")  # fmt: skip
    print(f"peak memory: {result['peak_rss_mib']} MiB RSS")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return 0

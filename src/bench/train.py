"""``python -m src.bench train [--steps N] [--schemes paper,field_refs] [--model small] [--json PATH]``.

Training throughput of the quickstart model on the quickstart data (generated into a temporary folder unless
``--data-root`` holds it): target tokens per second (labels that are not -100, i.e. the tokens the loss sees)
and the padding fraction of the target batches, with and without length buckets, for each scheme; plus peak
memory (process RSS; on a GPU also the CUDA peak). Steps are AdamW steps with the quickstart's precision,
timed after ``--warmup`` untimed steps, on the same seeded batch order for both batchings. Absolute numbers
depend on the machine and on its other load: compare the ratios printed beside them, which come from one
process.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

from src.bench.machine import describe, peak_rss_mib
from src.models.precision import resolve_precision

CONF_DIR = Path(__file__).resolve().parents[2] / "conf"


def quickstart_config(root: str, overrides: list[str]):
    """The quickstart experiment's composed config with outputs under ``root``."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose(
            config_name="train",
            overrides=[
                "experiment=quickstart",
                f"paths.root_dir={root}",
                f"run_dir={root}/bench_run",
                *overrides,
            ],
        )
    GlobalHydra.instance().clear()
    return cfg


def _padded_share(batches: list[dict]) -> float:
    """1 - real target tokens / target slots, over all batches (labels padded with -100)."""
    real = sum(int((b["labels"] != -100).sum()) for b in batches)
    slots = sum(b["labels"].numel() for b in batches)
    return 1.0 - real / max(1, slots)


def measure(cfg, scheme_name: str, bucket: bool, steps: int, warmup: int) -> dict:
    """Tokens/s over ``steps`` timed AdamW steps and the padding fraction of a whole epoch."""
    import hydra
    import lightning as L
    import torch

    from src.models.module import LagrangianBart
    from src.tokens import scheme_from_config

    L.seed_everything(0, workers=True)
    tok_cfg = cfg.tokenizer.copy()
    tok_cfg.name = scheme_name
    scheme = scheme_from_config(tok_cfg)
    dm = hydra.utils.instantiate(cfg.data.datamodule, scheme=scheme, bucket_by_length=bucket)
    dm.prepare_data()
    if scheme.needs_fit:
        scheme.fit(dm.train_field_lists())
    dm.setup("fit")
    batches = list(dm.train_dataloader())
    model = LagrangianBart.from_config(cfg, scheme)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    bf16 = "bf16" in resolve_precision(cfg.trainer.precision, cfg.trainer.get("accelerator"))
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model.to(device).train()
    autocast = torch.autocast(device, dtype=torch.bfloat16) if bf16 else nullcontext()
    tokens, elapsed = 0, 0.0
    for i, batch in enumerate(batches[: warmup + steps]):
        batch = {k: v.to(device) for k, v in batch.items() if k != "row"}
        start = time.perf_counter()
        with autocast:
            loss = model(batch).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        if device == "cuda":
            torch.cuda.synchronize()
        if i >= warmup:
            elapsed += time.perf_counter() - start
            tokens += int((batch["labels"] != -100).sum())
    return {
        "scheme": scheme_name,
        "bucketed": bucket,
        "steps": min(steps, max(0, len(batches) - warmup)),
        "target_tokens_per_s": tokens / elapsed if elapsed else float("nan"),
        "padding_fraction": _padded_share(batches),
        "params": sum(p.numel() for p in model.parameters()),
    }


def report(results: list[dict]) -> list[str]:
    lines = ["scheme       batching    target tok/s   padding   speed-up vs unbucketed"]
    by_key = {(r["scheme"], r["bucketed"]): r for r in results}
    for r in results:
        base = by_key.get((r["scheme"], False))
        ratio = r["target_tokens_per_s"] / base["target_tokens_per_s"] if base else float("nan")
        batching = "buckets" if r["bucketed"] else "shuffled"
        lines.append(
            f"{r['scheme']:<12} {batching:<10} {r['target_tokens_per_s']:>12.0f} "
            f"{r['padding_fraction']:>9.1%}   {ratio:>6.2f}x"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m src.bench train", description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=12, help="timed optimiser steps per configuration")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps first")
    parser.add_argument("--schemes", default="paper,field_refs")
    parser.add_argument("--model", default="small", help="model preset (conf/model)")
    parser.add_argument(
        "--data-root", default=None, help="root with outputs/data/quickstart (else a temp dir)"
    )
    parser.add_argument("--json", default=None, help="also write the results here")
    args = parser.parse_args(argv)
    import torch

    with tempfile.TemporaryDirectory() as tmp:
        cfg = quickstart_config(args.data_root or tmp, [f"model={args.model}"])
        results = [
            measure(cfg, scheme, bucket, args.steps, args.warmup)
            for scheme in args.schemes.split(",")
            for bucket in (False, True)
        ]
    memory = {"peak_rss_mib": peak_rss_mib()}
    if torch.cuda.is_available():
        memory["cuda_peak_mib"] = torch.cuda.max_memory_allocated() / 2**20
    print(f"machine: {describe()}; torch threads {torch.get_num_threads()}")
    chosen = resolve_precision(cfg.trainer.precision, cfg.trainer.get("accelerator"))
    print(
        f"model {args.model} ({results[0]['params']:,} params), precision {chosen}, "
        f"batch {cfg.data.datamodule.batch_size}, {args.steps} timed steps per row"
    )
    print("\n".join(report(results)))
    print("peak memory: " + ", ".join(f"{k} {v:.0f}" for k, v in memory.items()))
    if args.json:
        Path(args.json).write_text(
            json.dumps({"machine": describe(), "results": results, "memory": memory}, indent=2)
        )
    return 0

"""``python -m src.bench train [--steps N] [--schemes paper,field_refs] [--model small] [--json PATH]``.

Training throughput on the quickstart data (generated into a temporary folder unless ``--data-root`` holds
it), in target tokens per second (labels that are not -100, the tokens the loss sees), two ways on the same
batches in the same precision: our step as a run takes it (``LagrangianBart`` under a Lightning ``Trainer``,
with its optimiser, schedule and logging) and the anchor, a plain Hugging Face loop (the same BART model's
forward with labels, backward, AdamW in our implementation, ``optim.fused``; no Lightning). Each with and
without length buckets, for each scheme, plus the padding fraction and peak memory (process RSS; on a GPU
also the CUDA peak). Timed after ``--warmup`` untimed steps. Absolute numbers depend on the machine and its
other load: compare the ratios, which come from one process.
"""

from __future__ import annotations

import json
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

from src.bench import report as report_rows
from src.bench.machine import describe, peak_rss_mib
from src.cli import ArgumentParser, run_main
from src.models.precision import resolve_precision


def quickstart_config(root: str, overrides: list[str]):
    """The quickstart experiment's composed config with outputs under ``root``; a bad override (an unknown
    ``--model`` preset) is a one-line ``UserError``."""
    import src.config  # noqa: F401  (registers the schemas of the config groups)
    from src.cli import compose_checked

    return compose_checked(
        "train", ["experiment=quickstart", f"paths.root_dir={root}", f"run_dir={root}/bench_run", *overrides]
    )


def _padded_share(batches: list[dict]) -> float:
    """1 - real target tokens / target slots, over all batches."""
    return 1.0 - sum(_target_tokens(b) for b in batches) / max(1, sum(b["labels"].numel() for b in batches))


def prepare(cfg, scheme_name: str, bucket: bool) -> tuple:
    """(scheme, one epoch of training batches) of the quickstart data in ``scheme_name``."""
    import lightning as L

    from src.data.datamodule import datamodule_from_config, ensure_data, training_field_lists
    from src.tokens import scheme_from_config

    L.seed_everything(0, workers=True)
    tok_cfg = cfg.tokenizer.copy()
    tok_cfg.name = scheme_name
    scheme = scheme_from_config(tok_cfg)
    if scheme.needs_fit:  # as train() does: only a scheme that fits reads the training split's fields
        scheme.fit(training_field_lists(cfg.data))
    ensure_data(cfg.data)  # no Trainer here to call the datamodule's prepare_data
    dm = datamodule_from_config(cfg.data, scheme, bucket_by_length=bucket, stream=None)
    dm.setup("fit")
    batches = [{k: v for k, v in b.items() if k != "row"} for b in dm.train_dataloader()]
    return scheme, batches


def _target_tokens(batch: dict) -> int:
    from src.tokens.base import LABEL_PAD

    return int((batch["labels"] != LABEL_PAD).sum())


def measure_plain(cfg, scheme, batches: list[dict], steps: int, warmup: int) -> dict:
    """The anchor: a plain Hugging Face loop (no Lightning) over ``batches``: the BART model's own forward
    with labels, backward, AdamW, in the run's precision. Target tokens/s over the timed steps."""
    import lightning as L
    import torch

    from src.models.module import LagrangianBart

    L.seed_everything(0, workers=True)
    bart = LagrangianBart.from_config(cfg, scheme).model  # the same BartForConditionalGeneration
    bf16 = "bf16" in resolve_precision(cfg.trainer.precision, cfg.trainer.get("accelerator"))
    device = "cuda" if torch.cuda.is_available() else "cpu"
    bart.to(device).train()
    # the same AdamW implementation as ours (optim.fused), so the ratio is the framework's, not the kernel's
    opt = torch.optim.AdamW(bart.parameters(), lr=1e-4, **({"fused": True} if cfg.optim.fused else {}))
    autocast = torch.autocast(device, dtype=torch.bfloat16) if bf16 else nullcontext()
    tokens, elapsed = 0, 0.0
    for i, batch in enumerate(batches[: warmup + steps]):
        batch = {k: v.to(device) for k, v in batch.items()}
        start = time.perf_counter()
        with autocast:
            loss = bart(
                input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=batch["labels"]
            ).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        if device == "cuda":
            torch.cuda.synchronize()
        if i >= warmup:
            elapsed += time.perf_counter() - start
            tokens += _target_tokens(batch)
    params = sum(p.numel() for p in bart.parameters())
    return {"target_tokens_per_s": _rate(tokens, elapsed), "params": params}


def measure_ours(cfg, scheme, batches: list[dict], steps: int, warmup: int) -> dict:
    """Our training step as a run takes it: ``LagrangianBart`` under a Lightning ``Trainer`` (its optimiser,
    schedule, logging and precision plugin) over the same batches. Timed from each batch's start to its end
    (the data loading between them excluded, as in the plain loop)."""
    import lightning as L
    import torch
    from torch.utils.data import DataLoader

    from src.models.module import LagrangianBart

    class Clock(L.Callback):
        def __init__(self):
            self.tokens, self.elapsed, self.started = 0, 0.0, 0.0

        def on_train_batch_start(self, trainer, module, batch, batch_idx):
            self.started = time.perf_counter()

        def on_train_batch_end(self, trainer, module, outputs, batch, batch_idx):
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            if batch_idx >= warmup:
                self.elapsed += time.perf_counter() - self.started
                self.tokens += _target_tokens(batch)

    L.seed_everything(0, workers=True)
    module = LagrangianBart.from_config(cfg, scheme)
    clock = Clock()
    trainer = L.Trainer(
        max_steps=min(len(batches), warmup + steps),
        precision=resolve_precision(cfg.trainer.precision, cfg.trainer.get("accelerator")),
        accelerator="auto",
        devices=1,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        limit_val_batches=0,
        num_sanity_val_steps=0,
        callbacks=[clock],
    )
    trainer.fit(module, train_dataloaders=DataLoader(batches, batch_size=None, shuffle=False))
    return {"target_tokens_per_s": _rate(clock.tokens, clock.elapsed)}


def _rate(tokens: int, seconds: float) -> float:
    return tokens / seconds if seconds else float("nan")


def measure(cfg, scheme_name: str, bucket: bool, steps: int, warmup: int) -> dict:
    """Our step and the plain loop on one scheme's batches (bucketed or shuffled), and their padding."""
    scheme, batches = prepare(cfg, scheme_name, bucket)
    plain = measure_plain(cfg, scheme, batches, steps, warmup)
    ours = measure_ours(cfg, scheme, batches, steps, warmup)
    return {
        "scheme": scheme_name,
        "bucketed": bucket,
        "steps": max(0, min(steps, len(batches) - warmup)),
        "target_tokens_per_s": ours["target_tokens_per_s"],
        "plain_target_tokens_per_s": plain["target_tokens_per_s"],
        "padding_fraction": _padded_share(batches),
        "params": plain["params"],
    }


def report(results: list[dict]) -> list[str]:
    lines = [
        "scheme       batching    target tok/s   plain HF loop   ours/plain   padding   buckets/shuffled"
    ]
    by_key = {(r["scheme"], r["bucketed"]): r for r in results}
    for r in results:
        base = by_key.get((r["scheme"], False))
        ratio = r["target_tokens_per_s"] / base["target_tokens_per_s"] if base else float("nan")
        batching = "buckets" if r["bucketed"] else "shuffled"
        plain = r["plain_target_tokens_per_s"]
        lines.append(
            f"{r['scheme']:<12} {batching:<10} {r['target_tokens_per_s']:>12.0f} "
            f"{plain:>15.0f} {r['target_tokens_per_s'] / plain:>11.2f}x"
            f" {r['padding_fraction']:>9.1%}   {ratio:>6.2f}x"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    """The benchmark's exit code; a bad argument is one line ``error: ...`` and exit code 2 (``src.cli``)."""
    return run_main(lambda: _main(argv))


def _main(argv: list[str] | None) -> int:
    parser = ArgumentParser(prog="python -m src.bench train", description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=12, help="timed optimiser steps per configuration")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps first")
    parser.add_argument("--schemes", default="paper,field_refs")
    parser.add_argument("--model", default="small", help="model preset (conf/model)")
    parser.add_argument(
        "--data-root", default=None, help="root with outputs/data/quickstart (else a temp dir)"
    )
    parser.add_argument("--json", default=None, help="also write the results here")
    args = parser.parse_args(argv)
    if args.steps < 1 or args.warmup < 0:
        parser.error("--steps must be >= 1 and --warmup >= 0")
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
    command = f"python -m src.bench train --model {args.model}"
    by_key = {(r["scheme"], r["bucketed"]): r for r in results}
    for r in results:
        batching = "length buckets" if r["bucketed"] else "shuffled batches"
        what = f"training step, {r['scheme']}, {batching}, {args.model}, {chosen}"
        anchor = "a plain Hugging Face BART loop, same batches"
        report_rows.add("train", what, r["target_tokens_per_s"], anchor, r["plain_target_tokens_per_s"],
                        "target tokens/s", command=command)  # fmt: skip
        base = by_key.get((r["scheme"], False))
        if r["bucketed"] and base:
            padding = f"padding {r['padding_fraction']:.1%} against {base['padding_fraction']:.1%}"
            report_rows.add("train", f"{r['scheme']}, our step on length buckets", r["target_tokens_per_s"],
                            "our step on shuffled batches", base["target_tokens_per_s"], "target tokens/s",
                            note=padding, command=command)  # fmt: skip
    print("peak memory: " + ", ".join(f"{k} {v:.0f}" for k, v in memory.items()))
    if args.json:
        Path(args.json).write_text(
            json.dumps({"machine": describe(), "results": results, "memory": memory}, indent=2)
        )
    return 0

"""Compare optimisation settings at equal optimiser steps, without Lightning (RESULTS.md, "Learning").

    OMP_NUM_THREADS=1 python scripts/lever_probe.py --lr 6e-4 --warmup 100 --steps 1000 --every 250 \
        --decode-every 250 [--set norm=pre] [--data outputs/data/qs40k]

Trains the project's ``LagrangianBart`` (``field_refs``, canonical IDs, the ``small`` preset unless
``--model``) on a dataset's ``train.parquet`` with AdamW, linear warm-up and decay, gradient clipping 1.0 and
bf16 autocast, and prints every ``--every`` steps: the batch loss, the encoder spread and the input
dependence on 32 fixed validation rows (``src.callbacks.probe.input_signals``); every
``--decode-every`` steps and at the end, the scores of those rows decoded greedily. Two such processes with
one thread each share the two cores: the comparison is at equal steps, so their speed does not matter.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from contextlib import nullcontext
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from src.callbacks.probe import input_signals  # noqa: E402
from src.config.model import model_preset  # noqa: E402
from src.data.datamodule import LagrangianDataModule  # noqa: E402
from src.decoding import decode_rows, fixed_subset, score_rows, summarize  # noqa: E402
from src.models.module import LagrangianBart, lr_factor  # noqa: E402
from src.tokens import build_scheme  # noqa: E402

SHOWN = ("S_lagrangian", "perfect", "perfect/nf=1", "perfect/nf=2", "distinct_outputs")


def scores(model, dm, rows, idx) -> dict:
    preds = decode_rows(model, dm, "val", rows, idx, 32, 400, 1)
    results = score_rows(dm.scheme, rows, preds, 400)
    out = summarize(results, [int(r["n_fields"]) for r in rows], "val")
    return {k: round(out[f"val/{k}"], 3) for k in SHOWN if f"val/{k}" in out}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--steps", type=int, default=400)
    p.add_argument("--every", type=int, default=100)
    p.add_argument("--decode-every", type=int, default=0)
    p.add_argument("--bf16", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--model", default="small")
    p.add_argument("--data", default="outputs/data/qs40k")
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--set", nargs="*", default=[], help="preset keys, e.g. norm=pre d_model=320")
    a = p.parse_args()

    torch.manual_seed(a.seed)
    random.seed(a.seed)
    scheme = build_scheme("field_refs", canonical=True)
    dm = LagrangianDataModule(
        a.data, scheme=scheme, batch_size=a.batch_size, max_target_length=512, seed=a.seed
    )
    dm.prepare_data()
    dm.setup("fit")
    arch = model_preset(a.model)
    arch["dropout"] = a.dropout
    for kv in a.set:
        k, v = kv.split("=", 1)
        arch[k] = v if isinstance(arch.get(k), str) else type(arch.get(k, 0.0))(v)
    model = LagrangianBart(arch, vocab_size=scheme.vocab_size, scheme=scheme, max_new_tokens=400)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, betas=(0.9, 0.98), weight_decay=0.01)
    table = dm.table("val")
    idx = fixed_subset(len(table), 32, 0)
    rows = [table.iloc[i].to_dict() for i in idx]
    autocast = (lambda: torch.autocast("cpu", dtype=torch.bfloat16)) if a.bf16 else nullcontext
    step, start, tokens = 0, time.time(), 0
    while step < a.steps:
        for batch in dm.train_dataloader():
            batch = {k: v for k, v in batch.items() if k != "row"}
            for group in opt.param_groups:
                group["lr"] = a.lr * lr_factor(step, a.warmup, a.steps, "linear", 0.0)
            model.train()
            with autocast():
                loss = model(batch).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            opt.zero_grad()
            tokens += int((batch["labels"] != -100).sum())
            step += 1
            if step % a.every == 0 or step == a.steps:
                model.eval()
                s = input_signals(model, dm, "val", rows, idx)
                print(
                    f"step {step} t {time.time() - start:.0f}s tok {tokens} loss {loss.item():.3f} "
                    f"spread {s['encoder_spread']:.4f} dep {s['input_dependence']:.3f}",
                    flush=True,
                )
                if a.decode_every and step % a.decode_every == 0:
                    print("   ", scores(model, dm, rows, idx), flush=True)
            if step >= a.steps:
                break
    model.eval()
    print("final", scores(model, dm, rows, idx), flush=True)


if __name__ == "__main__":
    main()

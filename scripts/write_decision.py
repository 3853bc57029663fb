"""Does the model know which sub-lists have terms of their own? The probability it gives to writing a term
(the first answer word "+" or "-", against [EOS]) on every distinct sub-list of K fields of a split's first
rows, split by whether the oracle gives that sub-list terms of its own; the ranking quality (AUC), the share
written and missed at thresholds, and the same among the sub-lists the model itself finds plausible.

    OMP_NUM_THREADS=2 python scripts/write_decision.py CKPT [--data-dir DIR] [--split test] [--limit 200]
        [--size 3] [--plausible 0.1] [--out results/compose/NAME_decision.json]

Greedy decoding writes a term exactly when that probability is above one half. With a scheme whose targets
start with the list's charge sums (``tokenizer.charge_sums``), the decision is read after the true sums
(teacher-forced), and ``sums_right`` is the share of sub-lists whose every sum word is the model's first
choice given the words before it: exactly those whose sums greedy decoding writes right.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from itertools import combinations
from pathlib import Path

import pandas as pd
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from src.data.rows import fields_from_row  # noqa: E402
from src.errors import UserError  # noqa: E402
from src.evaluate import default_data_dir  # noqa: E402
from src.models.module import LagrangianBart  # noqa: E402
from src.physics.lagrangian import build_lagrangian, own_terms  # noqa: E402
from src.physics.terms import Lagrangian  # noqa: E402

THRESHOLDS = (0.5, 0.2, 0.1, 0.05, 0.01)


def auc(pos: list[float], neg: list[float]) -> float:
    """The chance a sub-list with terms gets a higher probability than an empty one (ties count half)."""
    if not pos or not neg:
        return float("nan")
    return sum((a > b) + 0.5 * (a == b) for a in pos for b in neg) / (len(pos) * len(neg))


def write_probabilities(model, sub_lists: list[list], batch_size: int = 64) -> tuple[list[float], list[bool]]:
    """P(the first term word is "+" or "-") for each field list, one decoder step after [SOS] and the
    target's words before its terms (the charge sums, when the scheme writes them; else none); and whether
    each of those words is the model's first choice given the true words before it."""
    scheme, vocab = model.scheme, model.scheme.tokenizer.get_vocab()
    probs: list[float] = []
    sums_right: list[bool] = []
    for start in range(0, len(sub_lists), batch_size):
        chunk = sub_lists[start : start + batch_size]
        encoded = [scheme.encode(fields, None) for fields in chunk]
        batch = scheme.collate(encoded)
        prefixes = [scheme.ids(scheme.target_tokens(Lagrangian(list(fields), []))) for fields in chunk]
        width = 2 + max(len(q) for q in prefixes)
        rows = [[model.ids.decoder_start, vocab["[SOS]"], *q] for q in prefixes]
        decoder = torch.tensor([r + [vocab["[PAD]"]] * (width - len(r)) for r in rows])
        with torch.no_grad():
            logits = model.model(
                **model.encoder_inputs(batch),
                attention_mask=batch["attention_mask"],
                decoder_input_ids=decoder,
            ).logits
        for k, q in enumerate(prefixes):  # causal decoder: the padding after a row's words changes nothing
            p = logits[k, 1 + len(q)].softmax(-1)
            probs.append(float(p[vocab["+"]] + p[vocab["-"]]))
            sums_right.append(bool((logits[k, 1 : 1 + len(q)].argmax(-1) == torch.tensor(q)).all()))
    return probs, sums_right


def summary(pos: list[float], neg: list[float]) -> dict:
    return {
        "with_terms": len(pos),
        "empty": len(neg),
        "median_p_with_terms": statistics.median(pos) if pos else None,
        "median_p_empty": statistics.median(neg) if neg else None,
        "auc": auc(pos, neg),
        "at": {
            str(t): {"written_with_terms": sum(p > t for p in pos), "written_empty": sum(p > t for p in neg)}
            for t in THRESHOLDS
        },  # fmt: skip
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("ckpt")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--split", default="test")
    p.add_argument("--limit", type=int, default=200)
    p.add_argument("--size", type=int, default=3, help="sub-lists of this many fields")
    p.add_argument("--plausible", type=float, default=0.1, help="the second table: sub-lists above this")
    p.add_argument("--out", default=None)
    args = p.parse_args()
    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir(Path(args.ckpt))
    if not (data_dir / f"{args.split}.parquet").is_file():
        raise UserError(f"{data_dir / args.split}.parquet does not exist (pass --data-dir DIR)")
    if not 1 <= args.size <= 4:
        raise UserError(f"--size {args.size}: a sub-list of 1 to 4 fields")
    model = LagrangianBart.load(args.ckpt)
    rows = pd.read_parquet(data_dir / f"{args.split}.parquet").iloc[: args.limit].to_dict("records")
    has_terms: dict[tuple, bool] = {}
    for row in rows:
        fields = fields_from_row(row)
        for chosen in combinations(range(len(fields)), args.size):
            sub = tuple(fields[i] for i in chosen)
            if sub not in has_terms:
                has_terms[sub] = bool(own_terms(build_lagrangian(list(sub))).terms)
    subs = list(has_terms)
    probs, sums_right = write_probabilities(model, [list(s) for s in subs])
    pos = [q for q, s in zip(probs, subs) if has_terms[s]]
    neg = [q for q, s in zip(probs, subs) if not has_terms[s]]
    report = {
        "ckpt": args.ckpt,
        "split": args.split,
        "size": args.size,
        "sums_right": sum(sums_right) / len(sums_right) if getattr(model.scheme, "charge_sums", False) else None,
        "all": summary(pos, neg),
        f"plausible (p > {args.plausible})": summary(
            [q for q in pos if q > args.plausible], [q for q in neg if q > args.plausible]
        ),
    }
    print(json.dumps(report, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    from src.cli import run_main

    sys.exit(run_main(main))

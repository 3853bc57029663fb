"""Where composed decoding goes wrong: the model's answer on every sub-list that composition asks about,
against the oracle's own terms of that sub-list (the terms that hold every one of its fields), by sub-list
size and by whether the answer should be empty; which term kinds are missed or written in excess; how
the wrong answers that should hold terms are wrong (nothing written, the right kinds of terms but other
ones, other kinds), with the first of them as examples.

    OMP_NUM_THREADS=2 python scripts/sublist_errors.py CKPT [--data-dir DIR] [--splits test,ood_fields]
        [--limit 200] [--compose 4] [--out results/compose/NAME_sublists.json]

The oracle only scores here; the answers are the model's greedy ones, decoded once per distinct sub-list as
composed decoding does. A sub-list answer is right when its parsed terms equal the oracle's own terms as a
multiset (an unreadable term makes it wrong).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from src.data.rows import fields_from_row  # noqa: E402
from src.decoding.compose import sublists  # noqa: E402
from src.errors import UserError  # noqa: E402
from src.evaluate import default_data_dir  # noqa: E402
from src.models.module import LagrangianBart  # noqa: E402
from src.physics.lagrangian import build_lagrangian, own_terms  # noqa: E402


def sublist_errors(model, rows: list[dict], compose: int, batch_size: int = 64, n_examples: int = 20) -> dict:
    scheme = model.scheme
    distinct: dict[tuple, list] = {}
    for row in rows:
        fields = fields_from_row(row)
        for sub in sublists(len(fields), compose):
            chosen = [fields[i] for i in sub]
            distinct.setdefault(tuple(chosen), chosen)
    chosen_lists = list(distinct.values())
    examples = [scheme.encode(c, None) for c in chosen_lists]
    order = sorted(range(len(examples)), key=lambda k: len(examples[k]["input_ids"]))
    words = model.decode_examples([examples[k] for k in order], batch_size)
    by_key: Counter = Counter()
    wrong: Counter = Counter()
    missed: Counter = Counter()
    extra: Counter = Counter()
    how: Counter = Counter()  # how a wrong answer with terms to write is wrong
    examples: list[dict] = []
    for k, w in zip(order, words):
        chosen = chosen_lists[k]
        want = Counter(own_terms(build_lagrangian(chosen)).terms)
        parsed = scheme.parse_target(list(w or []), chosen)
        got = Counter(t.term for t in parsed.terms if t.term is not None)
        unreadable = sum(t.term is None for t in parsed.terms)
        key = f"{len(chosen)} fields, {'empty' if not want else 'with terms'}"
        by_key[key] += 1
        if got != want or unreadable:
            wrong[key] += 1
            missed.update(t.kind for t in (want - got).elements())
            extra.update(t.kind for t in (got - want).elements())
            extra["unreadable"] += unreadable
            if want:
                kinds = Counter(t.kind for t in want.elements()) == Counter(t.kind for t in got.elements())
                how[
                    "nothing written"
                    if not got and not unreadable
                    else "unreadable term"
                    if unreadable
                    else "same kinds, other terms"
                    if kinds
                    else "other kinds"
                ] += 1
                if len(examples) < n_examples:
                    examples.append(
                        {
                            "fields": [str(f) for f in chosen],
                            "want": sorted(map(str, want.elements())),
                            "got": sorted(map(str, got.elements())),
                            "words": " ".join(w or []),
                        }
                    )
    table = {
        key: {"sub_lists": n, "wrong": wrong[key], "wrong_share": wrong[key] / n}
        for key, n in sorted(by_key.items())
    }
    return {
        "distinct_sub_lists": len(chosen_lists),
        "by_size": table,
        "missed": dict(missed),
        "extra": dict(extra),
        "wrong_with_terms": dict(how),
        "examples": examples,
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("ckpt")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--splits", default="test,ood_fields")
    p.add_argument("--limit", type=int, default=200, help="rows per split (the first N)")
    p.add_argument("--compose", type=int, default=4)
    p.add_argument("--out", default=None)
    args = p.parse_args()
    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir(Path(args.ckpt))
    model = LagrangianBart.load(args.ckpt)
    report = {"ckpt": args.ckpt, "compose": args.compose, "splits": {}}
    for split in args.splits.split(","):
        if not (data_dir / f"{split}.parquet").is_file():
            raise UserError(f"{data_dir / split}.parquet does not exist (pass --data-dir DIR)")
        rows = pd.read_parquet(data_dir / f"{split}.parquet").iloc[: args.limit].to_dict("records")
        rep = sublist_errors(model, rows, args.compose)
        report["splits"][split] = rep
        print(f"{split}: {rep['distinct_sub_lists']} distinct sub-lists")
        for key, v in rep["by_size"].items():
            print(f"  {key:<24} {v['sub_lists']:>6}  wrong {v['wrong']:>5} ({100 * v['wrong_share']:.1f} %)")
        print(f"  missed terms by kind: {rep['missed']}")
        print(f"  extra terms by kind:  {rep['extra']}")
        print(f"  wrong answers with terms, how: {rep['wrong_with_terms']}")
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    from src.cli import run_main

    sys.exit(run_main(main))

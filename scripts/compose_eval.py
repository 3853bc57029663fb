"""Direct against composed decoding of the same checkpoint, through ``src.evaluate``: perfect by number of
fields per split, the registry models one by one, the terms no sub-list of at most K fields holds, and what
decoding cost per Lagrangian (seconds, words written, sub-lists decoded).

    OMP_NUM_THREADS=2 python scripts/compose_eval.py CKPT [--compose 3] [--limit 200] [--num-beams 1]
        [--write-threshold T]
        [--splits test,ood_fields,ood_hypercharge,benchmarks] [--out results/compose/NAME.json]

Prints a markdown table; ``--out`` also keeps every number as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from src.data.rows import fields_from_row  # noqa: E402
from src.errors import UserError  # noqa: E402
from src.evaluate import default_data_dir, evaluate, parse_config  # noqa: E402
from src.physics.lagrangian import build_lagrangian  # noqa: E402

MAX_FIELDS = 10  # table columns: perfect by number of fields, 1 to 10 (data=sampled's ood_fields: 7-10)


def distinct_fields(term) -> int:
    return len({f.field for f in term.factors})


def beyond(table: pd.DataFrame, k: int) -> tuple[int, int]:
    """(terms with more than k distinct fields, rows holding one) over the oracle Lagrangians of a split."""
    terms = rows = 0
    for row in table.to_dict("records"):
        n = sum(distinct_fields(t) > k for t in build_lagrangian(fields_from_row(row)).terms)
        terms += n
        rows += n > 0
    return terms, rows


def run(
    ckpt: str,
    split: str,
    compose: int,
    limit: int | None,
    out: Path,
    data_dir: Path,
    beams: int = 1,
    write_threshold: float | None = None,
):
    argv = [
        f"ckpt={ckpt}",
        f"data_dir={data_dir}",
        f"splits=[{split}]",
        f"decode.compose={compose}",
        f"decode.num_beams={beams}",
        "wandb=false",
        f"out_dir={out}",
    ]
    argv += [f"limit={limit}"] if limit else []
    argv += [f"decode.write_threshold={write_threshold}"] if write_threshold is not None else []
    cfg = parse_config(argv)
    result = evaluate(cfg)
    return pd.read_parquet(result["pred"]), result["decoding"][split]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("ckpt")
    p.add_argument("--compose", type=int, default=3)
    p.add_argument("--limit", type=int, default=None, help="rows per split (the first N)")
    p.add_argument("--splits", default="test,ood_fields,ood_hypercharge,benchmarks")
    p.add_argument("--out", default=None)
    p.add_argument("--modes", default="direct,composed", help="direct, composed or both (comma-separated)")
    p.add_argument(
        "--data-dir", default=None, help="the dataset folder (default: the one the run trained on)"
    )
    p.add_argument("--num-beams", type=int, default=1, help="beam search on every answer (1: greedy)")
    p.add_argument(
        "--write-threshold", type=float, default=None, help="no empty answer where P(write a term) > this"
    )
    args = p.parse_args()
    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir(Path(args.ckpt))
    report: dict = {
        "ckpt": args.ckpt,
        "compose": args.compose,
        "write_threshold": args.write_threshold,
        "splits": {},
    }
    lines = [
        "| split | decoding | n | "
        + " | ".join(f"nf={n}" for n in range(1, MAX_FIELDS + 1))
        + " | all | s/row | words/row | sub-lists/row |"
    ]
    lines.append("|" + "---|" * (MAX_FIELDS + 6))
    modes = [m.strip() for m in args.modes.split(",")]
    unknown = [m for m in modes if m not in ("direct", "composed")]
    if unknown or not modes:
        raise UserError(f"--modes {args.modes!r}: choose direct, composed or both")
    beams = f" beams={args.num_beams}" if args.num_beams > 1 else ""
    beams += f" write>{args.write_threshold}" if args.write_threshold is not None else ""
    chosen = [(f"direct{beams}", 0) for m in modes if m == "direct"] + [
        (f"composed k={args.compose}{beams}", args.compose) for m in modes if m == "composed"
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for split in args.splits.split(","):
            if not (data_dir / f"{split}.parquet").is_file():
                raise UserError(f"{data_dir / split}.parquet does not exist (pass --data-dir DIR)")
            table = pd.read_parquet(data_dir / f"{split}.parquet")
            if args.limit:
                table = table.iloc[: args.limit]
            split_report: dict = {"beyond_k": beyond(table, args.compose)}
            for mode, compose in chosen:
                where = Path(tmp) / f"{split}_{compose}"
                preds, cost = run(
                    args.ckpt,
                    split,
                    compose,
                    args.limit,
                    where,
                    data_dir,
                    args.num_beams,
                    args.write_threshold,
                )
                by_nf = preds.groupby("n_fields")["exact/perfect"].mean().to_dict()
                entry = {
                    "perfect": float(preds["exact/perfect"].mean()),
                    "S_lagrangian": float(preds["S_lagrangian"].mean()),
                    "perfect_by_fields": {int(k): float(v) for k, v in by_nf.items()},
                    "distinct_outputs": int(preds["prediction"].nunique()),
                    "cost": cost,
                }
                if split == "benchmarks":
                    entry["models"] = {
                        m: bool(p) for m, p in zip(table["model"], preds["exact/perfect"] >= 1.0)
                    }
                split_report[mode] = entry
                cells = [f"{100 * by_nf[n]:.1f}" if n in by_nf else "" for n in range(1, MAX_FIELDS + 1)]
                n = cost["rows"]
                lines.append(
                    f"| {split} | {mode} | {n} | " + " | ".join(cells) + f" | {100 * entry['perfect']:.1f} | "
                    f"{cost['seconds'] / n:.2f} | {cost['tokens'] / n:.0f} | "
                    f"{cost.get('decoded', 0) / n:.1f} |"
                )
                print(lines[-1], flush=True)
            report["splits"][split] = split_report
    print("\n".join(lines))
    for split, rep in report["splits"].items():
        terms, rows = rep["beyond_k"]
        print(f"{split}: {terms} oracle terms hold more than {args.compose} distinct fields, in {rows} rows")
        for mode, _ in chosen:
            if "models" in rep.get(mode, {}):
                ok = [m for m, v in rep[mode]["models"].items() if v]
                print(f"benchmarks {mode}: {len(ok)} of {len(rep[mode]['models'])} exact: {', '.join(ok)}")
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=1, default=str) + "\n")
    return 0


if __name__ == "__main__":
    from src.cli import run_main

    sys.exit(run_main(main))  # a bad checkpoint or split: one line, exit code 2

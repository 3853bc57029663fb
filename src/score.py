"""Score predicted Lagrangians against targets with the paper's order-invariant metric (paper.md §6).

    python -m src.score TARGETS PREDICTIONS [--by-line] [--seed N] [--matching paper|exact]

TARGETS and PREDICTIONS are text files with one Lagrangian per line in the paper's token format
([SOS]/[EOS]/[PAD] optional), or dataset splits (``.parquet`` files written by ``src.generate``: their
``lagrangian`` column). Two splits are joined on their ``key`` (the field multiset), so that two datasets
generated with other settings (``data.basis=paper`` against ``independent``) are compared field list by
field list; the output then also says how many rows of each had no partner.

Prints one JSON object: the means over lines of S_lagrangian, S_contraction, P_length, S_object and perfect,
and n (the number of lines); with ``--by-line`` also ``by_line``, the scores of every line. User mistakes
(missing file, different line counts, an empty target line) exit with code 2 and one line; so does a target
line that is not a Lagrangian in the paper's grammar (plain text, NUL bytes: the first such line and its
problem are named). A UTF-8 byte-order mark at the start of a file is ignored.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from src.cli import ArgumentParser, UserError, run_main
from src.metrics import mean_scores, score_lagrangian
from src.metrics.paper_score import MATCHINGS, to_terms
from src.metrics.token_terms import format_problem


def _parser() -> argparse.ArgumentParser:
    p = ArgumentParser(prog="python -m src.score", description=__doc__.split("\n\n")[0])
    p.add_argument("targets", metavar="TARGETS", help="one target Lagrangian per line, or a .parquet split")
    p.add_argument(
        "predictions", metavar="PREDICTIONS", help="one predicted Lagrangian per line, or a .parquet split"
    )
    p.add_argument("--by-line", action="store_true", help="also print the scores of every line")
    p.add_argument("--seed", type=int, default=0, help="seed of the relabelling of duplicate predicted terms")
    p.add_argument(
        "--matching",
        choices=MATCHINGS,
        default="paper",
        help="paper: the paper's ID-agnostic rule (default); exact: exact term equivalence",
    )
    return p


def read_lines(path: str, role: str) -> list[str]:
    """The lines of a text file (without line ends), or a UserError naming the file."""
    file = Path(path)
    if not file.is_file():
        raise UserError(f"{role} file not found: {path}")
    try:
        return file.read_text(encoding="utf-8-sig").splitlines()  # -sig: a leading BOM is not a word
    except UnicodeDecodeError as e:
        raise UserError(f"{role} file {path} is not UTF-8 text (byte {e.start})") from None


def read_parquet_split(path: str, role: str) -> tuple[list[str], list[str]]:
    """(keys, Lagrangians) of a dataset split in Parquet; a UserError names the file and what is wrong."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not Path(path).is_file():
        raise UserError(f"{role} file not found: {path}")
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as e:
        raise UserError(f"{role} file {path} is not a readable Parquet file ({e})") from None
    missing = [c for c in ("key", "lagrangian") if c not in table.column_names]
    if missing:
        raise UserError(f"{role} file {path} has no {' or '.join(missing)} column: not a dataset split")
    return table.column("key").to_pylist(), table.column("lagrangian").to_pylist()


def read_pair(targets: str, predictions: str) -> tuple[list[str], list[str], dict]:
    """The two lists of lines to score, and what the join left out when both are dataset splits."""
    t_split, p_split = targets.endswith(".parquet"), predictions.endswith(".parquet")
    if t_split and p_split:
        t_keys, t_lines = read_parquet_split(targets, "TARGETS")
        p_keys, p_lines = read_parquet_split(predictions, "PREDICTIONS")
        by_key = dict(zip(p_keys, p_lines))
        pairs = [(t, by_key[k]) for k, t in zip(t_keys, t_lines) if k in by_key]
        if not pairs:
            raise UserError(f"{targets} and {predictions} share no field list (column key)")
        joined = {
            "joined_on": "key",
            "unmatched_targets": len(t_keys) - len(pairs),
            "unmatched_predictions": len(set(p_keys) - set(t_keys)),
        }
        return [t for t, _ in pairs], [p for _, p in pairs], joined
    t_lines = read_parquet_split(targets, "TARGETS")[1] if t_split else read_lines(targets, "TARGETS")
    p_lines = (
        read_parquet_split(predictions, "PREDICTIONS")[1]
        if p_split
        else read_lines(predictions, "PREDICTIONS")
    )
    return t_lines, p_lines, {}


def target_problem(line: str) -> str | None:
    """Why a target line is not a Lagrangian in the paper's token grammar (first bad term), or None."""
    terms = to_terms(line)
    if not terms:
        return "no term"
    for k, term in enumerate(terms, start=1):
        problem = format_problem(term)
        if problem:
            return f"term {k} {problem}"
    return None


def score_files(
    targets: list[str], predictions: list[str], by_line: bool = False, seed: int = 0, matching: str = "paper"
) -> dict:
    """The JSON object of the CLI for two lists of Lagrangian lines of equal length."""
    if len(targets) != len(predictions):
        raise UserError(f"TARGETS has {len(targets)} lines but PREDICTIONS has {len(predictions)}")
    if not targets:
        raise UserError("TARGETS has no lines")
    for i, line in enumerate(targets, start=1):
        if not line.split():
            raise UserError(f"line {i} of TARGETS is empty")
        problem = target_problem(line)
        if problem:
            raise UserError(f"line {i} of TARGETS is not a Lagrangian: {problem}")
    scores = [score_lagrangian(t, p, seed=seed, matching=matching) for t, p in zip(targets, predictions)]
    out = mean_scores(scores)
    if by_line:
        keep = (
            "S_lagrangian",
            "S_contraction",
            "P_length",
            "S_object",
            "perfect",
            "n_true",
            "n_pred",
            "n_correct",
        )
        out["by_line"] = [{k: getattr(s, k) for k in keep} for s in scores]
    return out


def main(argv: list[str] | None = None) -> int:
    def run() -> None:
        args = _parser().parse_args(argv)
        targets, predictions, joined = read_pair(args.targets, args.predictions)
        scores = score_files(targets, predictions, args.by_line, args.seed, args.matching)
        print(json.dumps({**scores, **joined}))

    return run_main(run)


if __name__ == "__main__":
    sys.exit(main())

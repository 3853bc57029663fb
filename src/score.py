"""Score predicted Lagrangians against targets with the paper's order-invariant metric (paper.md §6).

    python -m src.score TARGETS PREDICTIONS [--by-line] [--seed N] [--matching paper|exact]

TARGETS and PREDICTIONS are text files with one Lagrangian per line in the paper's token format
([SOS]/[EOS]/[PAD] optional). Prints one JSON object: the means over lines of S_lagrangian, S_contraction,
P_length, S_object and perfect, and n (the number of lines); with ``--by-line`` also ``by_line``, the scores
of every line. User mistakes (missing file, different line counts, an empty target line) exit with code 2
and one line; so does a target line that is not a Lagrangian in the paper's grammar (plain text, NUL bytes:
the first such line and its problem are named). A UTF-8 byte-order mark at the start of a file is ignored.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from src.cli import ArgumentParser, run_main
from src.cli import UserError as UsageError
from src.metrics import mean_scores, score_lagrangian
from src.metrics.paper_score import MATCHINGS, to_terms
from src.metrics.token_terms import format_problem


def _parser() -> argparse.ArgumentParser:
    p = ArgumentParser(prog="python -m src.score", description=__doc__.split("\n\n")[0])
    p.add_argument("targets", metavar="TARGETS", help="file: one target Lagrangian per line")
    p.add_argument("predictions", metavar="PREDICTIONS", help="file: one predicted Lagrangian per line")
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
    """The lines of a text file (without line ends), or a UsageError naming the file."""
    file = Path(path)
    if not file.is_file():
        raise UsageError(f"{role} file not found: {path}")
    try:
        return file.read_text(encoding="utf-8-sig").splitlines()  # -sig: a leading BOM is not a word
    except UnicodeDecodeError as e:
        raise UsageError(f"{role} file {path} is not UTF-8 text (byte {e.start})") from None


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
        raise UsageError(f"TARGETS has {len(targets)} lines but PREDICTIONS has {len(predictions)}")
    if not targets:
        raise UsageError("TARGETS has no lines")
    for i, line in enumerate(targets, start=1):
        if not line.split():
            raise UsageError(f"line {i} of TARGETS is empty")
        problem = target_problem(line)
        if problem:
            raise UsageError(f"line {i} of TARGETS is not a Lagrangian: {problem}")
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
        targets = read_lines(args.targets, "TARGETS")
        predictions = read_lines(args.predictions, "PREDICTIONS")
        print(json.dumps(score_files(targets, predictions, args.by_line, args.seed, args.matching)))

    return run_main(run)


if __name__ == "__main__":
    sys.exit(main())

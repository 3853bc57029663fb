"""``python -m src.bench score [--sizes 0.0625,0.25,1] [--json PATH]``.

The paper's score on one very long line: a target made of the oracle's terms for a few fields, repeated with
fresh random IDs until the line has the given size in MB, against the same terms shuffled and relabelled (a
perfect prediction). Seconds per line and per MB at each size; the ratio of the largest size's seconds per MB
to the smallest's is 1.0 for a linear scorer (a quadratic one grows with the size ratio).
"""

from __future__ import annotations

import argparse
import json
import random
import time

from src.bench import report
from src.bench.machine import describe
from src.cli import ArgumentParser, run_main

FIELDS = "H: S(1,2,1/2); Q: L(3,2,1/6); u: R(3,1,2/3); X: S(8,1,0)"


def long_line(megabytes: float, seed: int = 0) -> tuple[str, str]:
    """(target, prediction): the oracle's terms repeated to ``megabytes`` of text; the prediction shuffled."""
    from src.physics.fields import parse_short_fields
    from src.physics.lagrangian import build_lagrangian
    from src.tokens.paper import paper_spelling, render_term

    fields = parse_short_fields(FIELDS)
    lag = build_lagrangian(fields)
    spell = paper_spelling(fields)
    rng = random.Random(seed)
    terms: list[str] = []
    size = 0
    while size < megabytes * 1e6:
        for term in lag.terms:
            text = " ".join(render_term(term, fields, rng, spell))
            terms.append(text)
            size += len(text) + 1
    shuffled = list(terms)
    rng.shuffle(shuffled)
    return " ".join(terms), " ".join(shuffled)


def measure(megabytes: float) -> dict:
    from src.metrics import score_lagrangian

    target, prediction = long_line(megabytes)
    start = time.perf_counter()
    score = score_lagrangian(target, prediction)
    seconds = time.perf_counter() - start
    return {
        "mb": len(target) / 1e6,
        "terms": score.n_true,
        "seconds": seconds,
        "s_per_mb": seconds / (len(target) / 1e6),
        "S_lagrangian": score.S_lagrangian,
    }


def _sizes(text: str) -> list[float]:
    """``0.0625,0.25,1`` -> sizes in MB; argparse reports anything else in one line (exit code 2)."""
    try:
        sizes = [float(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not comma-separated numbers: {text!r}") from None
    if not sizes or min(sizes) <= 0:
        raise argparse.ArgumentTypeError(f"sizes must be positive: {text!r}")
    return sizes


def main(argv: list[str] | None = None) -> int:
    """The benchmark's exit code; a bad argument is one line ``error: ...`` and exit code 2 (``src.cli``)."""
    return run_main(lambda: _main(argv))


def _main(argv: list[str] | None) -> int:
    parser = ArgumentParser(prog="python -m src.bench score", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=_sizes, default="0.0625,0.25,1", help="line sizes in MB, comma-separated"
    )
    parser.add_argument("--json", default=None, help="also write the results here")
    args = parser.parse_args(argv)
    rows = [measure(size) for size in args.sizes]
    print(f"machine: {describe()}")
    print("line MB   terms   seconds   s per MB   S_lagrangian   s per MB vs the smallest line")
    for r in rows:
        ratio = r["s_per_mb"] / rows[0]["s_per_mb"]
        print(
            f"{r['mb']:>7.3f} {r['terms']:>7d} {r['seconds']:>9.2f} {r['s_per_mb']:>10.2f} "
            f"{r['S_lagrangian']:>14.3f}   {ratio:.2f}x"
        )
    small, large = rows[0], rows[-1]
    what = f"one {large['mb']:.2f} MB line ({large['terms']:,} terms), seconds"
    linear = f"the {small['mb']:.3f} MB line's time scaled linearly"
    note = f"S_lagrangian {large['S_lagrangian']:.3f} (a perfect prediction); ratio 1 = linear"
    report.add("score", what, large["seconds"], linear, small["s_per_mb"] * large["mb"], "s",
               higher_is_better=False, note=note, command="python -m src.bench score")  # fmt: skip
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)
    return 0

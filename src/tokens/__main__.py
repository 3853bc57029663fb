"""Token-scheme tools.

    python -m src.tokens stats [--n 300] [--seed 0] [--basis independent|expanded]
                               [--side labels|input_ids|both] [--max-fields 6]

``stats`` prints mean / p95 / max tokens per Lagrangian (with [SOS]/[EOS]) by number of fields (1-6) for every
scheme, on a seeded sample of random field lists (see ``src.tokens.stats``). Mistakes exit with code 2 and one
line.
"""

from __future__ import annotations

import argparse
import sys

from src.cli import ArgumentParser, UserError, run_main
from src.physics.lagrangian import BASES


def _parser() -> argparse.ArgumentParser:
    p = ArgumentParser(prog="python -m src.tokens", description="token-scheme tools")
    sub = p.add_subparsers(dest="command", required=True, parser_class=ArgumentParser)
    stats = sub.add_parser("stats", help="sequence lengths of every scheme by number of fields")
    stats.add_argument("--n", type=int, default=300, help="number of sampled field lists (default 300)")
    stats.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    stats.add_argument("--basis", choices=BASES, default="independent")
    stats.add_argument("--max-fields", type=int, default=6, help="largest number of fields (default 6)")
    stats.add_argument("--side", choices=("labels", "input_ids", "both"), default="both")
    return p


def run_stats(args) -> str:
    from .stats import format_table, length_table

    if args.n < 1:
        raise UserError(f"--n must be at least 1, got {args.n}")
    if not 1 <= args.max_fields <= 10:
        raise UserError(f"--max-fields must be between 1 and 10, got {args.max_fields}")
    rows = length_table(n=args.n, seed=args.seed, max_fields=args.max_fields, basis=args.basis)
    sides = ("input_ids", "labels") if args.side == "both" else (args.side,)
    head = f"n={args.n} seed={args.seed} basis={args.basis}; tokens per example including [SOS]/[EOS]"
    blocks = [head]
    for side in sides:
        title = "target (labels)" if side == "labels" else "source (input_ids)"
        blocks.append(f"\n{title}\n{format_table(rows, side)}")
    return "\n".join(blocks)


def main(argv: list[str] | None = None) -> int:
    return run_main(lambda: print(run_stats(_parser().parse_args(argv))))


if __name__ == "__main__":
    sys.exit(main())

"""How the three term conventions differ on the training distribution: terms per Lagrangian by kind, and the
paper's scores of one convention's Lagrangians against another's as targets.

    python -m src.analysis.bases --n 500 --seed 0 --max-fields 6 [--sampler sampled|uniform] [--markdown]

Field lists are drawn with the dataset samplers of ``conf/data/<sampler>.yaml`` (seeded); each list is built
in the ``independent``, ``expanded`` and ``paper`` bases. Printed: the mean number of terms per Lagrangian of
each kind in each basis, the share of the paper convention's interaction terms that vanish identically, and
the scores (S_Lagrangian, perfect share) of the ``expanded`` and ``paper`` Lagrangians scored as predictions
against the ``independent`` ones as targets (the paper's matching): what a model that writes the paper's
convention perfectly would score against our targets.
"""

from __future__ import annotations

import json
import random
import sys
from collections import Counter

from src.cli import ArgumentParser, run_main
from src.data.generation import make_sampler
from src.data.settings import DataSettings
from src.metrics import mean_scores, score_lagrangian
from src.physics.lagrangian import build_lagrangian
from src.physics.terms import INTERACTION_KINDS, KINDS
from src.physics.verify import verify_term
from src.tokens.paper import render_terms

COMPARED = ("independent", "expanded", "paper")


def sample_field_lists(n: int, seed: int, max_fields: int, sampler: str) -> list:
    draw = make_sampler(DataSettings(sampler=sampler, max_fields=max_fields), "main")
    rng = random.Random(seed)
    rejects: Counter = Counter()
    return [draw.sample(rng, rejects).fields for _ in range(n)]


def _tokens(lag, seed: int) -> list[str]:
    return render_terms(lag.terms, lag.fields, random.Random(seed))


def compare(field_lists: list, seed: int = 0) -> dict:
    """Mean terms per Lagrangian by kind and basis, vanishing share of the paper basis, and scores against
    the independent basis as targets."""
    per_kind = {b: Counter() for b in COMPARED}
    vanishing = interactions = 0
    scores: dict[str, list] = {b: [] for b in COMPARED[1:]}
    for k, fields in enumerate(field_lists):
        lags = {b: build_lagrangian(fields, b) for b in COMPARED}
        for b, lag in lags.items():
            per_kind[b].update(t.kind for t in lag.terms)
        for t in lags["paper"].terms:
            if t.kind in INTERACTION_KINDS:
                interactions += 1
                vanishing += verify_term(t, fields).reason == "vanishes"
        target = _tokens(lags["independent"], seed + k)
        for b in scores:
            scores[b].append(score_lagrangian(target, _tokens(lags[b], seed + k), seed=seed))
    n = max(len(field_lists), 1)
    return {
        "n": len(field_lists),
        "terms_per_lagrangian": {b: {kind: per_kind[b][kind] / n for kind in KINDS} for b in COMPARED},
        "paper_interactions_vanishing": vanishing / max(interactions, 1),
        "scores_against_independent": {b: mean_scores(s) for b, s in scores.items()},
    }


def markdown(report: dict) -> str:
    t = report["terms_per_lagrangian"]
    lines = ["| kind | " + " | ".join(COMPARED) + " |", "|---|" + "---:|" * len(COMPARED)]
    for kind in KINDS:
        lines.append(f"| {kind} | " + " | ".join(f"{t[b][kind]:.3f}" for b in COMPARED) + " |")
    lines.append("| **all** | " + " | ".join(f"{sum(t[b].values()):.3f}" for b in COMPARED) + " |")
    lines.append("")
    lines.append(
        f"Interaction terms of the paper convention that vanish: {report['paper_interactions_vanishing']:.1%}"
    )
    for b, s in report["scores_against_independent"].items():
        lines.append(
            f"`{b}` scored against `independent` targets: S_Lagrangian {s['S_lagrangian']:.3f}, "
            f"perfect {s['perfect']:.1%}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    def run() -> None:
        p = ArgumentParser(prog="python -m src.analysis.bases", description=__doc__.split("\n\n")[0])
        p.add_argument("--n", type=int, default=500, help="field lists (default 500)")
        p.add_argument("--seed", type=int, default=0)
        p.add_argument("--max-fields", type=int, default=6)
        p.add_argument("--sampler", choices=("sampled", "uniform"), default="sampled")
        p.add_argument("--markdown", action="store_true", help="a Markdown table instead of JSON")
        args = p.parse_args(argv)
        if args.n < 1 or not 1 <= args.max_fields <= 6:
            p.error("--n must be ≥ 1 and --max-fields between 1 and 6")
        report = compare(sample_field_lists(args.n, args.seed, args.max_fields, args.sampler), seed=args.seed)
        words = argv if argv is not None else sys.argv[1:]
        report["command"] = "python -m src.analysis.bases " + " ".join(words)
        print(markdown(report) if args.markdown else json.dumps(report, indent=1))

    return run_main(run)


if __name__ == "__main__":
    sys.exit(main())

"""Command line: the exact Lagrangian of a list of fields.

    python -m src.lagrangian "H: S(1,2,1/2); Q: L(3,2,1/6)" [--format text|latex|json|paper]
                             [--basis independent|expanded] [--seed N] [--standalone]
    python -m src.lagrangian --model sm            python -m src.lagrangian --list-models
    python -m src.lagrangian --model-file my_model.yaml
    python -m src.lagrangian FIELDS --checkpoint PATH [--compose K] [--num-beams N] [--max-new-tokens N]
        [--write-threshold T]
                             [--format text|json]

FIELDS use either input syntax of physics.md §1. ``--checkpoint``: a trained model (a ``best_model/``
folder or a Lightning ``.ckpt`` of a run) writes its Lagrangian for FIELDS, shown beside the oracle's with
a term-by-term diff (matched / missing / extra / invalid with the oracle's reason), the paper's scores and
how long decoding took. ``--compose K`` assembles the model's Lagrangian from its answers on every sub-list
of at most K fields (``src.decoding.compose``; by default K is the most fields of the model's training lists,
at most 3); 0 decodes the whole list at once.
Bad input: exit code 2 and one line naming the problem.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys

from src.cli import ArgumentParser, UserError, run_main
from src.models import MAX_NEW_TOKENS
from src.physics.fields import Field
from src.physics.lagrangian import BASES, build_lagrangian
from src.physics.models import MODEL_NAMES, get_model, load_model_file, model_description
from src.physics.terms import INTERACTION_KINDS, SECTIONS, Lagrangian, Term
from src.physics.verify import verify_term
from src.tokens.paper import parse_fields

FORMATS = ("text", "latex", "json", "paper")
FAMILIES = tuple(zip(("Interactions", "Kinetic terms", "Gauge kinetic terms", "Mass terms"), SECTIONS))


def _parser() -> argparse.ArgumentParser:
    p = ArgumentParser(prog="python -m src.lagrangian", description=__doc__.splitlines()[0])
    p.add_argument(
        "fields", nargs="*", help="fields, e.g. 'H: S(1,2,1/2); Q: L(3,2,1/6)' or 'FIELD SPIN 0 ...'"
    )
    p.add_argument("--model", help="a registry model (see --list-models)")
    p.add_argument("--model-file", help="a YAML model file with a 'fields:' mapping")
    p.add_argument("--list-models", action="store_true", help="list registry models and exit")
    p.add_argument("--format", default="text", choices=FORMATS)
    p.add_argument("--basis", default="independent", choices=BASES)
    p.add_argument("--seed", type=int, default=None, help="draw paper-format IDs from random.Random(seed)")
    p.add_argument("--standalone", action="store_true", help="latex: a full compilable document")
    p.add_argument("--checkpoint", help="a trained model (best_model/ folder or .ckpt) to compare")
    p.add_argument("--num-beams", type=int, default=1, help="--checkpoint: beams (1 = greedy)")
    p.add_argument(
        "--write-threshold",
        type=float,
        default=None,
        help="--checkpoint: no empty answer where the model gives writing a term a probability above this",
    )
    p.add_argument(
        "--max-new-tokens", type=int, default=MAX_NEW_TOKENS, help="--checkpoint: generation limit"
    )
    p.add_argument(
        "--compose",
        type=int,
        default=None,
        help="--checkpoint: assemble from the model's answers on sub-lists of at most K fields (1-4); "
        "0: the whole list at once (default: the run's own decode.compose when it decoded composed, else "
        "the most fields its training lists had, at most 3, where the run's run_info.json says; else 3)",
    )
    return p


# ---------------------------------------------------------------------------------------------------------
# Human-readable names


def field_names(fields: list[Field]) -> list[str]:
    names = [f.name or f"F{i}" for i, f in enumerate(fields)]
    return [n if names.count(n) == 1 else f"{n}_{i}" for i, n in enumerate(names)]


def _factor_text(term: Term, names: list[str], dagger: str) -> list[str]:
    return [names[f.field] + (dagger if f.conjugate else "") for f in term.factors]


def term_text(term: Term, fields: list[Field]) -> str:
    """E.g. ``H H H† H†   SU2 ε(1,3) ε(2,4)`` (slots 1-based), ``(D H)† (D H)``, ``-1/4 F(SU2)²``."""
    names = field_names(fields)
    if term.kind == "gauge_kinetic":
        return f"-1/4 F({term.group})²"
    if term.kind == "scalar_kinetic":
        return f"(D {names[term.factors[1].field]})† (D {names[term.factors[1].field]})"
    if term.kind == "fermion_kinetic":
        a, b = _factor_text(term, names, "†")
        return f"i {a} σ̄·D {b}"
    sign = "-" if term.kind == "fermion_mass" else "+"
    body = " ".join(_factor_text(term, names, "†"))
    entries = []
    for group in ("LORENTZ", "SU3", "SU2"):
        parts = [c for c in term.contractions if c.group == group]
        if parts:
            symbol = "δ" if len(term.factors) == 2 else "ε"
            slots = " ".join(f"{symbol}({','.join(str(s + 1) for s in c.slots)})" for c in parts)
            entries.append(f"{group} {slots}")
    return f"{sign} {body}" + (f"   [{'; '.join(entries)}]" if entries else "")


def render_text(lag: Lagrangian) -> str:
    names = field_names(lag.fields)
    lines = ["Fields: " + "; ".join(f"{n}: {f.short()}" for n, f in zip(names, lag.fields))]
    for title, kinds in FAMILIES:
        terms = [t for t in lag.terms if t.kind in kinds]
        lines.append(f"\n{title} ({len(terms)}):")
        lines += [f"  {term_text(t, lag.fields)}{_vanishing_mark(t, lag)}" for t in terms]
    lines.append(f"\nTotal: {len(lag.terms)} terms (basis: {lag.basis})")
    return "\n".join(lines)


def _vanishing_mark(term: Term, lag: Lagrangian) -> str:
    """The paper's convention keeps terms that vanish identically; the text form says which ones."""
    if lag.basis != "paper" or term.kind not in INTERACTION_KINDS:
        return ""
    verdict = verify_term(term, lag.fields)
    return "   [vanishes]" if verdict.reason == "vanishes" else ""


def _latex_name(name: str) -> str:
    base, _, sub = name.partition("_")
    return base + (f"_{{{sub}}}" if sub else "")


def term_latex(term: Term, fields: list[Field]) -> str:
    names = [_latex_name(n) for n in field_names(fields)]
    if term.kind == "gauge_kinetic":
        return rf"- \tfrac14 F^{{\mathrm{{{term.group}}}}}_{{\mu\nu}} F^{{\mathrm{{{term.group}}},\mu\nu}}"
    if term.kind == "scalar_kinetic":
        n = names[term.factors[1].field]
        return rf"+ (D_\mu {n})^\dagger (D^\mu {n})"
    if term.kind == "fermion_kinetic":
        a, b = _factor_text(term, names, r"^\dagger")
        return rf"+ i\, {a}\, \bar\sigma^\mu D_\mu {b}"
    sign = "-" if term.kind == "fermion_mass" else "+"
    eps = "".join(
        rf"\epsilon^{{\mathrm{{{c.group}}}}}_{{{''.join(str(s + 1) for s in c.slots)}}}"
        for c in term.contractions
    )
    body = r"\, ".join(_factor_text(term, names, r"^\dagger"))
    return f"{sign} {eps}\\, {body}" if eps else f"{sign} {body}"


def render_latex(lag: Lagrangian, standalone: bool = False) -> str:
    rows = [r"\mathcal{L} &\supset " + term_latex(lag.terms[0], lag.fields)] if lag.terms else []
    rows += ["&\\quad " + term_latex(t, lag.fields) for t in lag.terms[1:]]
    block = "\\begin{align}\n" + " \\\\\n".join(rows) + "\n\\end{align}"
    if not standalone:
        return block
    head = "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n"
    return head + block + "\n\\end{document}"


def _paper_tokens(lag: Lagrangian, seed: int | None) -> list[list[str]]:
    from src.tokens.paper import render_term  # imported here: the oracle's commands start without torch

    rng = None if seed is None else random.Random(seed)
    return [render_term(t, lag.fields, rng) for t in lag.terms]


def render_json(lag: Lagrangian, seed: int | None) -> str:
    """The machine-readable Lagrangian: its fields, then each term (kind, factors, contractions, tokens)."""
    tokens = _paper_tokens(lag, seed)
    fields = [f.to_json(name=name) for name, f in zip(field_names(lag.fields), lag.fields)]
    terms = []
    for k, t in enumerate(lag.terms):
        d = t.to_json()
        d["tokens"] = " ".join(tokens[k])
        terms.append(d)
    return json.dumps({"fields": fields, "basis": lag.basis, "terms": terms}, indent=1)


def render_paper(lag: Lagrangian, seed: int | None) -> str:
    tokens = _paper_tokens(lag, seed)
    return " ".join(w for term in tokens for w in term)


# ---------------------------------------------------------------------------------------------------------


def _fields(args) -> list[Field]:
    sources = [bool(args.fields), args.model is not None, args.model_file is not None]
    if sum(sources) != 1:
        raise UserError("give exactly one of FIELDS, --model NAME or --model-file PATH")
    if args.model is not None:
        try:
            return get_model(args.model)
        except KeyError:
            raise UserError(f"unknown model {args.model!r} (see --list-models)") from None
    if args.model_file is not None:
        return load_model_file(args.model_file)
    return parse_fields(" ".join(args.fields))


def _protect_numbers(argv: list[str]) -> list[str]:
    """Unquoted syntax-1 input has words like ``-1/2``; a leading space keeps argparse from reading them as
    options (field parsing ignores the space)."""
    return [" " + a if re.match(r"-\d", a) else a for a in argv]


# ---------------------------------------------------------------------------------------------------------
# A trained model against the oracle


def load_checkpoint(path: str):
    """The trained ``LagrangianBart`` at ``path``; any failure to read it is the user's one-line error."""
    from transformers.utils import logging as hf_logging

    from src.models.module import LagrangianBart, ModelLoadError

    hf_logging.disable_progress_bar()  # stderr is for errors only
    try:
        return LagrangianBart.load(path)
    except ModelLoadError as e:
        raise UserError(f"--checkpoint: {e}") from None


def comparison_json(
    lag: Lagrangian, result, checkpoint: str, decoding: str = "", cost: dict | None = None
) -> str:
    """The model-vs-oracle comparison as JSON: scores, both Lagrangians term by term, the diff."""
    from src.metrics.token_terms import split_terms

    s = result.score
    oracle = _paper_tokens(lag, None) or []
    data = {
        "checkpoint": checkpoint,
        "decoding": {"how": decoding, **(cost or {})},
        "fields": json.loads(render_json(lag, None))["fields"],
        "basis": lag.basis,
        "scores": s.scores(),
        "n_oracle_terms": s.n_true,
        "n_model_terms": s.n_pred,
        "n_matched": s.n_correct,
        "truncated": result.truncated,
        "oracle": [" ".join(t) for t in oracle],
        "model": [" ".join(t) for t in split_terms(result.prediction_paper)],
        "matched": [{"oracle": t, "model": p} for t, p in s.matched],
        "missing": list(s.missing),
        "extra": list(s.extra),
        "invalid": [{"term": t, "kind": k, "reason": r} for t, k, r in result.validity.invalid],
    }
    return json.dumps(data, indent=1)


DEFAULT_COMPOSE = 3  # composed from sub-lists of <= 3 fields measured better than direct decoding on every
# split of learn_1to3's checkpoint (RESULTS.md, "Compositional decoding"); a model knows no larger lists


def default_compose(checkpoint: str) -> int:
    """``--compose`` when not given: the run's own ``decode.compose`` when it decoded composed (a model
    trained on sub-lists), else the most fields of its training lists, at most ``DEFAULT_COMPOSE``;
    ``DEFAULT_COMPOSE`` for a model outside a run."""
    from src.runs import run_config

    config = run_config(checkpoint) or {}
    try:
        own = int((config.get("decode") or {}).get("compose") or 0)
        if own > 0:
            return own
        return max(1, min(DEFAULT_COMPOSE, int(config["data"]["max_fields"])))
    except (TypeError, KeyError, ValueError):
        return DEFAULT_COMPOSE


def compare_checkpoint(args, lag: Lagrangian) -> str:
    """Generate with the model at ``args.checkpoint``; diff its Lagrangian against the oracle's ``lag``."""
    if args.format not in ("text", "json"):
        raise UserError(f"--checkpoint prints text or json, not --format {args.format}")
    from src.decoding import Decoder

    compose = default_compose(args.checkpoint) if args.compose is None else args.compose
    decoder = Decoder(
        max_new_tokens=args.max_new_tokens,
        num_beams=args.num_beams,
        compose=compose,
        write_threshold=args.write_threshold,
    )
    try:
        decoder.check()
    except UserError as e:  # name the flag, not the config key
        raise UserError(str(e).replace("decode.", "--").replace("_", "-")) from None
    model = load_checkpoint(args.checkpoint)
    cost: dict = {}
    result, diff = decoder.compare(model, lag.fields, basis=lag.basis, cost=cost)
    if args.format == "json":
        return comparison_json(lag, result, args.checkpoint, decoder.describe(), cost)
    legend = "(= matched, - oracle only, + model only, ! invalid: the oracle's reason)"
    took = f"decoding ({decoder.describe()}): {cost['seconds']:.2f} s, {cost['tokens']} tokens written" + (
        f", {cost['decoded']} sub-lists" if "decoded" in cost else ""
    )
    head = f"Model {args.checkpoint} against the oracle {legend}:"
    return "\n".join([render_text(lag), "", head, diff, took])


def run(argv: list[str]) -> str:
    args = _parser().parse_args(_protect_numbers(argv))
    if args.list_models:
        return "\n".join(f"{n:20s} {model_description(n)}" for n in MODEL_NAMES)
    lag = build_lagrangian(_fields(args), args.basis)
    if args.checkpoint is not None:
        return compare_checkpoint(args, lag)
    if args.format == "text":
        return render_text(lag)
    if args.format == "latex":
        return render_latex(lag, args.standalone)
    if args.format == "json":
        return render_json(lag, args.seed)
    return render_paper(lag, args.seed)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv

    def print_run() -> None:
        try:
            print(run(argv))
        except BrokenPipeError:  # e.g. piped into `head`
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep the interpreter from reporting at exit

    return run_main(print_run)  # bad field input is a FieldError, a UserError


if __name__ == "__main__":
    sys.exit(main())

"""The one decoding engine: a trained model's predictions for dataset rows or field lists, and their scores.

Used by the validation callback (``src.callbacks.probe``), the final scores of a training run
(``src.training.final``), ``python -m src.evaluate`` and ``python -m src.lagrangian FIELDS --checkpoint
PATH``:

    >>> preds = decode_rows(model, dm, "test", rows, indices, 32, max_new_tokens=600, num_beams=1)
    >>> results = score_rows(dm.scheme, rows, preds, 600)
    >>> summarize(results, [r["n_fields"] for r in rows], "test")["test/S_lagrangian"]

The model is a ``LagrangianBart`` (``decode_examples``: greedy by the lean loop of ``src.models.greedy`` with
the batch refilled as rows finish, or ``model.generate`` batch by batch; beam search; optional oracle
constraint); the datamodule provides ``encode_row`` and the scheme. Under DDP ``generate_shared`` gives each
rank its share of the rows and gathers the predictions. Scores are the paper's (``src.metrics``).
"""

from __future__ import annotations

import math
import random

import torch

from src.errors import UserError
from src.metrics import SCORE_KEYS, class_report, mean_scores, mean_scores_by, output_rates
from src.metrics.collapse import distinct_share
from src.metrics.example import ExampleResult, score_prediction
from src.metrics.term_class import TERM_CLASSES
from src.metrics.validity import ValidityReport
from src.models.bart import MAX_NEW_TOKENS

from .options import CONSTRAINTS


def fixed_subset(n_rows: int, size: int, seed: int) -> list[int]:
    """``size`` row indices drawn once with ``Random(seed)`` (sorted): the same rows at every epoch."""
    if size >= n_rows:
        return list(range(n_rows))
    return sorted(random.Random(seed).sample(range(n_rows), size))


def summarize(results: list[ExampleResult], n_fields: list[int], prefix: str) -> dict[str, float]:
    """Flat metrics of a scored subset: means overall and by number of fields, validity, truncation, F1."""
    scores = [r.score for r in results]
    out = {f"{prefix}/{k}": v for k, v in mean_scores(scores).items() if k != "n"}
    for nf, means in mean_scores_by(scores, n_fields).items():
        out.update({f"{prefix}/{k}/nf={nf}": means[k] for k in SCORE_KEYS})
    exact = mean_scores([r.exact for r in results if r.exact is not None])
    out.update({f"{prefix}/exact/{k}": exact[k] for k in ("S_lagrangian", "perfect") if exact["n"]})
    validity = sum((r.validity for r in results), ValidityReport())
    rates = output_rates(validity.n_valid, validity.n_terms, [r.truncated for r in results])
    out.update({f"{prefix}/{k}": v for k, v in rates.items()})
    if results:  # 1/n: one answer for every input (a collapsed model; RESULTS.md), 1: all different
        out[f"{prefix}/distinct_outputs"] = distinct_share([r.prediction for r in results])
    report = class_report(scores)
    out.update({f"{prefix}/f1/{c}": report[c]["f1"] for c in TERM_CLASSES if not math.isnan(report[c]["f1"])})
    return out


def decode_rows(
    pl_module,
    dm,
    split: str,
    rows: list[dict],
    indices: list[int],
    batch_size: int,
    max_new_tokens: int,
    num_beams: int,
    deadline: float | None = None,
    engine: str = "lean",
    constrain: str = "none",
    compose: int = 0,
    cost: dict | None = None,
    write_threshold: float | None = None,
) -> list[list[str] | None]:
    """The module's predictions (scheme words) for dataset rows, the shortest inputs first, ``batch_size``
    rows decoded at once (``LagrangianBart.decode_examples``).

    With a ``deadline`` (time.monotonic()), no row starts after it; the rows left get None.
    ``constrain="oracle"``: each row may only write the oracle's terms for its fields (in canonical order
    for canonical schemes, in any order with IDs of the model's choosing for random-ID ones;
    ``src.tokens.constraint``; greedy lean decoding only); ``"ids"``: only the term grammar's rule on IDs
    (an object's ID new within its term, contractions naming declared IDs; any scheme); ``"none"``: the
    model's own argmax. ``compose=k`` (1-4): each row's Lagrangian is assembled from the model's answers on
    its sub-lists of at most k fields (``src.decoding.compose``); ``cost`` (a dict) then receives what that
    cost, added to what it holds. ``write_threshold``: see ``src.models.greedy.greedy_decode_queue``.
    """
    if constrain not in CONSTRAINTS:
        raise ValueError(f"constrain must be one of {', '.join(CONSTRAINTS)}, got {constrain!r}")

    scheme = dm.scheme
    check_threshold_scheme(write_threshold, scheme)
    if compose:
        decoding = {"max_new_tokens": max_new_tokens, "num_beams": num_beams, "engine": engine}
        decoding["write_threshold"] = write_threshold
        return _composed_rows(
            pl_module, scheme, rows, batch_size, deadline, constrain, compose, cost, decoding
        )
    encoded = [dm.encode_row(row, split, i) for row, i in zip(rows, indices)]
    order = sorted(range(len(rows)), key=lambda k: len(encoded[k]["input_ids"]))
    examples = [{k: v for k, v in encoded[i].items() if k not in ("row", "labels")} for i in order]
    constraint_for = constraint_maker(scheme, constrain)
    constraints = None
    if constraint_for is not None:
        from src.data.rows import fields_from_row

        constraints = [constraint_for(fields_from_row(rows[k])) for k in order]
    words = pl_module.decode_examples(
        examples,
        batch_size,
        deadline,
        max_new_tokens=max_new_tokens,
        num_beams=num_beams,
        engine=engine,
        constraints=constraints,
        write_threshold=write_threshold,
    )
    predictions: list[list[str] | None] = [None] * len(rows)
    for k, w in zip(order, words):
        predictions[k] = None if w is None else list(w)
    return predictions


def check_threshold_scheme(write_threshold: float | None, scheme) -> None:
    """A write threshold acts at the first target word, which a scheme writing charge sums first
    (``tokenizer.charge_sums``) makes a sum, not the decision to write a term: refused (UserError)."""
    if write_threshold is not None and getattr(scheme, "charge_sums", False):
        raise UserError(
            "decode.write_threshold acts at the first target word, which tokenizer.charge_sums=true makes a "
            "charge sum instead of the write decision: decode without it"
        )


def constraint_maker(scheme, constrain: str):
    """The decoding constraint of one field list for ``constrain`` (a function of the fields), or None."""
    if constrain == "oracle":
        from src.tokens.constraint import oracle_constraint

        return lambda fields: oracle_constraint(scheme, fields)
    if constrain == "ids":
        from src.tokens.constraint import IdConstraint

        return lambda fields: IdConstraint(scheme)
    return None


def _composed_rows(
    pl_module, scheme, rows, batch_size, deadline, constrain, compose, cost, decoding: dict
) -> list[list[str] | None]:
    """``decode_rows`` with ``compose``: every row's sub-lists decoded in one pass, then assembled
    (``decoding``: the options of ``LagrangianBart.decode_examples``)."""
    from src.data.rows import fields_from_row, row_spelling

    from .compose import compose_predictions

    constraint_for = constraint_maker(scheme, constrain)
    predictions, spent = compose_predictions(
        pl_module,
        scheme,
        [fields_from_row(row) for row in rows],
        [row_spelling(row) for row in rows],
        compose,
        batch_size,
        deadline,
        constraint_for,
        **decoding,
    )
    if cost is not None:
        for key, value in spent.summary().items():
            cost[key] = cost.get(key, 0) + value
    return predictions


def gather_shares(mine: list, n: int, world: int) -> list:
    """Every rank's share (rank r holds items r, r + world, ...) gathered, in order, on every rank."""
    import torch.distributed as dist

    shares: list = [None] * world
    dist.all_gather_object(shares, mine)
    out: list = [None] * n
    for r, share in enumerate(shares):
        out[r::world] = share
    return out


def generate_shared(
    pl_module, dm, split, rows, indices, batch_size, max_new, num_beams, world=1, rank=0, **kw
):
    """``decode_rows`` for ``rows`` split over the ranks: rank r decodes rows r, r + world, ..., and every
    rank ends with all predictions in row order (rows a rank's deadline left undecoded stay None)."""
    mine = range(rank, len(rows), world)  # every row when world == 1
    mine_rows, mine_indices = [rows[k] for k in mine], [indices[k] for k in mine]
    preds = decode_rows(pl_module, dm, split, mine_rows, mine_indices, batch_size, max_new, num_beams, **kw)
    return gather_shares(preds, len(rows), world) if world > 1 else preds


def score_rows(
    scheme, rows: list[dict], predictions: list[list[str]], max_new_tokens: int | None, verified: bool = False
) -> list[ExampleResult]:
    """Score each prediction against its row's paper-format ``lagrangian`` for the row's fields."""
    from src.data.rows import fields_from_row, row_spelling

    out = []
    for row, pred in zip(rows, predictions):
        fields, spelling = fields_from_row(row), row_spelling(row)
        out.append(
            score_prediction(row["lagrangian"], pred, fields, scheme, max_new_tokens, 0, verified, spelling)
        )
    return out


# --- one field list against the oracle (``python -m src.lagrangian FIELDS --checkpoint PATH``)
def compare_with_oracle(
    model,
    fields,
    max_new_tokens: int = MAX_NEW_TOKENS,
    num_beams: int = 1,
    basis: str = "independent",
    compose: int = 0,
    cost: dict | None = None,
    write_threshold: float | None = None,
):
    """The model's Lagrangian for ``fields`` scored against the oracle's: (ExampleResult, printable diff).
    ``compose=k``: assembled from the model's answers on the sub-lists of at most k fields; ``cost`` (a
    dict) receives the decoding's seconds and tokens (and sub-lists when composed); ``write_threshold``:
    see ``src.models.greedy.greedy_decode_queue``."""
    import time

    from src.physics.lagrangian import build_lagrangian
    from src.tokens.paper import render_lagrangian

    scheme, fields = model.scheme, list(fields)
    start = time.perf_counter()
    spent: dict = {}
    if compose:
        from .compose import compose_predictions

        [words], composed = compose_predictions(
            model,
            scheme,
            [fields],
            [None],
            compose,
            32,
            max_new_tokens=max_new_tokens,
            num_beams=num_beams,
            write_threshold=write_threshold,
        )
        spent.update(composed.summary())
    elif write_threshold is not None:
        options = {
            "max_new_tokens": max_new_tokens,
            "num_beams": num_beams,
            "write_threshold": write_threshold,
        }
        words = model.decode_examples([scheme.encode(fields, None)], 1, **options)[0]
        spent["tokens"] = len(words)
    else:
        batch = scheme.collate([scheme.encode(fields, None)])
        batch = {k: v.to(model.device) if torch.is_tensor(v) else v for k, v in batch.items()}
        words = model.generate_tokens(batch, max_new_tokens=max_new_tokens, num_beams=num_beams)[0]
        spent["tokens"] = len(words)
    spent["seconds"] = time.perf_counter() - start
    if cost is not None:
        cost.update(spent)
    target = render_lagrangian(build_lagrangian(fields, basis=basis), None)
    result = score_prediction(target, words, fields, scheme, None if compose else max_new_tokens)
    return result, format_comparison(result)


def format_comparison(result: ExampleResult) -> str:
    """Scores, then terms: ``=`` in both, ``-`` oracle only, ``+`` model only, ``!`` invalid (with why)."""
    s = result.score
    head = (
        f"S_lagrangian={s.S_lagrangian:.3f} S_contraction={s.S_contraction:.3f} P_length={s.P_length:.3f} "
        f"S_object={s.S_object:.3f} terms: oracle {s.n_true}, model {s.n_pred}, matched {s.n_correct}"
        + (" (output truncated)" if result.truncated else "")
    )
    lines = [head]
    lines += [f"= {pred}" for _, pred in s.matched]
    lines += [f"- {true}" for true in s.missing]
    lines += [f"+ {pred}" for pred in s.extra]
    lines += [f"! {text}  <- {kind}: {reason}" for text, kind, reason in result.validity.invalid]
    return "\n".join(lines)


# --- outputs -------------------------------------------------------------------------------------------

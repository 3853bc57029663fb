"""The oracle's JSON read back by an independent reader (``readback.py``, written from the guide's rule
alone): every emitted interaction term is non-zero and the terms of each factor multiset are independent,
for the mixed-shape SU(3) representations (8 = [2,1], 6̄ = [2,2]) where the box each index fills changes
the tensor."""

from __future__ import annotations

import json
import random

import pytest
from oracle_helpers import random_field
from readback import ReadError, read_lagrangian

from src.lagrangian import render_json
from src.physics.lagrangian import build_lagrangian
from src.physics.terms import Term
from src.physics.verify import verify_term
from src.tokens.paper import parse_fields

# The smallest field lists whose terms read as zero or dependent when the boxes are left out
SMALL_CASES = (
    "X: S(6,1,1)",
    "X: S(6,1,0)",
    "A: S(8,3,0); B: S(8,1,0)",
    "R: R(8,3,0); L: L(8,1,0); S: S(8,3,0)",
)


def _json(text: str, basis: str = "independent") -> str:
    return render_json(build_lagrangian(parse_fields(text), basis), None)


def _without_boxes(text: str) -> str:
    doc = json.loads(text)
    for t in doc["terms"]:
        for c in t["contractions"]:
            c.pop("boxes", None)
    return json.dumps(doc)


@pytest.mark.parametrize("text", SMALL_CASES)
def test_small_cases_read_back_nonzero_and_independent(text):
    result = read_lagrangian(_json(text))
    assert result["terms"] > 0
    assert result["vanishing"] == []
    assert result["dependent"] == []


def test_the_boxes_are_what_makes_them_read_back():
    # Read by occurrence order alone, X X X† X† of a complex sextet and X†X†X† of a real one come out zero:
    # the reader is sensitive to exactly what the boxes fix.
    assert read_lagrangian(_without_boxes(_json("X: S(6,1,1)")))["vanishing"]
    assert read_lagrangian(_without_boxes(_json("X: S(6,1,0)")))["vanishing"]


def test_only_groups_with_a_mixed_shape_record_boxes():
    doc = json.loads(_json("H: S(1,2,1/2); Q: L(3,2,1/6); u: R(3,1,2/3); X: S(8,1,0)"))
    for t in doc["terms"]:
        for c in t["contractions"]:
            mixed = [
                s for s in c["slots"] if doc["fields"][t["factors"][s]["field"]]["su3"] in ("8", "-6", "6")
            ]
            if c["group"] != "SU3" or not mixed:
                assert "boxes" not in c, (t, c)
    recorded = [c for t in doc["terms"] for c in t["contractions"] if "boxes" in c]
    assert recorded and all(len(c["boxes"]) == len(c["slots"]) for c in recorded)


def _mixed_field_lists(n: int, seed: int) -> list[list]:
    rng = random.Random(seed)
    out = []
    while len(out) < n:
        fields = [random_field(rng) for _ in range(rng.randint(1, 3))]
        if any(f.su3.name in ("8", "6", "-6") for f in fields) and sum(f.su2.n > 3 for f in fields) <= 1:
            out.append(fields)
    return out


def _check_lists(field_lists, basis="independent", n_points=0):
    bad = []
    terms = 0
    for fields in field_lists:
        result = read_lagrangian(render_json(build_lagrangian(fields, basis), None), n_points)
        terms += result["terms"]
        if result["vanishing"] or (basis == "independent" and result["dependent"]):
            bad.append((" ; ".join(str(f) for f in fields), result))
    return terms, bad


def test_random_mixed_shape_lists_read_back():
    terms, bad = _check_lists(_mixed_field_lists(12, seed=7))
    assert terms > 0
    assert bad == []


@pytest.mark.slow
def test_many_random_mixed_shape_lists_read_back():
    terms, bad = _check_lists(_mixed_field_lists(40, seed=11))
    assert terms > 50
    assert bad == []


def test_recorded_boxes_survive_json_and_verify():
    lag = build_lagrangian(parse_fields("X: S(6,1,1)"))
    for t in lag.terms:
        again = Term.from_json(json.loads(json.dumps(t.to_json())))
        assert [c.boxes for c in again.contractions] == [c.boxes for c in t.contractions]
        assert again == t
        assert verify_term(again, lag.fields).valid


def test_verify_rejects_a_box_taken_twice():
    lag = build_lagrangian(parse_fields("X: S(6,1,1)"))
    quartic = next(
        t for t in lag.terms if t.kind == "scalar_quartic" and any(c.boxes for c in t.contractions)
    )
    d = quartic.to_json()
    first, second = (c for c in d["contractions"] if "boxes" in c and c["slots"] == [0, 1, 2])
    second["boxes"] = list(first["boxes"])  # factor 0's box 0 taken twice, box 1 left free
    verdict = verify_term(Term.from_json(d), lag.fields)
    assert not verdict.valid
    assert verdict.reason == "index_reused"


def test_reader_rejects_a_malformed_entry():
    doc = json.loads(_json("X: S(6,1,1)"))
    quartic = next(t for t in doc["terms"] if t["kind"] == "scalar_quartic")
    quartic["contractions"][0]["slots"] = quartic["contractions"][0]["slots"][:2]
    with pytest.raises(ReadError):
        read_lagrangian(json.dumps(doc))

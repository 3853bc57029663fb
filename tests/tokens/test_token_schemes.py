"""Every token scheme: fixed paper ids, round trips over seeded samples, batching, saving and loading."""

import random
from functools import cache

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from src.physics.fields import Field
from src.physics.lagrangian import build_lagrangian
from src.physics.terms import Contraction, Factor, Lagrangian, Term
from src.tokens import SCHEMES, build_scheme, load_scheme
from src.tokens.base import LABEL_PAD, PAD_ID
from src.tokens.paper import canonical_order, parse_fields, render_lagrangian, render_terms
from src.tokens.stats import random_fields
from src.tokens.vocab import PAPER_VOCAB


def words(text: str) -> list[str]:
    return text.split()


OOD_FIELDS = [
    "FIELD SPIN 0 SU3 6 SU2 4 U1 12/7 FIELD SPIN 1/2 SU3 8 SU2 5 HEL -1/2",
    "FIELD SPIN 0 SU3 -6 U1 -2/4 FIELD SPIN 1/2 SU3 -3 SU2 3 U1 7/9 HEL 1/2 FIELD SPIN 0 SU3 8",
    "FIELD SPIN 0 SU2 2 U1 4/2 FIELD SPIN 1/2 SU2 4 U1 -13 HEL -1/2 FIELD SPIN 0 SU2 5",
    "FIELD SPIN 0 SU3 8 FIELD SPIN 0 SU2 3 FIELD SPIN 1/2 SU3 8 HEL -1/2",
]


def kinetic_terms(fields: list[Field]) -> list[Term]:
    """One kinetic term per field with the team's conventions (δ pairings where the field is charged)."""
    out = []
    for k, f in enumerate(fields):
        deltas = tuple(Contraction(g, (0, 1)) for g, r in (("SU3", f.su3), ("SU2", f.su2)) if r.dim > 1)
        if f.is_scalar:
            out.append(Term("scalar_kinetic", (Factor(k, True), Factor(k)), deltas))
        elif f.helicity > 0:
            out.append(Term("fermion_kinetic", (Factor(k), Factor(k, True)), deltas))
        else:
            out.append(Term("fermion_kinetic", (Factor(k, True), Factor(k)), deltas))
    return out


def mass_terms(fields: list[Field]) -> list[Term]:
    out = []
    for k, f in enumerate(fields):
        deltas = tuple(Contraction(g, (0, 1)) for g, r in (("SU3", f.su3), ("SU2", f.su2)) if r.dim > 1)
        if f.is_scalar:
            out.append(Term("scalar_mass", (Factor(k, True), Factor(k)), deltas))
        else:
            out.append(
                Term("fermion_mass", (Factor(k), Factor(k)), (Contraction("LORENTZ", (0, 1)), *deltas))
            )
    return out


def grammar_terms(fields: list[Field], rng: random.Random) -> list[Term]:
    """Interaction-shaped terms with random ε entries: they exercise the grammar, not the physics."""
    scalars = [k for k, f in enumerate(fields) if f.is_scalar]
    fermions = [k for k, f in enumerate(fields) if f.is_fermion]
    out = []
    for _ in range(rng.randint(0, 4)):
        shapes = [s for s, ok in (("tri", scalars), ("quart", scalars), ("yuk", scalars and fermions)) if ok]
        if not shapes:
            break
        shape = rng.choice(shapes)
        if shape == "yuk":
            ks = [rng.choice(fermions), rng.choice(fermions), rng.choice(scalars)]
        else:
            ks = [rng.choice(scalars) for _ in range(3 if shape == "tri" else 4)]
        factors = tuple(sorted(Factor(k, rng.random() < 0.5) for k in ks))
        n = len(factors)
        entries = []
        if shape == "yuk":
            fs = [s for s, fa in enumerate(factors) if fields[fa.field].is_fermion]
            entries.append(Contraction("LORENTZ", tuple(fs)))
        entries += [
            Contraction("SU3", tuple(rng.randrange(n) for _ in range(3))) for _ in range(rng.randint(0, 2))
        ]
        entries += [
            Contraction("SU2", tuple(rng.randrange(n) for _ in range(2))) for _ in range(rng.randint(0, 2))
        ]
        kind = {"tri": "scalar_trilinear", "quart": "scalar_quartic", "yuk": "yukawa"}[shape]
        out.append(Term(kind, factors, tuple(entries)))
    return out


def gauge_terms(fields: list[Field]) -> list[Term]:
    groups = []
    for f in fields:
        groups += [g for g in f.charged_groups if g not in groups]
    return [Term("gauge_kinetic", group=g) for g in groups]


def grammar_lagrangian(fields: list[Field], rng: random.Random) -> Lagrangian:
    terms = grammar_terms(fields, rng) + kinetic_terms(fields) + gauge_terms(fields) + mass_terms(fields)
    return Lagrangian(fields, terms)


def sample_lagrangians(seed: int = 0, per_size: int = 4) -> list[Lagrangian]:
    rng = random.Random(seed)
    field_lists = [random_fields(rng, n) for n in range(1, 7) for _ in range(per_size)]
    field_lists += [parse_fields(text) for text in OOD_FIELDS]
    return [grammar_lagrangian(fields, rng) for fields in field_lists]


@cache  # the oracle's Lagrangians are shared, read-only, by the parametrized tests
def oracle_lagrangians(seed: int = 0, per_size: int = 3, basis: str = "independent") -> list[Lagrangian]:
    rng = random.Random(seed)
    field_lists = [random_fields(rng, n) for n in range(1, 7) for _ in range(per_size)]
    field_lists += [parse_fields(text) for text in OOD_FIELDS]
    return [build_lagrangian(fields, basis=basis) for fields in field_lists]


def fitted(name: str, lagrangians: list[Lagrangian]):
    scheme = build_scheme(name)
    if name == "opaque":
        scheme.fit([lag.fields for lag in lagrangians])
    return scheme


# ---------------------------------------------------------------------------------------------------------


def test_paper_input_of_the_higgs_encodes_to_the_papers_ids():
    scheme = build_scheme("paper")
    ids = scheme.encode(parse_fields("FIELD SPIN 0 SU2 2 U1 1"), None)["input_ids"]
    assert ids == [0, 22, 36, 9, 37, 6, 39, 5, 1]


def test_paper_vocabulary_has_41_words_at_the_papers_ids():
    tok = build_scheme("paper").tokenizer
    assert len(tok) == 41
    fixed = {"[SOS]": 0, "[EOS]": 1, "[PAD]": 2, "[UNK]": 3, "/": 4, "-": 7, "+": 8, "0": 9, "6": 13}
    fixed |= {"COMMUTATOR_A": 17, "CONTRACTIONS": 19, "DAGGER": 20, "FIELD": 22, "ID0": 24, "ID9": 33}
    fixed |= {"LORENTZ": 34, "SIGMA_BAR": 35, "SPIN": 36, "SU2": 37, "SU3": 38, "U1": 39, "i": 40}
    assert {w: tok.convert_tokens_to_ids(w) for w in fixed} == fixed
    assert [tok.convert_ids_to_tokens(k) for k in range(41)] == list(PAPER_VOCAB)


@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_every_scheme_keeps_the_paper_ids_of_the_paper_words(name):
    scheme = fitted(name, sample_lagrangians(per_size=1))
    assert [scheme.tokenizer.convert_ids_to_tokens(k) for k in range(41)] == list(PAPER_VOCAB)


@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_every_scheme_round_trips_a_seeded_sample(name):
    lagrangians = sample_lagrangians(seed=1)
    scheme = fitted(name, lagrangians)
    rng = random.Random(7)
    for lag in lagrangians:
        example = scheme.encode(lag.fields, lag, rng)
        assert scheme.tokenizer.unk_token_id not in example["labels"] + example["input_ids"]
        parsed = scheme.parse_target(scheme.decode(example["labels"]), lag.fields)
        expected = canonical_order(lag.terms, lag.fields) if scheme.canonical else lag.terms
        assert [t.term for t in parsed.terms] == expected
        assert not parsed.truncated


@pytest.mark.parametrize("basis", ["independent", "expanded"])
@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_every_scheme_round_trips_oracle_lagrangians_as_valid_terms(name, basis):
    lagrangians = oracle_lagrangians(seed=11, basis=basis)
    scheme = fitted(name, lagrangians)
    rng = random.Random(3)
    for lag in lagrangians:
        parsed = scheme.parse_target(scheme.decode(scheme.encode(lag.fields, lag, rng)["labels"]), lag.fields)
        expected = canonical_order(lag.terms, lag.fields) if scheme.canonical else lag.terms
        assert [t.term for t in parsed.terms] == expected
        assert [t.reason for t in parsed.terms if not t.valid] == []


@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_every_scheme_rerenders_to_canonical_paper_words(name):
    lagrangians = sample_lagrangians(seed=2, per_size=2)
    scheme = fitted(name, lagrangians)
    for lag in lagrangians:
        parsed = scheme.parse_target(scheme.target_tokens(lag, random.Random(0)), lag.fields)
        terms = canonical_order(lag.terms, lag.fields) if scheme.canonical else lag.terms
        assert scheme.to_paper_tokens(parsed, lag.fields) == render_terms(terms, lag.fields)


@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_every_scheme_saves_and_loads_with_the_same_encoding(name, tmp_path):
    lagrangians = sample_lagrangians(seed=3, per_size=1)
    scheme = fitted(name, lagrangians)
    scheme.save_pretrained(tmp_path / name)
    loaded = load_scheme(tmp_path / name)
    assert type(loaded) is type(scheme) and loaded.options() == scheme.options()
    for lag in lagrangians:
        assert loaded.encode(lag.fields, lag, random.Random(5)) == scheme.encode(
            lag.fields, lag, random.Random(5)
        )


def test_collate_pads_inputs_with_pad_and_labels_with_minus_100():
    scheme = build_scheme("numeric_u1")
    lags = sample_lagrangians(seed=4, per_size=1)[:3]
    examples = [scheme.encode(lag.fields, lag, random.Random(0)) for lag in lags]
    batch = scheme.collate(examples)
    width = batch["input_ids"].shape[1]
    for row, e in enumerate(examples):
        n_in, n_out = len(e["input_ids"]), len(e["labels"])
        assert batch["input_ids"][row, :n_in].tolist() == e["input_ids"]
        assert (batch["input_ids"][row, n_in:] == PAD_ID).all()
        assert batch["attention_mask"][row].tolist() == [1] * n_in + [0] * (width - n_in)
        assert batch["labels"][row, :n_out].tolist() == e["labels"]
        assert (batch["labels"][row, n_out:] == LABEL_PAD).all()
    assert batch["labels"].shape[1] == max(len(e["labels"]) for e in examples)
    assert batch["u1_values"].dtype == torch.float32 and batch["input_ids"].dtype == torch.long


def test_numeric_u1_values_sit_on_the_num_words():
    scheme = build_scheme("numeric_u1")
    fields = parse_fields("FIELD SPIN 0 SU2 2 U1 1/2 FIELD SPIN 1/2 SU3 3 HEL -1/2 FIELD SPIN 0 U1 -12/7")
    example = scheme.encode(fields, None)
    num = scheme.tokenizer.convert_tokens_to_ids("[NUM]")
    values = [v for k, v in zip(example["input_ids"], example["u1_values"]) if k == num]
    assert values == [0.5, pytest.approx(-12 / 7)]
    assert sum(v != 0 for v in example["u1_values"]) == 2


def test_decode_stops_at_eos_and_drops_sos_and_padding():
    scheme = build_scheme("paper")
    assert scheme.decode([0, 8, 22, 2, 1, 36, 36]) == ["+", "FIELD"]
    assert scheme.decode(torch.tensor([0, 40, LABEL_PAD])) == ["i"]


def test_opaque_field_unseen_in_training_is_unknown():
    scheme = build_scheme("opaque").fit([parse_fields("FIELD SPIN 0 SU2 2 U1 1/2")])
    fields = parse_fields("FIELD SPIN 0 SU2 2 U1 1/2 FIELD SPIN 0 SU3 8")
    assert scheme.encode(fields, None)["input_ids"] == [0, 41, 3, 1]


def test_field_ref_to_a_missing_label_is_an_invalid_term():
    scheme = build_scheme("field_refs")
    fields = parse_fields("FIELD SPIN 0")
    parsed = scheme.parse_target(["+", "F1", "DAGGER", "ID0", "F1", "ID1", "CONTRACTIONS"], fields)
    assert not parsed.terms[0].valid and "labels no input field" in parsed.terms[0].reason
    ok = scheme.parse_target(["+", "F0", "DAGGER", "ID0", "F0", "ID1", "CONTRACTIONS"], fields)
    assert ok.terms[0].valid


def test_field_refs_output_is_much_shorter_than_the_papers():
    lags = sample_lagrangians(seed=5, per_size=2)
    paper = sum(len(render_lagrangian(lag)) for lag in lags)
    refs = sum(len(build_scheme("field_refs").target_tokens(lag)) for lag in lags)
    assert refs < 0.7 * paper


def test_paper_canonical_target_ignores_the_given_term_order_and_rng():
    lag = sample_lagrangians(seed=6, per_size=1)[-4]
    shuffled = Lagrangian(lag.fields, random.Random(1).sample(lag.terms, len(lag.terms)))
    scheme = build_scheme("paper_canonical")
    assert scheme.target_tokens(lag, random.Random(1)) == scheme.target_tokens(shuffled, random.Random(2))


def test_unknown_scheme_name_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown token scheme"):
        build_scheme("bpe")


def test_opaque_reads_unk_as_the_one_input_field_outside_the_vocabulary():
    scheme = build_scheme("opaque").fit([parse_fields("FIELD SPIN 0 SU2 2 U1 1/2")])
    fields = parse_fields("FIELD SPIN 0 SU2 2 U1 1/2 FIELD SPIN 0 SU3 8")
    (pt,) = scheme.parse_target(words("+ [UNK] DAGGER ID0 [UNK] ID1 CONTRACTIONS SU3 ID0 ID1"), fields).terms
    assert pt.valid and pt.term.factors == (Factor(1, True), Factor(1))
    two_unseen = fields + parse_fields("FIELD SPIN 0 SU3 3")
    (pt,) = scheme.parse_target(
        words("+ [UNK] DAGGER ID0 [UNK] ID1 CONTRACTIONS SU3 ID0 ID1"), two_unseen
    ).terms
    assert not pt.valid and pt.term is None


def test_unreadable_field_refs_term_is_respelled_in_paper_words_for_scoring():
    scheme = build_scheme("field_refs")
    fields = parse_fields("FIELD SPIN 0 SU2 2 U1 1")
    parsed = scheme.parse_target(words("+ F0 DAGGER ID7 F0 ID2 CONTRACTIONS SU2 ID7"), fields)
    assert parsed.terms[0].term is None
    text = " ".join(scheme.to_paper_tokens(parsed, fields))
    assert text == "+ FIELD SPIN 0 SU2 2 U1 - 1 DAGGER ID0 FIELD SPIN 0 SU2 2 U1 1 ID1 CONTRACTIONS SU2 ID0"


SCHEME_WORDS = st.sampled_from(
    list(PAPER_VOCAB) + ["F0", "F1", "F9", "F12", "S(1,2,1/2)", "L(3,1,1)", "S(1,1,0)", "[NUM]", "x"]
)


@pytest.mark.parametrize("name", sorted(SCHEMES))
@settings(max_examples=150, deadline=None)
@given(sequence=st.lists(SCHEME_WORDS, max_size=50))
def test_every_scheme_parser_never_raises(name, sequence):
    fields = parse_fields("FIELD SPIN 0 SU2 2 U1 1/2 FIELD SPIN 1/2 SU3 3 HEL -1/2 FIELD SPIN 0")
    scheme = build_scheme(name)
    if name == "opaque":
        scheme.fit([fields[:1]])
    parsed = scheme.parse_target(sequence, fields)
    scheme.to_paper_tokens(parsed, fields)
    assert all(t.valid == (t.reason is None) for t in parsed.terms)


def test_loading_a_directory_without_scheme_json_names_the_problem(tmp_path):
    with pytest.raises(FileNotFoundError, match="scheme.json"):
        load_scheme(tmp_path)


@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_a_scheme_says_what_it_can_do(name):
    scheme = build_scheme(name)
    fields = parse_fields("H: S(1,2,1/2); Q: L(3,2,1/6)")
    enc = scheme.encode(fields, build_lagrangian(fields), random.Random(0))
    assert scheme.has_values == ("u1_values" in enc)  # numbers travel beside the ids only where it says so
    assert scheme.writes_paper_words == (name in ("paper", "paper_canonical"))
    before = scheme.vocab_size
    assert scheme.fit([fields]) is scheme
    assert (scheme.vocab_size > before) == scheme.needs_fit  # fitting changes only a scheme that needs it


def test_a_field_reads_back_from_its_json():
    fields = parse_fields("H: S(1,2,1/2); Q: L(3,2,1/6); u: R(-3,1,-2/3); X: S(8,3,0)")
    for f in fields:
        d = f.to_json()
        assert Field.from_json(d) == f and d["real"] == f.is_real
    respelled = fields[0].to_json(u1="2/4")
    assert Field.from_json(respelled).u1 == fields[0].u1  # a respelled charge keeps its value

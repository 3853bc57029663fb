"""The registry of named models (data in models.yaml) and YAML model files."""

from __future__ import annotations

import pytest

from src.physics.fields import FieldError
from src.physics.lagrangian import build_lagrangian
from src.physics.models import MODEL_NAMES, get_model, load_model_file

EXPECTED = ("sm", "2hdm", "inert_doublet", "singlet_sm", "real_triplet", "type2_seesaw", "leptoquark_s1")
EXPECTED += ("leptoquark_s3", "zee_babu", "manohar_wise", "vector_like_quark")


def test_registry_holds_the_sm_and_its_ten_common_extensions():
    assert set(EXPECTED) <= set(MODEL_NAMES)


def test_extensions_start_with_the_standard_model_fields():
    sm = get_model("sm")
    for name in MODEL_NAMES:
        fields = get_model(name)
        if name not in ("sm", "2hdm"):
            assert fields[: len(sm)] == sm, name


def test_zee_babu_has_the_doubly_charged_coupling_to_right_handed_leptons():
    lag = build_lagrangian(get_model("zee_babu"))
    names = [f.name for f in lag.fields]
    products = {
        " ".join(names[f.field] + ("†" if f.conjugate else "") for f in sorted(t.factors)) for t in lag.terms
    }
    assert "ec ec k†" in products and "h h k†" in products


def test_yaml_model_file_with_extends(tmp_path):
    path = tmp_path / "model.yaml"
    path.write_text("extends: sm\nfields:\n  S: S(1,1,0)\n")
    fields = load_model_file(path)
    assert len(fields) == 7 and fields[-1].name == "S" and fields[-1].is_real


def test_yaml_model_file_without_fields_is_an_error(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("description: nothing\n")
    with pytest.raises(FieldError):
        load_model_file(path)


def test_unknown_model_name_is_a_key_error():
    with pytest.raises(KeyError):
        get_model("mssm")


def test_registry_names_are_case_insensitive():
    from src.physics.models import get_model

    assert get_model("SM") == get_model("sm")

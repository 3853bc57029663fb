"""The oracle command line: formats, the JSON contract, and one-line errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from src.lagrangian import main

SM_TEXT = "Q: L(3,2,1/6); uc: L(-3,1,-2/3); dc: L(-3,1,1/3); L: L(1,2,-1/2); ec: L(1,1,1); H: S(1,2,1/2)"


def _run(capsys, *argv):
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_text_format_groups_terms_by_family_with_counts(capsys):
    rc, out, _ = _run(capsys, "--model", "sm")
    assert rc == 0
    for header in ("Interactions (7)", "Kinetic terms (6)", "Gauge kinetic terms (3)", "Mass terms (1)"):
        assert header in out


def test_json_follows_the_contract(capsys):
    rc, out, _ = _run(capsys, "--format", "json", "--seed", "3", SM_TEXT)
    data = json.loads(out)
    assert rc == 0
    assert data["fields"][5] == {
        "name": "H",
        "spin": "0",
        "helicity": None,
        "su3": "1",
        "su2": "2",
        "u1": "1/2",
        "real": False,
    }
    assert data["fields"][0]["helicity"] == "-1/2" and data["fields"][1]["su3"] == "-3"
    kinds = [t["kind"] for t in data["terms"]]
    assert kinds.count("yukawa") == 6 and kinds.count("gauge_kinetic") == 3
    gauge = [t for t in data["terms"] if t["kind"] == "gauge_kinetic"]
    assert [t["group"] for t in gauge] == ["SU3", "SU2", "U1"]
    quartic = next(t for t in data["terms"] if t["kind"] == "scalar_quartic")
    assert quartic["contractions"] == [{"group": "SU2", "slots": [0, 2]}, {"group": "SU2", "slots": [1, 3]}]
    assert all(t["tokens"].startswith(("+", "-")) for t in data["terms"])


def test_paper_format_with_seed_is_reproducible(capsys):
    a = _run(capsys, "--format", "paper", "--seed", "7", "FIELD SPIN 0 SU2 2 U1 1")[1]
    b = _run(capsys, "--format", "paper", "--seed", "7", "FIELD SPIN 0 SU2 2 U1 1")[1]
    assert a == b and a.startswith("+ FIELD SPIN 0 SU2 2 U1 1 ID")


def test_latex_standalone_is_a_document_with_an_align_block(capsys):
    out = _run(capsys, "--format", "latex", "--standalone", "H: S(1,2,1/2)")[1]
    assert (
        out.startswith("\\documentclass")
        and "\\begin{align}" in out
        and out.rstrip().endswith("\\end{document}")
    )


def test_expanded_basis_lists_at_least_the_independent_terms(capsys):
    ind = json.loads(_run(capsys, "--format", "json", "--model", "manohar_wise")[1])["terms"]
    exp = json.loads(_run(capsys, "--format", "json", "--basis", "expanded", "--model", "manohar_wise")[1])[
        "terms"
    ]
    assert len(exp) > len(ind)


def test_list_models_names_the_registry(capsys):
    out = _run(capsys, "--list-models")[1]
    assert "type2_seesaw" in out and "zee_babu" in out


BAD_INPUTS = [
    (["H: S(1,2,1/0)"], "zero denominator"),
    (["H: S(1,7,1)"], "SU(2)"),
    (["FIELD SPIN 1 SU2 2"], "spin"),
    (["FIELD SPIN 0 HEL 1/2"], "helicity"),
    (["FIELD SPIN 0 U1 x"], "not a number"),
    (["H: V(1,2,1)"], "cannot read field"),
    ([""], "empty"),
    ([], "exactly one"),
    (["--model", "nope"], "unknown model"),
    (["--model-file", "/nonexistent/model.yaml"], "cannot read model file"),
    (["--format", "xml", "H: S(1,2,1)"], "invalid choice"),
    (["--seed", "x", "H: S(1,2,1)"], "invalid int"),
    ([f"H: S(1,2,{'1' * 4301}/2)"], "has 4301 digits (at most 30)"),
    ([f"FIELD SPIN 0 U1 {'7' * 31}"], "has 31 digits"),
    (["--model-file", "RANDOM_BYTES"], "is not UTF-8 text"),
]


@pytest.mark.parametrize(("argv", "words"), BAD_INPUTS)
def test_bad_input_gives_exit_code_two_and_one_line(capsys, tmp_path, argv, words):
    if "RANDOM_BYTES" in argv:
        (tmp_path / "model.yaml").write_bytes(bytes(range(128, 256)) * 3)
        argv = [str(tmp_path / "model.yaml") if a == "RANDOM_BYTES" else a for a in argv]
    rc, out, err = _run(capsys, *argv)
    assert rc == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and words in err and "Traceback" not in err


def test_bad_input_from_a_real_process_has_no_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "src.lagrangian", "H: S(1,2,1/0)"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1


def test_unquoted_paper_syntax_with_negative_numbers_is_read_as_fields(capsys):
    argv = ["FIELD", "SPIN", "1/2", "SU2", "2", "U1", "-1/2", "HEL", "-1/2", "FIELD", "SPIN", "0", "SU2", "2"]
    rc, out, _ = _run(capsys, *argv, "U1", "1/2")
    assert rc == 0 and "F0: L(1,2,-1/2); F1: S(1,2,1/2)" in out


def test_error_points_at_the_offending_quantum_number(capsys):
    err = _run(capsys, "H: S(1,2,1); Q: L(3,7,1)")[2]
    assert "'7'" in err and "at character 20" in err

"""Files the project writes are strict JSON: NaN and infinities become null."""

import json
import math

import pytest

from src.jsonsafe import dumps, json_safe


def _strict(text: str):
    def refuse(name):
        raise ValueError(f"bare {name} in JSON")

    return json.loads(text, parse_constant=refuse)


def test_non_finite_floats_become_null_at_any_depth():
    value = {"a": math.nan, "b": [1.0, math.inf, {"c": -math.inf}], "d": (2, math.nan), "e": "nan"}
    assert _strict(dumps(value)) == {"a": None, "b": [1.0, None, {"c": None}], "d": [2, None], "e": "nan"}
    assert json_safe(0.5) == 0.5


def test_plain_json_would_have_been_invalid():
    with pytest.raises(ValueError, match="bare NaN"):
        _strict(json.dumps({"a": math.nan}))

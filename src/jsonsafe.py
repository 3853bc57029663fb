"""JSON that every parser reads: NaN and infinities become null (Python's json writes bare ``NaN``)."""

from __future__ import annotations

import json
import math


def json_safe(value):
    """``value`` with every non-finite float replaced by None, in nested dicts, lists and tuples."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def dumps(value, **kwargs) -> str:
    """``json.dumps`` of ``json_safe(value)``, strict (``allow_nan=False``): no bare NaN slips through."""
    return json.dumps(json_safe(value), allow_nan=False, **kwargs)

"""Registry of named models read from ``models.yaml`` (data kept apart from algorithms), and YAML model files.

A model file holds ``fields:`` as a mapping name -> syntax-2 spec (``Q: L(3,2,1/6)``) or a list of such
``"name: spec"`` strings, and optionally ``extends: <registry model>``. The registry file holds several
models keyed by name.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from .fields import Field, FieldError, parse_short_fields

REGISTRY = Path(__file__).with_name("models.yaml")


@cache
def _registry() -> dict:
    with open(REGISTRY) as fh:
        return yaml.safe_load(fh)


MODEL_NAMES: tuple[str, ...] = tuple(_registry())


def _field_text(spec) -> str:
    """Turn a ``fields:`` entry (mapping or list) into syntax-2 text."""
    if isinstance(spec, dict):
        return "; ".join(f"{name}: {value}" for name, value in spec.items())
    if isinstance(spec, list):
        return "; ".join(str(item) for item in spec)
    raise FieldError("model 'fields' must be a mapping name -> spec or a list of 'name: spec' strings")


def _model_fields(entry: dict, seen: tuple[str, ...] = ()) -> list[Field]:
    if not isinstance(entry, dict) or "fields" not in entry:
        raise FieldError("a model needs a 'fields' entry")
    fields: list[Field] = []
    base = entry.get("extends")
    if base is not None:
        if base in seen or base not in _registry():
            raise FieldError(f"model extends unknown or circular model {base!r}")
        fields = _model_fields(_registry()[base], seen + (base,))
    return fields + parse_short_fields(_field_text(entry["fields"]))


def get_model(name: str) -> list[Field]:
    """Fields of a registry model, e.g. ``get_model("sm")`` (Q, uc, dc, L, ec, H); any letter case."""
    name = name.strip().lower()
    if name not in _registry():
        raise KeyError(f"unknown model {name!r} (known: {', '.join(MODEL_NAMES)})")
    return _model_fields(_registry()[name], (name,))


def model_description(name: str) -> str:
    return str(_registry()[name].get("description", ""))


def load_model_file(path: str | Path) -> list[Field]:
    """Fields of a YAML model file (one model: ``fields:`` and optional ``extends:``)."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except OSError as e:
        raise FieldError(f"cannot read model file {path}: {e.strerror}") from None
    except UnicodeDecodeError as e:
        raise FieldError(f"model file {path} is not UTF-8 text (byte {e.start})") from None
    except yaml.YAMLError as e:
        raise FieldError(f"model file {path} is not valid YAML: {str(e).splitlines()[0]}") from None
    return _model_fields(data)

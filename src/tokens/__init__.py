"""Token schemes: the paper's format and its ablations, selectable by name.

scheme = build_scheme("paper", seed=0)           # or paper_canonical, opaque, field_refs, numeric_u1
batch = scheme.collate([scheme.encode(fields, lagrangian, rng) for ...])
parsed = scheme.parse_target(scheme.decode(ids), fields)
words = scheme.to_paper_tokens(parsed, fields)   # score any scheme with the paper's metric
scheme.save_pretrained(dir); load_scheme(dir)
"""

from __future__ import annotations

import inspect
from pathlib import Path

from src.errors import UserError

from .base import ParsedLagrangian, ParsedTerm, TokenScheme
from .field_refs import FieldRefsScheme
from .opaque import OpaqueScheme
from .paper import parse_lagrangian, render_fields, render_lagrangian, render_term, to_paper_tokens
from .schemes import NumericU1Scheme, PaperCanonicalScheme, PaperScheme

SCHEMES: dict[str, type[TokenScheme]] = {
    cls.name: cls
    for cls in (PaperScheme, PaperCanonicalScheme, OpaqueScheme, FieldRefsScheme, NumericU1Scheme)
}


def build_scheme(name: str, **options) -> TokenScheme:
    """A scheme by name (the Hydra ``tokenizer=`` choice) with its constructor options."""
    if name not in SCHEMES:
        raise UserError(f"unknown token scheme {name!r} (choose from {', '.join(SCHEMES)})")
    return SCHEMES[name](**options)


def scheme_from_config(tokenizer_cfg) -> TokenScheme:
    """The scheme a ``tokenizer:`` config group describes (``name`` plus the constructor options)."""
    from omegaconf import DictConfig, OmegaConf

    options = dict(
        OmegaConf.to_container(tokenizer_cfg, resolve=True)
        if isinstance(tokenizer_cfg, DictConfig)
        else tokenizer_cfg
    )
    options = {k: v for k, v in options.items() if v is not None}  # an option left out: the scheme's default
    name = options.pop("name")
    if name not in SCHEMES:
        raise UserError(f"tokenizer.name={name!r}: unknown token scheme (choose from {', '.join(SCHEMES)})")
    accepted = inspect.signature(SCHEMES[name]).parameters
    for key in options:
        if key not in accepted:
            raise UserError(
                f"tokenizer.{key} is not an option of the {name} scheme (its options: {', '.join(accepted)})"
            )
    return SCHEMES[name](**options)


def load_scheme(path: str | Path) -> TokenScheme:
    """The scheme saved by ``save_pretrained`` in ``path`` (tokenizer files + scheme.json)."""
    return TokenScheme.from_pretrained(path)


__all__ = [
    "SCHEMES",
    "build_scheme",
    "scheme_from_config",
    "load_scheme",
    "TokenScheme",
    "ParsedTerm",
    "ParsedLagrangian",
    "render_term",
    "render_lagrangian",
    "render_fields",
    "parse_lagrangian",
    "to_paper_tokens",
]

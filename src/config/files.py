"""One config file of ``conf/`` read on its own, for code that runs without a composed config.

The YAML files are where default values live: a ``DataSettings()`` or a ``LagrangianBart`` built without an
``optim`` dict takes the values of ``conf/data/sampled.yaml`` or ``conf/optim/default.yaml`` through
``config_values``, so no module restates them. The file is read as it stands, without Hydra: its
``defaults`` list is dropped (a schema is passed instead, to type the values) and so are the top-level keys
named in ``drop``; what is left must not interpolate (``${...}``), there being no composed config to resolve
it against.

Light to import: OmegaConf is loaded on the first read; a file is read and checked once, and every call
returns a fresh copy that the caller may change.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterable
from pathlib import Path

from src.errors import UserError

CONF_DIR = Path(__file__).resolve().parents[2] / "conf"


def config_path(relpath: str) -> Path:
    """``conf/<relpath>``, e.g. ``config_path("optim/default.yaml")``."""
    return CONF_DIR / relpath


def config_values(path: Path, schema: type | None = None, drop: Iterable[str] = ()) -> dict:
    """The YAML file ``path`` as a plain dict, without ``defaults`` and the top-level keys in ``drop``.

    With ``schema`` (the group's dataclass, e.g. ``src.config.optim.OptimNode``) the values are merged over
    it and typed as a composed config types them; a key the schema does not know, a value of the wrong type
    and a schema key (outside ``drop``) that the file leaves without a value are each a ``UserError`` naming
    the file and the key. So is an interpolation among the keys kept."""
    return copy.deepcopy(_read(Path(path), schema, frozenset(drop)))


@functools.cache
def _read(path: Path, schema: type | None, drop: frozenset[str]) -> dict:
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    raw = OmegaConf.to_container(OmegaConf.load(path), resolve=False)
    node = OmegaConf.create({k: v for k, v in raw.items() if k not in drop | {"defaults"}})
    try:
        if schema is not None:
            node = OmegaConf.merge(OmegaConf.structured(schema), node)
            missing = [k for k in OmegaConf.missing_keys(node) if k.split(".")[0] not in drop]
            if missing:
                raise UserError(f"{path}: {missing[0]} has no value")
        values = OmegaConf.to_container(node, resolve=True, throw_on_missing=False)
    except OmegaConfBaseException as e:
        key = getattr(e, "full_key", None) or "?"
        first = str(e).strip().splitlines()[0]
        raise UserError(f"{path}: {key}: {first} (read without a composed config)") from None
    return {k: v for k, v in values.items() if k not in drop}

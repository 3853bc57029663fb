"""The schemas of the ``model`` and ``tokenizer`` config groups: the key names and types of
``conf/model/*.yaml`` (a BART preset) and ``conf/tokenizer/*.yaml`` (a token scheme and its options).

Registered in Hydra's ConfigStore as ``model/schema`` and ``tokenizer/schema``; every file of those groups
lists it first in its defaults, so an unknown key or a value of the wrong type (``model.d_model=abc``,
``tokenizer.canonical=maybe``) is refused by its full name while the config is composed. The presets give
every model key a value; the three keys no preset sets (``encoder_layerdrop``, ``decoder_layerdrop``,
``init_std``) and the scheme options stay None unless given, and are then left to BART's and the scheme's own
defaults. What a type cannot say (the norm's names, heads dividing the width, the scheme's name) is checked by
``src.models.bart.validate_arch`` and ``src.tokens.scheme_from_config`` in the preflight.
"""

from __future__ import annotations

from dataclasses import dataclass

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING


@dataclass
class ModelNode:
    name: str = MISSING
    d_model: int = MISSING
    encoder_layers: int = MISSING
    decoder_layers: int = MISSING
    encoder_attention_heads: int = MISSING
    decoder_attention_heads: int = MISSING
    encoder_ffn_dim: int = MISSING
    decoder_ffn_dim: int = MISSING
    max_position_embeddings: int = MISSING
    dropout: float = MISSING
    attention_dropout: float = MISSING
    activation_dropout: float = MISSING
    activation_function: str = MISSING
    scale_embedding: bool = MISSING
    norm: str = MISSING
    encoder_layerdrop: float | None = None
    decoder_layerdrop: float | None = None
    init_std: float | None = None


@dataclass
class TokenizerNode:
    name: str = MISSING
    canonical: bool | None = None  # IDs in order of appearance (the schemes with per-term IDs)
    seed: int | None = None  # the random IDs' generator
    n_labels: int | None = None  # field_refs: how many field labels F0, F1, ... the vocabulary holds
    field_words: list[str] | None = None  # opaque: its field words (else fitted on the training fields)
    charges: str | None = None  # field_refs: reduced (1/6, 2/3) or common_denominator (1/6, 4/6) per list
    # field_refs with common_denominator: targets start with the charges of the list's bilinears
    charge_sums: bool | None = None


def model_preset(name: str) -> dict:
    """The geometry of ``conf/model/<name>.yaml`` as plain values typed by ``ModelNode``: without its name
    and the keys it leaves None (what a model is built from outside a composed config: benches, tests)."""
    from .files import config_path, config_values

    values = config_values(config_path(f"model/{name}.yaml"), schema=ModelNode, drop={"name"})
    return {k: v for k, v in values.items() if v is not None}


ConfigStore.instance().store(group="model", name="schema", node=ModelNode)
ConfigStore.instance().store(group="tokenizer", name="schema", node=TokenizerNode)

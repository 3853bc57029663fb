"""The BART builder: geometry from presets, vocabulary and special ids from the tokenizer."""

import pytest

from src.config.model import model_preset
from src.models.bart import ModelConfigError, SpecialIds, bart_config, build_bart, count_parameters


def preset(name: str) -> dict:
    return model_preset(name)


def test_paper_preset_with_41_words_has_356959232_parameters():
    assert count_parameters(preset("paper"), vocab_size=41) == 356_959_232


def test_parameter_count_grows_by_d_model_per_extra_word():
    # the shared embedding (tied with the LM head) adds d per word; the final-logits bias is a buffer
    arch = preset("tiny")
    assert count_parameters(arch, 42) - count_parameters(arch, 41) == arch["d_model"]


@pytest.mark.parametrize("name", ["tiny", "mini", "d192", "small", "base", "paper"])
def test_every_preset_builds_a_config_with_the_tokenizer_ids(name):
    ids = SpecialIds(pad=2, bos=0, eos=1)
    cfg = bart_config(preset(name), vocab_size=57, ids=ids)
    assert (cfg.vocab_size, cfg.pad_token_id, cfg.bos_token_id, cfg.eos_token_id) == (57, 2, 0, 1)
    assert (cfg.decoder_start_token_id, cfg.forced_eos_token_id) == (0, 1)


def test_preset_with_a_typo_is_rejected():
    with pytest.raises(ModelConfigError, match="d_modle"):
        bart_config({**preset("tiny"), "d_modle": 32}, vocab_size=41, ids=SpecialIds())


def test_preset_may_not_set_the_vocabulary_or_generation_keys():
    with pytest.raises(ModelConfigError, match="num_beams"):
        bart_config({**preset("tiny"), "num_beams": 4}, vocab_size=41, ids=SpecialIds())


def test_generation_config_carries_the_tokenizer_ids_and_saves(tmp_path):
    model = build_bart(preset("tiny"), vocab_size=41, ids=SpecialIds(pad=2, bos=0, eos=1), max_new_tokens=77)
    g = model.generation_config
    assert (g.decoder_start_token_id, g.forced_eos_token_id, g.eos_token_id, g.pad_token_id) == (0, 1, 1, 2)
    assert g.max_new_tokens == 77
    model.save_pretrained(tmp_path)  # transformers refuses a model config that carries generation keys
    assert (tmp_path / "generation_config.json").is_file()


def test_unknown_norm_is_rejected():
    with pytest.raises(ModelConfigError, match="norm='side'"):
        bart_config({**preset("tiny"), "norm": "side"}, vocab_size=41, ids=SpecialIds())

"""Bad data settings give one clear line (exit 2 at the command line), and every data config composes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from data_helpers import compose_data

from src.data.field_space import ConfigError
from src.data.settings import settings_from_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "change, words",
    [
        ({"max_fields": 0}, "data.max_fields must be >= 1"),
        ({"n_lagrangians": -5}, "data.n_lagrangians must be >= 1"),
        ({"vocabulary": {"su3": ["1", "7"]}}, "unknown representation '7'"),
        ({"vocabulary": {"su2": [1, 9]}}, "unknown representation 9"),
        ({"basis": "redundant"}, "data.basis must be one of"),
        ({"shard": 3, "num_shards": 2}, "data.shard must be < data.num_shards"),
        ({"val_fraction": 1.5}, "data.val_fraction must lie in [0, 1]"),
        ({"n_lagrangians": "many"}, "data.n_lagrangians: Value 'many' of type 'str' could not be converted"),
        ({"ood": {"ood_reps": {"size": "x"}}}, "data.ood.ood_reps.size: Value 'x'"),
        ({"sampled": {"decay": 0.5}}, "data.sampled.decay: Key 'decay' not in 'SampledNode'"),
        ({"nosuch": 1}, "data.nosuch: Key 'nosuch' not in 'DataNode'"),
    ],
)
def test_bad_setting_names_the_key(change, words):
    with pytest.raises(ConfigError, match=None) as err:
        settings_from_config({**compose_data("tiny"), **change})
    assert words in str(err.value)


@pytest.mark.parametrize("name", ["sampled", "uniform", "quickstart", "tiny", "paper_csv"])
def test_every_data_config_composes_and_validates(name):
    data = compose_data(name, ["data.csv_path=/some/file.csv"] if name == "paper_csv" else [])
    settings = settings_from_config(data)
    assert settings.name == name
    assert data["datamodule"]["_target_"] == "src.data.datamodule.LagrangianDataModule"
    assert "generate" not in data["datamodule"]  # the settings come from the node itself, not a mirror


def test_every_key_of_the_data_configs_is_in_the_schema():
    """The YAML files and the schema name the same keys: none is left MISSING, none is added outside it."""
    from omegaconf import OmegaConf

    from src.config.data import DataNode

    for name in ("sampled", "uniform", "quickstart", "tiny"):
        data = compose_data(name)
        schema_keys = set(OmegaConf.to_container(OmegaConf.structured(DataNode), throw_on_missing=False))
        assert set(data) == schema_keys, name
        assert "???" not in str(data), name  # every schema key has a value in the YAML


def test_the_settings_defaults_read_alone_equal_the_composed_paper_set():
    """``DataSettings()`` reads conf/data/sampled.yaml without Hydra: the settings of the composed config."""
    from src.data.settings import DataSettings, paper_values

    assert settings_from_config(compose_data("sampled")) == DataSettings() == settings_from_config({})
    assert settings_from_config(DataSettings().to_json()) == DataSettings()  # round trip
    assert set(paper_values()) == set(DataSettings().to_json())  # one value per setting, nothing else


def _paper_config(tmp_path, monkeypatch, *changes: tuple[str, str]):
    """conf/ in tmp_path with data/sampled.yaml edited by ``changes`` (old, new), as the code's conf/."""
    import src.config.files

    text = (ROOT / "conf" / "data" / "sampled.yaml").read_text()
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    (tmp_path / "conf" / "data").mkdir(parents=True)
    (tmp_path / "conf" / "data" / "sampled.yaml").write_text(text)
    monkeypatch.setattr(src.config.files, "CONF_DIR", tmp_path / "conf")
    return tmp_path / "conf" / "data" / "sampled.yaml"


def test_the_defaults_are_conf_data_sampleds_values(tmp_path, monkeypatch):
    from src.data.field_space import FieldVocabulary
    from src.data.settings import DataSettings

    _paper_config(
        tmp_path,
        monkeypatch,
        ("n_lagrangians: 286000", "n_lagrangians: 1234"),
        ("max_numerator: 9", "max_numerator: 5"),
        ("yukawa_share: 0.5", "yukawa_share: 0.25"),
    )
    for settings in (DataSettings(), settings_from_config({})):
        assert settings.n_lagrangians == 1234 and settings.vocabulary.max_numerator == 5
        assert settings.sampled["yukawa_share"] == 0.25
    assert FieldVocabulary().max_numerator == 5
    assert FieldVocabulary.from_config({"su2": [1]}).max_numerator == 5


@pytest.mark.parametrize(
    "change, words",
    [
        (("seed: 0\n", ""), ": seed has no value"),
        (("  scalar_share: 0.5", "  scalar: 0.5"), "vocabulary.scalar: Key 'scalar' not in 'VocabularyNode'"),
        (("n_lagrangians: 286000", "n_lagrangians: many"), "n_lagrangians: Value 'many' of type 'str'"),
        (("seed: 0", "seed: ${data.max_fields}"), "seed: "),  # no composed config to resolve it against
    ],
)
def test_a_broken_paper_config_names_the_file_and_the_key(tmp_path, monkeypatch, change, words):
    from src.cli import UserError
    from src.data.settings import DataSettings

    path = _paper_config(tmp_path, monkeypatch, change)
    for build in (DataSettings, lambda: settings_from_config({})):
        with pytest.raises(UserError) as err:
            build()
        assert str(err.value).startswith(f"{path}: ") and words in str(err.value)


def test_the_datamodule_generates_with_the_data_nodes_own_settings():
    from data_helpers import CONF
    from hydra import compose, initialize_config_dir

    from src.data.datamodule import datamodule_from_config
    from src.tokens import build_scheme

    overrides = ["data=tiny", "paths.data_dir=/unused", "data.n_lagrangians=77", "data.vocabulary.su2=[1,2]"]
    with initialize_config_dir(version_base="1.3", config_dir=str(CONF)):
        cfg = compose("generate", overrides=overrides)
    dm = datamodule_from_config(cfg.data, build_scheme("paper"), batch_size=4)
    assert dm.batch_size == 4 and dm.data_dir == Path("/unused/tiny")
    assert dm.settings.n_lagrangians == 77 and list(dm.settings.vocabulary.su2) == [1, 2]
    assert dm.settings == settings_from_config(compose_data("tiny", overrides[2:]))
    # Overrides are the datamodule's arguments, not edits the schema refuses (the benchmarks turn the
    # stream off this way: `stream` is not optional in the config).
    assert datamodule_from_config(cfg.data, build_scheme("paper"), stream=None).stream_cfg == {}


def test_a_hand_built_datamodule_defaults_to_the_paper_configs_values():
    """The constructor's defaults (for a module built by hand: tests, notebooks, ``src.evaluate``) are the
    written-out values of conf/data/sampled.yaml's ``datamodule`` node, so the two cannot drift apart."""
    import inspect

    from omegaconf import OmegaConf

    from src.data.datamodule import LagrangianDataModule

    node = OmegaConf.to_container(OmegaConf.load(ROOT / "conf/data/sampled.yaml").datamodule, resolve=False)
    params = inspect.signature(LagrangianDataModule.__init__).parameters
    literal = {  # the written-out values (the stream node: off unless given, None)
        k: v for k, v in node.items() if k in params and not isinstance(v, dict) and "${" not in str(v)
    }
    assert set(literal) >= {"batch_size", "max_source_length", "max_target_length", "bucket_by_length"}
    for key, value in literal.items():
        default = params[key].default
        assert (list(default) if isinstance(default, tuple) else default) == value, key


def test_cli_bad_values_exit_2_with_one_line(tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "src.generate", "data=tiny", f"paths.data_dir={tmp_path}"]
    cases = [
        ("data.max_fields=0", "max_fields"),
        ("data.vocabulary.su3=[1,7]", "'7'"),
        ("data=nosuch", "Could not find 'data/nosuch'"),  # a composition error: Hydra's 14 lines, exit 1
        ("data.nosuch_key=1", "nosuch_key"),
        ("data.ood.ood_fields.size=ten", "data.ood.ood_fields.size=ten: Value 'ten' of type 'str'"),
    ]
    for override, words in cases:
        proc = subprocess.run(
            [*cmd, override], cwd=ROOT, capture_output=True, text=True, env=env, timeout=120
        )
        assert proc.returncode == 2
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0] and "Traceback" not in proc.stderr
    assert not any(tmp_path.iterdir())


def test_interpolated_dataset_name_is_resolved_from_the_composed_config():
    from data_helpers import CONF
    from hydra import compose, initialize_config_dir

    with initialize_config_dir(version_base="1.3", config_dir=str(CONF)):
        cfg = compose("generate", overrides=["data=tiny", "data.name=tiny_f${data.max_fields}"])
    assert settings_from_config(cfg.data).name == "tiny_f2"

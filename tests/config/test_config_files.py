"""A config file read without Hydra (the defaults of code built without a config): the file's values, and a
file the schema would refuse is one line naming the file and the key."""

from __future__ import annotations

import pytest

from src.cli import UserError
from src.config.files import config_values
from src.config.optim import OptimNode

OPTIM = """\
defaults:
  - schema
  - _self_

lr: 3.0e-4
weight_decay: 0.01
betas: [0.9, 0.98]
eps: 1.0e-8
warmup_steps: 200
warmup_ratio: 0
schedule: linear
min_lr_ratio: 0.0
encoder_lr_scale: 1.0
fused: true
decay_by_time: false
decision_weight: 1.0
"""


def _file(tmp_path, text: str):
    path = tmp_path / "default.yaml"
    path.write_text(text)
    return path


def test_the_file_without_its_defaults_list_typed_by_the_schema(tmp_path):
    path = _file(tmp_path, OPTIM)
    values = config_values(path, schema=OptimNode)
    assert "defaults" not in values and values["lr"] == 3e-4 and values["betas"] == [0.9, 0.98]
    assert values["warmup_ratio"] == 0.0 and isinstance(values["warmup_ratio"], float)  # the schema's type
    assert config_values(path)["warmup_ratio"] == 0  # no schema: as written


@pytest.mark.parametrize(
    "change, words",
    [
        (("lr: 3.0e-4", "lr: fast"), "lr: Value 'fast' of type 'str' could not be converted"),
        (("eps: 1.0e-8", "epsilon: 1.0e-8"), "epsilon: Key 'epsilon' not in 'OptimNode'"),
        (("decay_by_time: false\n", ""), "decay_by_time has no value"),
        (("schedule: linear", "schedule: ${optim.lr}"), "schedule: "),  # nothing to resolve it against
    ],
)
def test_a_file_the_schema_refuses_names_the_file_and_the_key(tmp_path, change, words):
    path = _file(tmp_path, OPTIM.replace(*change))
    with pytest.raises(UserError) as err:
        config_values(path, schema=OptimNode)
    assert str(err.value).startswith(f"{path}: ") and words in str(err.value)
    assert len(str(err.value).splitlines()) == 1


def test_dropped_keys_may_interpolate_and_need_no_value(tmp_path):
    path = _file(tmp_path, OPTIM.replace("schedule: linear", "schedule: ${optim.lr}"))
    assert "schedule" not in config_values(path, schema=OptimNode, drop={"schedule"})


def test_each_call_returns_a_fresh_copy(tmp_path):
    path = _file(tmp_path, OPTIM)
    config_values(path)["betas"].append(1.0)
    assert config_values(path)["betas"] == [0.9, 0.98]


def test_the_code_default_decoding_limit_is_the_configs():
    import yaml

    from src.config.files import CONF_DIR
    from src.models import MAX_NEW_TOKENS

    train = yaml.safe_load((CONF_DIR / "train.yaml").read_text())
    assert train["decode"]["max_new_tokens"] == MAX_NEW_TOKENS

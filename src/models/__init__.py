"""The seq2seq model: a BART built from a preset (``bart``) and its LightningModule (``module``)."""

import yaml

from src.config_files import CONF_DIR

# The decoding length limit where a config gives none: conf/train.yaml's decode.max_new_tokens, read here
# (plain YAML, no torch) so that the oracle's command line can name it as its default.
MAX_NEW_TOKENS = int(yaml.safe_load((CONF_DIR / "train.yaml").read_text())["decode"]["max_new_tokens"])

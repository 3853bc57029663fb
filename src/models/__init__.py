"""The seq2seq model: a BART built from a preset (``bart``) and its LightningModule (``module``)."""

# The decoding length limit where a config gives none (a model loaded outside a run, the oracle's command
# line). conf/train.yaml's decode.max_new_tokens says the same number (tests/test_config_files.py checks it).
MAX_NEW_TOKENS = 1024

"""The seq2seq model: a BART built from a preset (``bart``) and its LightningModule (``module``)."""

# The decoding length limit where a config gives none (conf/train.yaml: decode.max_new_tokens). Here, not in
# ``bart``, so that the oracle's command line can name it without importing torch.
MAX_NEW_TOKENS = 1024

"""The seq2seq model: a BART built from a preset (``bart``) and its LightningModule (``module``)."""

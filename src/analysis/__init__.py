"""Summaries and figures behind the notebooks: ``dataset`` (distributions of a generated dataset),
``results`` (evaluation scores by split and number of fields), ``embeddings`` (the encoder-state analysis of
a saved model). The notebooks only call these and show what they return."""

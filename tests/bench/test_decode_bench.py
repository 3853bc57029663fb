"""The decoding bench's measurement on a saved model: both engines through the Decoder, the same words."""

from __future__ import annotations

import torch

from src.bench.decode import measure_trained
from src.models.module import LagrangianBart


def test_both_engines_decode_a_saved_models_rows_to_the_same_words(tiny_datamodule, tiny_arch, tmp_path):
    torch.manual_seed(0)
    dm = tiny_datamodule
    model = LagrangianBart(tiny_arch, vocab_size=dm.scheme.vocab_size, scheme=dm.scheme, max_new_tokens=16)
    saved = model.save_pretrained(tmp_path / "run" / "best_model")
    rows = tmp_path / "rows.parquet"
    dm.table("train").head(5).to_parquet(rows)
    out = measure_trained(str(saved), str(rows), batch_size=2, max_new=16)
    assert out["rows"] == 5
    assert out["identical_ids_trained"] is True
    assert out["seconds_lean"] > 0 and out["seconds_generate"] > 0

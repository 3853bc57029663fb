"""Read the paper's released dataset layout (a CSV with columns ``fields``, ``Lagrangian``, ``train/eval``).

Only from a local path (``data.csv_path``); nothing is ever downloaded. Each row becomes a row of our tables:
the field list is parsed (either spacing), the Lagrangian tokens are kept exactly as released and parsed back
into structured terms with the paper-format parser (``verify=False``: the released interaction terms are
AutoEFT's expanded monomials, some redundant, and must still be read). ``train`` rows go to the train split;
``eval`` rows to val or test by a hash of the field multiset (``csv_val_share`` of the hash range to val).
Rows repeating an earlier field multiset are dropped (the first occurrence wins), as are rows with a term the
parser cannot read; ``meta.json`` counts both.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from src.physics.fields import FieldError
from src.physics.terms import Lagrangian, terms_json
from src.tokens.paper import parse_paper_fields

from .field_space import ConfigError
from .rows import fields_json, fields_text, multiset_key, term_counts
from .splits import MAIN_SPLITS, key_unit

REQUIRED = ("fields", "Lagrangian", "train/eval")
REJECT_WORDS = {
    "csv_unreadable_fields": "its fields cannot be read",
    "csv_unreadable_term": "a term of its Lagrangian cannot be read",
    "duplicate_multiset": "its field multiset repeats an earlier row",
    "csv_unknown_split": "its train/eval column is neither train nor eval",
}


def csv_row(index: int, fields_str: str, lagrangian_str: str, rejects: Counter) -> dict | None:
    from src.tokens.paper import parse_lagrangian

    try:
        fields = parse_paper_fields(fields_str)
    except FieldError:
        rejects["csv_unreadable_fields"] += 1
        return None
    tokens = lagrangian_str.split()
    parsed = parse_lagrangian(tokens, fields, verify=False)
    if parsed.truncated or any(pt.term is None for pt in parsed.terms):
        rejects["csv_unreadable_term"] += 1
        return None
    terms = [pt.term for pt in parsed.terms]
    lag = Lagrangian(fields, terms, "paper")
    return {
        "sample_id": index,
        "key": multiset_key(fields),
        "fields": fields_text(fields),
        "lagrangian": " ".join(tokens),
        "n_fields": len(fields),
        "n_terms": len(lag.terms),
        "n_tokens": len(tokens),
        **term_counts(lag.terms),
        "terms": terms_json(terms),
        "fields_json": fields_json(fields),
        "spelling": "{}",
        "planted": "",
        "model": "",
    }


def eval_split(key: str, val_share: float) -> str:
    # A different hash range than splits.split_of, so eval rows spread evenly over val and test.
    return "val" if key_unit("eval:" + key) < val_share else "test"


def read_paper_csv(settings) -> tuple[dict[str, list[dict]], Counter, int]:
    """-> (tables train/val/test, rejects, number of CSV rows read)."""
    path = Path(str(settings.csv_path)).expanduser()
    if not path.is_file():
        raise ConfigError(f"data.csv_path: no such file {str(path)!r}")
    tables: dict[str, list[dict]] = {s: [] for s in MAIN_SPLITS}
    rejects: Counter = Counter()
    seen: set[str] = set()
    n, first_bad = 0, None
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
            if missing:
                raise ConfigError(f"data.csv_path: {path.name} lacks column(s) {', '.join(missing)}")
            for n, rec in enumerate(reader, start=1):
                before = rejects.copy()
                row = csv_row(n - 1, rec["fields"], rec["Lagrangian"], rejects)
                if row is not None and row["key"] in seen:
                    rejects["duplicate_multiset"] += 1
                    row = None
                elif row is not None:
                    seen.add(row["key"])  # the first occurrence wins, whatever its split column says
                which = str(rec["train/eval"] or "").strip().lower()
                if row is not None and which not in ("train", "eval"):
                    rejects["csv_unknown_split"] += 1
                    row = None
                if row is None:
                    if first_bad is None:
                        first_bad = (reader.line_num, next(iter(rejects - before)))
                    continue
                split = "train" if which == "train" else eval_split(row["key"], settings.csv_val_share)
                tables[split].append(row)
    except UnicodeDecodeError as e:
        raise ConfigError(f"data.csv_path: {path.name} is not UTF-8 text (byte {e.start})") from None
    except csv.Error as e:  # e.g. a NUL byte
        raise ConfigError(f"data.csv_path: {path.name} is not a readable CSV ({e})") from None
    if not any(tables.values()):
        if first_bad is None:
            raise ConfigError(f"data.csv_path: {path.name} has no data rows")
        line, reason = first_bad
        raise ConfigError(
            f"data.csv_path: no row of {path.name} could be read ({n} rows); the first bad one, "
            f"line {line}: {REJECT_WORDS.get(reason, reason)}"
        )
    if settings.max_target_tokens:
        for s in MAIN_SPLITS:
            keep = [r for r in tables[s] if r["n_tokens"] <= settings.max_target_tokens]
            rejects["too_many_tokens"] += len(tables[s]) - len(keep)
            tables[s] = keep
    return tables, rejects, n

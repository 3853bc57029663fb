"""Accuracy against the number of fields, over seeds: the table and figure in the shape of the paper's.

``python -m src.analysis.by_fields --report NAME=REPORT.json[,REPORT.json...] [...] --out DIR`` reads the
reports of ``scripts/compose_eval.py`` (one per seed of a recipe: perfect by number of fields per split and
decoding) and writes

* ``by_fields.md``: one row per recipe and decoding, perfect by number of fields as mean [min, max] over the
  seeds, in-distribution (``test``) and beyond it (``ood_fields``) on one axis, and the registry models
  written exactly;
* ``by_fields.png``: perfect against the number of fields, one line per recipe and decoding (the mean over
  seeds, the band from the lowest to the highest seed).

A recipe given one seed is marked as such: one seed is an anecdote.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from src.cli import ArgumentParser, UserError, run_main

SPLITS = ("test", "ood_fields")  # one axis of field counts: in distribution, then longer lists


def perfect_by_fields(report: dict) -> dict[str, dict[int, float]]:
    """{decoding: {number of fields: perfect}} from one compose_eval report, over SPLITS (a count that two
    splits share keeps the first split's value)."""
    out: dict[str, dict[int, float]] = {}
    for split in SPLITS:
        for mode, entry in report.get("splits", {}).get(split, {}).items():
            if not isinstance(entry, dict) or "perfect_by_fields" not in entry:
                continue
            decoding = "composed" if mode.startswith("composed") else mode
            for n, v in entry["perfect_by_fields"].items():
                out.setdefault(decoding, {}).setdefault(int(n), float(v))
    return out


def registry_exact(report: dict) -> dict[str, int]:
    """{decoding: registry models written exactly} of one report (absent when it has no benchmarks split)."""
    out = {}
    for mode, entry in report.get("splits", {}).get("benchmarks", {}).items():
        if isinstance(entry, dict) and "models" in entry:
            out["composed" if mode.startswith("composed") else mode] = sum(entry["models"].values())
    return out


def combine(recipes: dict[str, list[dict]]) -> dict[tuple[str, str], dict]:
    """Per (recipe, decoding): the seeds' perfect by number of fields and registry counts."""
    lines: dict[tuple[str, str], dict] = {}
    for recipe, reports in recipes.items():
        for report in reports:
            registry = registry_exact(report)
            for decoding, by_n in perfect_by_fields(report).items():
                line = lines.setdefault((recipe, decoding), {"seeds": 0, "by_n": {}, "registry": []})
                line["seeds"] += 1
                for n, v in by_n.items():
                    line["by_n"].setdefault(n, []).append(v)
                if decoding in registry:
                    line["registry"].append(registry[decoding])
    return lines


def _cell(values: list[float]) -> str:
    if not values:
        return ""
    mean = 100 * float(np.mean(values))
    if len(values) == 1:
        return f"{mean:.1f}"
    return f"{mean:.1f} [{100 * min(values):.1f}, {100 * max(values):.1f}]"


def table(lines: dict[tuple[str, str], dict]) -> list[str]:
    counts = sorted({n for line in lines.values() for n in line["by_n"]})
    head = (
        "| recipe | decoding | seeds | " + " | ".join(f"{n} fields" for n in counts) + " | registry exact |"
    )
    out = [head, "|" + "---|" * (len(counts) + 4)]
    for (recipe, decoding), line in lines.items():
        seeds = f"{line['seeds']}" + (" (anecdote)" if line["seeds"] == 1 else "")
        cells = [_cell(line["by_n"].get(n, [])) for n in counts]
        reg = line["registry"]
        registry = (
            ""
            if not reg
            else f"{np.mean(reg):.1f} of 12" + (f" [{min(reg)}, {max(reg)}]" if len(reg) > 1 else "")
        )
        out.append(f"| {recipe} | {decoding} | {seeds} | " + " | ".join(cells) + f" | {registry} |")
    return out


def plot(lines: dict[tuple[str, str], dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    for (recipe, decoding), line in lines.items():
        counts = sorted(line["by_n"])
        mean = [100 * np.mean(line["by_n"][n]) for n in counts]
        low = [100 * min(line["by_n"][n]) for n in counts]
        high = [100 * max(line["by_n"][n]) for n in counts]
        style = "-" if decoding == "composed" else "--"
        (drawn,) = ax.plot(
            counts, mean, style, marker="o", label=f"{recipe}, {decoding} ({line['seeds']} seeds)"
        )
        ax.fill_between(counts, low, high, color=drawn.get_color(), alpha=0.15)
    ax.axvline(6.5, color="grey", lw=0.8, ls=":")
    ax.text(6.6, 3, "beyond training lists (ood_fields)", fontsize=8, color="grey")
    ax.set_xlabel("number of fields")
    ax.set_ylabel("perfect Lagrangians (%)")
    ax.set_ylim(0, 101)
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def parse_report(text: str) -> tuple[str, list[Path]]:
    name, sep, files = text.partition("=")
    if not sep or not name or not files:
        raise UserError(f"--report {text!r}: write NAME=REPORT.json[,REPORT.json...]")
    paths = [Path(f) for f in files.split(",") if f]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise UserError(f"--report {name}: {missing[0]} does not exist")
    return name, paths


def main(argv: list[str] | None = None) -> int:
    """The exit code; a bad argument or report is one line ``error: ...`` and exit code 2."""
    return run_main(lambda: _main(argv), "the table and figure")


def _main(argv: list[str] | None) -> int:
    p = ArgumentParser(prog="python -m src.analysis.by_fields", description=__doc__.split("\n\n")[0])
    p.add_argument("--report", action="append", required=True, help="NAME=REPORT.json[,REPORT.json...]")
    p.add_argument("--out", required=True, help="folder for by_fields.md and by_fields.png")
    args = p.parse_args(argv)
    recipes: dict[str, list[dict]] = {}
    for text in args.report:
        name, paths = parse_report(text)
        try:
            recipes[name] = [json.loads(path.read_text()) for path in paths]
        except json.JSONDecodeError as e:
            raise UserError(f"--report {name}: a file is not JSON ({e})") from None
    lines = combine(recipes)
    if not lines:
        raise UserError("no report holds perfect-by-fields scores of test or ood_fields")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "by_fields.md").write_text("\n".join(table(lines)) + "\n")
    plot(lines, out / "by_fields.png")
    print("\n".join(table(lines)))
    print(f"wrote {out / 'by_fields.md'} and {out / 'by_fields.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

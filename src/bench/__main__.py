"""``python -m src.bench NAME [args]`` runs ``src.bench.<NAME>.main(args)``;
``python -m src.bench all [--write PERFORMANCE.md] [--decode-checkpoint DIR --decode-rows PARQUET]`` runs
every benchmark with its defaults and writes the report (with a trained checkpoint, the decoding benchmark
also decodes a split with it: rows that end at different lengths, as in evaluation).

Each benchmark prints ratios against a baseline measured in the same process and absolute figures
labelled with the machine (``src.bench.machine.describe``).
"""

from __future__ import annotations

import contextlib
import datetime
import importlib
import io
import sys
from pathlib import Path

from src.cli import ArgumentParser, UserError, run_main
from src.runlog import Tee
from src.version import describe_version

BENCHMARKS = ("oracle", "data", "train", "decode", "score")
CHECKS = ("gpu",)  # run on their own (`make gpu-check`), not by `all`
_NAMES = ",".join(BENCHMARKS + CHECKS)
USAGE = (
    f"usage: python -m src.bench {{{_NAMES}}} [args] | "
    "python -m src.bench all [--write FILE] [--decode-checkpoint DIR --decode-rows PARQUET]"
)


def run_one(name: str, args: list[str]) -> int:
    mod = importlib.import_module(f"src.bench.{name}")
    print(f"=== bench {name} ===", flush=True)
    return int(mod.main(args) or 0)


def run_all(
    write: str | None, extra: dict[str, list[str]] | None = None, names: tuple[str, ...] = BENCHMARKS
) -> int:
    """Run the benchmarks ``names`` (each with its ``extra`` arguments) one after the other; with ``write``,
    the report (their tables, the machine, the load, and each one's own output) goes to that file."""
    from src.bench import report
    from src.bench.machine import describe

    sections, rc = [], 0
    load_start = _load()
    report.take()
    for name in names:
        tee = Tee(sys.stdout, io.StringIO())  # the terminal, and a copy for the report
        with contextlib.redirect_stdout(tee):
            rc = max(rc, run_one(name, (extra or {}).get(name, [])))
        tee.close_line()  # a last line without its newline
        sections.append((name, tee.file.getvalue(), report.take()))
    if write:
        now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
        lines = [
            "# Performance",
            "",
            "Written by `make bench` (`python -m src.bench all --write PERFORMANCE.md`); every figure",
            "below was measured by that command. Each row sets our figure beside an anchor measured in the",
            "same process on the same inputs; **ours vs anchor > 1 means ours is faster** (ours / anchor for",
            "a rate, anchor / ours for a time; against the machine's matmul rate it is the share we use).",
            "Absolute figures depend on the machine and on whatever else it was running.",
            "",
            f"- machine: {describe()}",
            f"- date: {now}",
            f"- code version: {describe_version()}",
            f"- load average (1 min) before the first benchmark {load_start}"
            + (" (a quiet machine)" if _quiet(load_start) else " (other work ran before or beside it)")
            + f", after the last {_load()} (the benchmarks' own processes included)",
            "",
        ]
        for name, _, rows in sections:
            lines += [f"## {name}", "", f"`python -m src.bench {name}`", "", *report.markdown(rows), ""]
        lines += ["## The benchmarks' own output", ""]
        for name, text, _ in sections:
            lines += [
                f"<details><summary>{name}</summary>",
                "",
                "```",
                text.rstrip(),
                "```",
                "",
                "</details>",
                "",
            ]
        tmp = Path(write).with_suffix(".tmp")
        tmp.write_text("\n".join(lines))
        tmp.replace(write)
        print(f"wrote {write}")
    return rc


def _quiet(load: str) -> bool:
    return load != "unknown" and float(load) < 0.5


def _load() -> str:
    import os

    return f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "unknown"


def main(argv: list[str] | None = None) -> int:
    """The exit code of the benchmarks run; a bad argument is one line ``error: ...`` and exit code 2."""
    return run_main(lambda: _main(list(sys.argv[1:] if argv is None else argv)))


def _main(argv: list[str]) -> int:
    if argv[:1] in (["-h"], ["--help"]):
        print(USAGE)
        return 0
    if not argv:
        raise UserError(f"name a benchmark; {USAGE}")
    name, rest = argv[0], argv[1:]
    if name == "all":
        write, extra = _all_options(rest)
        return run_all(write, extra)
    if name not in BENCHMARKS + CHECKS:
        raise UserError(f"unknown benchmark {name!r}; choose from {', '.join(BENCHMARKS + CHECKS)} or all")
    return run_one(name, rest)


def _all_options(rest: list[str]) -> tuple[str | None, dict[str, list[str]]]:
    """``all``'s options: the report file and the decoding benchmark's extra arguments."""
    parser = ArgumentParser(prog="python -m src.bench all", usage=USAGE, allow_abbrev=False)
    parser.add_argument("--write", metavar="FILE", help="write the report here (PERFORMANCE.md)")
    parser.add_argument("--decode-checkpoint", metavar="DIR", help="a trained best_model folder")
    parser.add_argument("--decode-rows", metavar="PARQUET", help="a split to decode with it")
    try:
        args = parser.parse_args(rest)
    except UserError as e:
        raise UserError(
            f"{e}; 'all' takes --write FILE, --decode-checkpoint DIR, --decode-rows PARQUET; {USAGE}"
        ) from None
    checkpoint, rows = args.decode_checkpoint, args.decode_rows
    if bool(checkpoint) != bool(rows):
        raise UserError("--decode-checkpoint and --decode-rows go together")
    extra = {"decode": ["--checkpoint", checkpoint, "--rows", rows]} if checkpoint else {}
    return args.write, extra


if __name__ == "__main__":
    sys.exit(main())

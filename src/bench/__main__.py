"""Dispatch ``python -m src.bench NAME [args]`` to ``src.bench.<NAME>.main(args)``.

Each benchmark prints ratios against a baseline measured in the same process and absolute figures labelled with
the machine (see ``src.bench.machine.describe``).
"""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = ("oracle", "data", "train", "decode")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(f"usage: python -m src.bench {{{','.join(BENCHMARKS)},all}} [benchmark args]")
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    names = BENCHMARKS if name == "all" else (name,)
    rc = 0
    for n in names:
        if n not in BENCHMARKS:
            print(f"error: unknown benchmark {n!r}; choose from {', '.join(BENCHMARKS)} or all", file=sys.stderr)
            return 2
        try:
            mod = importlib.import_module(f"src.bench.{n}")
        except ModuleNotFoundError as e:
            print(f"[bench {n}] skipped: {e}")
            continue
        print(f"=== bench {n} ===", flush=True)
        rc = max(rc, int(mod.main(rest) or 0))
    return rc


if __name__ == "__main__":
    sys.exit(main())

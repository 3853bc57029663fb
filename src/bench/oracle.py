"""Benchmark of the exact oracle: Lagrangians per second, cold and warm signature cache, and peak memory.

Field lists are drawn like the paper's training data: 1-6 distinct fields, each uniform over spin 0 /
left / right Weyl, SU(3) 1/3/3̄, SU(2) 1/2/3, and a charge p/q with single-digit p (0-9, either sign) and
q (1-9), reduced. The cold pass starts with every cache cleared; the warm pass repeats the same lists.
The ratio warm/cold is the baseline comparison measured in the same process.
"""

from __future__ import annotations

import importlib.metadata
import random
import time
from fractions import Fraction

from src.bench import report
from src.bench.machine import describe, peak_rss_mib
from src.cli import ArgumentParser, run_main
from src.physics.fields import HALF, Field
from src.physics.groups import SU2Rep, SU3Rep
from src.physics.lagrangian import BASES, build_lagrangian, clear_caches
from src.physics.terms import KINETIC_KINDS

SMALL_CHARGES = (0, Fraction(1, 2), Fraction(-1, 2), 1, -1)


def paper_like_field(rng: random.Random, small_charges: bool = False) -> Field:
    """One field; ``small_charges``: Y from {0, ±1/2, ±1} (many more neutral multisets, a stress test)."""
    kind = rng.choice("SLR")
    if small_charges:
        charge = Fraction(rng.choice(SMALL_CHARGES))
    else:
        charge = Fraction(rng.randint(-9, 9), rng.randint(1, 9))
    return Field(
        spin=Fraction(0) if kind == "S" else HALF,
        su3=SU3Rep.from_name(rng.choice(("1", "3", "-3"))),
        su2=SU2Rep(rng.choice((1, 2, 3))),
        u1=charge,
        helicity=None if kind == "S" else (-HALF if kind == "L" else HALF),
    )


def paper_like_fields(rng: random.Random, max_fields: int = 6, small_charges: bool = False) -> list[Field]:
    """1..max_fields fields with pairwise distinct quantum numbers (the paper never repeats a field)."""
    n = rng.randint(1, max_fields)
    out: list[Field] = []
    while len(out) < n:
        f = paper_like_field(rng, small_charges)
        if f not in out:
            out.append(f)
    return out


def _rate(lists: list[list[Field]], basis: str) -> tuple[float, int]:
    start = time.perf_counter()
    terms = sum(len(build_lagrangian(fields, basis).terms) for fields in lists)
    return len(lists) / (time.perf_counter() - start), terms


def basisgen_fields(fields: list[Field]) -> list:
    """The field list as basisgen fields: each field, and its conjugate unless it is a real scalar."""
    import basisgen as bg

    out = []
    for k, f in enumerate(fields):
        lorentz = bg.scalar if f.is_scalar else (bg.L_spinor if f.helicity < 0 else bg.R_spinor)
        made = bg.Field(
            name=f"F{k}",
            lorentz_irrep=lorentz,
            internal_irrep=bg.irrep("SU3 x SU2", f"{f.su3.p} {f.su3.q} {f.su2.n - 1}"),
            charges=[f.u1],
            statistics=bg.boson if f.is_scalar else bg.fermion,
            dimension=1 if f.is_scalar else 1.5,
        )
        out += [made] if f.is_real else [made, made.conjugate]
    return out


def basisgen_rate(lists: list[list[Field]]) -> tuple[float, int]:
    """(Lagrangians/s, invariants) of basisgen counting every derivative-free invariant of dimension <= 4
    (its default: kinetic terms are removed by the equations of motion) of each field list."""
    import basisgen as bg

    algebra = bg.algebra("SU3 x SU2")
    start = time.perf_counter()
    count = sum(bg.EFT(algebra, basisgen_fields(fields)).invariants(4).count() for fields in lists)
    return len(lists) / (time.perf_counter() - start), count


def _interactions(lists: list[list[Field]], basis: str) -> int:
    return sum(1 for f in lists for t in build_lagrangian(f, basis).terms if t.kind not in KINETIC_KINDS)


def main(argv: list[str]) -> int:
    """The benchmark's exit code; a bad argument is one line ``error: ...`` and exit code 2 (``src.cli``)."""
    return run_main(lambda: _main(argv))


def _main(argv: list[str]) -> int:
    p = ArgumentParser(prog="python -m src.bench oracle")
    p.add_argument("--n", type=int, default=2000, help="field lists per pass")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-fields", type=int, default=6)
    p.add_argument("--basis", default="independent", choices=BASES)
    p.add_argument("--small-charges", action="store_true", help="Y in {0, ±1/2, ±1}: many more interactions")
    p.add_argument("--anchor-n", type=int, default=100, help="the first N lists also counted by basisgen")
    args = p.parse_args(argv)
    if args.n < 1 or args.max_fields < 1:
        p.error("--n and --max-fields must be >= 1")
    rng = random.Random(args.seed)
    lists = [paper_like_fields(rng, args.max_fields, args.small_charges) for _ in range(args.n)]
    clear_caches()  # every oracle cache emptied: solved from scratch
    cold, terms = _rate(lists, args.basis)
    warm, _ = _rate(lists, args.basis)
    print(f"[bench oracle] machine: {describe()}")
    print(
        f"[bench oracle] {args.n} field lists (1-{args.max_fields} fields, paper-like"
        f"{', small charges' if args.small_charges else ''}), basis={args.basis}"
    )
    print(f"[bench oracle] terms per Lagrangian: {terms / args.n:.1f}")
    print(f"[bench oracle] cold cache: {cold:.0f} Lagrangians/s (single process)")
    print(f"[bench oracle] warm cache: {warm:.0f} Lagrangians/s (single process), {warm / cold:.2f}x cold")
    print(f"[bench oracle] peak memory: {peak_rss_mib():.0f} MiB")
    print(f"[bench oracle] AutoEFT: {autoeft_status()}")
    command = "python -m src.bench oracle"
    what = f"{args.n} paper-like lists of 1-{args.max_fields} fields"
    report.add("oracle", f"{what}, warm caches", warm, "our own cold-cache pass", cold, "Lagrangians/s",
               command=command)  # fmt: skip
    anchor_lists = lists[: args.anchor_n]
    clear_caches()  # every oracle cache emptied: solved from scratch
    ours, _ = _rate(anchor_lists, args.basis)
    what = f"the first {len(anchor_lists)} lists, cold caches"
    try:
        version = importlib.metadata.version("basisgen")
    except importlib.metadata.PackageNotFoundError:
        anchor, rate, note = "basisgen", None, "basisgen not installed (`pip install basisgen==1.0.4`)"
    else:
        rate, count = basisgen_rate(anchor_lists)
        same = count == _interactions(anchor_lists, "independent")
        print(
            f"[bench oracle] {what}: ours {ours:.0f} Lagrangians/s (every term written), basisgen {version} "
            f"{rate:.1f} Lagrangians/s (counts only); {count} interaction and mass invariants, the same "
            f"count as ours: {same}"
        )
        anchor = f"basisgen {version} (counts only; ours writes every term)"
        agree = "the same" if same else "NOT the same"
        note = f"{count} interaction and mass invariants, {agree} count as ours"
    report.add("oracle", what, ours, anchor, rate, "Lagrangians/s", note=note, command=command)
    report.add("oracle", f"the first {len(anchor_lists)} lists", None, "AutoEFT", None, "Lagrangians/s",
               note=autoeft_status(), command=command)  # fmt: skip
    return 0


def autoeft_status() -> str:
    """Whether AutoEFT (optional, never required) could be compared with here, in words.

    ``pip install autoeft`` works, but the package needs SageMath (and FORM) at import time; no timed
    comparison is implemented yet, because no machine this project ran on could import it."""
    import importlib.util

    if importlib.util.find_spec("autoeft") is None:
        return "not installed - comparison not run (optional)"
    try:
        import autoeft
    except Exception as e:  # autoeft raises its own MissingRequirementError without SageMath
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        return f"installed but not importable ({first}) - comparison not run"
    return f"{getattr(autoeft, '__version__', '?')} importable - a timed comparison is not implemented yet"

#!/usr/bin/env bash
# Rewrites learning.md and the two figures of this folder from the run folders of 2026-12-02 (RESULTS.md,
# "Every scheme in the quickstart's 15 minutes"). Run from the repository root on the machine that holds them.
set -euo pipefail
Q=outputs/runs/quickstart
.venv/bin/python -m src.analysis.learning --split test --out results/schemes_quickstart \
 --recipe "paper_canonical (paper words, canonical IDs), quickstart recipe, seeds 0, 1, 2=$Q/multirun_2026-12-02_15-30-31-171776/0,$Q/multirun_2026-12-02_15-30-31-171776/1,$Q/multirun_2026-12-02_15-30-31-171776/2" \
 --recipe "opaque (one token per field, canonical IDs), quickstart recipe, seeds 0, 1, 2, quiet=$Q/2026-12-02_16-13-16-520786,$Q/2026-12-02_16-27-47-425225,$Q/2026-12-02_16-42-22-250183" \
 --recipe "numeric_u1 (paper words, a float channel for U1, canonical IDs), quickstart recipe, seeds 0, 1, 2, quiet=$Q/2026-12-02_17-10-00-109454,$Q/2026-12-02_17-24-16-568323,$Q/2026-12-02_17-39-07-490808" \
 --recipe "opaque, seed 0, disturbed by ~4 min of tests beside it=$Q/multirun_2026-12-02_15-19-03-199938/0"

#!/usr/bin/env bash
# Rewrites learning.md and the two figures of this folder from the run folders of 2026-12-02/03 (RESULTS.md,
# "The scheme ablations on 1–3 fields in 15 minutes"). Run from the repository root on the machine that holds them.
set -euo pipefail
O=outputs/runs/ablation_opaque
C=outputs/runs/ablation_canonical_ids
.venv/bin/python -m src.analysis.learning --split test --out results/schemes_1to3 \
 --recipe "opaque (one token per field, canonical IDs), mini, 15 min, seeds 0, 1, 2=$O/2026-12-02_19-41-24-972103,$O/2026-12-02_19-55-58-832774,$O/2026-12-02_20-10-25-772355" \
 --recipe "paper_canonical (paper words, canonical IDs), mini, 15 min, seeds 0, 1, 2=$C/2026-12-02_20-24-50-978412,$C/2026-12-02_20-48-49-448137,$C/2026-12-02_21-03-26-620287" \
 --recipe "numeric_u1 (paper words, float channel for U1, canonical IDs), mini, 15 min, seeds 0, 1, 2=$C/2026-12-02_23-44-18-750818,$C/2026-12-03_00-13-19-017927,$C/2026-12-03_00-42-21-204305" \
 --recipe "paper (random IDs, ID curriculum), mini, 15 min, seeds 0, 1, 2=$C/2026-12-02_23-29-38-575167,$C/2026-12-02_23-58-48-239135,$C/2026-12-03_00-27-47-618943"

#!/usr/bin/env bash
# Rewrites learning.md and the two figures of this folder from the run folders of the 2-core AMD EPYC
# sessions of 2026-12-01 and 2026-12-02 (RESULTS.md, "Learning on a slower machine"). Run from the repository root on the
# machine that holds those outputs/ folders.
set -euo pipefail
Q=outputs/runs/quickstart
.venv/bin/python -m src.analysis.learning --split test --out results/learning/amd \
  --recipe "small (6.6 M), recipe lr 8e-4 / 200 warm-up=$Q/multirun_2026-12-01_11-25-13-864824/0,$Q/multirun_2026-12-01_11-25-13-864824/1,$Q/multirun_2026-12-01_11-25-13-864824/2" \
  --recipe "mini (1.5 M), lr 8e-4 / 200 warm-up=$Q/multirun_2026-12-01_12-07-54-053584/0,$Q/multirun_2026-12-01_12-07-54-053584/1,$Q/multirun_2026-12-01_12-07-54-053584/2" \
  --recipe "mini, lr 1.6e-3 / 200 warm-up=$Q/multirun_2026-12-01_15-41-58-255329/0,$Q/multirun_2026-12-01_15-41-58-255329/1,$Q/multirun_2026-12-01_15-41-58-255329/2" \
  --recipe "mini, lr 1.6e-3 / 600 warm-up (the recipe since 2026-12-01 17:48)=$Q/multirun_2026-12-01_17-48-16-080130/0,$Q/multirun_2026-12-01_17-48-16-080130/1,$Q/multirun_2026-12-01_17-48-16-080130/2" \
  --recipe "d192 (2.9 M), lr 8e-4 / 200 warm-up=$Q/2026-12-01_13-00-32-738633,$Q/multirun_2026-12-01_13-52-09-684544/1" \
  --recipe "d192 (2.9 M), seed 1 disturbed by tests beside it=$Q/multirun_2026-12-01_13-52-09-684544/0" \
  --recipe "mini, lr 1.6e-3 / 600 warm-up, 1,900 fixed steps, two runs at once (1 thread each)=$(ls -d outputs/runs/screen_B/2026-12-01_16-46-46-354068 outputs/runs/screen_B/2026-12-01_17-14-52-462056 outputs/runs/screen_B/2026-12-01_17-15-22-201829 | paste -sd,)" \
  --recipe "d192, lr 1.6e-3 / 600 warm-up, 1,191 fixed steps, two runs at once=outputs/runs/screen_d192/2026-12-01_18-52-15-538245,outputs/runs/screen_d192/2026-12-01_18-52-30-708480" \
  --recipe "mini, lr 1.6e-3 / 200 warm-up, encoder lr x0.5, 1,900 fixed steps, two runs at once=outputs/runs/screen_A/2026-12-01_16-46-45-149221" \
  --recipe "mini, batches of 16 (warm-up 1,200 steps), seed 0, ~1 min of tests beside it=outputs/runs/qs_bs16/2026-12-01_19-55-08-883600" \
  --recipe "mini, batches of 8 (warm-up 2,400 steps), seed 0, disturbed by tests for ~3 min=outputs/runs/qs_bs8/2026-12-01_20-11-44-449709" \
  --recipe "mini, batches of 8 (warm-up 2,400 steps), seeds 1 and 2, quiet=outputs/runs/qs_bs8/2026-12-01_20-35-49-600232,outputs/runs/qs_bs8/2026-12-01_20-50-30-270666" \
  --recipe "mini, batches of 8 (the recipe since 2026-12-01 21:05), make train, seeds 0, 1, 2=$Q/multirun_2026-12-01_21-05-18-219873/0,$Q/multirun_2026-12-01_21-05-18-219873/1,$Q/multirun_2026-12-01_21-05-18-219873/2" \
  --recipe "mini, batches of 8, a fifth 1-field (the recipe since 2026-12-02 05:50), make train, seeds 0, 1, 2=$Q/multirun_2026-12-02_05-02-16-511052/0,$Q/multirun_2026-12-02_05-02-16-511052/1,$Q/multirun_2026-12-02_05-02-16-511052/2" \
  --recipe "d192, the paper's format (random IDs), batches of 8, one hour, seed 0=outputs/runs/learn_paper_format/2026-12-01_22-48-46-242871" \
  --recipe "d192, the paper's format (random IDs) with the ID curriculum, one hour, seeds 0, 1=outputs/runs/learn_paper_format/2026-12-02_08-08-09-231078,outputs/runs/learn_paper_format/2026-12-02_09-27-27-415095" \
  --recipe "learn_1to3 (d192, batches of 8, one hour, 1-3 fields), seeds 0, 1, 2=outputs/runs/learn_1to3/2026-12-02_00-00-00-083763,outputs/runs/learn_1to3/multirun_2026-12-02_01-53-04-854762/0,outputs/runs/learn_1to3/multirun_2026-12-02_01-53-04-854762/1"

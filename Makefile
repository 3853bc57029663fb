# One command each: `make train` (set-up + main job), `make test` (set-up + all tests).
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export OMP_NUM_THREADS ?= 2
export WANDB_MODE ?= offline
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup train test test-fast test-slow bench gpu-check lint format clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,cluster]"
	@touch $(STAMP)

setup: $(STAMP)

train: $(STAMP)
	$(BIN)/python -m src.train experiment=quickstart

test: $(STAMP)
	$(BIN)/python -m pytest -q tests

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow" tests

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow tests

# make bench [DECODE_CHECKPOINT=outputs/runs/.../best_model DECODE_ROWS=outputs/data/quickstart/test.parquet]
bench: $(STAMP)
	$(BIN)/python -m src.bench all --write PERFORMANCE.md \
		$(if $(DECODE_CHECKPOINT),--decode-checkpoint $(DECODE_CHECKPOINT) --decode-rows $(DECODE_ROWS))

gpu-check: $(STAMP)
	$(BIN)/python -m src.bench gpu

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/lint-imports
	$(BIN)/vulture src scripts tests --min-confidence 60

format: $(STAMP)
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

clean:
	rm -rf $(VENV) .pytest_cache

# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test lint bench diagram clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: set up .venv and start the bot (terminal chat when no tokens are configured)
run: $(STAMP)
	$(BIN)/rejection-coach

## test: set up .venv and run the whole test suite
test: $(STAMP)
	$(BIN)/python -m pytest -q

## lint: ruff and mypy
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

## bench: run the benchmarks (not part of `make test`)
bench: $(STAMP)
	$(BIN)/python -m bench

## diagram: regenerate docs/flow.mmd from the state machine and copy it into README.md
diagram: $(STAMP)
	$(BIN)/python -m flows.diagram > docs/flow.mmd
	$(BIN)/python .ci/readme_diagram.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

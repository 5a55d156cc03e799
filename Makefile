# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# Quiet installs: -qq shows pip's errors only (its warnings about this machine's index
# locations and setuptools' notes on editable installs are not for the user);
# tests/test_packaging.py checks that building the wheel itself raises no warning.
PIP    := -m pip --disable-pip-version-check -qq
PIP_INSTALL := $(PIP) install --no-warn-script-location

# The dependency floors (`make test-min`): every direct dependency at the lowest version
# pyproject.toml allows, resolved by uv (`--resolution lowest-direct`) into .venv-min.
MIN_VENV := .venv-min
MIN_BIN  := $(MIN_VENV)/bin
MIN_STAMP := $(MIN_VENV)/.installed-stamp
# The whole suite, nothing deselected: a test failing at the floors means a floor is wrong.
MIN_TESTS ?= tests

.PHONY: run test test-min lint bench diagram clean

$(STAMP): pyproject.toml
	@echo "Setting up $(VENV) (the first time takes a minute or two)..."
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python $(PIP_INSTALL) --upgrade pip
	@$(BIN)/python $(PIP_INSTALL) -e '.[dev]'
	@touch $(STAMP)

## run: set up .venv and start the bot (terminal chat when no tokens are configured)
run: $(STAMP)
	@$(BIN)/rejection-coach

## test: set up .venv and run the whole test suite
test: $(STAMP)
	$(BIN)/python -m pytest -q

## test-min: run the tests with every dependency at the lowest version the pins allow
test-min: $(MIN_STAMP)
	$(MIN_BIN)/python -m pytest -q $(MIN_TESTS)

$(MIN_STAMP): pyproject.toml $(STAMP)
	@echo "Setting up $(MIN_VENV) with the lowest versions pyproject.toml allows..."
	@$(BIN)/python $(PIP_INSTALL) 'uv>=0.5,<1'
	@rm -rf $(MIN_VENV)
	@$(BIN)/python -m uv --quiet venv --python $(BIN)/python $(MIN_VENV)
	@$(BIN)/python -m uv --quiet pip install --python $(MIN_BIN)/python \
		--resolution lowest-direct -e '.[dev]'
	@$(BIN)/python -m uv --quiet pip list --python $(MIN_BIN)/python > $(MIN_VENV)/versions.txt
	@touch $(MIN_STAMP)

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
	rm -rf $(VENV) $(MIN_VENV) .pytest_cache .mypy_cache .ruff_cache

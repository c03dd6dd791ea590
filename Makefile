# `make test` and `make run` set everything up on a fresh machine (a virtualenv in .venv).
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: test run docs bench baseline clean fuzz notebook

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# Lint first (ruff, configured in pyproject.toml), then the suite. The dashboard's browser test
# needs Debian's chromium: installed here when missing (CI runs as root on a fresh machine).
test: $(STAMP)
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q

run: $(STAMP)
	$(PY) run.py run wuhan_2023_2025 --replicates 20 --workers 2 --out results/wuhan_2023_2025 --force

# docs/parameters.md is generated from the scenario schema (a test checks it is current).
docs: $(STAMP)
	$(PY) run.py describe --format markdown > docs/parameters.md.tmp && mv docs/parameters.md.tmp docs/parameters.md

# tests/baseline/baseline.json: the stored results the regression test compares with. Refresh
# only on purpose; the command prints every value that moved, for the commit message.
baseline: $(STAMP)
	$(PY) -m tests.baseline.regression --refresh

# The property test of tests/test_fuzz.py with 2 000 random examples (the suite runs 200 fixed ones).
fuzz: $(STAMP)
	DATAMARKET_FUZZ=fuzz $(PY) -m pytest -q tests/test_fuzz.py

# JupyterLab on notebooks/ (the notebook extra, installed here only; `make test` does not need it).
notebook: $(STAMP)
	$(PY) -m pip install --quiet -e ".[notebook]"
	$(VENV)/bin/jupyter lab notebooks/

bench: $(STAMP)
	$(PY) -m pip install --quiet -e ".[test,bench]"
	$(PY) benchmarks/bench.py

clean:
	rm -rf $(VENV) results .pytest_cache

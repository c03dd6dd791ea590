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

# Documents generated from the model (each states the command that made it), in order: the re-fit of
# the baseline (scenarios/fits/wuhan/), docs/validation.md (a test checks it is current with the
# model, the baseline, the targets and the fit) and docs/sensitivity.md with the two sweep specs it
# writes. Run `make reports` after any change to the model. Measured CPU: refit 125 s (one core),
# validation 80 s, sensitivity 195 s (about 870 small runs): about 5 min on 2 idle cores in all.
.PHONY: reports validation sensitivity refit
reports: refit validation sensitivity

validation: $(STAMP)
	$(PY) run.py validate-model wuhan_2023_2025 --seeds 20 --targets wuhan --fit scenarios/fits/wuhan --out docs/validation.md

sensitivity: $(STAMP)
	$(PY) docs/make_sensitivity.py --workers 2

# Re-fit the baseline's hand-tuned parameters (scenarios/targets/wuhan_parameters.yaml) to the Wuhan
# targets into the committed folder scenarios/fits/wuhan/ (the Optuna study itself is not kept);
# about 2 min on one idle core (seeds run one at a time, so a hopeless trial stops after one). The
# baseline scenario is not changed: adopting the fitted values is a decision made in its file.
refit: $(STAMP)
	$(PY) run.py calibrate wuhan_2023_2025 --targets wuhan --parameters scenarios/targets/wuhan_parameters.yaml \
		--trials 150 --seeds 4 --workers 2 --draws 0.1 --out scenarios/fits/wuhan --force
	rm -f scenarios/fits/wuhan/study.db

# Two commands for people: `make run` and `make test`. Both build the virtual environment first.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test venv browser benchmark calibrate clean

$(STAMP): setup.cfg
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; install Python 3.11" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,viz]'
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/lco-sim sweep experiments/integration_levels.toml
	$(BIN)/lco-sim analyse results/integration_levels
	$(BIN)/lco-sim report results/integration_levels

# One pytest worker per core (pytest-xdist), so the suite uses all of CI's cores; every test runs
# beside others (its own temporary folders and free ports).
test: $(STAMP) browser
	$(BIN)/python -m pytest -q -n auto

# The dashboard's browser test drives Debian's chromium (not Playwright's own download).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update && apt-get install -y chromium; }

benchmark: $(STAMP)
	$(BIN)/python benchmarks/bench_model.py

calibrate: $(STAMP)
	$(BIN)/python -m simulation.calibration --scale 1.0

clean:
	rm -rf $(VENV) .pytest_cache

# API reference from the docstrings (pdoc, installed with the test extra): Markdown pages in
# docs/api/ (kept in git; tests/test_api_docs.py checks them) and HTML in docs/api/html/
.PHONY: docs
docs: $(STAMP)
	$(BIN)/python -m simulation.api_docs --out docs/api

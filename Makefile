# Two commands from a fresh clone: `make demo` and `make test`.
# Only python3 and make are needed: everything else goes into .venv.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed

.PHONY: demo test bench soak lab sandbox docs clean install

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,sandbox,spark]"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/mfanalytics demo --out out/demo

# The suite runs on two workers (pytest-xdist), each test file on one of them, in its order:
# module fixtures (a sandbox, a synced archive) are made once; 18.5 min on one core, 11.8 to 13.1 on two.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(PY) -m pytest -q -p no:cacheprovider -m "not slow" --timeout=900 --durations=30 -n 2 --dist loadfile

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

soak: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider -m slow

# The documentation site (Sphinx, numpydoc, the notebooks run on the sandbox) in out/docs/.
# `make test` builds it too, with warnings as errors, without running the notebooks again.
docs: $(STAMP)
	$(PY) -m sphinx -b html -W --keep-going -q docs out/docs
	@echo "open out/docs/index.html"

sandbox: $(STAMP)
	$(BIN)/mfanalytics sandbox --samples 30

# JupyterLab on notebooks/, every notebook talking to ONE local sandbox (port 8765,
# 30 days of sample campaigns, a minute of campaign life per second, state kept in
# out/lab/sandbox.db): send from notebook 02, read the report in 01 or 03.
# Saving a notebook never dirties the repository: etc/jupyter/jupyter_server_config.py strips
# outputs and run state before each save (tests/test_lab_config.py checks it on a real server).
# Its clock starts at the current time (later if out/lab/sandbox.db is ahead); the
# sandbox stops when JupyterLab does.
LAB_SANDBOX := http://127.0.0.1:8765
LAB_WAIT := import sys, time, urllib.request as u\nfor _ in range(240):\n try:\n  u.urlopen(sys.argv[1], timeout=1); sys.exit(0)\n except OSError:\n  time.sleep(0.5)\nsys.exit(1)
lab: $(STAMP)
	$(PY) -m pip install --quiet -e ".[lab]"
	@mkdir -p out/lab
	@$(BIN)/mfanalytics sandbox --port 8765 --speed 60 --db out/lab/sandbox.db --samples 30 \
	  --start $$(date -u +%Y-%m-%dT%H:%M:%SZ) & sandbox=$$!; \
	trap 'kill $$sandbox 2>/dev/null; wait $$sandbox 2>/dev/null' EXIT INT TERM; \
	$(PY) -c "exec('$(LAB_WAIT)')" $(LAB_SANDBOX)/_sandbox/clock || { echo "the sandbox did not start on $(LAB_SANDBOX)"; exit 1; }; \
	MEDIASFLOW_BASE_URL=$(LAB_SANDBOX)/api/v1 MEDIASFLOW_USERNAME=demo MEDIASFLOW_PASSWORD=demo \
	  JUPYTER_CONFIG_PATH=$(CURDIR)/etc/jupyter MFANALYTICS_LAB_OUT=$(CURDIR)/out/lab \
	  $(BIN)/jupyter lab $$([ "$$(id -u)" = 0 ] && echo --allow-root) notebooks/

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis build *.egg-info

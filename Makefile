# Two commands from a fresh clone: `make demo` and `make test`.
# Only python3 and make are needed: everything else goes into .venv.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed

.PHONY: demo test bench soak lab sandbox clean install

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,sandbox]"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/mfanalytics demo --out out/demo

test: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider -m "not slow" --timeout=900

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

soak: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider -m slow

sandbox: $(STAMP)
	$(BIN)/mfanalytics sandbox

lab: $(STAMP)
	$(PY) -m pip install --quiet -e ".[lab]"
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis build *.egg-info

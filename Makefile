# The README's two commands: `make build` and `make test`. Both create .venv from the pins.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
SOURCES ?= ../shared/sources

.PHONY: build test lint validate clean bench

$(VENV)/.runtime: requirements.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; set PYTHON=/path/to/python3.11" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# release runs the full validation first and writes nothing if it finds a problem.
build: $(VENV)/.runtime
	$(PY) -m scripts release --sources $(SOURCES)

validate: $(VENV)/.runtime
	$(PY) -m scripts validate --sources $(SOURCES)

test: $(VENV)/.dev
	$(PY) -m ruff check scripts tests
	$(PY) -m pytest

bench: $(VENV)/.dev
	$(PY) -m scripts.bench --sources $(SOURCES)
	$(PY) -m scripts.bench_workbook

clean:
	rm -rf dist $(VENV)

# The README's two commands: `make build` and `make test`. Both create .venv from the pins.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
SOURCES ?= ../shared/sources

.PHONY: build final test check lint validate clean bench docs bump mutation

$(VENV)/.runtime: requirements.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; set PYTHON=/path/to/python3.11" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# docs regenerates CITATION.cff, .zenodo.json and docs/ from datapackage.json and the schemas;
# release validates a snapshot of the package, then builds dist/ (nothing is written on a problem).
build: $(VENV)/.runtime
	$(PY) -m scripts docs
	$(PY) -m scripts release --sources $(SOURCES)

# The release to publish: as build, but refused while a publishing setting in datapackage.json is a
# placeholder (missing, listed in cac:unverified, or an example address; README: Publishing).
final: $(VENV)/.runtime
	$(PY) -m scripts docs
	$(PY) -m scripts release --final --sources $(SOURCES)

docs: $(VENV)/.runtime
	$(PY) -m scripts docs

# Cut the next version: make bump PART=minor (or major, patch); prints the git tag command.
bump: $(VENV)/.runtime
	$(PY) -m scripts bump $(or $(PART),$(error say PART=major, minor or patch))

validate: $(VENV)/.runtime
	$(PY) -m scripts validate --sources $(SOURCES)

test: $(VENV)/.dev
	$(PY) -m ruff check scripts tests
	$(PY) -m pytest -n 2 --dist loadfile  # two workers (pytest-xdist); a test module stays on one worker

# The fast loop while editing (README: Quick start), under 30 s on two cores: ruff, then the unit and data
# tests without the ones that drive LibreOffice, pdftotext, Chromium or Datasette. What is left out
# runs in make test: tests/faults (kills, full disks, concurrent writers), tests/fuzz, tests/integration
# (big packages, the pre-commit hook in a git clone, the reuse tool, the mutation rejudging tool's real
# pytest runs) and the real tools' folders.
# One polars thread a worker: two workers on two cores, and the real package's frames are tiny (a
# validation is ~2,000 small queries, ~15% faster without handing each to a thread pool); make test
# keeps polars' default pool.
CHECK_TESTS := tests/unit tests/data
CHECK_MARKERS := not libreoffice and not pdftotext and not chromium and not datasette
check: $(VENV)/.dev
	$(PY) -m ruff check scripts tests
	POLARS_MAX_THREADS=1 $(PY) -m pytest -n 2 --dist loadfile -m "$(CHECK_MARKERS)" $(CHECK_TESTS)

# Mutation testing of the core modules (pyproject [tool.mutmut]; README "Mutation testing"): hours on
# two cores the first time, then only what changed. MUTANTS='scripts.release.diff.*' runs one module.
# Writes dist/mutation/report.md and report.json. Not part of `make test`.
# mutmut copies tests/ and the data folders over its last copy without deleting: a test file moved
# since then would still run there (and fail the first step), so the copies are made afresh.
# (mutants/scripts is kept: it holds the mutants and their verdicts.)
JOBS ?= 2
MUTANT_COPIES := tests schemas tables docs LICENSES .ci .github
mutation: $(VENV)/.dev
	rm -rf $(addprefix mutants/,$(MUTANT_COPIES))
	@# mutmut keeps a survivor's verdict until its function changes: survivors are named to judge them again
	RERUN="$$( [ -d mutants ] && $(PY) -m tests.mutation.report --to-rerun '$(or $(MUTANTS),*)' 2>/dev/null)"; \
	if [ -n "$$RERUN" ]; then CAC_SOURCES=$(abspath $(SOURCES)) $(VENV)/bin/mutmut run --max-children $(JOBS) $$RERUN; fi
	CAC_SOURCES=$(abspath $(SOURCES)) $(VENV)/bin/mutmut run --max-children $(JOBS) $(if $(MUTANTS),'$(MUTANTS)')
	$(PY) -m tests.mutation.report

bench: $(VENV)/.dev
	$(PY) -m scripts bench --sources $(SOURCES)

clean:
	rm -rf dist $(VENV) mutants

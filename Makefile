# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test sysdeps bundle bundle-test deb bench

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

sysdeps:
	@bash scripts/install-system-deps.sh

run: sysdeps $(VENV)/.installed
	$(VENV)/bin/cadre-desk

test: sysdeps $(VENV)/.installed
	$(PY) -m pytest

# The one-folder bundle dist/cadre-desk/ (build.spec), with DuckDB for export-warehouse.
bundle: $(VENV)/.installed
	$(PY) -m pip install -q -e '.[build,warehouse]'
	$(VENV)/bin/pyinstaller --noconfirm build.spec

# Build the bundle in a clean venv and check it from the bundle alone (packaging/bundle-test.sh).
bundle-test: sysdeps
	bash packaging/bundle-test.sh

# dist/cadre-desk_VERSION_ARCH.deb from the bundle (desktop entry and icon included).
deb: bundle
	bash packaging/build-deb.sh dist/cadre-desk dist

bench: $(VENV)/.installed
	for b in benchmarks/bench_*.py; do $(PY) $$b || exit 1; done

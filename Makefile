# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test sysdeps bundle bench

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

bundle: $(VENV)/.installed
	$(PY) -m pip install -q -e '.[build]'
	$(VENV)/bin/pyinstaller --noconfirm build.spec

bench: $(VENV)/.installed
	for b in benchmarks/bench_*.py; do CADRE_DESK_USER=bench CADRE_DESK_PASSWORD=bench-pass-2026 $(PY) $$b || exit 1; done

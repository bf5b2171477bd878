# Dynamon: make install | run | test | bench | lint | clean

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
DATA ?= data

.PHONY: install run test bench lint clean

install: $(VENV)/.installed

$(VENV)/pyvenv.cfg:
	@test -n "$(PYTHON)" || { echo "python3.11 or python3 is needed" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt $(VENV)/pyvenv.cfg
	$(PY) -m pip install --disable-pip-version-check -r requirements.txt
	touch $@

run: install
	mkdir -p $(DATA)
	$(PY) -m dynamon example sykehjem > $(DATA)/sykehjem.json.tmp
	mv $(DATA)/sykehjem.json.tmp $(DATA)/sykehjem.json
	$(PY) -m dynamon solve $(DATA)/sykehjem.json --time-limit 60 --show --out $(DATA)/sykehjem-roster.csv

test: install
	$(PY) -m pytest -q tests

bench: install
	$(PY) -m dynamon bench

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

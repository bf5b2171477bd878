# Dynamon: make install | run | test | bench | lint | clean

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
DYNAMON_DATA ?= data
PORT ?= 5000
HOST ?= 127.0.0.1
DATA = $(abspath $(DYNAMON_DATA))

.PHONY: install run solve-demo test bench lint clean translations

install: $(VENV)/.installed node_modules/.installed translations

$(VENV)/pyvenv.cfg:
	@test -n "$(PYTHON)" || { echo "python3.11 or python3 is needed" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt $(VENV)/pyvenv.cfg
	$(PY) -m pip install --disable-pip-version-check -r requirements.txt
	touch $@

# Browser files (htmx and its SSE extension; axe-core for the tests) come from the
# npm registry at pinned versions and are served from our own host.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed (Debian: apt-get install npm)" >&2; exit 1; }
	npm ci --no-audit --no-fund
	touch $@

translations: $(VENV)/.installed
	@if ls translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(VENV)/bin/pybabel -q compile -d translations; fi

run: install
	mkdir -p $(DYNAMON_DATA)
	DYNAMON_DATA=$(DATA) $(VENV)/bin/flask --app app db upgrade
	DYNAMON_DATA=$(DATA) $(VENV)/bin/flask --app app demo
	@echo "Dynamon is at http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	PATH="$(abspath $(VENV))/bin:$$PATH" DYNAMON_DATA=$(DATA) HOST=$(HOST) \
		$(VENV)/bin/honcho start -f Procfile -p $(PORT)

solve-demo: install
	mkdir -p $(DYNAMON_DATA)
	$(PY) -m dynamon example sykehjem > $(DYNAMON_DATA)/sykehjem.json.tmp
	mv $(DYNAMON_DATA)/sykehjem.json.tmp $(DYNAMON_DATA)/sykehjem.json
	$(PY) -m dynamon solve $(DYNAMON_DATA)/sykehjem.json --time-limit 60 --show --out $(DYNAMON_DATA)/sykehjem-roster.csv

# The tests also run the benchmark's CP-SAT peer once (tests/test_curtois.py), so
# they install its pinned packages; the app itself never imports them.
test: install $(VENV)/.bench-installed
	$(PY) -m pytest -q tests

# The Curtois-Qu benchmark (instances 1-8, 60 s, 2 threads) with the CP-SAT peer,
# whose packages are pinned apart from the app's (requirements-bench.txt).
$(VENV)/.bench-installed: requirements-bench.txt $(VENV)/.installed
	$(PY) -m pip install --disable-pip-version-check -r requirements-bench.txt
	touch $@

bench: install $(VENV)/.bench-installed
	$(PY) -m dynamon bench --peer cpsat --markdown bench-results.md

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# Two commands for a fresh machine: `make run` and `make test`.
VENV    := .venv
PY      := $(VENV)/bin/python
FLASK   := $(PY) -m flask --app storefront
HOST    ?= 127.0.0.1
PORT    ?= 5000
PYTEST_ARGS ?=

.PHONY: run test install translations chromium demo lint bench jobs clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed translations

translations: $(VENV)/.installed
	$(VENV)/bin/pybabel compile --use-fuzzy -d storefront/translations

## Set up (venv, dependencies, migrations, demo data) and serve the shop with test payments.
run: install
	mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) demo load --skip-if-loaded
	@echo "Bruit Blanc shop on http://$(HOST):$(PORT)/  (test payments; Ctrl-C to stop)"
	$(VENV)/bin/gunicorn -c gunicorn.conf.py --workers 1 --threads 8 --bind $(HOST):$(PORT) \
		--access-logfile - 'storefront:create_app()'

## Install what the tests need and run the whole suite.
test: install chromium
	$(PY) -m pytest $(PYTEST_ARGS)

# Debian's chromium drives the browser tests (never a downloaded browser).
chromium:
	@command -v chromium >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@command -v chromium >/dev/null 2>&1 || echo "chromium missing: browser tests will be skipped"

## Expire lapsed reservations and send the mail outbox (what cron runs every minute).
jobs: install
	$(FLASK) orders sweep
	$(FLASK) members expire
	$(FLASK) newsletter send
	$(FLASK) mail send

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: install
	$(PY) bench/release_page.py
	$(PY) bench/drop.py
	$(PY) bench/edition_drop.py
	$(PY) bench/quest_claim.py
	$(PY) bench/dashboard.py

clean:
	rm -rf $(VENV) instance .pytest_cache

# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := app

.PHONY: run test test-postgres setup db translations lint clean messages

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

# Each catalog is compiled when its .po is newer than its .mo (so two suites started at once by .ci/run, after
# one `make setup`, never rewrite a catalog the other is reading).
MO_FILES := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))
translations: $(STAMP) $(MO_FILES)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile -d translations -l $* --statistics

setup: $(STAMP) translations

db: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load

run: db  ## serve the demo on http://127.0.0.1:5000
	$(BIN)/flask run --host 127.0.0.1 --port 5000

test: setup  ## the whole suite: unit, integration, end-to-end (headless Chromium)
	$(BIN)/ruff check .
	$(BIN)/pytest

POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
# The route crawls (the permission table, axe on every page, every report page at 360 px) check who may open
# what and the markup: the same on both databases, so they run on SQLite only; everything else runs on both.
test-postgres: setup  ## the same suite on PostgreSQL (creates and drops a throwaway database)
	DATABASE_URL=$(POSTGRES_URL) $(BIN)/pytest -m "not route_crawl"

lint: setup
	$(BIN)/ruff check .

messages: $(STAMP)  ## re-extract strings and update both catalogs
	$(BIN)/pybabel extract -F babel.cfg -k _l -k _n:1,2 --ignore-dirs=".venv tests migrations" -o messages.pot .
	$(BIN)/pybabel update -i messages.pot -d translations --no-fuzzy-matching
	$(BIN)/python tools/fill_en_catalog.py

clean:
	rm -rf $(VENV) instance/*.db

.PHONY: bench
bench: setup  ## benchmark on a large data set, SQLite and PostgreSQL, with wrk (docs/benchmarks.md)
	@command -v wrk >/dev/null || apt-get install -y wrk || (apt-get update && apt-get install -y wrk)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

.PHONY: security
security: setup  ## bandit on the code, sqlmap against a demo server on 127.0.0.1 (tools/security.sh)
	@command -v sqlmap >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlmap)
	@test -x $(BIN)/bandit || $(BIN)/pip install --quiet "$$(grep -i '^bandit==' requirements.txt)"
	BIN=$(BIN) bash tools/security.sh

.PHONY: lighthouse
LIGHTHOUSE := tools/lighthouse/node_modules/.bin/lighthouse
$(LIGHTHOUSE): tools/lighthouse/package-lock.json
	cd tools/lighthouse && npm ci --no-audit --no-fund
	touch $(LIGHTHOUSE)

lighthouse: setup $(LIGHTHOUSE)  ## Lighthouse mobile scores of the main pages on a demo server (tools/lighthouse.py)
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
	$(BIN)/python tools/lighthouse.py


# convenor — run `make help` for the list of targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# GOV.UK Frontend's built files, copied from npm at install and never committed.
GOVUK_DIST := node_modules/govuk-frontend/dist/govuk
GOVUK_STATIC := convenor/static/govuk
ASSETS_STAMP := $(GOVUK_STATIC)/.installed
LA ?= 850
DATA ?= ../shared/data

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# The compiled CSS asks for its fonts at /assets/...; a relative url() keeps them under
# STATIC_URL and lets the manifest storage give them hashed names in production.
$(ASSETS_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	rm -rf $(GOVUK_STATIC)
	mkdir -p $(GOVUK_STATIC)
	sed 's#url(/assets/#url(assets/#g' $(GOVUK_DIST)/govuk-frontend.min.css > $(GOVUK_STATIC)/govuk-frontend.min.css
	cp $(GOVUK_DIST)/govuk-frontend.min.css.map $(GOVUK_DIST)/govuk-frontend.min.js $(GOVUK_DIST)/govuk-frontend.min.js.map $(GOVUK_STATIC)/
	cp -R $(GOVUK_DIST)/assets $(GOVUK_STATIC)/assets
	touch $(ASSETS_STAMP)

.PHONY: install
install: $(STAMP) $(ASSETS_STAMP) ## Install everything into .venv from the lock file, and GOV.UK Frontend from npm

.PHONY: assets
assets: $(ASSETS_STAMP) ## Install GOV.UK Frontend (npm ci) and copy its built files into convenor/static/govuk

.PHONY: lock
lock: $(STAMP) ## Re-pin dependencies into requirements.lock (needs uv)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --group dev --python-version 3.11 --generate-hashes --no-header -o requirements.lock

.PHONY: migrate
migrate: $(STAMP) ## Create or update the database schema
	$(BIN)/convenor migrate --no-input

.PHONY: demo
demo: $(STAMP) $(ASSETS_STAMP) ## Build the Hampshire demo database and serve it at http://127.0.0.1:8000
	$(BIN)/convenor migrate --no-input
	$(BIN)/convenor demo load --la $(LA)
	$(BIN)/convenor demo users
	$(BIN)/convenor runserver 127.0.0.1:8000

.PHONY: extract
extract: $(STAMP) ## Rebuild the committed demo extract for LA=$(LA) from DATA=$(DATA)
	$(BIN)/convenor demo build-extract --la $(LA) --from $(DATA)

.PHONY: lint
lint: $(STAMP) ## ruff (lint and format check) and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy convenor tests benchmarks conftest.py

# Debian's Chromium for the browser tests in tests/e2e (Playwright drives it; it never
# downloads a browser of its own). Installed only when absent, and only as root.
CHROMIUM := /usr/bin/chromium

.PHONY: browser
browser: ## Install Debian's Chromium for the browser tests, when absent (needs root)
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; \
	else \
		echo "No Chromium at $(CHROMIUM), and not root to install it: the browser tests will skip."; \
	fi

.PHONY: test
test: lint $(ASSETS_STAMP) browser ## Lint, type-check and run the suite on SQLite (and PostgreSQL when DATABASE_URL is set)
	env -u DATABASE_URL $(BIN)/pytest -q
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "== again on $${DATABASE_URL%%://*} =="; \
		$(BIN)/pytest -q; \
	fi

.PHONY: bench
bench: $(STAMP) $(ASSETS_STAMP) ## Benchmark imports, pages (20 users; Hampshire, England) early-warning scoring from DATA, and brokerage matching; see docs/performance.md
	$(BIN)/python benchmarks/imports.py --data $(DATA)
	$(BIN)/python benchmarks/pages.py --scale hampshire
	$(BIN)/python benchmarks/pages.py --scale england --data $(DATA)
	$(BIN)/python benchmarks/scoring.py --data $(DATA)
	$(BIN)/python benchmarks/matching.py --scale la
	$(BIN)/python benchmarks/matching.py --scale national

.PHONY: clean
clean: ## Remove the virtualenv, node_modules, copied and collected assets, caches, the local and benchmark databases
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis db.sqlite3 var \
		node_modules $(GOVUK_STATIC) staticfiles

# One command per job; each installs first, so a fresh clone needs nothing else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint browser clean constraints

# Our own modules are compiled too: an editable install leaves them as source, and where
# PYTHONDONTWRITEBYTECODE is set every command would compile them again at start.
install: $(STAMP)
	@$(BIN)/python -m compileall -q src >/dev/null

# Re-installs only when the dependency list or the constraints change.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# The browser tests drive Debian's Chromium; Playwright never downloads a browser here.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "browser tests need Debian's chromium: sudo apt-get install chromium"; fi; }

demo: install
	$(BIN)/clipdesk demo --port $${PORT:-8000}

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

# The whole suite on SQLite, then every database test again on PostgreSQL.
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test

test: install browser lint
	$(BIN)/clipdesk --home "$$(mktemp -d)" manage makemigrations --check --dry-run
	$(BIN)/python -m pytest
	DATABASE_URL=$(TEST_POSTGRES_URL) $(BIN)/python -m pytest -m "django_db and not browser"

clean:
	rm -rf $(VENV) .pytest_cache build src/*.egg-info

# Re-pin: resolve the dependencies afresh in a scratch venv and record what was chosen.
constraints:
	rm -rf /tmp/clipdesk-pin && $(PYTHON) -m venv /tmp/clipdesk-pin
	/tmp/clipdesk-pin/bin/pip install --quiet -e '.[dev]'
	{ echo "# Exact versions the suite is tested with; pyproject.toml holds only lower bounds."; \
	  echo "# Regenerate after changing dependencies: make constraints"; \
	  /tmp/clipdesk-pin/bin/pip freeze --exclude-editable | grep -v '^-e'; } > constraints.txt

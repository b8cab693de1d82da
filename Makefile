# The few commands people type. `make run` brings up the whole product; `make test` runs every test.
# Both use DATABASE_URL / REDIS_URL when set, else start an embedded PostgreSQL and Redis under .local/.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PORT ?= 8000
SERVICES := $(VENV)/bin/python scripts/services.py --
LOGS := $(or $(SMARTWORK_LOCAL_DIR),.local)/logs

.PHONY: install run logs test lint format migrate shell clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else "SmartWork needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(SERVICES) $(VENV)/bin/python scripts/run.py --port $(PORT)

# Follow what `make run` writes (web server, Celery worker and beat), from a second terminal.
logs:
	@if ls '$(LOGS)'/*.log >/dev/null 2>&1; then \
		tail -n 20 -F '$(LOGS)/web.log' '$(LOGS)/worker.log' '$(LOGS)/beat.log'; \
	else \
		echo "No logs yet in $(LOGS)/: \`make run\` writes them there." >&2; exit 1; \
	fi

test: install
	scripts/ensure_chromium.sh
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache
	$(SERVICES) $(VENV)/bin/python -m pytest

lint: install
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/mypy && $(VENV)/bin/lint-imports --no-cache

format: install
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

# Run a management command against the embedded (or given) services, e.g.
#   make manage ARGS="create_api_key --client acme --name crm"
manage: install
	$(SERVICES) $(VENV)/bin/python manage.py $(ARGS)

clean:
	rm -rf $(VENV) .local staticfiles

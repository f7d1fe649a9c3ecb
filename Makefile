# Kỷ cương — everything runnable from here. A newcomer needs only `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
# pyenv honours .python-version (3.13); otherwise the newest python3.1x on PATH that is >= 3.12.
BOOTSTRAP_PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.14; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { echo $$p; break; }; done)
# The demo runs without the second factor so its logins work without a phone; production
# requires it for administrators and the office chief (DJANGO_OTP_ROLES).
DEV_ENV := DJANGO_DEBUG=true DJANGO_HTTPS=false DJANGO_OTP_ROLES=
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test check lint format messages bench bench-letters bench-reports seed-scale backup restore clean

$(VENV)/.installed: pyproject.toml
	@test -x $(PYTHON) || test -n "$(BOOTSTRAP_PYTHON)" || { echo "Python 3.12 or newer is needed (pyenv install 3.13, or install python3.12+)."; exit 1; }
	test -x $(PYTHON) || $(BOOTSTRAP_PYTHON) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e ".[dev]"
	@touch $@

install: $(VENV)/.installed

run: install ## Migrate, load the demo district and serve on http://$(HOST):$(PORT)
	$(DEV_ENV) $(PYTHON) manage.py migrate --no-input
	$(DEV_ENV) $(PYTHON) manage.py loaddemo
	@echo "Serving on http://$(HOST):$(PORT)/ — log in with one of the demo logins above."
	$(DEV_ENV) $(PYTHON) manage.py runserver $(HOST):$(PORT)

# The suite runs on every core (at most 4), one test file per worker at a time: on the
# 2-core CI machine that halves its time. TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto
test: install ## The whole suite (browser tests skip with a reason when Chromium is missing)
	$(BIN)/pytest -n $(TEST_WORKERS) --maxprocesses 4 --dist loadfile $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Production-like settings for the deploy check: HTTPS, a real key, DEBUG off.
PROD_ENV := DJANGO_DEBUG=false DJANGO_HTTPS=true DJANGO_ALLOWED_HOSTS=kycuong.example \
	DJANGO_SECRET_KEY=check-deploy-$(shell head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')-not-a-real-secret

check: install ## ruff, migrations up to date, deploy checks under production-like settings
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(DEV_ENV) $(PYTHON) manage.py makemigrations --check --dry-run
	$(PROD_ENV) $(PYTHON) manage.py check --deploy --fail-level WARNING

messages: install ## Extract strings and compile the Vietnamese catalogue (needs GNU gettext)
	$(DEV_ENV) $(PYTHON) manage.py makemessages -l vi --no-obsolete --ignore=.venv --ignore=staticfiles
	$(DEV_ENV) $(PYTHON) manage.py compilemessages -l vi --ignore=.venv

backup: install ## Back up the database and uploaded files (DATABASE_URL picks the database)
	$(PYTHON) manage.py backup

restore: install ## Restore a backup: make restore FILE=var/backups/kycuong-YYYYmmdd-HHMMSS.dump
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=path/to/backup.dump|.sqlite3"; exit 1; }
	$(PYTHON) manage.py restore "$(FILE)"
bench: install ## Time every key page at province scale and load the list with wrk (DATABASE_URL, seeded)
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "make bench needs DATABASE_URL=postgres://… seeded by: python manage.py seed_scale"; exit 1;; esac
	$(PYTHON) tests/perf/bench_pages.py $(BENCH_ARGS)

bench-letters: install ## Time .docx and PDF rendering and the issue rate under contention (test database)
	$(BIN)/pytest -q -s tests/perf/bench_letters.py $(PYTEST_ARGS)

bench-reports: install ## Time dashboards and reports at demo scale and with 100,000 violations (test database)
	$(BIN)/pytest -q -s tests/perf/bench_reports.py $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) staticfiles

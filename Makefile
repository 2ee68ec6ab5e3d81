# Two commands on a fresh machine: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run stop totp test test-fast install install-dev lint check-integrity bench bench-overload rehearsal clean messages

# Re-install only when pyproject.toml changes (the stamp carries its hash).
PYPROJECT_HASH := $(shell sha1sum pyproject.toml | cut -c1-12)
STAMP := $(VENV)/.installed-$(PYPROJECT_HASH)
STAMP_DEV := $(VENV)/.installed-dev-$(PYPROJECT_HASH)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { echo "python3 -m venv failed: on Debian/Ubuntu run 'apt-get install python3-venv'"; exit 1; }
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(STAMP_DEV): $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(STAMP)

install: $(STAMP)
install-dev: $(STAMP_DEV)

# The web server and, beside it, the notification worker, under one supervisor (yoyaku/supervise.py): Ctrl-C,
# or SIGINT/SIGTERM to the job, stops both, in the foreground and in the background; `make stop` does it from
# another terminal. The demo asks for DEBUG explicitly (it is off unless DEBUG=1): the emails are files in
# var/mail/, shown at /dev/mail/. The site's URL (the banner, the links in emails) follows HOST and PORT;
# a server bound to every address (HOST=0.0.0.0) is announced on 127.0.0.1. YOYAKU_SITE_URL overrides it.
SITE_HOST = $(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST))
YOYAKU_SITE_URL ?= http://$(SITE_HOST):$(PORT)
run: export DEBUG = 1
run: export YOYAKU_SITE_URL := $(YOYAKU_SITE_URL)
run: install
	@mkdir -p var
	$(BIN)/python manage.py migrate --no-input -v0
	$(BIN)/python manage.py demo --if-empty
	@echo "Stop: Ctrl-C here, or 'make stop' in another terminal (the server and the worker stop together)."
	@exec $(BIN)/python -m yoyaku.supervise --pidfile var/run.pid \
		-- $(BIN)/python manage.py run_worker -- $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The current 6-digit code of a demo staff user (the demo enrols their authenticator key with DEBUG on only).
STAFF ?= admin
totp: export DEBUG = 1
totp: install
	@$(BIN)/python manage.py demo --totp $(STAFF)

# Stops a `make run` started from this folder (foreground or background): SIGINT to its supervisor.
stop:
	@pid=$$(cat var/run.pid 2>/dev/null); \
	if [ -n "$$pid" ] && ps -p "$$pid" -o command= | grep -q yoyaku.supervise && kill -INT "$$pid"; then \
		echo "Stopping make run."; else echo "No make run is running from this folder (no live var/run.pid)."; fi

# The browser tests' axe-core (package.json); npm ci writes node_modules/.package-lock.json.
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the browser tests (tests/e2e) need axe-core from npm"; fi

test: install-dev node_modules/.package-lock.json
	$(BIN)/pytest $(PYTEST_ARGS)

# Everything but the browser walks, the storms of concurrent clients and the tests that start servers or
# worker processes (markers in pyproject.toml): for iterating. `make test` runs them all.
test-fast: install-dev
	$(BIN)/pytest -m "not browser and not concurrency and not slow" $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .

check-integrity: install
	$(BIN)/python manage.py check_integrity

# Back to a fresh clone: the next `make run` installs again and loads a new demo city (the database, the demo's
# sent emails and the virtualenv go; anything else in var/ stays).
clean:
	rm -rf $(VENV) var/*.sqlite3* var/mail var/run.pid .pytest_cache

# Refresh the translation catalogues from the source and the dicts in yoyaku/locale/tools/, then compile.
messages: export DEBUG = 1
messages: install-dev
	cd yoyaku && ../$(BIN)/python ../manage.py makemessages -l ja -l en -l zh_Hans -l ko --no-location --no-obsolete
	$(BIN)/python yoyaku/locale/tools/fill_po.py yoyaku/locale/ja/LC_MESSAGES/django.po yoyaku/locale/tools/ja.py
	$(BIN)/python yoyaku/locale/tools/fill_po.py yoyaku/locale/zh_Hans/LC_MESSAGES/django.po yoyaku/locale/tools/zh_hans.py
	$(BIN)/python yoyaku/locale/tools/fill_po.py yoyaku/locale/ko/LC_MESSAGES/django.po yoyaku/locale/tools/ko.py
	cd yoyaku && ../$(BIN)/python ../manage.py compilemessages -v0

# The opening rush on SQLite and PostgreSQL (PostgreSQL and Redis must be running: see .ci/run), the flash crowd
# (300 residents released at once for 50 places) without and with the admission gate, then the pages at the size
# of a big city. Each writes its figures as JSON into var/bench/. Results: bench/README.md.
BENCH_GATE ?= 12
bench: install-dev
	@mkdir -p var/bench
	$(BIN)/python -m bench.rush.run --db sqlite --db postgres --duration 30 --json var/bench/rush.json
	$(BIN)/python -m bench.flash --db sqlite --db postgres --gate 0 --gate $(BENCH_GATE) --json var/bench/flash.json
	$(BIN)/python bench/page_scale.py --json var/bench/page_scale_sqlite.json
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres $(BIN)/python bench/page_scale.py \
		--json var/bench/page_scale_postgres.json

# A hundred times the sustainable arrival rate for 20 s, with the admission gate on at that rate (12 residents/s
# on the 2-core machine of bench/README.md; set BENCH_GATE to what your servers sustain).
bench-overload: install-dev
	@mkdir -p var/bench
	$(BIN)/python -m bench.rush.run --db sqlite --db postgres --duration 20 --floor-duration 5 --gate $(BENCH_GATE) \
		--arrival-rate $$(( $(BENCH_GATE) * 100 )) --residents $$(( $(BENCH_GATE) * 100 * 21 )) --grace 60 \
		--json var/bench/overload.json

# Production on one machine: nginx (deploy/nginx-yoyaku.conf) in front of two app servers, the worker,
# PostgreSQL, Redis and an SMTP server; residents book for 30 s and one app server is killed half-way.
# Needs root (installs nginx if missing), PostgreSQL and Redis running. Results: bench/README.md.
rehearsal: install-dev
	$(BIN)/python -m bench.rehearsal.run

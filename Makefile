# Two commands: `make run` (set up and start the app) and `make test` (set up and run every test).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
export FLASK_APP := wsgi

.PHONY: run test venv system-run system-test db check-ports worker sweep clean-venv translations

# Without STRIPE_SECRET_KEY, `make run` starts localstripe (a fake Stripe) on this port and points the
# app at it, so the demo's card payments work end to end as clearly labelled test payments.
LOCALSTRIPE_PORT ?= 8420
LOCALSTRIPE_URL  := http://127.0.0.1:$(LOCALSTRIPE_PORT)

$(VENV)/.installed: requirements.txt
	@test -x $(BIN)/python || { echo "==> creating $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@echo "==> installing requirements into $(VENV)"
	@$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

venv: $(VENV)/.installed

# System packages in two sets: what the app needs (WeasyPrint's libraries, Arabic fonts; without root
# it names what is missing and carries on with receipts disabled), and what the tests need on top
# (Chromium and its driver, poppler-utils, redis-server, localstripe's own virtualenv).
system-run:
	@.ci/setup-system run

system-test:
	@.ci/setup-system test

# One line naming the variable to set, instead of a traceback, when a port is taken.
check-ports: venv
	@$(BIN)/python -c "import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('$(HOST)', $(PORT)))" 2>/dev/null \
	  || { echo "==> port $(PORT) on $(HOST) is taken: start on another one with 'make run PORT=5050' (or set HOST)"; exit 1; }
	@if [ -z "$$STRIPE_SECRET_KEY" ] && [ -x .venv-localstripe/bin/python ]; then \
	  $(BIN)/python -c "import socket; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $(LOCALSTRIPE_PORT)))" 2>/dev/null \
	  || { echo "==> port $(LOCALSTRIPE_PORT) (localstripe, the demo's fake Stripe) is taken: set LOCALSTRIPE_PORT, e.g. 'make run LOCALSTRIPE_PORT=8421'"; exit 1; }; \
	fi

db: venv
	@echo "==> applying migrations"
	@$(BIN)/flask db upgrade
	@echo "==> loading demo data"
	@$(BIN)/flask seed-demo

run: venv system-run check-ports db
	@echo
	@echo "==> bookingadmin is starting on http://$(HOST):$(PORT)  (back office: http://$(HOST):$(PORT)/admin)"
	@echo "    Ctrl-C stops it. Demo logins are listed above."
	@mkdir -p instance; \
	$(BIN)/flask worker > instance/worker.log 2>&1 & W_PID=$$!; \
	echo "==> background worker started (expired holds, reminders, outbox sweep; log: instance/worker.log)"; \
	if [ -n "$$STRIPE_SECRET_KEY" ] || [ ! -x .venv-localstripe/bin/python ]; then \
	  trap 'kill $$W_PID 2>/dev/null' EXIT INT TERM; \
	  if [ -n "$$STRIPE_SECRET_KEY" ]; then echo "==> card payments go to Stripe (STRIPE_SECRET_KEY is set)"; \
	  else echo "==> no localstripe: the demo takes manual payments only (cash / bank transfer)"; fi; \
	  $(BIN)/flask run --host $(HOST) --port $(PORT); exit $$?; \
	fi; \
	mkdir -p instance/localstripe; \
	.venv-localstripe/bin/python bookingadmin/devtools/localstripe_server.py --port $(LOCALSTRIPE_PORT) \
	  --state-dir instance/localstripe --load --quiet > instance/localstripe/server.log 2>&1 & LS_PID=$$!; \
	trap 'kill $$LS_PID $$W_PID 2>/dev/null' EXIT INT TERM; \
	for i in $$(seq 50); do curl -sf -o /dev/null $(LOCALSTRIPE_URL)/js.stripe.com/v3/ && break; sleep 0.2; done; \
	export STRIPE_SECRET_KEY=sk_test_localstripe STRIPE_PUBLISHABLE_KEY=pk_test_localstripe \
	  STRIPE_API_BASE=$(LOCALSTRIPE_URL) STRIPE_JS_URL=$(LOCALSTRIPE_URL)/js.stripe.com/v3/ \
	  STRIPE_WEBHOOK_SECRET=whsec_localstripe_demo; \
	$(BIN)/flask localstripe-webhook --url http://$(HOST):$(PORT)/stripe/webhook; \
	echo "==> test payments through localstripe on $(LOCALSTRIPE_URL) (card 4242 4242 4242 4242; declined: 4000 0000 0000 0341)"; \
	$(BIN)/flask run --host $(HOST) --port $(PORT)

# Two workers (pytest-xdist; each has its own databases, localstripe and ports), capped at 2 as the
# machines we run on have two cores; TEST_WORKERS=0 runs in one process. The browser journeys share a
# worker (xdist_group "browser"). The slowest tests are listed at the end (pytest.ini).
TEST_WORKERS ?= 2
test: venv system-test
	@$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

worker: venv
	@$(BIN)/flask worker

# After changing texts: extract them, merge into the Arabic catalog, translate the new
# entries in bookingadmin/translations/ar/LC_MESSAGES/messages.po, then compile.
translations: venv
	@$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o bookingadmin/translations/messages.pot .
	@$(BIN)/pybabel update -i bookingadmin/translations/messages.pot -d bookingadmin/translations -l ar --no-fuzzy-matching
	@$(BIN)/pybabel compile -d bookingadmin/translations

clean-venv:
	rm -rf $(VENV)

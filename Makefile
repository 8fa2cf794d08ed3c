# Two commands: `make run` (set up and start the app) and `make test` (set up and run every test).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
export FLASK_APP := wsgi

.PHONY: run test venv system db worker sweep clean-venv

$(VENV)/.installed: requirements.txt
	@test -x $(BIN)/python || { echo "==> creating $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@echo "==> installing requirements into $(VENV)"
	@$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

venv: $(VENV)/.installed

# System packages and side tools (Chromium, fonts, poppler, localstripe's own virtualenv).
system:
	@if [ -x .ci/setup-system ]; then .ci/setup-system; fi

db: venv
	@echo "==> applying migrations"
	@$(BIN)/flask db upgrade
	@echo "==> loading demo data"
	@$(BIN)/flask seed-demo

run: venv system db
	@echo
	@echo "==> bookingadmin is starting on http://$(HOST):$(PORT)  (back office: http://$(HOST):$(PORT)/admin)"
	@echo "    Ctrl-C stops it. Demo logins are listed above."
	@$(BIN)/flask run --host $(HOST) --port $(PORT)

test: venv system
	@$(BIN)/python -m pytest $(PYTEST_ARGS)

worker: venv
	@$(BIN)/flask worker

clean-venv:
	rm -rf $(VENV)

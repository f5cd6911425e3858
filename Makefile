# Two commands for a newcomer: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export HOST PORT

.PHONY: run test test-clock install install-dev browser pdf-libraries faketime lint bench stop clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: install, migrate, load reference data (and demo data on first run), serve with a worker
run: install pdf-libraries
	$(BIN)/crm init
	@if [ ! -f instance/demo-accounts.txt ]; then \
		$(BIN)/crm seed-demo > instance/demo-accounts.tmp && mv instance/demo-accounts.tmp instance/demo-accounts.txt; \
	fi
	@echo "Comptes de démonstration (un par rôle ; liste complète dans instance/demo-accounts.txt) :"
	@grep -v '^{' instance/demo-accounts.txt | awk '!seen[$$1]++'
	@scripts/serve.sh

## make test: install with the dev extras and run the whole suite
test: install-dev browser pdf-libraries
	$(BIN)/pytest

## Debian's Chromium for the browser tests (Playwright drives it; never `playwright install`)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "chromium absent : les tests navigateur seront ignorés (apt-get install chromium)"; fi; }

## Pango, which WeasyPrint needs to print the convention summaries and the committee reports to PDF
## (apt-get when root)
pdf-libraries:
	@ldconfig -p | grep -q 'libpangoft2-1.0' || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; \
		else echo "Pango absent : les PDF ne seront pas produits (apt-get install libpango-1.0-0 libpangoft2-1.0-0)"; fi; }

## make test-clock: date-sensitive tests again with the system clock (libfaketime) on a Saturday
## that is a public holiday, then on a Friday night in UTC (already Saturday in Paris). Child
## processes (embedded Redis) keep the same fake time. Under libfaketime a thread's timed wait
## never ends: tests/faketime_plugin.py skips the tests that start threads (SMTP server, RQ
## worker), and a run that still hangs is stopped after 10 minutes.
CLOCK_TESTS := tests/test_digest.py tests/test_need_workflow.py tests/test_tasks.py \
	tests/test_need_filing.py tests/test_visit_calendar.py tests/test_pressure.py \
	tests/test_committee_reports.py
CLOCK_MOMENTS := "2026-08-15 10:00:00 UTC" "2026-12-04 23:30:00 UTC"
test-clock: install-dev faketime
	@if command -v faketime >/dev/null 2>&1; then \
		for moment in $(CLOCK_MOMENTS); do \
			echo "== horloge système : $$(faketime "$$moment" date -u '+%d/%m/%Y %H:%M UTC')"; \
			FAKETIME_DONT_RESET=1 timeout 600 faketime "$$moment" \
				$(BIN)/python -m pytest -q -p no:cacheprovider -p tests.faketime_plugin $(CLOCK_TESTS) || exit 1; \
		done; \
	else echo "faketime absent : tests d'horloge ignorés (apt-get install faketime)"; fi

## libfaketime for test-clock (installed with apt-get when run as root)
faketime:
	@command -v faketime >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null; \
		else echo "faketime absent : les tests d'horloge seront ignorés (apt-get install faketime)"; fi; }

lint: install-dev
	$(BIN)/ruff check crm jobs tests bench
	$(BIN)/mypy

bench: install-dev
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

## make stop: shut down an embedded Redis left behind by a crashed `make run` (Ctrl-C stops it already)
stop:
	-$(BIN)/python -c "from crm import create_app, broker; app = create_app(); broker.stop_embedded_redis(app.instance_path)"

clean:
	rm -rf $(VENV) instance .pytest_cache

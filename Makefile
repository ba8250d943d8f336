# The README's first two commands, `make report` and `make test`, set up everything
# they need on a fresh Debian machine (Debian packages, a virtualenv) and are safe to repeat.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Run settings (the default cycle, the schedule, the server's port, Prefect's home…) are
# defined once, in pipeline/settings.py; these variables only override them when given,
# e.g. `make preview CYCLE=2012-action-03`, `make server PREFECT_PORT=4300`.
CYCLE ?=
SCHEDULE ?=
PREFECT_PORT ?=
# Another address than 127.0.0.1 needs Prefect's basic authentication (see the README).
HOST ?=
# The standing server's database: DB=postgres for several workers (see the README), the project's own
# cluster on DB_PORT (default: pipeline/settings.py's); or DB_URL=postgresql+asyncpg://… for a PostgreSQL
# of your own, passed in the environment (not on a command line others can read).
DB ?=
DB_PORT ?=
DB_URL ?=
# The departments' portal's port (default: pipeline/settings.py's); `portal invite` links to where it last served.
PORTAL_PORT ?=
# The process work pool `make deploy` and `make worker` use (default: pipeline/settings.py's).
POOL ?=
# A worker's limit of runs at once (default: one per core) and its name in the UI (default: Prefect's).
LIMIT ?=
NAME ?=
PORT_OPTION = $(if $(PREFECT_PORT),--port $(PREFECT_PORT))
CODE := pipeline flows.py deployments.py tests tools bench report_templates
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# Pango, HarfBuzz and fonts for WeasyPrint; Liberation Sans is metric-compatible with Arial.
RUNTIME_DEBIAN := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 shared-mime-info
# The real tools the tests check the outputs with: poppler-utils (pdftotext, pdftoppm),
# Chromium (axe-core runs in it), LibreOffice (opens the DOCX); Java runs the Nu Html
# Checker and Node installs it and axe-core (package.json).
TEST_DEBIAN := poppler-utils chromium libreoffice-writer-nogui

# Install the Debian packages named in $(1) that are missing; a no-op when all are there.
define debian_packages
	@missing=$$(for package in $(1); do \
	  dpkg-query -W -f='$${Status}\n' $$package 2>/dev/null | grep -q '^install ok installed$$' || echo $$package; \
	done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

.DEFAULT_GOAL := help
.PHONY: help report test test-scale lint golden preview server serve deploy worker portal bench bench-task-runners bench-validate constraints docx-template govuk-frontend clean system-runtime system-test

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

report: system-runtime $(VENV)/.runtime ## Install what is needed, then build the default report into outputs/
	$(PY) flows.py

test: system-runtime system-test $(VENV)/.test node_modules/.installed ## Install test needs, then run the whole suite
	$(VENV)/bin/ruff check $(CODE)
	$(VENV)/bin/ruff format --check $(CODE)
	$(PY) -m pytest

test-scale: system-runtime system-test $(VENV)/.test node_modules/.installed ## The long tests of many processes or servers at once (CI runs them too)
	$(PY) -m pytest -m scale

lint: $(VENV)/.test ## Lint, format-check and type-check the code
	$(VENV)/bin/ruff check $(CODE)
	$(VENV)/bin/ruff format --check $(CODE)
	$(VENV)/bin/mypy pipeline flows.py deployments.py

golden: $(VENV)/.test ## Regenerate the golden HTML the tests compare against
	$(PY) -m tests.golden

preview: system-runtime system-test $(VENV)/.test ## Build, then render every output as pictures under outputs/preview/
	$(PY) -m pipeline build $(if $(CYCLE),--cycle $(CYCLE))
	$(PY) -m tools.preview $(CYCLE)

server: system-runtime $(VENV)/.runtime ## Start a Prefect server and its UI on 127.0.0.1 (port 4200 unless PREFECT_PORT=…; HOST=… needs auth; DB=postgres [DB_PORT=…] or DB_URL=… for several workers)
	$(if $(filter postgres,$(DB)),$(call debian_packages,postgresql))
	@echo "$(PY) -m pipeline server $(PORT_OPTION) $(if $(HOST),--host $(HOST)) $(if $(DB),--db $(DB)) $(if $(DB_PORT),--db-port $(DB_PORT))$(if $(DB_URL), (with DB_URL))"
	@$(if $(DB_URL),PREFECT_SERVER_DATABASE_CONNECTION_URL='$(DB_URL)') $(PY) -m pipeline server $(PORT_OPTION) \
	  $(if $(HOST),--host $(HOST)) $(if $(DB),--db $(DB)) $(if $(DB_PORT),--db-port $(DB_PORT))

serve: system-runtime $(VENV)/.runtime ## Register the deployments with that server and run them (another terminal)
	$(PY) -m pipeline serve $(PORT_OPTION) $(if $(SCHEDULE),--schedule "$(SCHEDULE)")

deploy: system-runtime $(VENV)/.runtime ## Register the deployments on the process work pool (POOL=… to name another)
	$(PY) -m pipeline deploy $(PORT_OPTION) $(if $(POOL),--pool $(POOL))

worker: system-runtime $(VENV)/.runtime ## Run a process worker on the work pool, one flow run per core (LIMIT=…, NAME=…; another terminal or machine)
	$(PY) -m pipeline worker $(PORT_OPTION) $(if $(POOL),--pool $(POOL)) $(if $(LIMIT),--limit $(LIMIT)) $(if $(NAME),--name "$(NAME)")

portal: system-runtime $(VENV)/.runtime ## Serve the departments' portal on 127.0.0.1:8400 (PORTAL_PORT=…; send links with `annual-report portal invite`)
	$(PY) -m pipeline portal $(if $(PORTAL_PORT),--port $(PORTAL_PORT))

bench: system-runtime system-test $(VENV)/.test ## The performance benchmark (bench/run.py): ratios to bare WeasyPrint, python-docx and Pandoc
	$(call debian_packages,pandoc)
	$(PY) bench/run.py

bench-task-runners: $(VENV)/.runtime ## Measure the render stage with each Prefect task runner
	$(PY) bench/task_runners.py

bench-validate: $(VENV)/.runtime ## Time `validate` on one file and on the whole cycle
	$(PY) bench/validate_speed.py

# The GOV.UK Frontend CSS the pages inline, compiled from the release pinned in package.json
# (tests/test_govuk_frontend.py checks the checked-in copy is exactly what that release compiles to).
# LICENSE.txt is the project's MIT licence, from its repository: the npm package ships none.
GOVUK_FRONTEND := report_templates/govuk-frontend
govuk-frontend: system-test node_modules/.installed ## Recompile report_templates/govuk-frontend/ from the pinned govuk-frontend release
	npx --no-install sass --style=compressed --no-source-map --no-charset --load-path=node_modules \
	  $(GOVUK_FRONTEND)/report.scss $(GOVUK_FRONTEND)/govuk-frontend.css
	npx --no-install sass --style=compressed --no-source-map --no-charset --load-path=node_modules \
	  $(GOVUK_FRONTEND)/footer.scss $(GOVUK_FRONTEND)/footer.css
	npx --no-install sass --style=compressed --no-source-map --no-charset --load-path=node_modules \
	  $(GOVUK_FRONTEND)/table.scss $(GOVUK_FRONTEND)/table.css
	npx --no-install sass --style=compressed --no-source-map --no-charset --load-path=node_modules \
	  $(GOVUK_FRONTEND)/portal.scss $(GOVUK_FRONTEND)/portal.css
	node -p '"govuk-frontend " + require("govuk-frontend/package.json").version' > $(GOVUK_FRONTEND)/VERSION

docx-template: $(VENV)/.runtime ## Rebuild report_templates/report.docx and volume.docx from their generator
	$(PY) report_templates/build_docx_template.py

system-runtime:
	$(call debian_packages,$(RUNTIME_DEBIAN))
	@# Debian's own Python needs python3-venv before it can make a virtualenv.
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-venv python3-pip; }

system-test:
	$(call debian_packages,$(TEST_DEBIAN))
	@command -v java >/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends default-jre-headless; }
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends nodejs npm; }

# --ignore-scripts: vnu-jar's install script would fetch a Java runtime; Debian's is used.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

$(VENV)/.runtime: pyproject.toml constraints.txt
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -c constraints.txt pip setuptools
	$(PY) -m pip install -q -c constraints.txt -e .
	$(PY) -m tools.constraints --remove-unpinned
	touch $@

$(VENV)/.test: $(VENV)/.runtime
	$(PY) -m pip install -q -c constraints.txt -e ".[test]"
	$(PY) -m tools.constraints --remove-unpinned
	touch $@

# A new virtualenv with the newest releases pyproject.toml allows, frozen whole (tools/constraints.py).
# Then run make test and make test-scale: a release that breaks something gets a pin in pyproject.toml.
constraints: system-runtime ## Re-resolve every dependency to its newest allowed release and pin them all in constraints.txt
	rm -rf build/constraints-venv
	$(PYTHON) -m venv build/constraints-venv
	build/constraints-venv/bin/python -m pip install -q --upgrade pip
	build/constraints-venv/bin/python -m pip install -q -e ".[test]"
	build/constraints-venv/bin/python -m tools.constraints > build/constraints.txt
	mv build/constraints.txt constraints.txt
	rm -rf build/constraints-venv

clean: ## Remove the virtualenv, Prefect's local state and built outputs
	rm -rf $(VENV) node_modules .prefect .prefect-server outputs/*/ outputs/.*staging* outputs/.review outputs/.preview outputs/index.html

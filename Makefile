# The two commands: `make run` and `make test`. Both work on a fresh Debian machine: they
# install uv, Python packages and the system packages they need when these are missing.
SHELL := /bin/bash
.DEFAULT_GOAL := run
PORT ?= 8000
# LINT=0 skips ruff, mypy and import-linter. (make has a built-in LINT variable, so `?=` would not set it.)
ifeq ($(origin LINT),default)
LINT := 1
endif
# Test processes (pytest-xdist; each has its own test database and live server). 0 runs in one.
TEST_WORKERS ?= 2

# uv: the one on PATH when it works, else a private copy under .tools/.
UV := $(shell command -v uv >/dev/null 2>&1 && uv --version >/dev/null 2>&1 && echo uv || echo $(CURDIR)/.tools/bin/uv)
RUN := $(UV) run --frozen
PROPASS := $(RUN) propass
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_RUN := gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
# npm and java only when missing (node may come from elsewhere than Debian).
APT_TEST := $(APT_RUN) chromium poppler-utils $(shell command -v npm >/dev/null || echo npm) $(shell command -v java >/dev/null || echo default-jre-headless)

define apt_ensure
	@if command -v dpkg >/dev/null 2>&1; then \
	  missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then echo "Installing system packages:$$missing"; \
	    $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; fi; \
	else echo "Not a Debian system: make sure these are installed: $(1)"; fi
endef

.PHONY: run test deps-run deps-test venv messages local-env

$(CURDIR)/.tools/bin/uv:
	python3 -m venv .tools && .tools/bin/pip install -q uv

venv: $(if $(filter uv,$(UV)),,$(CURDIR)/.tools/bin/uv)
	$(UV) sync --frozen --quiet

messages: venv
	@DJANGO_SETTINGS_MODULE= $(RUN) django-admin compilemessages --ignore '.venv/*' --ignore '.tools/*' --ignore 'var/*' -v0

deps-run:
	$(call apt_ensure,$(APT_RUN))

# axe-core and the Nu HTML checker (vnu-jar) for the tests, from test-tools/package-lock.json; never served.
deps-test:
	$(call apt_ensure,$(APT_TEST))
	@[ test-tools/node_modules/.package-lock.json -nt test-tools/package-lock.json ] || (cd test-tools && npm ci --no-audit --no-fund --silent)

# What `make run` serves with, for commands in another terminal (`bin/propass outbox --last`): the
# development flag, the port and a secret key generated once. var/ is git-ignored; the settings
# read this file, and variables set in the environment win over it.
local-env:
	@mkdir -p var
	@key=$$(sed -n 's/^SECRET_KEY=//p' var/local.env 2>/dev/null); \
	[ -n "$$key" ] || key=$$(head -c 48 /dev/urandom | base64 | tr -d '+/=\n'); \
	printf '%s\n' "# Written by make run; read by bin/propass in any terminal. Environment variables win." \
	  "DEBUG=$${DEBUG:-false}" "PORT=$(PORT)" "SECRET_KEY=$$key" > var/local.env

run: export DEBUG ?= true
run: deps-run venv messages local-env
	$(PROPASS) migrate --noinput -v0
	$(PROPASS) setup
	$(PROPASS) seed-demo
	$(PROPASS) start --port $(PORT)

test: deps-test venv messages
ifeq ($(LINT),1)
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy
	$(RUN) lint-imports
endif
	$(RUN) pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# 算法监管沙盒 — make run · make test · make bench
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := .make
APT_PACKAGES := fonts-wqy-zenhei chromium poppler-utils postgresql bubblewrap libseccomp2 openjdk-17-jre-headless
export MLFLOW_DISABLE_TELEMETRY := true
export DO_NOT_TRACK := true
export ORT_DISABLE_TELEMETRY := 1
export STREAMLIT_BROWSER_GATHER_USAGE_STATS := false
HOST ?= 127.0.0.1
PORT ?= 8501

.PHONY: install run test bench lint demo clean screenshots

install: $(STAMP)/apt $(STAMP)/venv
	@# bytecode of the product's own modules (editable install: uv compiles only site-packages). Without it a
	@# PYTHONDONTWRITEBYTECODE environment recompiles them on every `sandbox` start; only changed files recompile.
	@$(BIN)/python -m compileall -q -j 0 sandbox audits models privacy workbench_pages app.py >/dev/null
	@# Installed as root for a service account (README 部署): a venv made from a Python under a private folder
	@# (pyenv in /root) cannot be started by any other account ("Permission denied", nothing else). Say so now.
	@# (through sh: setpriv's own exec still walks the path with root's capabilities, and then runs anyway)
	@if [ "$$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 && \
	   ! setpriv --reuid=65534 --regid=65534 --clear-groups /bin/sh -c 'exec "$$0" -c ""' $(BIN)/python >/dev/null 2>&1; then \
	  echo "" >&2; \
	  echo "  !! Other accounts cannot run this venv's Python ($$(readlink -f $(BIN)/python)): a folder on its path" >&2; \
	  echo "  !! is private. Fine while only root runs the sandbox; for a service account (README 部署) rebuild it" >&2; \
	  echo "  !! from a system Python:  rm -rf $(VENV) $(STAMP)/venv && make install PY=/usr/bin/python3" >&2; \
	  echo "" >&2; \
	fi

$(STAMP)/apt: Makefile
	@mkdir -p $(STAMP)
	@# As root: apt-get (a failure stops make). Otherwise with sudo (it may ask for the password). Without either,
	@# or when sudo fails (a developer's laptop, a service account): say what is missing, what it is for and the
	@# command for an administrator, then go on; the stamp is not written, so the next make checks again. The
	@# product fails closed with its own message where a missing package matters (bubblewrap: no model runs).
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then touch $@; exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null \
	    && touch $@; exit $$?; \
	fi; \
	if command -v sudo >/dev/null 2>&1 && echo "installing Debian packages with sudo:$$missing" && sudo apt-get update -qq \
	   && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; then \
	  touch $@; exit 0; \
	fi; \
	{ echo ""; \
	  echo "  !! Debian packages missing, and this account cannot install them (not root; no sudo, or sudo failed):"; \
	  for p in $$missing; do case $$p in \
	    bubblewrap|libseccomp2) echo "  !!   $$p: vendor models cannot be submitted or scored (the model sandbox refuses to start)";; \
	    postgresql) echo "  !!   $$p: backups of a PostgreSQL store (pg_dump/pg_restore) and the PostgreSQL tests";; \
	    chromium) echo "  !!   $$p: the browser tests (tests/browser) fail";; \
	    fonts-wqy-zenhei) echo "  !!   $$p: Chinese characters in PDF exports";; \
	    poppler-utils) echo "  !!   $$p: the PDF export tests";; \
	    openjdk-17-jre-headless) echo "  !!   $$p: the Spark engine (--engine spark, the 大数据源 page)";; \
	    *) echo "  !!   $$p";; esac; done; \
	  echo "  !! Ask an administrator to run:  apt-get install --no-install-recommends$$missing"; \
	  echo "  !! Continuing without them."; echo ""; } >&2

$(STAMP)/venv: requirements.lock pyproject.toml
	@mkdir -p $(STAMP)
	@[ -x $(BIN)/python ] || $(PY) -m venv $(VENV)
	@[ -x $(BIN)/uv ] || $(BIN)/python -m pip install -q uv
	@$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -r requirements.lock
	@# --no-build-isolation: setuptools comes from the lock (requirements.in), not from PyPI — an upgrade copied
	@# onto a server without internet reinstalls the product offline (with isolation uv fetched setuptools: DNS error)
	@$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python --no-build-isolation --no-deps -e .
	@touch $@

demo: install
	@$(BIN)/sandbox demo

run: install
	@$(BIN)/sandbox demo >/dev/null
	@echo ""
	@echo "  算法监管沙盒 workbench: http://$(HOST):$(PORT)"
	@echo "  演示账号 demo logins (password: sandbox-demo):"
	@echo "    vendor_a / vendor_b  算法供应商 vendor"
	@echo "    reviewer             审查员 reviewer"
	@echo "    steward              数据管理员 data steward"
	@echo "    chair                伦理委员会主任 committee chair"
	@echo "    admin                管理员 admin"
	@echo ""
	@$(BIN)/streamlit run app.py --server.address $(HOST) --server.port $(PORT) --server.headless true

test: install
	@$(BIN)/python -m pytest $(PYTEST_ARGS)

screenshots: install
	@SANDBOX_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/browser

bench: install
	@$(BIN)/python -m benchmarks

lint: install
	@$(BIN)/ruff check .

clean:
	rm -rf $(STAMP) .sandbox .pytest_cache

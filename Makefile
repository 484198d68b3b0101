# 算法监管沙盒 — make run · make test · make bench
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := .make
APT_PACKAGES := fonts-wqy-zenhei chromium poppler-utils postgresql bubblewrap libseccomp2 openjdk-17-jre-headless
export MLFLOW_DISABLE_TELEMETRY := true
export DO_NOT_TRACK := true
export STREAMLIT_BROWSER_GATHER_USAGE_STATS := false
HOST ?= 127.0.0.1
PORT ?= 8501

.PHONY: install run test bench lint demo clean screenshots

install: $(STAMP)/apt $(STAMP)/venv
	@# bytecode of the product's own modules (editable install: uv compiles only site-packages). Without it a
	@# PYTHONDONTWRITEBYTECODE environment recompiles them on every `sandbox` start; only changed files recompile.
	@$(BIN)/python -m compileall -q -j 0 sandbox audits models privacy workbench_pages app.py >/dev/null

$(STAMP)/apt: Makefile
	@mkdir -p $(STAMP)
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@touch $@

$(STAMP)/venv: requirements.lock pyproject.toml
	@mkdir -p $(STAMP)
	@[ -x $(BIN)/python ] || $(PY) -m venv $(VENV)
	@[ -x $(BIN)/uv ] || $(BIN)/python -m pip install -q uv
	@$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -r requirements.lock
	@$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python --no-deps -e .
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

# pdpack: `make demo` and `make test` each set up everything they need on a fresh machine.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Re-install when the project's dependencies change.
BASE_STAMP := $(VENV)/.stamp-base
TEST_STAMP := $(VENV)/.stamp-test

.PHONY: demo test lint setup setup-test exiftool chromium bench clean

demo: setup exiftool
	rm -rf dist
	$(BIN)/pdpack validate manifests/examples/*/
	$(BIN)/pdpack build manifests/examples/*/ --out dist --workers 2

test: setup-test exiftool chromium
	$(BIN)/ruff check .
	$(BIN)/bandit -r packager -q -ll
	$(BIN)/python -m pytest -q

lint: setup-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check . || true

setup: $(BASE_STAMP)
setup-test: $(TEST_STAMP)

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "pdpack needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(BASE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

# The test set-up adds the model extra (torch, torchvision, open_clip) and the test tools.
$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[models,test]"
	touch $(BASE_STAMP) $@

# ExifTool is a Perl program from Debian's libimage-exiftool-perl, not a pip package.
exiftool:
	@if command -v exiftool >/dev/null 2>&1; then \
	  echo "exiftool $$(exiftool -ver) found"; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing exiftool (Debian package libimage-exiftool-perl)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libimage-exiftool-perl >/dev/null; \
	else \
	  echo "pdpack needs the exiftool program. Install it, then run make again:"; \
	  echo "  Debian/Ubuntu: sudo apt-get install libimage-exiftool-perl"; \
	  echo "  macOS:         brew install exiftool"; \
	  exit 1; \
	fi

# Headless Chromium renders report.html in the tests (a screenshot is kept in test-artifacts/).
chromium:
	@if command -v chromium >/dev/null 2>&1; then \
	  echo "chromium found"; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing chromium (Debian package chromium)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "no chromium: the report.html screenshot test is skipped (sudo apt-get install chromium)"; \
	fi

bench: setup-test
	@echo "benchmarks live under bench/; run them one by one, e.g. $(BIN)/python bench/<name>.py"

clean:
	rm -rf dist test-artifacts .pytest_cache .ruff_cache

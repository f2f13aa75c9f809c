# pdpack: `make demo` and `make test` each set up everything they need on a fresh machine.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Re-install when the project's dependencies change.
BASE_STAMP := $(VENV)/.stamp-base
TEST_STAMP := $(VENV)/.stamp-test
DOCS_STAMP := $(VENV)/.stamp-docs
# Material for MkDocs prints a banner about MkDocs 2 on every build.
export NO_MKDOCS_2_WARNING := 1

.PHONY: demo test docs lint setup setup-test setup-docs setup-locked lock exiftool chromium bench clean

demo: setup exiftool
	rm -rf dist
	$(BIN)/pdpack validate manifests/examples/*/
	$(BIN)/pdpack build manifests/examples/*/ --out dist --workers 2

test: setup-test exiftool chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -r packager -q -ll
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/mkdocs build --strict --quiet --site-dir build/site
	$(BIN)/python -m pytest -q

# The documentation site (mkdocs.yml, docs/) into site/; the reference pages are made from the code.
docs: setup-docs
	$(BIN)/mkdocs build --strict --site-dir site

lint: setup-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

setup: $(BASE_STAMP)
setup-test: $(TEST_STAMP)
setup-docs: $(DOCS_STAMP)

PYTHON_CHECK := $(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "pdpack needs Python 3.11 or newer")'

$(BIN)/python:
	$(PYTHON_CHECK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(BASE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

# The test set-up adds the model extra (torch, torchvision, open_clip) and the test tools.
# TORCH_INDEX (CI sets it to PyTorch's CPU wheel index) installs the models extra's torch and torchvision pins
# from that index first: the same versions, without the CUDA libraries that PyPI's Linux wheels pull in.
TORCH_INDEX ?=
TORCH_PINS := $(BIN)/python -c 'import tomllib; models = tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["models"]; print(" ".join(r for r in models if r.split("==")[0] in ("torch", "torchvision")))'

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(if $(TORCH_INDEX),$(BIN)/pip install --quiet --index-url $(TORCH_INDEX) $$($(TORCH_PINS)))
	$(BIN)/pip install --quiet -e ".[models,test,docs]"
	touch $(BASE_STAMP) $(DOCS_STAMP) $@

$(DOCS_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[docs]"
	touch $(BASE_STAMP) $@

# The workflows and action.yml install pdpack's dependencies from requirements.lock only, each checked against
# its hash, then pdpack itself without resolving anything (--no-deps): no unpinned download reaches a release
# (not even a newer pip: the venv keeps the pip its Python ships).
setup-locked:
	$(PYTHON_CHECK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation .

# Regenerate requirements.lock after changing the dependencies in pyproject.toml (needs pip-tools).
lock:
	pip-compile --quiet --generate-hashes --allow-unsafe --all-build-deps --strip-extras \
	  --index-url https://pypi.org/simple --output-file requirements.lock pyproject.toml

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
	rm -rf dist site build/site test-artifacts .pytest_cache .ruff_cache

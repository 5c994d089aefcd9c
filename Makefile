# ALBATTS profile pipeline. `make` alone lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= out
SEED := raw/000_ec40f3a5bbbfd221.txt
GOLDEN := tests/golden/seed

.DEFAULT_GOAL := help
.PHONY: help install extract test lint format golden accuracy benchmark samples clean \
	fixtures-install fixtures

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-17s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed; run make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project with its dev tools

extract: $(STAMP) ## Extract every profile in raw/ into out/ (OUT=dir to change)
	$(BIN)/albatts extract raw/ --out $(OUT)

test: $(STAMP) ## Run the test suite
	$(BIN)/python -m pytest

lint: $(STAMP) ## ruff (check and format) and mypy
	$(BIN)/ruff check pipeline schemas tests
	$(BIN)/ruff format --check pipeline schemas tests
	$(BIN)/mypy

format: $(STAMP) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix pipeline schemas tests
	$(BIN)/ruff format pipeline schemas tests

golden: $(STAMP) ## Rewrite the seed goldens from the current code (review the diff!)
	rm -rf .golden-tmp
	$(BIN)/albatts extract $(SEED) --out .golden-tmp --format csv --quiet
	mkdir -p $(GOLDEN) && cp .golden-tmp/csv/*.csv $(GOLDEN)/
	rm -rf .golden-tmp
	git diff --stat -- $(GOLDEN) || true

accuracy: $(STAMP) ## Render the PDF fixture corpus, extract it, print cell precision/recall
	$(BIN)/python -m tests.pdfcorpus.accuracy

benchmark: $(STAMP) ## Pages per second of PDF extraction on the fixture corpus
	$(BIN)/python -m tests.pdfcorpus.benchmark

# Debian packages of the fixture producers: a browser, an office suite, TeX Live, fonts.
FIXTURE_DEBS := chromium libreoffice-writer-nogui texlive-latex-base texlive-latex-recommended \
	texlive-fonts-recommended lmodern fonts-dejavu-core fonts-liberation2 \
	fonts-crosextra-carlito fonts-crosextra-caladea poppler-utils libpango-1.0-0 libpangoft2-1.0-0
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

fixtures-install: $(STAMP) ## Install the fixture PDF producers (Debian packages, WeasyPrint)
	$(SUDO) apt-get install -y --no-install-recommends $(FIXTURE_DEBS)
	$(BIN)/python -m pip install --quiet -e '.[dev,fixtures]'

fixtures: $(STAMP) ## Re-render the committed fixture PDFs (PRODUCER=name for one producer)
	$(BIN)/python -m tests.pdfcorpus.fixtures $(if $(PRODUCER),--producer $(PRODUCER))

samples: $(STAMP) ## Re-render the demo PDFs in examples/ from tests/pdfcorpus/profiles
	$(BIN)/python -m tests.pdfcorpus.samples examples/

clean: ## Remove out/, the virtualenv and caches
	rm -rf $(OUT) .$(OUT).staging-* .$(OUT).previous-* $(VENV) .golden-tmp .pytest_cache .ruff_cache .mypy_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

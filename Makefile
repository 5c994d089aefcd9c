# ALBATTS profile pipeline. `make` alone lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= out
# The example inputs: each has reviewed golden tables in tests/golden/<file name stem>/.
EXAMPLE_INPUTS := $(sort $(wildcard raw/*.txt raw/*.pdf examples/*.pdf))
GOLDENS := tests/golden

.DEFAULT_GOAL := help
.PHONY: help install extract test lint format golden regress accuracy benchmark samples clean \
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

test: $(STAMP) ## Run the test suite, then the regression check of the examples (make regress)
	$(BIN)/python -m pytest
	@$(MAKE) --no-print-directory regress

lint: $(STAMP) ## ruff (check and format) and mypy
	$(BIN)/ruff check pipeline schemas tests
	$(BIN)/ruff format --check pipeline schemas tests
	$(BIN)/mypy

format: $(STAMP) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix pipeline schemas tests
	$(BIN)/ruff format pipeline schemas tests

golden: $(STAMP) ## Rewrite the goldens of every example input from the current code (review the diff!)
	@set -e; for input in $(EXAMPLE_INPUTS); do \
		name=$$(basename "$${input%.*}"); rm -rf .golden-tmp; \
		$(BIN)/albatts extract "$$input" --out .golden-tmp --format csv --quiet; \
		rm -rf "$(GOLDENS)/$$name" && mkdir -p "$(GOLDENS)/$$name"; \
		cp .golden-tmp/csv/*.csv "$(GOLDENS)/$$name/"; \
	done; rm -rf .golden-tmp
	git status --short -- $(GOLDENS) || true

regress: $(STAMP) ## Extract every example input afresh and `albatts diff` it against its goldens
	@rm -rf .regress; status=0; for input in $(EXAMPLE_INPUTS); do \
		name=$$(basename "$${input%.*}"); \
		$(BIN)/albatts extract "$$input" --out ".regress/$$name" --format csv --quiet \
			>/dev/null || status=1; \
		$(BIN)/albatts diff "$(GOLDENS)/$$name" ".regress/$$name" || status=1; \
	done; \
	if [ $$status = 0 ]; then rm -rf .regress; echo "regress: every example matches its goldens"; \
	else echo "regress: differences above; if they are intended, run make golden and review"; fi; \
	exit $$status

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
	rm -rf $(OUT) .$(OUT).staging-* .$(OUT).previous-* $(VENV) .golden-tmp .regress .pytest_cache .ruff_cache .mypy_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

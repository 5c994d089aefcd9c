# ALBATTS profile pipeline. `make` alone lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two installs, each remembered by a stamp file: the runtime alone (make extract), and the
# dev tools on top of it (every other target that runs Python).
RUNTIME_STAMP := $(VENV)/.installed-runtime
STAMP := $(VENV)/.installed-dev
OUT ?= out
# The example inputs: each has reviewed golden tables in tests/golden/<file name stem>/.
EXAMPLE_INPUTS := $(sort $(wildcard raw/*.txt raw/*.pdf examples/*.pdf))
GOLDENS := tests/golden
# Byte-compiles the project's own modules (pip compiles the installed packages, not an
# editable project). Python reads .pyc files even where PYTHONDONTWRITEBYTECODE keeps it
# from writing them, and each run's processes then skip compiling the pipeline again
# (a one-profile run took 1.52 s instead of 1.75); only changed modules are compiled again.
BYTECODE = $(BIN)/python -m compileall -q pipeline schemas

.DEFAULT_GOAL := help
.PHONY: help install extract test lint format golden regress accuracy benchmark benchmark-cache \
	samples clean fixtures-install fixtures

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-17s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(RUNTIME_STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed; run make PYTHON=python3.11 ...")'
	@[ -x $(BIN)/python ] || { echo "$(PYTHON) -m venv $(VENV)"; $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@$(BYTECODE)
	@touch $@

$(STAMP): $(RUNTIME_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(STAMP) ## Create .venv with the project and its dev tools (make extract installs only the runtime)

# albatts exits 1 when it rejects a file; here that is a finished run, not a make error.
extract: $(RUNTIME_STAMP) ## Extract every profile in raw/ into out/ (OUT=dir to change)
	@$(BYTECODE)
	@echo "$(BIN)/albatts extract raw/ --out $(OUT)"
	@status=0; $(BIN)/albatts extract raw/ --out $(OUT) || status=$$?; \
	if [ $$status = 1 ]; then \
		echo "make extract: finished with rejected files (listed above with what to fix);" \
			"the others were published to $(OUT)/$$([ -f $(OUT)/report.html ] && \
			echo "; see $(OUT)/report.html")" >&2; \
	elif [ $$status != 0 ]; then exit $$status; fi

test: $(STAMP) ## Run the test suite, then the regression check of the examples (make regress)
	@$(BYTECODE)
	$(BIN)/python -m pytest
	@$(MAKE) --no-print-directory regress

lint: $(STAMP) ## ruff (check and format) and mypy
	$(BIN)/ruff check pipeline schemas tests benchmarks
	$(BIN)/ruff format --check pipeline schemas tests benchmarks
	$(BIN)/mypy

format: $(STAMP) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix pipeline schemas tests benchmarks
	$(BIN)/ruff format pipeline schemas tests benchmarks

golden: $(STAMP) ## Rewrite the goldens of every example input from the current code (review the diff!)
	@set -e; for input in $(EXAMPLE_INPUTS); do \
		name=$$(basename "$${input%.*}"); rm -rf .golden-tmp; \
		$(BIN)/albatts extract "$$input" --out .golden-tmp --format csv --quiet --no-cache; \
		rm -rf "$(GOLDENS)/$$name" && mkdir -p "$(GOLDENS)/$$name"; \
		cp .golden-tmp/csv/*.csv "$(GOLDENS)/$$name/"; \
	done; rm -rf .golden-tmp
	git status --short -- $(GOLDENS) || true

regress: $(STAMP) ## Extract every example input afresh and `albatts diff` it against its goldens
	@rm -rf .regress; status=0; for input in $(EXAMPLE_INPUTS); do \
		name=$$(basename "$${input%.*}"); \
		$(BIN)/albatts extract "$$input" --out ".regress/$$name" --format csv --quiet \
			--no-cache >/dev/null || status=1; \
		$(BIN)/albatts diff "$(GOLDENS)/$$name" ".regress/$$name" || status=1; \
	done; \
	if [ $$status = 0 ]; then rm -rf .regress; echo "regress: every example matches its goldens"; \
	else echo "regress: differences above; if they are intended, run make golden and review"; fi; \
	exit $$status

accuracy: $(STAMP) ## Render the PDF fixture corpus, extract it, print cell precision/recall
	$(BIN)/python -m tests.pdfcorpus.accuracy

benchmark: $(STAMP) ## PDF pages/s, text profiles/s, peak RSS, Dask speed-up vs budgets (BENCHMARK_ARGS=--quick)
	@$(BYTECODE)
	$(BIN)/python -m benchmarks.scale $(BENCHMARK_ARGS)

benchmark-cache: $(STAMP) ## Seconds of a cold, a warm and a one-file-changed run on 100 profiles
	$(BIN)/python benchmarks/cache_rerun.py

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
	rm -rf $(dir $(abspath $(OUT))).albatts-cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

test-slow: $(STAMP) ## The long corpus comparisons (pdfium vs pdfplumber on every corpus PDF)
	$(BIN)/python -m pytest -m slow

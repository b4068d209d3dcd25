# make        set up .venv and build every leaflet into out/
# make site   build the leaflets, then the static website into out/site/
# make print-shop  build the leaflets and, beside them, the print shop's copies (bleed, crop marks)
# make test   set up what the tests need and run the whole suite
# The interpreter .venv is made from, asked only when .venv/bin/python is missing: tools/python.py
# prefers a Python whose executable carries the interpreter (Debian's and Ubuntu's: the press
# runs about 10 % faster on Debian's than on pyenv's shared-libpython build). `make PYTHON=...`,
# or PYTHON in the environment, chooses instead. (Evaluated once, on first use.)
PYTHON ?= $(eval PYTHON := $$(shell python3 tools/python.py 2>/dev/null || echo python3))$(PYTHON)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.deps-installed

.PHONY: all build print-shop site test lint package-check check bench clean tools browser-tools

all: build

$(PY):
	@echo "making $(VENV) with $(PYTHON) (see tools/python.py)"
	$(PYTHON) -m venv $(VENV)

# (.venv/bin/python is order-only: a newer interpreter file does not reinstall the dependencies)
$(STAMP): pyproject.toml tools/deps.py | $(PY)
	$(PY) tools/deps.py test dask > $(VENV)/requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(VENV)/requirements.txt
	touch $@

# Poppler (pdftotext, pdffonts, pdfinfo, pdftoppm), MuPDF (mutool), Node with npm, and zbar
# (zbarimg): the tests read the PDFs back the way people's readers do (poppler, MuPDF, PDFium
# through pypdfium2, Firefox's pdf.js under Node), and scan the QR codes the way a phone does.
# unicode-data: Unicode's own BidiCharacterTest.txt, which the bidi layer is tested on.
READERS := tools/readers
tools: $(READERS)/node_modules/.installed
	@if ! command -v pdftotext >/dev/null 2>&1 || ! command -v zbarimg >/dev/null 2>&1 \
	    || ! command -v mutool >/dev/null 2>&1 || [ ! -f /usr/share/unicode/BidiCharacterTest.txt ]; then \
	  echo "installing poppler-utils, mupdf-tools, zbar-tools and unicode-data"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq poppler-utils mupdf-tools zbar-tools unicode-data >/dev/null; \
	fi

# pdf.js (pinned in tools/readers/package-lock.json), installed with npm ci.
$(READERS)/node_modules/.installed: $(READERS)/package.json $(READERS)/package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
	  echo "installing nodejs and npm"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm >/dev/null; \
	fi
	cd $(READERS) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

build: $(STAMP)
	$(PY) generate.py

print-shop: $(STAMP)
	$(PY) generate.py build --print-shop

site: $(STAMP)
	$(PY) generate.py site

# The site's browser tests: axe-core and playwright-core, pinned in tests/browser/package-lock.json
# (npm ci), drive Debian's chromium; nothing downloads a browser of its own.
BROWSER := tests/browser/node_modules/.installed
$(BROWSER): tests/browser/package.json tests/browser/package-lock.json
	cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	touch $@

browser-tools:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then \
	  echo "installing chromium and npm"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium nodejs npm >/dev/null; \
	fi
	@$(MAKE) --no-print-directory $(BROWSER)

check: $(STAMP)
	$(PY) generate.py check

test: $(STAMP) tools browser-tools lint package-check
	$(PY) -m pytest -q

# ruff (pyflakes and error classes) and mypy (non-strict), configured in pyproject.toml.
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy

# The package installs and its command runs: `pip install .` in a fresh virtual environment.
# (made from .venv's interpreter: a venv made by a venv's python has that venv's base interpreter)
package-check: | $(PY)
	rm -rf .pkgcheck && $(PY) -m venv .pkgcheck
	.pkgcheck/bin/python -m pip install --quiet --disable-pip-version-check .
	.pkgcheck/bin/leafpress --help >/dev/null
	rm -rf .pkgcheck build leafpress.egg-info

# The benchmark adds its optional dependency (Typst, for the side-by-side) to the venv.
BENCH_STAMP := $(VENV)/.bench-deps-installed
$(BENCH_STAMP): $(STAMP) pyproject.toml tools/deps.py
	$(PY) tools/deps.py test bench > $(VENV)/requirements-bench.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(VENV)/requirements-bench.txt
	touch $@

bench: $(BENCH_STAMP)
	$(PY) bench/side.py
	$(PY) bench/bench.py
	$(PY) bench/clinics.py
	$(PY) bench/pdf_writer.py

clean:
	rm -rf out .pytest_cache .pkgcheck build leafpress.egg-info tests/browser/node_modules

# The two commands: `make demo` runs the platform, `make test` runs every test.
# Both create .venv and install what they need on first use (and again when pyproject changes).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ASSETS := node_modules/.installed
# Test processes (pytest-xdist): one per core; every test has its own databases and ports.
TEST_PROCESSES ?= auto

.PHONY: demo test lint format bench clean

demo: $(STAMP) $(ASSETS)
	$(BIN)/smartcity demo $(ARGS)

test: $(STAMP) $(ASSETS)
	@scripts/ensure-services
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/pytest -n $(TEST_PROCESSES) $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: $(STAMP)
	@scripts/ensure-services
	$(BIN)/python benchmarks/run_all.py $(ARGS)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "smartcity needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# The console's third-party JavaScript and CSS (leaflet, chart.js) from the npm registry, served
# from node_modules by the console's static route; never copied into git.
$(ASSETS): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "the console's assets need Node.js and npm (apt-get install -y nodejs npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(ASSETS)

clean:
	rm -rf $(VENV) var node_modules .pytest_cache .ruff_cache

# kefu — the two commands a new user needs are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test test-postgres lint format bench install messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)  ## migrate, load the demo once, serve on http://127.0.0.1:8000 (with the periodic worker)
	$(BIN)/kefu migrate --no-input
	$(BIN)/kefu demo
	$(BIN)/kefu worker & worker=$$!; trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	$(BIN)/kefu serve --host $(HOST) --port $(PORT)

test: $(STAMP)  ## the whole suite (SQLite; PostgreSQL too when KEFU_DATABASE_URL is set)
	$(BIN)/python -m pytest -n 2

lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: $(STAMP)  ## every benchmark, one JSON line per figure
	$(BIN)/kefu bench all

messages: $(STAMP)  ## refresh and compile the English translation
	cd src/kefu && ../../$(BIN)/kefu makemessages -l en --no-obsolete && ../../$(BIN)/kefu compilemessages -l en

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

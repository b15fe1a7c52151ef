# Two commands do all set-up on a fresh clone:  `make demo`  and  `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
ADAPTERS := $(wildcard adapters/*/pyproject.toml)
STAMP  := $(VENV)/.installed

.PHONY: demo test bench lint clean

$(STAMP): pyproject.toml $(ADAPTERS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]' $(foreach a,$(ADAPTERS),-e '$(dir $(a))[test]')
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/csi-rules demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/ruff check . && $(BIN)/mypy

clean:
	rm -rf $(VENV)

# The two commands of the README: `make demo` and `make test`. Both set up .venv when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The CPU build of PyTorch. Elsewhere, pick your own: `make TORCH_SPEC=torch==2.13.0 ...`
# with PIP_INDEX_URL/PIP_EXTRA_INDEX_URL pointing at the build you want (see README).
TORCH_SPEC ?= torch==2.13.0
STAMP := $(VENV)/.installed

.PHONY: demo test lint eval setup clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first, so that sentence-transformers finds it and pulls no CUDA build.
	$(BIN)/python -m pip install --quiet "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/briefbot demo

# The tests marked `postgres` need this machine's PostgreSQL 15: .ci/postgres starts the cluster
# when it is down and makes the test role and database (idempotent); they fail, not skip,
# without it. Elsewhere point BRIEFBOT_TEST_DATABASE_URL at a server of your own, or run
# `pytest -m "not postgres"`.
test: $(STAMP)
	./.ci/postgres
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

eval: $(STAMP)
	$(BIN)/briefbot eval ../shared/devset

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

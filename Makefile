# ctxproxy — every target sets up its own virtualenv on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export LITELLM_LOCAL_MODEL_COST_MAP := True

.PHONY: install run test lint typecheck bench soak test-massgen massgen-venv image image-deps test-image clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## .venv with ctxproxy in it: call .venv/bin/ctxproxy, or `source .venv/bin/activate` to put it on PATH
	@echo "ctxproxy is installed in $(BIN)/: call $(BIN)/ctxproxy, or run 'source $(BIN)/activate' to put it on your PATH"

run: $(STAMP)  ## serve on the embedded default config (127.0.0.1:8787)
	$(BIN)/ctxproxy serve $(ARGS)

test: $(STAMP)  ## the full test suite (unit + integration on loopback)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check proxy tests
	$(BIN)/ruff format --check proxy
	$(BIN)/mypy proxy

bench: $(STAMP)  ## benchmarks; figures go into docs/benchmarks.md
	$(BIN)/python tests/bench/run_all.py

soak: $(STAMP)  ## 10-minute soak, 200 concurrent streams (ARGS="--minutes 3" for less); markdown table on stdout
	$(BIN)/python tests/bench/soak.py $(ARGS)

MASSGEN_VENV ?= .venv-massgen
# MassGen has heavy pins of its own: it gets its own virtualenv, installed from a pinned set
# (tests/e2e/massgen-constraints.txt, a `pip freeze` of a working install) so the resolver
# has nothing to search.
$(MASSGEN_VENV)/bin/massgen: tests/e2e/massgen-constraints.txt
	test -x $(MASSGEN_VENV)/bin/python || $(PYTHON) -m venv $(MASSGEN_VENV)
	$(MASSGEN_VENV)/bin/python -m pip install --quiet -c tests/e2e/massgen-constraints.txt massgen==0.1.97
	touch $@

massgen-venv: $(MASSGEN_VENV)/bin/massgen

test-massgen: $(STAMP) $(MASSGEN_VENV)/bin/massgen  ## MassGen end to end through ctxproxy (~4 min on the shared 2-core CI machine)
	$(BIN)/python -m pytest -q -m massgen tests/e2e $(PYTEST_ARGS)

# Container image (docs/deployment.md): podman or buildah; the base is BASE if given, else the
# official python image when a registry answers, else one made from Debian's packages
# (debootstrap). Slow (minutes): not part of `make test`.
IMAGE ?= localhost/ctxproxy:0.1.0
BASE  ?=
image-deps:  ## podman (or buildah), runc and debootstrap from Debian's packages, when missing
	@if ! command -v podman >/dev/null 2>&1 && ! command -v buildah >/dev/null 2>&1 \
	    || ! command -v debootstrap >/dev/null 2>&1 || ! command -v runc >/dev/null 2>&1; then \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq podman runc debootstrap >/dev/null; \
	fi

image: image-deps  ## build the container image $(IMAGE)
	$(PYTHON) deploy/image/build.py --image $(IMAGE) $(if $(BASE),--base $(BASE))

test-image: $(STAMP) image  ## build, then run the image: /livez, a proxied chat, read-only root, uid/gid 10001
	CTXPROXY_IMAGE=$(IMAGE) $(BIN)/python -m pytest -q -m image tests/image $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) $(MASSGEN_VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

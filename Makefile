# ccus-kg — every target creates .venv and installs the project first when needed.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# the corpus folder: $CCUS_KG_CORPUS, else ../shared/corpus/policy-hub-2026-03 (tests/corpus.py says which)
CORPUS ?= $(shell $(PYTHON) tests/corpus.py)
FACILITIES ?= $(CORPUS)-facilities
COUNTRIES ?= $(CORPUS)-countries
OUT    ?= build

.PHONY: run test test-stores lint corpus bench bench-smoke docs mapping-doc clean install lock

# the versions in requirements.lock (the ones the tests passed with), see `make lock`
$(BIN)/ccus-kg: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[test,lint]'
	@touch $@

install: $(BIN)/ccus-kg

## make run: build the seeds into a validated graph, run the example queries, draw the lineage
run: install
	$(BIN)/ccus-kg build seeds/ -o $(OUT)/ccus.ttl --report $(OUT)/report.json
	$(BIN)/ccus-kg query policies-per-jurisdiction -g $(OUT)/ccus.ttl
	$(BIN)/ccus-kg query policies-by-agency -g $(OUT)/ccus.ttl --param agency=MIIT
	$(BIN)/ccus-kg query counts-by-category-status -g $(OUT)/ccus.ttl
	$(BIN)/ccus-kg query in-force-on-date -g $(OUT)/ccus.ttl --param jurisdiction=CN --param date=2023-01-01
	$(BIN)/ccus-kg timeline -g $(OUT)/ccus.ttl --jurisdiction CN-JS
	$(BIN)/ccus-kg lineage -g $(OUT)/ccus.ttl --lang zh -o $(OUT)/lineage.svg -o $(OUT)/lineage.png -o $(OUT)/lineage.html -o $(OUT)/lineage.graphml
	$(BIN)/ccus-kg lineage -g $(OUT)/ccus.ttl --stats
	$(BIN)/ccus-kg export -g $(OUT)/ccus.ttl --format jsonld -o $(OUT)/ccus.jsonld
	@echo
	@echo "Outputs in $(OUT)/: ccus.ttl (the graph, Turtle), ccus.jsonld, report.json (problems and identity decisions),"
	@echo "lineage.svg/.png (picture), lineage.html (interactive), lineage.graphml (for Gephi, yEd or NetworkX)."

## make test: the test suite (the same command CI runs), without the second-store tests
test: install
	CCUS_KG_CORPUS="$(CORPUS)" $(BIN)/python -m pytest -q -m "not stores"

## make test-stores: push the corpus to a real Virtuoso server and compare every library query (needs virtuoso-opensource)
test-stores: install
	CCUS_KG_CORPUS="$(CORPUS)" $(BIN)/python -m pytest -q -m stores -rs

## make lint: ruff (pyflakes, bugbear, import order, pyupgrade) and mypy on the package
lint: install
	$(BIN)/ruff check ccus_kg tests benchmarks
	$(BIN)/mypy

## make corpus: build the real CCUS Policy Hub corpus: policies, facilities and country profiles (exit 1 = data does not conform; still written)
corpus: install
	$(BIN)/ccus-kg build $(CORPUS) $(FACILITIES) $(COUNTRIES) -o $(OUT)/corpus.ttl --report $(OUT)/corpus-report.json || [ $$? -eq 1 ]
	$(BIN)/ccus-kg lineage -g $(OUT)/corpus.ttl -o $(OUT)/corpus-lineage.svg -o $(OUT)/corpus-lineage.png -o $(OUT)/corpus-lineage.html -o $(OUT)/corpus-lineage.json
	$(BIN)/ccus-kg lineage -g $(OUT)/corpus.ttl --stats

## make bench: per-stage time and memory, floor ratio, incremental store rebuild and query latency (SIZES=1000,5000)
SIZES ?= 1000,5000
bench: install
	$(BIN)/python benchmarks/bench.py --corpus $(CORPUS) --sizes $(SIZES)

## make bench-smoke: the 1k run CI does (no SHACL stage: seconds, not minutes)
bench-smoke: install
	$(BIN)/python benchmarks/bench.py --corpus $(CORPUS) --sizes 1000 --no-validate --no-linearity

## make lock: re-resolve requirements.lock from pyproject.toml (pip-tools; keeps pins that still fit,
## `make lock LOCK_FLAGS=--upgrade` takes the newest versions); then `make install` and `make test`
lock:
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[lock]'
	$(BIN)/pip-compile --quiet --extra test --extra lint --strip-extras --no-emit-index-url --no-emit-find-links \
		$(LOCK_FLAGS) -o requirements.lock pyproject.toml

## make mapping-doc: regenerate the mapping tables of docs/MODEL.md from ontology/mapping/*.yaml
mapping-doc: install
	$(BIN)/python -m ccus_kg.mapping --write docs/MODEL.md

## make docs: HTML documentation of the ontology (pyLODE) and of the SHACL rules in docs/ontology/
docs: install
	$(BIN)/python -m pip install --quiet -e '.[docs]'
	mkdir -p docs/ontology
	$(BIN)/pylode ontology/ccus.ttl -o docs/ontology/index.html
	@echo "wrote docs/ontology/index.html"
	$(BIN)/python -m ccus_kg.shapes ontology/shapes.ttl -o docs/ontology/shapes.html

clean:
	rm -rf $(OUT) dist *.egg-info .pytest_cache

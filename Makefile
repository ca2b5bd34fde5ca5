# ccus-kg — every target creates .venv and installs the project first when needed.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
CORPUS ?= ../shared/corpus/policy-hub-2026-03
FACILITIES ?= $(CORPUS)-facilities
COUNTRIES ?= $(CORPUS)-countries
OUT    ?= build

.PHONY: run test lint corpus bench docs clean install

$(BIN)/ccus-kg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,lint]'
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
	$(BIN)/ccus-kg lineage -g $(OUT)/ccus.ttl -o $(OUT)/lineage.svg -o $(OUT)/lineage.graphml
	$(BIN)/ccus-kg export -g $(OUT)/ccus.ttl --format jsonld -o $(OUT)/ccus.jsonld
	@echo
	@echo "Outputs in $(OUT)/: ccus.ttl (the graph, Turtle), ccus.jsonld, report.json (problems and identity decisions),"
	@echo "lineage.svg (picture), lineage.graphml (for Gephi, yEd or NetworkX)."

## make test: the test suite (the same command CI runs)
test: install
	$(BIN)/python -m pytest -q

## make lint: ruff (pyflakes, bugbear, import order, pyupgrade) and mypy on the package
lint: install
	$(BIN)/ruff check ccus_kg tests benchmarks
	$(BIN)/mypy

## make corpus: build the real CCUS Policy Hub corpus: policies, facilities and country profiles (exit 1 = data does not conform; still written)
corpus: install
	$(BIN)/ccus-kg build $(CORPUS) $(FACILITIES) $(COUNTRIES) -o $(OUT)/corpus.ttl --report $(OUT)/corpus-report.json || [ $$? -eq 1 ]
	$(BIN)/ccus-kg lineage -g $(OUT)/corpus.ttl -o $(OUT)/corpus-lineage.svg -o $(OUT)/corpus-lineage.json

## make bench: print build, validation, query and serialisation figures
bench: install
	$(BIN)/python benchmarks/bench.py --corpus $(CORPUS)

## make docs: HTML documentation of the ontology (pyLODE) in docs/ontology/
docs: install
	$(BIN)/python -m pip install --quiet -e '.[docs]'
	mkdir -p docs/ontology
	$(BIN)/pylode ontology/ccus.ttl -o docs/ontology/index.html
	@echo "wrote docs/ontology/index.html"

clean:
	rm -rf $(OUT) dist *.egg-info .pytest_cache

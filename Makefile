# Open Data Grand Est — the two commands of the quick start, and a few helpers.
.PHONY: run up down test bench install services lint

run:      ## install what is missing, start everything, serve http://127.0.0.1:5000 until Ctrl-C
	@bash scripts/portal.sh run

up:       ## the same in the background
	@bash scripts/portal.sh up

down:     ## stop what `make up` / `make run` started
	@bash scripts/portal.sh down

test:     ## the whole test suite against real PostgreSQL, Solr and Redis
	@bash scripts/test.sh $(ARGS)

bench:    ## benchmarks of bench/ against the stock components; results in docs/benchmarks.md
	@bash scripts/bench.sh $(ARGS)

install:  ## only install (Debian packages, virtualenv, Solr launcher)
	@bash scripts/install.sh

services: ## only start PostgreSQL, Redis and Solr
	@bash scripts/services.sh start

lint:
	@.venv/bin/ruff check .

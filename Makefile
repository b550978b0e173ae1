# One resolved dependency set (constraints.txt) serves dev, CI and Docker.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint demo serve clean proto

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	$(BIN)/python -m planner.scheduling.solvers.tabu
	@touch $(STAMP)

LINT_PATHS := $(wildcard planner tests benchmarks)

lint: install
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/mypy

test: install lint
	$(BIN)/python -m pytest -q

demo: install
	$(BIN)/planner plan instances/plants/demo_plant.json --demand instances/plants/demo_demand.csv \
		--orders instances/plants/demo_orders.csv --scenario instances/plants/demo_scenarios.json \
		--time-limit 15 --lot-time-limit 20 --workers 2 --out var/demo
	@echo "demo plan written to var/demo/: open var/demo/report.html (plan.json, CSVs, gantt.html, inventory.png)"

serve: install
	@mkdir -p var
	$(BIN)/planner serve --host 127.0.0.1 --port 50051 --db-url sqlite:///var/planner.db

# Regenerate planner/api/v1 from proto/ (the generated code is committed: a fresh clone needs no codegen).
proto: install
	$(BIN)/python -m grpc_tools.protoc -Iproto --python_out=. --pyi_out=. --grpc_python_out=. proto/planner/api/v1/*.proto
	sed -i -E 's/^from planner\.api\.v1 import /from . import /' planner/api/v1/*_pb2*.py planner/api/v1/*_pb2.pyi
	rm -f planner/api/v1/scheduling_pb2_grpc.py planner/api/v1/forecasting_pb2_grpc.py planner/api/v1/inventory_pb2_grpc.py planner/api/v1/planning_pb2_grpc.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache var

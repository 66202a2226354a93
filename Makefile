# Two commands matter: `make demo` (start everything) and `make test` (run every suite).
SHELL := /bin/bash
PYTHON ?= python3.11
RASA_VENV := .venvs/rasa
PLATFORM_VENV := .venvs/platform
SOAK_VENV := .venvs/soak
RASA := $(RASA_VENV)/bin/rasa
RASA_PY := $(RASA_VENV)/bin/python
PLATFORM_PY := $(PLATFORM_VENV)/bin/python
export RASA_TELEMETRY_ENABLED := false
export PIP_DISABLE_PIP_VERSION_CHECK := 1

TRAINING_INPUTS := config.yml $(shell find assistant/domain assistant/data nlu_data assistant/components \
	-type f \( -name '*.yml' -o -name '*.py' -o -name '*.txt' \) 2>/dev/null | sort)
MODEL := models/bank.tar.gz
# pip warns once per package about this machine's optional local index; keep the output readable.
QUIET_PIP = 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }; exit $${PIPESTATUS[0]}
# The demo's secrets (generated once into data/demo-secrets.env unless set in the environment).
DEMO_ENV = eval "$$(python3 scripts/demo.py --print-env)"

.PHONY: install demo db seed train test bench soak lint e2e fuzz nlu-report clean-venvs images

install: $(RASA_VENV)/.installed $(PLATFORM_VENV)/.installed $(SOAK_VENV)/.installed

# Rasa 3.6 declares Python <3.11 but runs on 3.11; the lock holds the whole resolved set,
# installed without resolution (see docs in requirements/rasa-deps.in).
$(RASA_VENV)/.installed: requirements/rasa.lock.txt
	test -x $(RASA_PY) || $(PYTHON) -m venv $(RASA_VENV)
	$(RASA_PY) -m pip install -q --no-deps --ignore-requires-python -r requirements/rasa.lock.txt $(QUIET_PIP)
	touch $@

$(PLATFORM_VENV)/.installed: requirements/platform.lock.txt
	test -x $(PLATFORM_PY) || $(PYTHON) -m venv $(PLATFORM_VENV)
	$(PLATFORM_PY) -m pip install -q --no-deps -r requirements/platform.lock.txt $(QUIET_PIP)
	touch $@

# Locust for the soak, apart: it patches the standard library (gevent) on import.
$(SOAK_VENV)/.installed: requirements/soak.lock.txt
	test -x $(SOAK_VENV)/bin/python || $(PYTHON) -m venv $(SOAK_VENV)
	$(SOAK_VENV)/bin/python -m pip install -q --no-deps -r requirements/soak.lock.txt $(QUIET_PIP)
	touch $@

db: install
	$(PLATFORM_VENV)/bin/alembic -c server/alembic.ini upgrade head

seed: db
	$(PLATFORM_PY) -m crm.synthetic --customers 500
	$(DEMO_ENV) && $(PLATFORM_PY) -m agent_console.seed_agents
	$(PLATFORM_PY) -m agent_console.seed_canned

$(MODEL): $(TRAINING_INPUTS) | $(RASA_VENV)/.installed
	$(RASA) train --config config.yml --domain assistant/domain --data nlu_data assistant/data \
		--out models --fixed-model-name bank
	touch $@

# Trains only when the model is older than its training data (make's own rule above).
train: $(MODEL)

demo: seed train
	python3 scripts/demo.py

test: install
	bash scripts/run_tests.sh

bench: install train
	bash scripts/run_bench.sh

# Two of every process behind nginx, PostgreSQL and Redis, 200 customers (Locust) and one
# fault at a time; checks the tracker store and the CRM afterwards and prints the table.
soak: install train
	$(PLATFORM_PY) -m bench.soak.run

# End-to-end conversations against a throwaway product; prints a pass/fail table.
e2e: install train
	$(PLATFORM_PY) -m tests.e2e.runner

# Per-intent precision/recall/F1 on the held-out dev split; confusion matrix image in results/.
nlu-report: install train
	$(RASA_PY) -m scripts.nlu_report

# Every documented endpoint fuzzed from the OpenAPI document, with and without credentials.
fuzz: install train
	$(PLATFORM_PY) -m scripts.fuzz --max-examples 50

lint: install
	$(PLATFORM_VENV)/bin/ruff check .
	PYTHONPATH=. $(PLATFORM_VENV)/bin/lint-imports

clean-venvs:
	rm -rf .venvs

# Container images of both runtimes, built with podman and smoke-tested (deploy/images/README.md).
images:
	bash scripts/build_images.sh

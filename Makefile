# dmnet: the two commands of the README, and a few helpers.
#   make test   create .venv, install dmnet[dev], run every notebook's checks (nbdev_test)
#   make train  the main job: train camvid-cpu on the bundled CamVid, on the CPU
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# one BLAS/OpenMP thread per notebook worker: on 2 cores two workers x 1 thread beats 2 x 2
TEST_ENV := OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 MPLBACKEND=Agg
FLAGS  ?=

.PHONY: install test test-slow export readme train-notebooks train

$(BIN)/nbdev_test: settings.ini setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(BIN)/nbdev_test

test: install
	$(TEST_ENV) $(BIN)/nbdev_test --n_workers 2 --do_print --timing --flags "$(FLAGS)"

test-slow: FLAGS = slow
test-slow: test

export: install
	$(BIN)/nbdev_export && $(BIN)/nbdev_clean

readme: install
	$(BIN)/python tools/readme.py

# notebooks 21-23 from their template (then execute them to refresh the outputs)
train-notebooks: install
	$(BIN)/python tools/make_train_notebooks.py

# the main job: train the CamVid CPU preset on the bundled CamVid, evaluate on val, write runs/camvid-cpu
train: install
	$(BIN)/dmnet_train --preset camvid-cpu --out runs/camvid-cpu --threads 2 --time-budget 30m $(ARGS)

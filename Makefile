# dmnet: the two commands of the README, and a few helpers.
#   make train  the main job: train camvid-cpu on the bundled CamVid, on the CPU, within 30 minutes (runtime install only)
#   make test   create .venv, install dmnet[dev], run every notebook's checks (nbdev_test)
#   make install      create .venv with the runtime only (the dmnet_* commands, no test or notebook tools)
#   make install-dev  the same with the test and development tools
#   make lab    install the notebook tools and open the notebooks in JupyterLab
#   make lint   the formatter (check mode), the linter and the size rules on the notebooks, dmnet/ and tools/
#   make format format the notebooks and tools/ (dmnet/ is exported from the notebooks: `make export`)
#   make export nbdev_export, nbdev's __all__ lists rewrapped to 120 characters (tools/wrap_all.py), nbdev_clean
# On a machine without a GPU, TORCH=cpu takes PyTorch's CPU-only wheels (from download.pytorch.org) instead of the
# CUDA build that PyPI serves on Linux: `make install TORCH=cpu`, `make train TORCH=cpu`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
TORCH  ?=
PIP    := $(BIN)/python -m pip install --quiet
CPU_INDEX := https://download.pytorch.org/whl/cpu
# one BLAS/OpenMP thread per notebook worker: on 2 cores two workers x 1 thread beats 2 x 2
TEST_ENV := OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 MPLBACKEND=Agg
FLAGS  ?=

.PHONY: install install-dev test test-slow export readme train-notebooks train lab lint format

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip
	$(if $(filter cpu,$(TORCH)),$(PIP) torch torchvision --index-url $(CPU_INDEX),)

# the runtime only: what `make train` needs
$(BIN)/dmnet_train: settings.ini setup.py | $(BIN)/python
	$(PIP) -e .
	touch $@

# the test and development tools (nbdev, onnx for the export check)
$(BIN)/nbdev_test: settings.ini setup.py | $(BIN)/python
	$(PIP) -e ".[dev]"
	touch $@

install: $(BIN)/dmnet_train

install-dev: $(BIN)/nbdev_test

test: install-dev
	env -u DMNET_DATA $(TEST_ENV) $(BIN)/nbdev_test --n_workers 2 --do_print --timing --flags "$(FLAGS)"

test-slow: FLAGS = slow
test-slow: test

export: install-dev
	$(BIN)/nbdev_export && $(BIN)/python tools/wrap_all.py && $(BIN)/nbdev_clean

lint: install-dev
	$(BIN)/ruff format --check nbs tools
	$(BIN)/ruff check nbs dmnet tools
	$(BIN)/python tools/check_code.py

format: install-dev
	$(BIN)/ruff format nbs tools
	$(BIN)/ruff check --fix nbs tools

readme: install-dev
	$(BIN)/python tools/readme.py

# notebooks 21-23 from their template (then execute them to refresh the outputs)
train-notebooks: install-dev
	$(BIN)/python tools/make_train_notebooks.py

lab: $(BIN)/dmnet_train
	$(PIP) -e ".[notebooks]"
	$(BIN)/jupyter lab nbs/

# the main job: the CamVid CPU preset on the bundled CamVid, 30 minutes of training and validation, on the CPU
train: $(BIN)/dmnet_train
	$(BIN)/dmnet_train --preset camvid-cpu --out runs/camvid-cpu --device cpu --threads 2 --time-budget 30m $(ARGS)

# Two commands for a fresh machine:
#   make run    set everything up, then start the app on http://localhost:8501
#   make test   set everything up (Chromium included), then run every test
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: setup run lint test test-fast test-load test-deploy screenshots bench browser-deps clean

$(VENV)/.installed: requirements.txt requirements-test.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-test.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@$(PY) -c "import torch; assert torch.__version__.startswith('2.13.0'), torch.__version__; print('torch', torch.__version__)"
	@# Compile the bytecode of what the server and its workers import (torch's optimizer stack pulls in sympy):
	@# otherwise the first page on a fresh machine waits while three processes compile it at once.
	$(PY) -c "import torch, streamlit, plotly.graph_objects, pandas, rnnviz.workers, rnnviz.ui.live; torch.optim.Adam([torch.zeros(1, requires_grad=True)])"
	touch $@

setup: $(VENV)/.installed

run: setup
	$(PY) -m streamlit run app.py --server.port $(PORT)

# Debian's Chromium for the browser tests, fonts so screenshots show emoji and Hangul, and Debian's
# nginx for the replicas test (tests/deploy: it runs nginx itself, as any user, under a temp dir).
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/sbin/nginx ] || ! fc-list 2>/dev/null | grep -qi "Noto Color Emoji"; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji fonts-noto-cjk nginx >/dev/null; \
	fi
	@/usr/bin/chromium --version
	@/usr/sbin/nginx -v

# the house rules (pyproject.toml [tool.ruff]): lint, and the formatter has nothing to change
lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

test: setup browser-deps lint
	$(PY) -m pytest

# everything but the real-browser tests
test-fast: setup
	$(PY) -m pytest -m "not browser and not load"

# only the load test: 10 browser students at once against one real server
test-load: setup browser-deps
	$(PY) -m pytest -m load

# only the class bigger than one machine: 2 replicas behind nginx and a Ray head (deploy/), in Chromium
test-deploy: setup browser-deps
	$(PY) -m pytest -m deploy

# the README's screenshots: the browser tests that take them, writing into assets/ (make test writes none)
screenshots: setup browser-deps
	RNNVIZ_SCREENSHOTS=assets $(PY) -m pytest -m screenshot tests/browser

bench: setup browser-deps
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache

#!/usr/bin/env bash
# The whole test suite: install the project with its extras and dev tools, then ruff, mypy, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q --upgrade 'pip>=25.1'
python3 -m pip install -q -e '.[all]' --group dev
python3 -m ruff check src tests bench
python3 -m ruff format --check src tests bench
python3 -m mypy
python3 -m pytest "$@"

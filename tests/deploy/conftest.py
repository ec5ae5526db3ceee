"""Fixtures of the deploy tests: deploy/run_class.py loaded as a module (it is a script, not part
of the package)."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def run_class():
    """deploy/run_class.py as the module `run_class`."""
    spec = importlib.util.spec_from_file_location("run_class", ROOT / "deploy" / "run_class.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_class"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module

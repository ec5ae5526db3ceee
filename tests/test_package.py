"""The package stands without the app: `import rnnviz` and every submodule outside rnnviz.ui load
no streamlit (checked in a fresh interpreter, where nothing was imported before)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = r"""
import importlib, json, pkgutil, sys
import rnnviz
after_package = "streamlit" in sys.modules
names = sorted(m.name for m in pkgutil.walk_packages(rnnviz.__path__, "rnnviz.")
               # __main__ runs the CLI
               if not m.name.startswith("rnnviz.ui") and m.name != "rnnviz.__main__")
for name in names:
    importlib.import_module(name)
print(json.dumps({"after_package": after_package, "modules": names,
                  "streamlit": sorted(m for m in sys.modules if m.split(".")[0] == "streamlit")}))
"""


def test_import_rnnviz_and_its_submodules_loads_no_streamlit():
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert not found["after_package"], "import rnnviz loaded streamlit"
    assert not found["streamlit"], f"a submodule loaded streamlit: {found['streamlit'][:5]}"
    for name in (
        "rnnviz.cells",
        "rnnviz.cellspec",
        "rnnviz.errors",
        "rnnviz.plots",
        "rnnviz.tasks",
        "rnnviz.train",
        "rnnviz.workers",
        "rnnviz.data.tables",
        "rnnviz.seq2seq",
        "rnnviz.cli",
    ):
        assert name in found["modules"], (
            f"{name} was not among the modules checked: {found['modules']}"
        )


def test_the_probe_would_see_streamlit():
    """The same probe run on rnnviz.ui, which must import streamlit: the check above can fail."""
    probe = "import sys, rnnviz.ui.state; print('streamlit' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "True"

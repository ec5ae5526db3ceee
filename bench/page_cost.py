"""Table 11: what one student's Forecast page costs the web process, script run by script run.

A class shares one server: every script run a student's browser asks for (the page, a press of
Train, the live view's full run once the run ends, a slider moved afterwards) is CPU the server
takes from the training workers. This drives the Forecast preset's page under AppTest (the real
script, in this process; training in the default worker processes) and times each kind of run in
this process's CPU time (median of `repeats`), against the page drawn with no run, the reference,
measured in the same process. Two students in turn: the second trains the same preset with the same
seed, as a class does, and gets the same weights, so the ended page's figures are the first's
(rnnviz.ui.figures, shared for public samples).

    .venv/bin/python bench/page_cost.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.class_bench import preset_query  # noqa: E402
from bench.common import table  # noqa: E402


def _preset() -> list[tuple[str, str]]:
    return urllib.parse.parse_qsl(preset_query())


def _cpu_ms(action) -> float:
    t0 = time.process_time()
    action()
    return (time.process_time() - t0) * 1000


def _student():
    """A session on the Forecast preset's link, its page drawn twice (imports and caches warm)."""
    from streamlit.testing.v1 import AppTest  # noqa: PLC0415

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in _preset():
        at.query_params[key] = value
    at.run()
    at.switch_page("app_pages/forecast.py")
    for key, value in _preset():
        at.query_params[key] = value
    at.run()
    at.run()
    return at


def _one_student(repeats: int) -> dict:
    """The CPU ms of each kind of script run, for one student from the link to a slider moved."""
    at = _student()
    out = {"plain": statistics.median(_cpu_ms(at.run) for _ in range(repeats))}
    out["press"] = _cpu_ms(lambda: at.button(key="fc_train").click().run())
    run = at.session_state["run:forecast"]
    run.job.join()
    out["ended"] = _cpu_ms(at.run)  # the live view's full run once the run has ended
    out["again"] = statistics.median(_cpu_ms(at.run) for _ in range(repeats))
    out["step"] = _cpu_ms(lambda: at.slider(key=f"fc_step_{run.id}").set_value(3).run())
    return out


TITLE = (
    "### 11. One student's Forecast page in the web process (AppTest, this process's CPU ms, "
    "median of the repeated ones)"
)


def run(repeats: int = 5) -> dict:
    """{"page_cost": the ms by student and kind of run, "tables": [table 11]}."""
    r = {"first": _one_student(repeats), "second": _one_student(repeats)}
    return {"page_cost": r, "tables": [TITLE + "\n\n" + tables(r)]}


ROWS = (
    ("plain", "the page, no run yet (the reference)"),
    ("press", "a press of Train (starts the run, draws the page for it)"),
    ("ended", "the ended page (the live view's full run)"),
    ("again", "the ended page drawn again (any widget)"),
    ("step", "the step slider moved on the ended page"),
)


def tables(r: dict) -> str:
    ref = r["first"]["plain"]
    rows = [
        [
            what,
            round(r["first"][key], 1),
            round(r["first"][key] / ref, 2),
            round(r["second"][key], 1),
            round(r["second"][key] / ref, 2),
        ]
        for key, what in ROWS
    ]
    header = [
        "script run",
        "student 1 CPU ms",
        "/ reference",
        "student 2 (same preset and seed) CPU ms",
        "/ reference",
    ]
    return table(header, rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    print(run(parser.parse_args().repeats)["tables"][0])

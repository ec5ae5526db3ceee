"""The views after training at the largest sizes the server allows: seconds and peak memory.

Each view runs in a fresh subprocess (one torch thread, as the web process) so its peak resident
memory is its own: the path of the hidden state (PCA) over a 5,000-row series with window 400,
hidden 256 and 4 layers; trace() of one window at those sizes; the vanishing-gradient view of the
Compare page at its largest (N = 100 distractors, hidden 256, three cells).

    .venv/bin/python bench/views_bench.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.common import table  # noqa: E402

CHILD = r"""
import json, resource, sys, time
import torch
torch.set_num_threads(1)
import numpy as np, pandas as pd
from rnnviz import data, tasks
from rnnviz.data import ForecastConfig
from rnnviz.data.memory import make_memory_task
from rnnviz.limits import Limits
from rnnviz.models import ModelConfig, SequenceModel
from rnnviz.trace import hidden_state_path, trace

view, cell = sys.argv[1], sys.argv[2]
lim = Limits()
if view == "gradients":
    task = make_memory_task(distractors=100, seed=0)
    model = tasks.memory_model(task, cell, lim.hidden, seed=0)
    run = lambda: tasks.gradient_by_distance(model, task.x_val, task.y_val)
    detail = f"16 sequences of {task.x_val.shape[1]} steps, hidden {lim.hidden}"
else:
    table = pd.DataFrame({"v": np.cumsum(np.random.default_rng(0).normal(size=5000))})
    ds = data.make_forecast_dataset(table, ForecastConfig(target="v", window=lim.window))
    config = ModelConfig(cell=cell, hidden_size=lim.hidden, num_layers=lim.layers, input_size=1)
    model = SequenceModel(config, seed=0)
    if view == "path":
        run = lambda: hidden_state_path(model, ds.x, lim)
    else:
        run = lambda: trace(model, ds.x[-1])
    detail = f"{len(ds.x):,} windows of {lim.window}, hidden {lim.hidden}, {lim.layers} layers"
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
out = run()
seconds = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if view == "path":
    detail += f"; {len(out.indices)} of {out.total:,} used (1 in {out.stride})"
print(json.dumps({"seconds": seconds, "peak_mb": peak / 1024,
                  "above_start_mb": (peak - before) / 1024, "detail": detail}))
"""

CASES = [
    ("path", "lstm"),
    ("path", "gru"),
    ("path", "rnn"),
    ("trace", "lstm"),
    ("trace", "gru"),
    ("gradients", "rnn"),
    ("gradients", "lstm"),
    ("gradients", "gru"),
]


def run() -> dict:
    rows, results = [], {}
    for view, cell in CASES:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, view, cell],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(done.stdout.strip().splitlines()[-1])
        results[f"{view}_{cell}"] = {
            k: round(v, 2) if isinstance(v, float) else v for k, v in r.items()
        }
        rows.append(
            [view, cell.upper(), r["seconds"], r["above_start_mb"], r["peak_mb"], r["detail"]]
        )
    text = (
        "### Views after training at the server's largest sizes (one torch thread, fresh process "
        "each)\n\n" + table(["view", "cell", "seconds", "MB above start", "peak MB", "what"], rows)
    )
    return {"views": results, "tables": [text]}


if __name__ == "__main__":
    print(run()["tables"][0])

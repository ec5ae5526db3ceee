"""Run every benchmark and write bench/RESULTS.md and bench/results.json.

.venv/bin/python bench/run_all.py          all tables (engine, windowing, trace, CSV, app latency,
                                           worst inputs, executors, a simulated class, the baseline
                                           ladder)
.venv/bin/python bench/run_all.py --fast   without the engine, app and executor tables (about 30 s)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import data_bench, trace_bench, worst_inputs  # noqa: E402
from bench.common import machine  # noqa: E402

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    torch.set_num_threads(1)
    fast = "--fast" in argv
    results: dict = {"machine": machine(), "torch_threads": 1}
    parts = []
    if not fast:
        from bench import engine

        parts.append(engine.run())
    parts += [data_bench.windowing(), trace_bench.run(), data_bench.csv_speed(), worst_inputs.run()]
    if not fast:
        from bench import app_latency, class_bench, executors_bench

        parts.append(app_latency.run())
        parts.append(executors_bench.run())
        parts.append(class_bench.run())
        from bench import page_cost

        parts.append(page_cost.run())
        from bench import ladder_bench

        parts.append(ladder_bench.run())
    tables = []
    for part in parts:
        tables += part.pop("tables")
        results.update(part)
    if torch.cuda.is_available():
        gpu = trace_bench.run(device="cuda")
        tables += gpu.pop("tables")
        results["gpu"] = {"name": torch.cuda.get_device_name(0), **gpu}
    m = results["machine"]
    header = (
        f"# Benchmarks\n\nMachine: {m['cpu']}, {m['cores']} cores; Python {m['python']}, torch "
        f"{m['torch']}, 1 torch thread; GPU: {m['cuda'] or 'none'}.\n"
    )
    (HERE / "RESULTS.md").write_text(header + "\n" + "\n\n".join(tables) + "\n", encoding="utf-8")
    (HERE / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print("\n\n".join(tables))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

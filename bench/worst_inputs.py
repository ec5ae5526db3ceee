"""Table 7: the worst inputs one student can upload, each in a fresh process: seconds and peak
memory.

    (a) a 600 KB CSV whose header is 100,000 copies of one name (took 101 s at 100% CPU on 9c17188)
    (b) a realistic 10 MB CSV (hourly dates and nine numeric columns, just under the upload cap)
    (c) a 1.7 KB safetensors checkpoint whose metadata config asks for hidden_size 8000

Each case runs in its own Python process, which imports the same modules as the server's pages
(pandas, torch, rnnviz) before the clock starts, reads the input through the same call a page makes
(read_csv with this server's Limits, checkpoint.from_bytes) and catches the refusal a page shows.
Memory: after its imports each process resets its peak RSS (Linux: /proc/self/clear_refs, "5"),
so the peak it reports is that of the case alone on top of the imported modules; the table shows it
minus the same figure for an idle process that imported the same modules and did nothing: the
growth one upload adds to a server. Goal: under 2 s and 200 MB each.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.common import table  # noqa: E402

GOAL_SECONDS, GOAL_MB = 2.0, 200.0

# The child: imports first (the idle server's share), then one case, timed, then its peak RSS.
_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
import pandas, torch
from rnnviz import checkpoint
from rnnviz.data import DataError, read_csv
from rnnviz.limits import Limits
torch.set_num_threads(1)
case, path = sys.argv[1], sys.argv[2]
content = open(path, "rb").read() if path else b""
lim = Limits.from_env()

def status_mb(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")

try:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # peak RSS := current RSS: the imports' transient peak is not the case's
    peak_field = "VmHWM"
except OSError:
    peak_field = None
t0 = time.perf_counter()
outcome = "idle"
if case == "csv":
    try:
        df = read_csv(
            content, max_bytes=lim.upload_bytes, max_rows=lim.rows, max_columns=lim.columns
        )
        outcome = f"read {{len(df):,}} rows x {{df.shape[1]}} columns"
    except DataError as e:
        outcome = "refused: " + str(e)[:90]
elif case == "checkpoint":
    try:
        checkpoint.from_bytes(content)
        outcome = "loaded (should have been refused)"
    except (checkpoint.CheckpointError, ValueError, RuntimeError, MemoryError) as e:
        outcome = f"refused ({{type(e).__name__}}): " + str(e)[:90]
seconds = time.perf_counter() - t0
if peak_field:
    peak_mb = status_mb(peak_field)
else:  # no clear_refs: the whole process's peak (imports included)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes
print(json.dumps({{"seconds": seconds, "peak_mb": peak_mb, "outcome": outcome}}))
"""


def duplicate_header_csv(columns: int = 100_000) -> bytes:
    """(a) 100,000 columns all named 'a' and two rows of ones: 600 KB."""
    header = ",".join(["a"] * columns)
    row = ",".join(["1"] * columns)
    return f"{header}\n{row}\n{row}\n".encode()


def realistic_csv(target_bytes: int = 10 * 1024 * 1024 - 4096) -> bytes:
    """(b) hourly timestamps and nine numeric columns, as many rows as fit under the cap."""
    import numpy as np
    import pandas as pd

    rows = target_bytes // 100
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        rng.normal(size=(rows, 9)).round(6) * 100, columns=[f"sensor_{i}" for i in range(9)]
    )
    df.insert(
        0, "time", pd.date_range("2000-01-01", periods=rows, freq="h").strftime("%Y-%m-%d %H:%M:%S")
    )
    content = df.to_csv(index=False).encode()
    while len(content) > target_bytes:  # trim whole rows to stay under the cap
        content = content[: content.rfind(b"\n", 0, target_bytes) + 1]
    return content


def huge_config_checkpoint(hidden_size: int = 8000) -> bytes:
    """(c) the weights of a tiny LSTM (hidden 8) with a safetensors header written here by hand
    whose metadata config claims hidden_size 8000: about 1.7 KB."""
    from safetensors.torch import save as st_save

    from rnnviz.models import ModelConfig, SequenceModel

    model = SequenceModel(ModelConfig(cell="lstm", hidden_size=8, input_size=1, window=20))
    real = st_save({k: v.contiguous() for k, v in model.state_dict().items()})
    n = int.from_bytes(real[:8], "little")
    header = json.loads(real[8 : 8 + n])
    config = {**model.config.to_dict(), "hidden_size": hidden_size}
    header["__metadata__"] = {"format": "rnnviz", "config": json.dumps(config), "extra": "{}"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # safetensors pads the header to 8 bytes
    return len(text).to_bytes(8, "little") + text + real[8 + n :]


def _child(case: str, path: str) -> dict:
    code = _CHILD.format(root=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-c", code, case, path], capture_output=True, text=True, timeout=600
    )
    if proc.returncode != 0:
        return {
            "seconds": float("nan"),
            "peak_mb": float("nan"),
            "outcome": "crashed: " + proc.stderr[-200:],
        }
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(workdir: Path | None = None) -> dict:
    import tempfile

    workdir = Path(workdir or tempfile.mkdtemp(prefix="rnnviz-worst-"))
    cases = {
        "(a) 100k-column duplicate header": ("csv", duplicate_header_csv()),
        "(b) 10 MB realistic CSV": ("csv", realistic_csv()),
        "(c) checkpoint config hidden 8000": ("checkpoint", huge_config_checkpoint()),
    }
    idle = _child("idle", "")
    rows, results = [], {"idle_peak_mb": round(idle["peak_mb"], 1)}
    for label, (kind, content) in cases.items():
        path = workdir / (label.split()[0].strip("()") + ".bin")
        path.write_bytes(content)
        r = _child(kind, str(path))
        growth = r["peak_mb"] - idle["peak_mb"]
        ok = r["seconds"] < GOAL_SECONDS and growth < GOAL_MB
        rows.append(
            [
                label,
                f"{len(content) / 1024:,.1f} KB",
                r["seconds"],
                growth,
                "yes" if ok else "NO",
                r["outcome"],
            ]
        )
        results[label] = {
            "bytes": len(content),
            "seconds": round(r["seconds"], 3),
            "growth_mb": round(growth, 1),
            "within_goal": ok,
        }
    text = (
        "### 7. Worst inputs (each in a fresh process; memory = peak RSS above an idle process "
        f"that imported the same modules, {idle['peak_mb']:.0f} MB; goal under {GOAL_SECONDS:g} s "
        f"and {GOAL_MB:g} MB)\n\n"
        + table(["input", "size", "seconds", "MB above idle", "within goal", "outcome"], rows)
    )
    return {"worst_inputs": results, "tables": [text]}


if __name__ == "__main__":
    print(run()["tables"][0])

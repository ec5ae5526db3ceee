"""Table 10: the baseline ladder on real series no one here wrote, with and without "predict the
change".

Nine series: statsmodels' bundled Nile (yearly river flow), sunspots (yearly), CO2 (weekly Mauna
Loa, 59 gaps filled forward), US real GDP, unemployment and inflation (quarterly, macrodata) and El
Nino (monthly sea temperatures), all shipped inside the statsmodels wheel (no download), and the two
bundled samples (Seattle's daily temp_max from temp_max/temp_min/wind, as the Forecast page offers
it; US nonfarm employment, monthly). Each is written to a CSV the way a user would have it (a date
column where the data has dates, a year column where it has years) and run through `python -m rnnviz
fit ... --json` in this process, so the numbers are the CLI's and the page's (both call
rnnviz.baselines.ladder). Three settings per series: the level with min-max scaling (the default),
the level with standard scaling, and the change from the last value (--difference, min-max). The
same small model everywhere: LSTM 16, window 20 (less when the series is short), 50 epochs, lr 0.01,
batch 32, seed 0, 1 torch thread, CPU.

"kind" is what the series is known to be, said before running: a trend (CO2, real GDP, employment)
or not. The goals (issue 16): the warning fires on every trending series and on no stationary one;
with differencing the model beats persistence on at least 6 of 8 series; the verdict names the
lowest RMSE in every row.

    .venv/bin/python bench/ladder_bench.py
        prints the table, writes section 10 of RESULTS.md and "ladder" in results.json
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import machine, table  # noqa: E402
from rnnviz import cli  # noqa: E402

HERE = Path(__file__).resolve().parent
ASSETS = HERE.parent / "assets"
SETTINGS = {
    "level, minmax": [],
    "level, standard": ["--scaler", "standard"],
    "change, minmax": ["--difference"],
}
RUNGS = ["persistence", "seasonal naive", "linear autoregression", "exponential smoothing"]
MODEL = [
    "--cell",
    "lstm",
    "--hidden",
    "16",
    "--epochs",
    "50",
    "--lr",
    "0.01",
    "--batch-size",
    "32",
    "--seed",
    "0",
]


def _series() -> list[dict]:
    """name, kind, the CSV text, the target and any extra CLI arguments (features, fill)."""
    import statsmodels.datasets as sd

    out = []

    def add(name, kind, frame: pd.DataFrame, target, *extra):
        out.append(
            {
                "name": name,
                "kind": kind,
                "csv": frame.to_csv(index=False),
                "target": target,
                "extra": list(extra),
            }
        )

    nile = sd.nile.load_pandas().data
    add(
        "Nile (yearly)",
        "stationary",
        pd.DataFrame({"year": nile["year"].astype(int), "volume": nile["volume"]}),
        "volume",
    )
    spots = sd.sunspots.load_pandas().data
    add(
        "sunspots (yearly)",
        "stationary",
        pd.DataFrame({"year": spots["YEAR"].astype(int), "sunspots": spots["SUNACTIVITY"]}),
        "sunspots",
    )
    co2 = sd.co2.load_pandas().data
    add(
        "CO2 (weekly)",
        "trend",
        pd.DataFrame({"week": co2.index.strftime("%Y-%m-%d"), "co2": co2["co2"]}),
        "co2",
        "--fill",
    )
    macro = sd.macrodata.load_pandas().data
    quarters = [
        f"{int(y)}-{3 * int(q) - 2:02d}-01" for y, q in zip(macro["year"], macro["quarter"])
    ]
    for column, kind in (("realgdp", "trend"), ("unemp", "stationary"), ("infl", "stationary")):
        add(
            f"US {column} (quarterly)",
            kind,
            pd.DataFrame({"quarter": quarters, column: macro[column]}),
            column,
        )
    nino = sd.elnino.load_pandas().data
    months = [f"{int(y)}-{m:02d}-01" for y in nino["YEAR"] for m in range(1, 13)]
    add(
        "El Nino (monthly)",
        "stationary",
        pd.DataFrame(
            {"month": months, "temperature": nino.drop(columns="YEAR").to_numpy().reshape(-1)}
        ),
        "temperature",
    )
    add(
        "Seattle temp_max (daily)",
        "stationary",
        pd.read_csv(ASSETS / "seattle-weather.csv"),
        "temp_max",
        "--features",
        "temp_max",
        "temp_min",
        "wind",
    )
    add("US nonfarm jobs (monthly)", "trend", pd.read_csv(ASSETS / "us-employment.csv"), "nonfarm")
    return out


def _fit(csv: Path, target: str, extra: list[str]) -> tuple[dict, float]:
    lines: list[str] = []
    t0 = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()):  # the epochs' progress
        rc = cli.main(
            ["fit", str(csv), "--target", target, *MODEL, *extra, "--json"], out=lines.append
        )
    seconds = time.perf_counter() - t0
    result = json.loads(lines[-1])
    if rc not in (0, 1) or "error" in result:
        raise RuntimeError(f"{csv.name}: exit {rc}: {result}")
    return result, seconds


def _percent_out(warnings: list[str]) -> str:
    for w in warnings:
        m = re.search(r"\((\d+)% of the training range", w)
        if m:
            return m.group(1) + "%"
    return "no"


def run() -> dict:
    torch.set_num_threads(1)
    rows, records = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for s in _series():
            csv = Path(tmp) / (re.sub(r"\W+", "-", s["name"]).strip("-") + ".csv")
            csv.write_text(s["csv"], encoding="utf-8")
            for setting, flags in SETTINGS.items():
                result, seconds = _fit(csv, s["target"], s["extra"] + flags)
                rmse = {b["name"]: b["rmse"] for b in result["baselines"]}
                everyone = {"model": result["model"]["rmse"], **rmse}
                lowest = min(everyone, key=everyone.get)
                record = {
                    "series": s["name"],
                    "kind": s["kind"],
                    "setting": setting,
                    "warning": _percent_out(result["warnings"]),
                    "model": result["model"]["rmse"],
                    **{r: rmse.get(r) for r in RUNGS},
                    "winner": result["winner"],
                    "verdict_agrees": result["winner"] == lowest,
                    "beats_persistence": result["model"]["rmse"] < rmse["persistence"],
                    "season": result["season"],
                    "seconds": round(seconds, 1),
                    "verdict": result["verdict"],
                }
                records.append(record)
                rows.append(
                    [
                        s["name"],
                        s["kind"],
                        setting,
                        record["warning"],
                        record["model"],
                        *[("-" if record[r] is None else record[r]) for r in RUNGS],
                        record["winner"],
                        "yes" if record["beats_persistence"] else "no",
                        record["seconds"],
                    ]
                )
                print(" | ".join(map(str, rows[-1])), file=sys.stderr)
    summary = _summary(records)
    text = (
        "### 10. The baseline ladder on 9 real series (test-part RMSE in each series' units; LSTM "
        "16, window 20, 50 epochs, seed 0, CPU, 1 torch thread; `python bench/ladder_bench.py`)\n\n"
        + table(
            [
                "series",
                "kind",
                "setting",
                "warning (% out)",
                "model",
                *RUNGS,
                "winner",
                "model < persistence",
                "s",
            ],
            rows,
        )
        + "\n\n"
        + "\n".join(f"- {line}" for line in summary["lines"])
    )
    return {
        "ladder": {"rows": records, **{k: v for k, v in summary.items() if k != "lines"}},
        "tables": [text],
    }


def _summary(records: list[dict]) -> dict:
    first = {
        r["series"]: r for r in records if r["setting"] == "level, minmax"
    }  # the warning is the data's: one per series
    trend = [r for r in first.values() if r["kind"] == "trend"]
    flat = [r for r in first.values() if r["kind"] == "stationary"]
    fired_trend = [r["series"] for r in trend if r["warning"] != "no"]
    fired_flat = [r["series"] for r in flat if r["warning"] != "no"]
    lines = [
        f"warning fired on {len(fired_trend)} of {len(trend)} trending series and on "
        f"{len(fired_flat)} of "
        f"{len(flat)} stationary ones" + (f" ({', '.join(fired_flat)})" if fired_flat else "")
    ]
    beats = {}
    for setting in SETTINGS:
        rows = [r for r in records if r["setting"] == setting]
        beats[setting] = sum(r["beats_persistence"] for r in rows)
        best_rung = sum(r["winner"] == "model" for r in rows)
        lines.append(
            f"{setting}: the model beats persistence on {beats[setting]} of {len(rows)} series and "
            f"the whole ladder on {best_rung}"
        )
    agrees = sum(r["verdict_agrees"] for r in records)
    lines.append(f"the verdict names the lowest RMSE in {agrees} of {len(records)} rows")
    for r in trend:
        level = r["model"]
        change = next(
            x["model"]
            for x in records
            if x["series"] == r["series"] and x["setting"] == "change, minmax"
        )
        standard = next(
            x["model"]
            for x in records
            if x["series"] == r["series"] and x["setting"] == "level, standard"
        )
        lines.append(
            f"{r['series']}: model RMSE {level:.4g} (level, minmax) -> {standard:.4g} (standard "
            f"scaler) -> {change:.4g} (predict the change)"
        )
    return {
        "lines": lines,
        "warning_on_trends": len(fired_trend),
        "trends": len(trend),
        "warning_on_stationary": len(fired_flat),
        "stationary": len(flat),
        "beats_persistence": beats,
        "verdict_agrees": agrees,
        "runs": len(records),
    }


def _write(out: dict) -> None:
    """Section 10 of RESULTS.md (replaced if there) and "ladder" in results.json."""
    text = out["tables"][0]
    path = HERE / "RESULTS.md"
    md = path.read_text(encoding="utf-8")
    md = re.sub(r"\n### 10\. .*?(?=\n### |\Z)", "", md, flags=re.S).rstrip("\n")
    path.write_text(md + "\n\n" + text + "\n", encoding="utf-8")
    results_path = HERE / "results.json"
    results = json.loads(results_path.read_text(encoding="utf-8"))
    results["ladder"] = {**out["ladder"], "machine": machine()}
    results_path.write_text(json.dumps(results, indent=2, allow_nan=False), encoding="utf-8")


if __name__ == "__main__":
    result = run()
    print(result["tables"][0])
    _write(result)

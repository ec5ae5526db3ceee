"""Table 8: where training runs. Throughput of K jobs at once, memory, first point, health latency.

- Throughput: K = 1, 2, 4, 8 Seattle LSTM-16 jobs (the Forecast preset: window 20, batch 32)
  submitted at once; the ratio is K jobs' throughput against one job alone on the same executor, in
  this run. The thread executor has K slots (every job in this process, as the app did before); the
  process executor has one worker per usable core (the app's default: the rest queue); Ray when
  rnnviz.ray_executor imports.
- Memory: resident size of a fresh Streamlit server process after its first page (pool started, a
  Chromium session), of its children (idle workers), and of each idle worker here (VmRSS, /proc).
- First point: seconds from submit to the first epoch's record with a warm pool.
- Health: GET /_stcore/health latency (p50, p99) of a real `streamlit run app.py` server while one
  Chromium session per usable core trains a Forecast run in the server's own workers, against idle.

    .venv/bin/python bench/executors_bench.py [--epochs 40]
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
import urllib.request
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import table  # noqa: E402
from rnnviz import TrainConfig, data, tasks  # noqa: E402
from rnnviz.data import ForecastConfig  # noqa: E402
from rnnviz.executors import JobSpec, ThreadExecutor  # noqa: E402
from rnnviz.workers import ProcessExecutor, usable_cores  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
KS = (1, 2, 4, 8)


def seattle_spec(epochs: int, seed: int = 0) -> JobSpec:
    table_ = data.read_csv((ROOT / "assets" / "seattle-weather.csv").read_bytes())
    ds = data.make_forecast_dataset(
        table_,
        ForecastConfig(
            target="temp_max",
            features=["temp_max", "temp_min", "wind"],
            window=20,
            split=(0.7, 0.15, 0.15),
        ),
    )
    model = tasks.forecast_model(ds, "lstm", 16, 1, seed=seed)
    return JobSpec(
        model,
        tasks.forecast_train_data(ds),
        TrainConfig(epochs=epochs, batch_size=32, device="cpu", seed=seed),
    )


def _all_done(executor, k: int, epochs: int) -> float:
    specs = [seattle_spec(epochs, seed=i) for i in range(k)]
    t0 = time.perf_counter()
    jobs = [executor.submit(s) for s in specs]
    for j in jobs:
        j.join()
        assert j.status == "done", j.message
    return time.perf_counter() - t0


def throughput(executor, epochs: int, repeats: int = 3) -> dict[int, float]:
    """K -> throughput of K concurrent jobs over one alone's (1.0 = no gain). Each time is the best
    of `repeats`: a 40-epoch job takes about a second, and one stray process on a 2-core machine
    moves a single timing by tens of percent."""
    if hasattr(executor, "wait_ready"):  # every worker started (a K = 2 run must not wait for one)
        assert executor.wait_ready(300)
    _all_done(executor, 1, 2)  # warm: first-call costs paid

    def best(k: int) -> float:
        return min(_all_done(executor, k, epochs) for _ in range(repeats))

    alone = best(1)
    return {k: round(k * alone / best(k), 3) if k > 1 else 1.0 for k in KS}


def first_point_seconds(executor, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        spec = seattle_spec(200)
        t0 = time.perf_counter()
        job = executor.submit(spec)
        job.wait_for_first_epoch(60)
        times.append(time.perf_counter() - t0)
        job.stop()
        job.join()
    return statistics.median(times)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _health_latencies(url: str, n: int = 300) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        urllib.request.urlopen(url + "/_stcore/health", timeout=10).read()
        out.append(time.perf_counter() - t0)
        time.sleep(0.01)
    return out


def _p(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))] * 1000


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


def niced_chromium() -> str:
    """A Chromium launcher whose every process runs under SCHED_IDLE (`chrt -i 0`): the students'
    browsers are not on the server, so ours take only what the server and its workers leave.
    (Renicing the browser's processes at launch did not hold: Chromium sets its own processes'
    niceness, as root to -8 and 0, above the training workers, and its renderers took most of a core
    from them; a scheduling policy is inherited and Chromium leaves it alone.)
    The path of a small script."""
    import tempfile  # noqa: PLC0415

    from tests.browser.conftest import CHROMIUM  # noqa: PLC0415

    path = Path(tempfile.mkdtemp(prefix="rnnviz-bench-")) / "chromium"
    path.write_text(f'#!/bin/sh\nexec chrt --idle 0 {CHROMIUM} "$@"\n')
    path.chmod(0o755)
    return str(path)


def _nice_descendants(pid: int, skip: int, nice: int = 15) -> None:
    """Lower the priority of every process this one started (Chromium), except the server `skip`."""
    for kid in _children(pid):
        if kid != skip:
            try:
                os.setpriority(os.PRIO_PROCESS, kid, nice)
            except OSError:
                pass
            _nice_descendants(kid, skip, nice)


def _press_train(browser, url: str, epochs: int):
    page = browser.new_context(viewport={"width": 1400, "height": 1600}).new_page()
    page.set_default_timeout(120_000)
    page.goto(url + "/forecast")
    train = page.get_by_role("button", name=re.compile(r"\bTrain$"))
    train.wait_for()
    box = page.get_by_label("Epochs")
    box.fill(str(epochs))
    box.press("Enter")
    page.wait_for_timeout(800)
    train.click()
    page.get_by_text(re.compile(r"Epoch [1-9]")).first.wait_for()
    return page


def server_side(cores: int, executor: str = "process") -> dict:
    """A real `streamlit run app.py` server driven by Chromium: its memory and its idle workers'
    after the first page, then the health probe's latency idle and while `cores` sessions each train
    a Forecast run in the server's own pool (every worker busy)."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    from tests.browser.conftest import CHROMIUM_ARGS, start_server  # noqa: PLC0415

    proc, url = start_server({"RNNVIZ_EXECUTOR": executor, "RNNVIZ_MAX_JOBS": str(cores)})
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=niced_chromium(), args=CHROMIUM_ARGS)
            first = browser.new_page()
            first.goto(url + "/forecast")
            first.get_by_role("button", name=re.compile(r"\bTrain$")).wait_for(timeout=120_000)
            time.sleep(20)  # the pool warms up (each worker imports torch)
            server_mb, workers = rss_mb(proc.pid), _children(proc.pid)
            worker_mb = sorted(round(rss_mb(w), 1) for w in workers)
            idle = _health_latencies(url, 200)
            pages = [_press_train(browser, url, 2000) for _ in range(cores)]
            # students' browsers are not on the server: ours yield
            _nice_descendants(os.getpid(), skip=proc.pid)
            busy = _health_latencies(url, 300)
            still = sum(1 for pg in pages if "status: running" in pg.inner_text("body"))
            browser.close()
        return {
            "server_rss_mb": round(server_mb, 1),
            "server_worker_rss_mb": worker_mb,
            "sessions_training_during_probe": still,
            "health_idle_ms": {"p50": round(_p(idle, 0.5), 2), "p99": round(_p(idle, 0.99), 2)},
            "health_busy_ms": {"p50": round(_p(busy, 0.5), 2), "p99": round(_p(busy, 0.99), 2)},
        }
    finally:
        proc.terminate()
        proc.wait(20)


def run(epochs: int = 40) -> dict:
    torch.set_num_threads(1)
    cores = usable_cores()
    results: dict = {"executors": {"cores": cores, "epochs": epochs, "throughput": {}}}
    r = results["executors"]
    thread = ThreadExecutor(max(KS))
    r["throughput"]["thread"] = throughput(thread, epochs)
    pool = ProcessExecutor(cores)
    r["throughput"]["process"] = throughput(pool, epochs)
    r["first_point_s"] = round(first_point_seconds(pool), 3)
    r["idle_worker_rss_mb"] = [round(rss_mb(w.process.pid), 1) for w in pool._workers]
    try:
        import ray  # noqa: PLC0415

        from rnnviz.ray_executor import RayExecutor  # noqa: PLC0415
    except ImportError:
        pass
    else:
        ray.init(num_cpus=cores, include_dashboard=False)
        ray_ex = RayExecutor()
        r["throughput"]["ray"] = throughput(ray_ex, epochs)
        # a fresh actor per job: a cold process (torch's import, its first optimizer's lazy
        # imports), so no warm pool here
        r["ray_first_point_s"] = round(first_point_seconds(ray_ex), 3)
        ray_ex.shutdown()
        ray.shutdown()
    pool.shutdown()
    r.update(server_side(cores))
    r["thread_server"] = server_side(cores, "thread")  # before: every job in a thread of the server
    rows = [[name, *[v[k] for k in KS]] for name, v in r["throughput"].items()]
    text = (
        "### 8. Executors: throughput of K concurrent Seattle LSTM-16 jobs against one alone "
        f"({cores} usable cores, {epochs} epochs each)\n\n"
        + table(["executor", *[f"K = {k}" for k in KS]], rows)
        + f"\n\nFirst loss point with a warm pool: {r['first_point_s']:.3g} s (median of 5)"
        + (
            f"; on local Ray, where each job is a fresh actor process: {r['ray_first_point_s']:.3g}"
            " s. "
            if "ray_first_point_s" in r
            else ". "
        )
        + f"Memory: server process {r['server_rss_mb']:.0f} MB after its first page; its children "
        "(the idle workers and the view worker) "
        f"{', '.join(f'{m:.0f}' for m in r['server_worker_rss_mb'])} MB; each idle worker here "
        f"{', '.join(f'{m:.0f}' for m in r['idle_worker_rss_mb'])} MB. /_stcore/health latency: "
        f"idle p50 {r['health_idle_ms']['p50']:.3g} ms, p99 {r['health_idle_ms']['p99']:.3g} ms; "
        f"while {r['sessions_training_during_probe']} sessions train in the server's workers (one "
        f"per core) p50 {r['health_busy_ms']['p50']:.3g} ms, p99 {r['health_busy_ms']['p99']:.3g} "
        "ms (with RNNVIZ_EXECUTOR=thread, jobs in the server process: p50 "
        f"{r['thread_server']['health_busy_ms']['p50']:.3g} ms, p99 "
        f"{r['thread_server']['health_busy_ms']['p99']:.3g} ms)."
    )
    return {"tables": [text], **results}


if __name__ == "__main__":
    epochs = int(sys.argv[sys.argv.index("--epochs") + 1]) if "--epochs" in sys.argv else 40
    out = run(epochs)
    print(out.pop("tables")[0])

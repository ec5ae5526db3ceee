"""Table 9: a simulated class on the real server. 30 sessions press Train on the Forecast preset within a minute.

A `streamlit run app.py` server on a free loopback port, with the default executor (worker processes, one per
usable core), driven by Debian's Chromium: one browser, one context per student, each opening the teacher's
preset link ("Beat tomorrow = today": Seattle, LSTM 16, window 14), pressing Train and waiting for the run's
end ("status: done"), with the preset's 30 epochs: one alone takes about 5 s on 2 cores, so the ideal (about 75 s)
is more than the minute the presses take (with 15 epochs it was 35 s, less than the last press's own time).

1. One session alone, on the same server with the same link: seconds from pressing Train to "status: done".
2. The class: 30 sessions, one every 2 s (all 30 have pressed Train within a minute); the time from the first
   press until the last run is done, against the ideal 30 x alone / usable cores.
3. Throughout the class a thread here GETs /_stcore/health every 100 ms: p50, p99 and max latency.
4. Memory: the server process's VmRSS before the first session and after the class, and the peak VmRSS of
   each of its child processes (the training workers, the view worker) sampled during the class.

The students' browsers run on this machine too; in a real class they run on the students' laptops. So, as in
table 8, Chromium runs under SCHED_IDLE (the workers at nice 10, the server at 0): it takes
only what the server and its workers leave.

    .venv/bin/python bench/class_bench.py [--epochs 30] [--sessions 30]
"""

from __future__ import annotations

import asyncio
import csv
import json
import multiprocessing
import os
import re
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import table  # noqa: E402
from bench.executors_bench import _children, _nice_descendants, niced_chromium, rss_mb  # noqa: E402
from rnnviz.workers import usable_cores  # noqa: E402
from tests.browser.conftest import CHROMIUM_ARGS, start_server  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CLASS_MINUTE_S = 60.0  # every session has pressed Train within this many seconds
ENDED = re.compile(r"status: (done|stopped|failed|diverged)")


def preset_query(epochs: int | None = None) -> str:
    """The Forecast preset's query string from assets/presets/presets.csv, with `epochs` if given."""
    with open(ROOT / "assets" / "presets" / "presets.csv", encoding="utf-8") as f:
        query = next(row["query"] for row in csv.DictReader(f) if row["page"] == "forecast")
    return query if epochs is None else re.sub(r"(^|&)epochs=\d+", rf"\g<1>epochs={epochs}", query)


def _probe_loop(url: str, every: float, halt, out) -> None:
    """In its own process: GET url every `every` seconds until `halt` is set, then send the latencies."""
    latencies = []  # (time.time() at the request, seconds to the answer)
    while not halt.is_set():
        t0, wall = time.perf_counter(), time.time()
        try:
            urllib.request.urlopen(url, timeout=10).read()
            latencies.append((wall, time.perf_counter() - t0))
        except OSError:
            latencies.append((wall, 10.0))
        halt.wait(max(0.0, every - (time.perf_counter() - t0)))
    out.send(latencies)


class HealthProbe:
    """GET /_stcore/health every `every` seconds until stopped, from a process of its own (a thread here
    would wait for this process's GIL behind the Playwright driver of 30 pages, and time that too);
    latencies in seconds (a failure counts as its timeout, 10 s)."""

    def __init__(self, url: str, every: float = 0.1):
        ctx = multiprocessing.get_context("spawn")
        self._halt = ctx.Event()
        self._recv, send = ctx.Pipe(duplex=False)
        self._process = ctx.Process(
            target=_probe_loop, args=(url + "/_stcore/health", every, self._halt, send), daemon=True
        )

    def start(self) -> None:
        self._process.start()

    def stop(self) -> list[tuple[float, float]]:
        self._halt.set()
        latencies = self._recv.recv()
        self._process.join(10)
        return latencies


JOB_LINE = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) rnnviz\.jobs INFO: job \d+ (\w+): \d+ epochs, "
    r"waited ([\d.]+) s for a worker, trained ([\d.]+) s"
)


def server_job_ends(log_path: Path) -> list[dict]:
    """Each ended job as the server logged it: its end (wall clock, time.time()), status, wait and training seconds."""
    ends = []
    for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
        m = JOB_LINE.match(line)
        if m:
            stamp = (
                time.mktime(time.strptime(m[1][:19], "%Y-%m-%d %H:%M:%S")) + int(m[1][20:]) / 1000
            )
            ends.append(
                {"ended": stamp, "status": m[2], "waited": float(m[3]), "trained": float(m[4])}
            )
    return ends


class ChildMemory(threading.Thread):
    """The peak VmRSS (MB) of each child process of `pid`, sampled every second until stopped."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_mb: dict[int, float] = {}
        self._halt = threading.Event()

    def run(self):
        while not self._halt.wait(1.0):
            for kid in _children(self.pid):
                try:
                    self.peak_mb[kid] = max(self.peak_mb.get(kid, 0.0), rss_mb(kid))
                except OSError:  # it ended between the listing and the read
                    pass

    def stop(self) -> dict[int, float]:
        self._halt.set()
        self.join()
        return self.peak_mb


async def _student(browser, link: str, delay: float, timeout_s: float) -> dict:
    """Open the preset link after `delay` seconds, press Train, wait for the end. Times are perf_counter()."""
    await asyncio.sleep(delay)
    context = await browser.new_context(viewport={"width": 1200, "height": 1400})
    try:
        page = await context.new_page()
        page.set_default_timeout(timeout_s * 1000)
        await page.goto(link)
        train = page.get_by_role("button", name=re.compile(r"\bTrain$"))
        await train.wait_for()
        await page.wait_for_timeout(500)  # the preset's settings are applied by the first full run
        await train.click()
        pressed, pressed_wall = time.perf_counter(), time.time()
        ended = page.get_by_text(ENDED).first
        await ended.wait_for()
        return {
            "pressed": pressed,
            "pressed_wall": pressed_wall,
            "ended": time.perf_counter(),
            "status": ENDED.search(await ended.inner_text())[1],
        }
    finally:
        await context.close()


def _p_ms(values: list[float], q: float) -> float:
    return (
        sorted(values)[min(len(values) - 1, int(q * len(values)))] * 1000
        if values
        else float("nan")
    )


async def _class(url: str, server_pid: int, sessions: int, epochs: int) -> dict:
    from playwright.async_api import async_playwright  # noqa: PLC0415

    link = url + "/forecast?" + preset_query(epochs)
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=niced_chromium(), args=CHROMIUM_ARGS, headless=True
        )
        _nice_descendants(
            os.getpid(), skip=server_pid
        )  # the students' browsers are not on the server: ours yield
        # 1. one alone (twice: the first pays the page's and the pool's first-use costs)
        await _student(browser, link, 0, 300)
        alone = await _student(browser, link, 0, 300)
        rss_before = rss_mb(server_pid)
        # 2.-4. the class, probed
        probe, memory = HealthProbe(url), ChildMemory(server_pid)
        probe.start()
        memory.start()
        gap = CLASS_MINUTE_S / sessions
        runs = await asyncio.gather(
            *[_student(browser, link, i * gap, 900) for i in range(sessions)],
            return_exceptions=True,
        )
        latencies, peaks = probe.stop(), memory.stop()
        await browser.close()
    return {
        "alone": alone,
        "runs": runs,
        "latencies": latencies,
        "peaks": peaks,
        "rss_before": rss_before,
        "rss_after": rss_mb(server_pid),
    }


def run(sessions: int = 30, epochs: int = 30) -> dict:
    cores = usable_cores()
    (ROOT / "test-artifacts").mkdir(exist_ok=True)  # start_server writes the server's log there
    proc, url = start_server()  # the default: worker processes, one per usable core, the rest queue
    try:
        m = asyncio.run(_class(url, proc.pid, sessions, epochs))
    finally:
        proc.terminate()
        proc.wait(20)
    ok = [r for r in m["runs"] if isinstance(r, dict) and r["status"] == "done"]
    errors = [
        r if isinstance(r, dict) else repr(r)[:200]
        for r in m["runs"]
        if not (isinstance(r, dict) and r["status"] == "done")
    ]
    # the server's view: its log line per ended job (the two runs alone first, then the class)
    jobs = server_job_ends(ROOT / "test-artifacts" / f"server-{url.rsplit(':', 1)[1]}.log")
    first_press = min(r["pressed_wall"] for r in ok) if ok else float("nan")
    class_jobs = [j for j in jobs if j["ended"] > first_press]
    alone_trained = jobs[1]["trained"] if len(jobs) > 1 else float("nan")
    server_ideal = sessions * alone_trained / cores
    server_last = max(j["ended"] for j in class_jobs) - first_press if class_jobs else float("nan")
    # the browsers' view
    alone_s = m["alone"]["ended"] - m["alone"]["pressed"]
    ideal_s = sessions * alone_s / cores
    last_s = (max(r["ended"] for r in ok) - min(r["pressed"] for r in ok)) if ok else float("nan")
    each = [r["ended"] - r["pressed"] for r in ok]
    timed = m["latencies"]
    lat = [seconds for _, seconds in timed]
    slow = [
        (round(wall - first_press, 1), round(seconds * 1000))
        for wall, seconds in timed
        if seconds > 0.1
    ]
    r = {
        "cores": cores,
        "sessions": sessions,
        "epochs": epochs,
        "finished": len(ok),
        "alone_s": round(alone_s, 2),
        "ideal_s": round(ideal_s, 1),
        "last_done_s": round(last_s, 1),
        "ratio_to_ideal": round(last_s / ideal_s, 3),
        "median_session_s": round(statistics.median(each), 1) if each else None,
        "server": {
            "jobs_logged": len(class_jobs),
            "alone_trained_s": round(alone_trained, 2),
            "ideal_s": round(server_ideal, 1),
            "last_done_s": round(server_last, 1),
            "ratio_to_ideal": round(server_last / server_ideal, 3),
            "median_wait_s": round(statistics.median(j["waited"] for j in class_jobs), 1)
            if class_jobs
            else None,
            "median_trained_s": round(statistics.median(j["trained"] for j in class_jobs), 2)
            if class_jobs
            else None,
        },
        "health_ms": {
            "probes": len(lat),
            "p50": round(_p_ms(lat, 0.5), 2),
            "p99": round(_p_ms(lat, 0.99), 2),
            "max": round(max(lat) * 1000, 1) if lat else None,
        },
        "slow_probes_s_after_first_press_and_ms": slow[:200],
        "server_rss_mb": {"before": round(m["rss_before"], 1), "after": round(m["rss_after"], 1)},
        "child_peak_rss_mb": sorted(round(v, 1) for v in m["peaks"].values()),
        "errors": errors,
    }
    sv = r["server"]
    server_rows = [
        ["server's log: one job alone, seconds training", sv["alone_trained_s"], ""],
        [
            f"server's log: seconds from the first press until the last of the {sv['jobs_logged']} jobs ended",
            sv["last_done_s"],
            "",
        ],
        [f"server's ideal: {sessions} x alone / {cores} cores", sv["ideal_s"], ""],
        ["server's last done / ideal", sv["ratio_to_ideal"], "<= 1.5"],
        [
            "server's log: median seconds a job waited for a worker / trained",
            f"{sv['median_wait_s']} / {sv['median_trained_s']}",
            "",
        ],
    ]
    rows = [
        [f"one session alone: seconds from Train to done ({epochs} epochs)", r["alone_s"], ""],
        [
            f"{sessions} sessions (one every {CLASS_MINUTE_S / sessions:.3g} s): finished",
            f"{len(ok)}/{sessions}",
            f"{sessions}/{sessions}",
        ],
        ["seconds from the first press until the last run is done", r["last_done_s"], ""],
        [f"ideal: {sessions} x alone / {cores} cores", r["ideal_s"], ""],
        ["browsers' last done / ideal", r["ratio_to_ideal"], ""],
        *server_rows,
        ["median seconds from one's press to one's done", r["median_session_s"], ""],
        [
            f"/_stcore/health every 100 ms during the class ({len(lat)} probes): p50 / p99 / max ms",
            f"{r['health_ms']['p50']:.3g} / {r['health_ms']['p99']:.3g} / {r['health_ms']['max']:.3g}",
            "p99 < 100",
        ],
        [
            "server VmRSS before / after the class, MB",
            f"{r['server_rss_mb']['before']:.0f} / {r['server_rss_mb']['after']:.0f}",
            "",
        ],
        [
            "peak VmRSS of each child of the server (workers, view worker, resource tracker), MB",
            ", ".join(f"{v:.0f}" for v in r["child_peak_rss_mb"]),
            "",
        ],
    ]
    text = (
        f"### 9. A simulated class: {sessions} sessions press Train on the Forecast preset within a minute "
        f"(real server, default process executor, {cores} usable cores, Debian Chromium under SCHED_IDLE)\n\n"
        + table(["measure", "value", "goal"], rows)
    )
    if errors:
        text += "\n\nSessions that did not end done: " + "; ".join(map(str, errors))
    return {"class": r, "tables": [text]}


if __name__ == "__main__":
    args = sys.argv[1:]
    kw = {
        k: int(args[args.index("--" + k) + 1]) for k in ("epochs", "sessions") if "--" + k in args
    }
    out = run(**kw)
    print(out.pop("tables")[0])
    print(json.dumps(out, indent=2))

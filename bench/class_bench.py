"""Table 9: a simulated class on the real server. 30 sessions press Train on the Forecast preset.

A `streamlit run app.py` server on a free loopback port, with the default executor (worker
processes, one per usable core). Each student opens the teacher's preset link ("Beat tomorrow =
today": Seattle, LSTM 16, window 14, 30 epochs). The students are, by default, protocol students
(bench/ws_student.py): they speak Streamlit's websocket protocol as the browser does (the same
reruns, widget states, button trigger and fragment timers) at a fraction of a CPU second each, so
the server keeps the machine's cores as it would in a class whose browsers run on the students'
laptops. `--clients chromium` drives Debian's Chromium instead, one context per student, on this
same machine (the previous default: its 30 renderers took about 111 of 142 CPU seconds of the
class, and the jobs starved); `--chromium N` puts N of the students in Chromium and the rest on
the protocol (1 shows the browser's path is the same one).

1. One session alone, on the same server with the same link: seconds from pressing Train to
   "status: done"; the median of ALONE_RUNS such runs after a first one that pays the first-use
   costs (until 2026-12-05, fourth session, a single run: it varied by 8% from class to class, and
   the ratio to the ideal with it).
2. The class: the students open the link one a second; once every page is there, all of them
   press Train within PRESS_SPAN_S (3 s, well within the issue's minute). That is the scenario the
   ideal, 30 x alone / usable cores, describes: with the presses spread over a minute, a run of
   about 1 s would make the class bound by when the students press, not by training. Measured: the
   time from the first press until the last run is done, in the server's log (each job's end) and in
   the students (their "status: done"). As a browser's tab stays open, a student then waits until
   the server has drawn its ended page in full (the live view's full rerun: the forecast, the
   insides, the ladder) before it leaves; until 2026-12-05 (third session) it left at "done", which
   cancelled that run and hid about half of the server's CPU.
3. Throughout the class a separate process GETs /_stcore/health every 100 ms:
   p50, p99 and max latency.
4. Memory: the server process's VmRSS before the first session and after the class, and the peak
   VmRSS of each of its child processes (the training workers, the view worker) sampled during the
   class. CPU: the server (its main thread, the event loop, apart), its workers, this process (the
   protocol students) and the whole machine; and the load average before and after.

Chromium students run on this machine too; in a real class they run on the students' laptops.
So while the runs train, Chromium runs under SCHED_IDLE and, where the machine has a writable cgroup
v1 cpu controller (as root), in a cgroup of its own with the least weight (cpu.shares 2 against
1024): with SCHED_IDLE alone its 30 renderers still took three quarters of the 2 cores. It runs
normally while the students open the link and press Train. (Renicing did not hold: as root, Chromium
sets its own processes' niceness to -8 and 0.)

    .venv/bin/python bench/class_bench.py [--epochs 30] [--sessions 30]
        [--clients ws|chromium] [--chromium N] [--profile server-profile.json] [--record]
"""

from __future__ import annotations

import asyncio
import contextlib
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
from bench.executors_bench import _children, rss_mb  # noqa: E402
from bench.ws_student import WsStudent  # noqa: E402
from rnnviz.workers import usable_cores  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, start_server  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ALONE_RUNS = 3  # runs alone whose median is the reference
OPEN_GAP_S = 1.0  # the students open the link one after another, this many seconds apart
PRESS_SPAN_S = 3.0  # then all of them press Train within this many seconds (well within a minute)
ENDED = re.compile(r"status: (done|stopped|failed|diverged)")
TRAIN = re.compile(r"\bTrain$")  # the Train button's label (after its icon)


def preset_query(epochs: int | None = None) -> str:
    """The Forecast preset's query string (assets/presets/presets.csv), with `epochs` if given."""
    with open(ROOT / "assets" / "presets" / "presets.csv", encoding="utf-8") as f:
        query = next(row["query"] for row in csv.DictReader(f) if row["page"] == "forecast")
    return query if epochs is None else re.sub(r"(^|&)epochs=\d+", rf"\g<1>epochs={epochs}", query)


def _probe_loop(url: str, every: float, halt, out) -> None:
    """In its own process: GET url every `every` seconds until `halt` is set, then send
    the latencies."""
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
    """GET /_stcore/health every `every` seconds until stopped, from a process of its own (a thread
    here would wait for this process's GIL behind the Playwright driver of 30 pages, and time that
    too); latencies in seconds (a failure counts as its timeout, 10 s)."""

    def __init__(self, url: str, every: float = 0.1):
        ctx = multiprocessing.get_context("spawn")
        self._halt = ctx.Event()
        self._recv, send = ctx.Pipe(duplex=False)
        self._process = ctx.Process(
            target=_probe_loop, args=(url + "/_stcore/health", every, self._halt, send), daemon=True
        )

    def start(self) -> None:
        self._process.start()

    @property
    def pid(self) -> int:
        return self._process.pid

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
    """Each ended job as the server logged it: its end (wall clock, time.time()), status, wait and
    training seconds."""
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


async def _open(browser, link: str, delay: float, timeout_s: float):
    """A student opens the preset link after `delay` seconds; the page, once Train is there."""
    await asyncio.sleep(delay)
    context = await browser.new_context(viewport={"width": 1200, "height": 1400})
    page = await context.new_page()
    page.set_default_timeout(timeout_s * 1000)
    await page.goto(link)
    await page.get_by_role("button", name=TRAIN).wait_for()
    await page.wait_for_timeout(500)  # the preset's settings are applied by the first full run
    return page


async def _press(page, delay: float) -> dict:
    """Press Train after `delay` seconds. Times are perf_counter() and time.time()."""
    await asyncio.sleep(delay)
    await page.get_by_role("button", name=TRAIN).click()
    return {"pressed": time.perf_counter(), "pressed_wall": time.time()}


async def _until_end(page, pressed: dict) -> dict:
    """Wait for the run's end on the page, then close the student's context."""
    try:
        ended = page.get_by_text(ENDED).first
        await ended.wait_for()
        status = ENDED.search(await ended.inner_text())[1]
        return {**pressed, "ended": time.perf_counter(), "status": status}
    finally:
        await page.context.close()


class ThreadCpu(threading.Thread):
    """The server's CPU seconds from start() to stop(), split into its main thread (the event
    loop: websockets, HTTP, sending the messages) and the rest (mostly the script runs: their
    threads live for one run and are gone by the end, so they are counted as the process's total
    less the main thread's). The main thread is sampled every 0.5 s, while it lives."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self._main = f"/proc/{pid}/task/{pid}/stat"
        self._first: tuple[float, float] = (0.0, 0.0)  # (process, main thread)
        self._last: tuple[float, float] = (0.0, 0.0)
        self._threads: set[str] = set()  # thread ids seen besides the main one
        self._halt = threading.Event()

    def _sample(self) -> None:
        process, main = _cpu_seconds(self.pid), _cpu_seconds(self.pid, self._main)
        if process:
            self._last = (process, main)
        self._threads.update(t.name for t in Path(f"/proc/{self.pid}/task").glob("*"))

    def run(self):
        self._sample()
        self._first = self._last
        while not self._halt.wait(0.5):
            self._sample()

    def stop(self) -> dict[str, float]:
        """{"main": seconds, "others": seconds, "threads": how many others were seen}."""
        self._halt.set()
        self.join()
        self._sample()
        process = self._last[0] - self._first[0]
        main = self._last[1] - self._first[1]
        return {
            "main": round(main, 1),
            "others": round(process - main, 1),
            "threads": len(self._threads - {str(self.pid)}),
        }


def _set_policy(pid: int, skip: set[int], policy: int) -> None:
    """Put every thread of every process this one started (Chromium), except the processes in
    `skip` (the server, the health probe) and theirs, under `policy`. sched_setscheduler(pid) alone
    moves only a process's main thread; a renderer's compositor and worker threads would keep
    theirs."""
    for kid in _descendants(pid, skip):
        for task in Path(f"/proc/{kid}/task").glob("*"):
            try:
                os.sched_setscheduler(int(task.name), policy, os.sched_param(0))
            except OSError:  # it ended meanwhile
                pass


def _cpu_seconds(pid: int, stat: str | None = None) -> float:
    """User + system CPU seconds of one process (or, given its `stat` path, one thread) so far
    (0 if it is gone)."""
    try:
        fields = Path(stat or f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _descendants(pid: int, skip: set[int] = frozenset()) -> list[int]:
    found = []
    for kid in _children(pid):
        if kid not in skip:
            found += [kid, *_descendants(kid, skip)]
    return found


def _machine_busy_seconds() -> float:
    """CPU seconds every core of the machine has spent busy so far (/proc/stat: all but idle and
    iowait)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    busy = sum(fields[:8]) - fields[3] - fields[4]  # user nice system idle iowait irq softirq steal
    return busy / os.sysconf("SC_CLK_TCK")


def cpu_accounts(server_pid: int) -> dict[str, float]:
    """CPU seconds so far of: the server process, its children (the training workers and the view
    worker), this process (the protocol students, or Playwright's side of the browsers), and the
    whole machine (the rest is mostly the students' browsers, where they are Chromium)."""
    kids = _descendants(server_pid)
    return {
        "server": _cpu_seconds(server_pid),
        "workers": sum(_cpu_seconds(k) for k in kids),
        "bench": _cpu_seconds(os.getpid()),
        "machine": _machine_busy_seconds(),
    }


CPU_CGROUP = Path("/sys/fs/cgroup/cpu")  # cgroup v1's cpu controller, where the machine has one
BROWSERS_SHARES = 2  # the least cpu.shares: all the browsers together weigh 2 against 1024


def _move(pid: int, skip: set[int], group: Path) -> None:
    """Move every process this one started, except those in `skip`, into cgroup `group`."""
    for kid in _descendants(pid, skip):
        try:
            (group / "cgroup.procs").write_text(str(kid))
        except OSError:  # it ended meanwhile
            pass


def _browsers_group() -> Path | None:
    """A cgroup for the students' browsers with the least CPU weight, or None where the machine
    has no writable cgroup v1 cpu controller. SCHED_IDLE alone gives each thread a weight of 3
    against a nice-10 worker's 110; with 30 renderers' threads the browsers still took three
    quarters of the machine (measured: 119 of 158 CPU seconds during a class). As a group they
    weigh 2 in all."""
    group = CPU_CGROUP / "rnnviz-bench-browsers"
    try:
        group.mkdir(exist_ok=True)
        (group / "cpu.shares").write_text(str(BROWSERS_SHARES))
        return group
    except OSError:
        return None


def _idle_descendants(pid: int, skip: set[int]) -> None:
    """The students' browsers yield: SCHED_IDLE for every thread, and their own low-weight cgroup
    where there is one (their threads and processes made later inherit both)."""
    _set_policy(pid, skip, os.SCHED_IDLE)
    group = _browsers_group()
    if group is not None:
        _move(pid, skip, group)


def _normal_descendants(pid: int, skip: set[int]) -> None:
    """Back to SCHED_OTHER and the root cgroup for the students' browsers (while they press)."""
    if _browsers_group() is not None:
        _move(pid, skip, CPU_CGROUP)
    _set_policy(pid, skip, os.SCHED_OTHER)


def _p_ms(values: list[float], q: float) -> float:
    return (
        sorted(values)[min(len(values) - 1, int(q * len(values)))] * 1000
        if values
        else float("nan")
    )


class _ChromiumClients:
    """Students in Debian's Chromium: one context each, in one browser."""

    def __init__(self, browser, link: str):
        self.browser, self.link = browser, link

    async def open(self, delay: float, timeout_s: float):
        return await _open(self.browser, self.link, delay, timeout_s)

    async def press(self, page, delay: float) -> dict:
        return await _press(page, delay)

    async def until_end(self, page, pressed: dict) -> dict:
        return await _until_end(page, pressed)


class _WsClients:
    """Students that speak Streamlit's websocket protocol (bench/ws_student.py), in this
    process: what the server sees of a browser, without a renderer on the server's cores."""

    def __init__(self, url: str, query: str):
        self.url, self.query = url, query

    async def open(self, delay: float, timeout_s: float) -> WsStudent:
        await asyncio.sleep(delay)
        student = WsStudent(self.url, "forecast", self.query)
        await student.open(TRAIN.pattern, timeout=timeout_s)
        return student

    async def press(self, student: WsStudent, delay: float) -> dict:
        await asyncio.sleep(delay)
        before = student.reruns_sent
        return {**await student.press(TRAIN.pattern), "reruns_before": before}

    async def until_end(self, student: WsStudent, pressed: dict) -> dict:
        try:
            text = await student.until(ENDED, timeout=900)
            ended = {**pressed, "ended": time.perf_counter(), "status": ENDED.search(text)[1]}
            # the reruns it asked for from its press until it saw the end
            ended["reruns"] = student.reruns_sent - pressed["reruns_before"]
            # as a browser, it stays while the server draws the ended page (the live view's full
            # rerun): closing at "done" cancelled that run, the heaviest one of a session
            await student.until_settled(ENDED, timeout=300)
            return {**ended, "settled": time.perf_counter()}
        finally:
            await student.close()


async def _alone(clients) -> dict:
    """One student alone: open, press, wait for the end."""
    handle = await clients.open(0, 300)
    return await clients.until_end(handle, await clients.press(handle, 0))


async def _class(
    url: str, server_pid: int, sessions: int, epochs: int, chromium: int, profile: str | None
) -> dict:
    """The class on a running server: `chromium` of the `sessions` students in Chromium, the
    rest speaking the protocol (ws_student.py). `profile`: the server's profile file, sampled
    from the first press until every run has ended."""
    async with contextlib.AsyncExitStack() as stack:
        ws = _WsClients(url, preset_query(epochs))
        browser, link = None, url + "/forecast?" + preset_query(epochs)
        if chromium:
            from playwright.async_api import async_playwright  # noqa: PLC0415

            p = await stack.enter_async_context(async_playwright())
            browser = await p.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            stack.push_async_callback(browser.close)
            _idle_descendants(os.getpid(), skip={server_pid})  # browsers yield to the workers
        kinds = [_ChromiumClients(browser, link)] * chromium + [ws] * (sessions - chromium)
        # 1. one alone: once for the page's and the pool's first-use costs, then ALONE_RUNS times
        alone_clients = kinds[0] if chromium == sessions else ws
        await _alone(alone_clients)
        alone = [await _alone(alone_clients) for _ in range(ALONE_RUNS)]
        return await _students(url, server_pid, kinds, alone, chromium > 0, profile)


async def _students(
    url: str, server_pid: int, kinds: list, alone: list[dict], browsers: bool, profile: str | None
) -> dict:
    """2. The class opens the link (one every OPEN_GAP_S), then everyone presses Train within
    PRESS_SPAN_S, the scenario the ideal describes; 3.-4. until every run has ended, probed.
    Browsers run at normal priority until the presses are out, then under SCHED_IDLE: students'
    laptops are not the server."""
    rss_before = rss_mb(server_pid)
    if browsers:  # normal while they open the link (under SCHED_IDLE on a loaded machine a
        # browser got no CPU and never drew the page)
        _normal_descendants(os.getpid(), skip={server_pid})
    handles = await asyncio.gather(*[c.open(i * OPEN_GAP_S, 900) for i, c in enumerate(kinds)])
    probe, memory = HealthProbe(url), ChildMemory(server_pid)
    threads = ThreadCpu(server_pid)
    probe.start()
    memory.start()
    threads.start()
    cpu_before, class_started = cpu_accounts(server_pid), time.perf_counter()
    if profile:
        Path(profile + ".on").touch()  # the server's sampler starts (bench/profile_hook)
    gap = PRESS_SPAN_S / len(kinds)
    pressed = await asyncio.gather(
        *[c.press(h, i * gap) for i, (c, h) in enumerate(zip(kinds, handles))]
    )
    if browsers:
        await asyncio.sleep(0.5)  # the last clicks' messages leave the renderers
        _idle_descendants(os.getpid(), skip={server_pid, probe.pid})
    runs = await asyncio.gather(
        *[c.until_end(h, pr) for c, h, pr in zip(kinds, handles, pressed)],
        return_exceptions=True,
    )
    latencies, peaks, by_thread = probe.stop(), memory.stop(), threads.stop()
    cpu_after = cpu_accounts(server_pid)
    if profile:
        Path(profile + ".on").unlink()
        await asyncio.sleep(1.0)  # the sampler notices and writes the profile
    return {
        "cpu_s": {k: round(cpu_after[k] - cpu_before[k], 1) for k in cpu_after},
        "server_threads_cpu_s": by_thread,
        "class_s": round(time.perf_counter() - class_started, 1),
        "alone": alone,
        "runs": runs,
        "latencies": latencies,
        "peaks": peaks,
        "rss_before": rss_before,
        "rss_after": rss_mb(server_pid),
    }


def _clients_said(sessions: int, chromium: int) -> str:
    if chromium == sessions:
        return "Debian Chromium under SCHED_IDLE"
    ws = f"{sessions - chromium} protocol students (bench/ws_student.py)"
    return ws if not chromium else f"{chromium} in Debian Chromium + {ws}"


def _profiled(out: str | None) -> dict:
    """The server's environment for a sampling profile into `out` (bench/profile_hook)."""
    if not out:
        return {}
    hook = str(ROOT / "bench" / "profile_hook")
    path = os.pathsep.join(p for p in (hook, os.environ.get("PYTHONPATH", "")) if p)
    return {"PYTHONPATH": path, "RNNVIZ_PROFILE_OUT": str(Path(out).resolve())}


def run(
    sessions: int = 30,
    epochs: int = 30,
    clients: str = "ws",
    chromium: int | None = None,
    profile: str | None = None,
):
    """The class on a fresh server. `clients`: "ws" (protocol students, ws_student.py) or
    "chromium"; `chromium`: how many of the students use Chromium (the rest the protocol), by
    default all of them with clients="chromium" and none with "ws". `profile`: a JSON file for
    the server's sampling profile (bench/profile_hook/sitecustomize.py)."""
    if chromium is None:
        chromium = sessions if clients == "chromium" else 0
    (ROOT / "test-artifacts").mkdir(exist_ok=True)  # start_server writes the server's log there
    # the default executor: worker processes, one per usable core, the rest queue
    proc, url = start_server(_profiled(profile))
    load_before = os.getloadavg()
    try:
        out = str(Path(profile).resolve()) if profile else None
        m = asyncio.run(_class(url, proc.pid, sessions, epochs, chromium, out))
    finally:
        proc.terminate()
        proc.wait(20)
    log = ROOT / "test-artifacts" / f"server-{url.rsplit(':', 1)[1]}.log"
    r = _measures(m, server_job_ends(log), sessions, epochs, usable_cores())
    r["clients"] = _clients_said(sessions, chromium)
    r["load_before_after"] = [round(load_before[0], 2), round(os.getloadavg()[0], 2)]
    text = (
        f"### 9. A simulated class: {sessions} sessions press Train on the Forecast preset "
        f"within a minute (real server, default process executor, {r['cores']} usable cores, "
        f"{r['clients']})\n\n" + table(["measure", "value", "goal"], _rows(r))
    )
    if r["errors"]:
        text += "\n\nSessions that did not end done: " + "; ".join(map(str, r["errors"]))
    return {"class": r, "tables": [text]}


def _measures(m: dict, jobs: list[dict], sessions: int, epochs: int, cores: int) -> dict:
    """The class's numbers from what _class saw (`m`) and the server's log (`jobs`: the
    1 + ALONE_RUNS runs alone first, then the class)."""
    ok = [r for r in m["runs"] if isinstance(r, dict) and r["status"] == "done"]
    errors = [
        r if isinstance(r, dict) else repr(r)[:200]
        for r in m["runs"]
        if not (isinstance(r, dict) and r["status"] == "done")
    ]
    # 1. the server's view: its log line per ended job
    first_press = min(r["pressed_wall"] for r in ok) if ok else float("nan")
    class_jobs = [j for j in jobs if j["ended"] > first_press]
    alone_jobs = [j for j in jobs[1 : 1 + len(m["alone"])] if j["ended"] < first_press]
    alone_trained = (
        statistics.median(j["trained"] for j in alone_jobs) if alone_jobs else float("nan")
    )
    server_ideal = sessions * alone_trained / cores
    server_last = max(j["ended"] for j in class_jobs) - first_press if class_jobs else float("nan")
    # 2. the students' view
    alone_s = statistics.median(a["ended"] - a["pressed"] for a in m["alone"])
    ideal_s = sessions * alone_s / cores
    last_s = (max(r["ended"] for r in ok) - min(r["pressed"] for r in ok)) if ok else float("nan")
    each = [r["ended"] - r["pressed"] for r in ok]
    # 3. the health probe
    lat = [seconds for _, seconds in m["latencies"]]
    slow = [(round(w - first_press, 1), round(v * 1000)) for w, v in m["latencies"] if v > 0.1]
    reruns = [r["reruns"] for r in ok if "reruns" in r]
    waits = [j["waited"] for j in class_jobs]
    trained = [j["trained"] for j in class_jobs]
    return {
        "cores": cores,
        "sessions": sessions,
        "epochs": epochs,
        "finished": len(ok),
        "alone_s": round(alone_s, 2),
        "ideal_s": round(ideal_s, 1),
        "last_done_s": round(last_s, 1),
        "ratio_to_ideal": round(last_s / ideal_s, 3),
        "median_session_s": round(statistics.median(each), 1) if each else None,
        # until the last student's ended page was drawn in full (the live view's last full run)
        "last_settled_s": round(max(r["settled"] for r in ok) - min(r["pressed"] for r in ok), 1)
        if ok and all("settled" in r for r in ok)
        else None,
        "reruns_per_s": round(sum(reruns) / last_s, 1) if reruns else None,
        "server": {
            "jobs_logged": len(class_jobs),
            "alone_trained_s": round(alone_trained, 2),
            "ideal_s": round(server_ideal, 1),
            "last_done_s": round(server_last, 1),
            "ratio_to_ideal": round(server_last / server_ideal, 3),
            "median_wait_s": round(statistics.median(waits), 1) if waits else None,
            "median_trained_s": round(statistics.median(trained), 2) if trained else None,
            # against the jobs' own pace in the class: about 1 when the pool never idled (the
            # gap to the ideal is then each job training slower than alone, not the queue)
            "ratio_to_pool_pace": round(
                server_last / (sessions * statistics.median(trained) / cores), 3
            )
            if trained
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
        "cpu_s": m["cpu_s"],
        "server_threads_cpu_s": m["server_threads_cpu_s"],
        "class_s": m["class_s"],
        "errors": errors,
    }


def _rows(r: dict) -> list[list]:
    sv, sessions, cores, cpu = r["server"], r["sessions"], r["cores"], r["cpu_s"]
    th, h = r["server_threads_cpu_s"], r["health_ms"]
    return [
        [
            f"one session alone: seconds from Train to done ({r['epochs']} epochs; median of "
            f"{ALONE_RUNS})",
            r["alone_s"],
            "",
        ],
        [
            f"{sessions} sessions (all pressed within {PRESS_SPAN_S:g} s): finished",
            f"{r['finished']}/{sessions}",
            f"{sessions}/{sessions}",
        ],
        ["seconds from the first press until the last run is done", r["last_done_s"], ""],
        [f"ideal: {sessions} x alone / {cores} cores", r["ideal_s"], ""],
        ["students' last done / ideal", r["ratio_to_ideal"], ""],
        [
            f"server's log: one job alone, seconds training (median of {ALONE_RUNS})",
            sv["alone_trained_s"],
            "",
        ],
        [
            "server's log: seconds from the first press until the last of the "
            f"{sv['jobs_logged']} jobs ended",
            sv["last_done_s"],
            "",
        ],
        [f"server's ideal: {sessions} x alone / {cores} cores", sv["ideal_s"], ""],
        ["server's last done / ideal", sv["ratio_to_ideal"], "<= 1.5"],
        [
            f"server's last done / ({sessions} x the median job's training in the class / "
            f"{cores} cores): about 1 if the pool never idled",
            sv["ratio_to_pool_pace"],
            "",
        ],
        [
            "server's log: median seconds a job waited for a worker / trained",
            f"{sv['median_wait_s']} / {sv['median_trained_s']}",
            "",
        ],
        ["median seconds from one's press to one's done", r["median_session_s"], ""],
        [
            "seconds from the first press until the last ended page was drawn in full",
            r["last_settled_s"] if r.get("last_settled_s") is not None else "-",
            "",
        ],
        [
            "reruns the protocol students asked for (press, fragments) per second of the class",
            r["reruns_per_s"] if r["reruns_per_s"] is not None else "-",
            "",
        ],
        [
            f"/_stcore/health every 100 ms during the class ({h['probes']} probes): "
            "p50 / p99 / max ms",
            f"{h['p50']:.3g} / {h['p99']:.3g} / {h['max']:.3g}",
            "p99 < 100",
        ],
        [
            f"CPU seconds used in the {r['class_s']:.0f} s from the presses until every student "
            f"saw its end (of {cores * r['class_s']:.0f} on {cores} cores): server / its workers "
            "/ the bench process (protocol students) / whole machine",
            " / ".join(f"{cpu[k]:.1f}" for k in ("server", "workers", "bench", "machine")),
            "",
        ],
        [
            "the server's CPU seconds by thread: main (event loop: websockets, HTTP) / "
            f"the others ({th['threads']} seen: script runs, the pool's)",
            f"{th['main']:.1f} / {th['others']:.1f}",
            "",
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
        ["load average (1 min) before / after", " / ".join(map(str, r["load_before_after"])), ""],
    ]


def record(result: dict, when: str) -> str:
    """Add one class's numbers (run's "class", without the list of slow probes) to
    bench/results.json under "class_runs", dated `when`; run_all.py keeps the latest full run's
    under "class". Returns the key written."""
    path = ROOT / "bench" / "results.json"
    results = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    kept = {k: v for k, v in result.items() if k != "slow_probes_s_after_first_press_and_ms"}
    results.setdefault("class_runs", []).append({"date": when, **kept})
    path.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return "class_runs"


def _args(argv: list[str]) -> dict:
    """--epochs N --sessions N --clients ws|chromium --chromium N (how many in Chromium)
    --profile FILE.json (the server's sampling profile)."""
    kw = {
        k: int(argv[argv.index("--" + k) + 1])
        for k in ("epochs", "sessions", "chromium")
        if "--" + k in argv
    }
    if "--profile" in argv:
        kw["profile"] = argv[argv.index("--profile") + 1]
    if "--clients" in argv:
        kw["clients"] = argv[argv.index("--clients") + 1]
        if kw["clients"] not in ("ws", "chromium"):
            raise SystemExit(f"--clients is ws or chromium, not {kw['clients']!r}")
    return kw


if __name__ == "__main__":
    argv = sys.argv[1:]
    out = run(**_args([a for a in argv if a != "--record"]))
    print(out.pop("tables")[0])
    print(json.dumps(out, indent=2))
    if "--record" in argv:  # into bench/results.json's "class_runs", dated today
        record(out["class"], time.strftime("%Y-%m-%d"))

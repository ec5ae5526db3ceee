"""A class bigger than one machine, run on this one: deploy/run_class.py starts 2 app replicas
behind Debian's nginx and a local Ray head, and Chromium sessions go through the proxy.

What must hold (issue 13, point 5): every browser session sticks to one replica (the page, its
websocket, a reload), both replicas get sessions, and training runs on Ray, not in the replica.
Stickiness is read from nginx's own access log (which replica served each request of each browser);
where training ran is read from the processes: Ray's job actors live in the Ray head's process
group, never in a replica's. Everything started is stopped at the end, also when a test fails.
"""

import re
import shutil
import time
from collections import defaultdict
from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]
SESSIONS = 4  # browsers, opened one after another while the earlier ones stay open
RAY_EXECUTOR = ROOT / "rnnviz" / "ray_executor.py"

pytestmark = [pytest.mark.browser, pytest.mark.deploy]


def _why_not_on_ray() -> str:
    """Why this checkout's app cannot train on Ray yet ("" when it can): it needs the Ray executor,
    and pages that submit their jobs through executor_from_env (so RNNVIZ_EXECUTOR=ray reaches
    them)."""
    if not RAY_EXECUTOR.exists():
        return "no rnnviz/ray_executor.py in this checkout yet"
    if "executor_from_env" not in (ROOT / "rnnviz" / "ui" / "live.py").read_text():
        return "rnnviz/ui/live.py does not submit jobs through executor_from_env yet"
    return ""


def _processes() -> dict[int, tuple[int, int, str]]:
    """pid -> (parent pid, process group, command line) of every process on this machine now."""
    table = {}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (
                (proc / "cmdline")
                .read_bytes()
                .replace(b"\0", b" ")
                .decode(errors="replace")
                .strip()
            )
        except OSError:
            continue
        if fields[0] != "Z":
            table[int(proc.name)] = (int(fields[1]), int(fields[2]), cmdline)
    return table


def _descendants(table: dict, root: int) -> set[int]:
    found, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [
            pid for pid, (ppid, _, _) in table.items() if ppid == parent and pid not in found
        ]
        found.update(children)
        frontier.extend(children)
    return found


def _job_actors(table: dict, under: set[int]) -> dict[int, str]:
    """Busy Ray workers among the processes `under`: pid -> title. Ray titles a worker process
    `ray::<actor class>` (the training job's actor: `ray::_JobActor`) and an idle one `ray::IDLE`.
    Under a replica there must be none: a Ray started inside a replica would put them there."""
    return {
        pid: table[pid][2]
        for pid in under
        if table[pid][2].startswith("ray::") and not table[pid][2].startswith("ray::IDLE")
    }


@pytest.fixture(scope="module")
def deployment(run_class):
    """The class: 2 replicas, nginx, and a Ray head when the app can send jobs to one."""
    if not Path(run_class.NGINX).exists():
        pytest.fail(
            f"nginx is not installed at {run_class.NGINX}: run `make browser-deps` "
            "(apt-get install -y nginx)."
        )
    artifacts = ROOT / "test-artifacts" / "deploy"
    artifacts.mkdir(parents=True, exist_ok=True)
    cls = run_class.start_class(
        replicas=2, ray=RAY_EXECUTOR.exists(), num_cpus=2, env={"RNNVIZ_HEARTBEAT_SECONDS": "60"}
    )
    try:
        yield cls
    finally:
        cls.stop()
        for log in cls.workdir.glob("*.log"):  # for a failed run's post-mortem
            shutil.copy(log, artifacts / log.name)
        shutil.rmtree(cls.workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def sessions(deployment):
    """Drive SESSIONS browsers through the proxy: open Next letter, press Train, wait for the end,
    reload. Returns what was seen: each session's replica per request (from nginx's log), its
    final status line, and the job actors seen while they trained."""
    from playwright.sync_api import sync_playwright

    cls = deployment
    seen_actors: dict[int, str] = {}  # job actors under the Ray head
    actors_in_replicas: dict[int, str] = {}  # job actors under a replica: there must be none
    statuses = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        probe = browser.new_page()
        user_agent = probe.evaluate("navigator.userAgent")
        probe.close()
        pages = []
        for i in range(SESSIONS):  # 1. open every session; each keeps its websocket open
            context = browser.new_context(
                viewport={"width": 1300, "height": 1000},
                user_agent=f"{user_agent} rnnviz-session/{i}",
            )
            page = context.new_page()
            page.set_default_timeout(120_000)
            # a share link: short runs, the suite's time is CI's
            page.goto(cls.url + "/next-letter?epochs=30")
            page.get_by_role("button", name=re.compile(r"\bTrain$")).wait_for()
            pages.append(page)
        for page in pages:  # 2. everyone presses Train
            page.get_by_role("button", name=re.compile(r"\bTrain$")).click()
        deadline = time.monotonic() + 180
        ended = [
            page.get_by_text(re.compile(r"status: (done|stopped|failed|diverged)")).first
            for page in pages
        ]
        # 3. watch where they train
        while time.monotonic() < deadline and not all(e.count() for e in ended):
            table = _processes()
            if cls.ray_pgid is not None:
                seen_actors.update(_job_actors(table, _descendants(table, cls.ray_pgid)))
            for replica in cls.replica_pids:
                actors_in_replicas.update(_job_actors(table, _descendants(table, replica)))
            time.sleep(0.2)
        for page, end in zip(pages, ended):
            end.wait_for(timeout=5_000)
            statuses.append(end.inner_text())
        for page in pages:  # 4. a reload opens a new websocket: it must reach the same replica
            page.reload()
            page.get_by_role("button", name=re.compile(r"\bTrain$")).wait_for()
        for page in pages:
            page.context.close()
        browser.close()
    time.sleep(1)  # nginx logs a websocket when it closes
    served = defaultdict(list)
    pattern = re.compile(
        r'"(?P<request>[^"]*)" (?P<status>\d+) cookie=\S* upstream=(?P<upstream>[^ ]*) '
        r'ua="[^"]*rnnviz-session/(?P<session>\d+)"'
    )
    for line in (cls.workdir / "access.log").read_text().splitlines():
        if m := pattern.search(line):
            served[int(m["session"])].append((m["request"], m["status"], m["upstream"]))
    return {
        "served": dict(served),
        "statuses": statuses,
        "actors": seen_actors,
        "actors_in_replicas": actors_in_replicas,
    }


def test_replicas_every_session_sticks_to_one_replica(sessions, deployment):
    replicas = {f"127.0.0.1:{port}" for port in deployment.replica_ports}
    assert sorted(sessions["served"]) == list(range(SESSIONS)), (
        f"sessions missing from nginx's log: {sessions['served'].keys()}"
    )
    for session, requests in sessions["served"].items():
        upstreams = {upstream for _, _, upstream in requests}
        assert len(upstreams) == 1 and upstreams <= replicas, (
            f"session {session} was served by {upstreams}: {requests}"
        )
        sockets = [r for r in requests if r[0].startswith("GET /_stcore/stream")]
        assert len(sockets) >= 2, (
            f"session {session}: expected its websocket before and after the reload, got {requests}"
        )
        assert all(status == "101" for _, status, _ in sockets), (
            f"session {session}: websocket not upgraded: {sockets}"
        )


def test_replicas_both_get_sessions(sessions, deployment):
    used = {requests[0][2] for requests in sessions["served"].values()}
    assert used == {f"127.0.0.1:{port}" for port in deployment.replica_ports}, (
        f"sessions went only to {used}"
    )


def test_replicas_training_ends_in_every_session(sessions):
    assert [s.endswith("status: done") for s in sessions["statuses"]] == [True] * SESSIONS, (
        sessions["statuses"]
    )
    assert all(s.startswith("Epoch 30/30") for s in sessions["statuses"]), sessions["statuses"]


def test_replicas_training_runs_on_ray_not_in_the_replica(sessions):
    if why := _why_not_on_ray():
        pytest.skip(why)
    actors = sessions["actors"]
    assert actors, "no Ray job actor ran under the Ray head while the sessions trained"
    assert not sessions["actors_in_replicas"], (
        f"job actors ran inside a replica: {sessions['actors_in_replicas']}"
    )
    assert len(actors) >= 2, (
        f"expected the {SESSIONS} jobs to spread over Ray's 2 CPUs, saw {actors}"
    )

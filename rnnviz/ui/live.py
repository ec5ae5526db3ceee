"""Live training in a page (ARCHITECTURE.md: where training runs).

- One job per run, kept in st.session_state, submitted to the server's executor (st.cache_resource,
  created at server start by app.py): by default a pool of warm worker processes, one per core this
  server may use, so training never runs in the web process (rnnviz.workers). Jobs beyond the pool
  queue; a waiting user sees how many runs are ahead. RNNVIZ_EXECUTOR=thread trains in threads here.
- Heavy views (`run_view`) are computed where training runs, not in the web process.
- The Stop button lives outside any fragment and only sets the job's stop Event.
- `live_view` draws the progress inside an st.fragment that reruns about once a second while
  the job runs. When the job ends the fragment asks for one full rerun so the whole page updates.
- A bug inside a fragment is reported as on the page (state.bugs_reported), not as a traceback.
- A job belongs to the session, not to its page: `session_heartbeat`, drawn by app.py at the top
  of the sidebar on every page (after the page, so that it holds a run Train just started),
  heartbeats every running job of the session that the page did not draw a live view for (and says
  where each trains), so a student can look at another page while a job trains. A job whose live
  view is on the page is kept alive by that view's own reruns: one timer per tab, not two. A closed
  tab runs no fragment: its jobs hear nothing for Limits.heartbeat_seconds and stop themselves.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence

import streamlit as st
import torch

from ..executors import Executor, JobHandle, JobSpec, executor_from_env
from ..limits import Limits
from ..models import SequenceModel
from ..train import TrainConfig, TrainData
from ..workers import WorkerLost
from . import state
from .i18n import t, translate

__all__ = [
    "warm_up",
    "limits",
    "at_most",
    "executor",
    "start_job",
    "run_view",
    "run_view_shared",
    "stop_button",
    "run_controls",
    "train_pressed",
    "train_and_show",
    "live_view",
    "status_line",
    "session_jobs",
    "session_heartbeat",
    "REFRESH_SECONDS",
    "HEARTBEAT_SECONDS",
]

REFRESH_SECONDS = 1.0
HEARTBEAT_SECONDS = 2.0  # the session-wide heartbeat's period while a job of the session trains
LIVE_VIEWS = "_live_view_jobs"  # session key: ids of the jobs this full run drew a live view for
VIEW_WAIT_SECONDS = 120.0  # how long a session waits for another's run_view_shared of the same key
SWITCH_INTERVAL = 0.0005  # seconds: the server's GIL switch interval (see warm_up)
FIRST_EPOCH_WAIT = (
    0.8  # seconds a live view's first drawing waits for epoch 1 (it sleeps, holding no GIL)
)


@st.cache_resource
def warm_up() -> bool:
    """Once per server process: the first optimizer torch builds imports its compiler stack
    (torch._dynamo, sympy: seconds of imports). Done here at start, not inside the first user's
    job, where busy sessions starving the import lock froze every job for minutes."""
    torch.optim.Adam([torch.zeros(1, requires_grad=True)])
    # Every session's script runs in a thread of this one interpreter. A thread that waits for the
    # GIL asks for it after the switch interval, and with 30 sessions busy the server's network
    # thread (health checks, websocket messages) waited its turn among them: p99 836 ms in a
    # simulated class at the default 5 ms. At 0.5 ms its waits are ten times shorter.
    sys.setswitchinterval(SWITCH_INTERVAL)
    _log_to_stderr()
    return True


def _log_to_stderr() -> None:
    """The server's console gets rnnviz's log (a line per ended job, at INFO; RNNVIZ_LOG_LEVEL
    changes it), timestamped like Streamlit's own lines."""
    logger = logging.getLogger("rnnviz")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(
            logging.Formatter(
                "%(asctime)s.%(msecs)03d %(name)s %(levelname)s: %(message)s", "%Y-%m-%d %H:%M:%S"
            )
        )
        logger.addHandler(handler)
        level = os.environ.get("RNNVIZ_LOG_LEVEL", "INFO").upper()
        logger.setLevel(logging.getLevelNamesMapping().get(level, logging.INFO))


@st.cache_resource
def limits() -> Limits:
    return Limits.from_env()


@st.cache_resource
def executor() -> Executor:
    """One executor for the whole server process, shared by every session: RNNVIZ_EXECUTOR, else Ray
    when RAY_ADDRESS is set, else worker processes (Limits.max_jobs of them; 0 = one per usable
    core), started warm when it is made."""
    return executor_from_env(limits().max_jobs or None)


def start_job(model: SequenceModel, data: TrainData, config: TrainConfig) -> JobHandle:
    lim = limits()
    config.heartbeat_timeout = float(lim.heartbeat_seconds)
    config.max_seconds = float(lim.job_seconds)
    config.snapshots, config.snapshot_mb = lim.snapshots, lim.snapshot_mb
    return executor().submit(JobSpec(model, data, config))


def run_view(fn: Callable, *args):
    """fn(*args) where training runs (a worker process by default), so a heavy view never stalls the
    web process; inline with an executor that has no workers of its own. A view that runs out of
    time or memory there is said in words and gives None."""
    runner = getattr(executor(), "run_view", None)
    if runner is None:
        return fn(*args)
    try:
        return runner(fn, *args)
    except (TimeoutError, WorkerLost) as e:
        state.show_error(t("This view could not be computed on this server: {problem}", problem=e))
        return None


@st.cache_resource
def _shared_views(kind: str) -> dict:
    """The server's store of shared results of one kind: each kind keeps its own SHARED_VIEWS, so
    that many cheap results (forecasts by epoch) never push out a costly one (a baseline ladder)."""
    return {"lock": threading.Lock(), "results": OrderedDict(), "computing": {}}


SHARED_VIEWS = 16  # results run_view_shared keeps for the whole server


def run_view_shared(key: Hashable, fn: Callable, *args):
    """run_view, its result kept for every session of this server under `key`, and computed once
    when several sessions ask at the same time (a class training the same preset). Only for views of
    the bundled public samples, keyed by everything the result depends on: no cache shared by
    sessions holds a user's file."""
    return shared_result(key, lambda: run_view(fn, *args))


def shared_result(key: Hashable, compute: Callable[[], object], kind: str = "views"):
    """compute(), its result kept for every session of this server under `key` (the last
    SHARED_VIEWS of its `kind`), and computed once when several sessions ask at the same time: the
    others wait for it, up to VIEW_WAIT_SECONDS. The same rule as run_view_shared's: only for the
    bundled public samples, keyed by everything the result depends on; a result is never changed
    by its readers."""
    store = _shared_views(kind)
    while True:
        with store["lock"]:
            if key in store["results"]:
                store["results"].move_to_end(key)
                return store["results"][key]
            computing = store["computing"].get(key)
            if computing is None:
                computing = store["computing"][key] = threading.Event()
                break
        computing.wait(VIEW_WAIT_SECONDS)  # another session computes it: wait, then read it
        with store["lock"]:
            if key not in store["results"]:  # it failed or took too long there: compute it here
                store["computing"].pop(key, None)
    try:
        result = compute()
        if result is not None:
            with store["lock"]:
                store["results"][key] = result
                while len(store["results"]) > SHARED_VIEWS:
                    store["results"].popitem(last=False)
        return result
    finally:
        with store["lock"]:
            store["computing"].pop(key, None)
        computing.set()


def _as_list(jobs) -> list[JobHandle]:
    if jobs is None:
        return []
    return list(jobs) if isinstance(jobs, (list, tuple)) else [jobs]


def at_most(default, options):
    """`default` if it is one of `options`, else the largest option under it (a server's limits can
    remove the usual default from a widget's choices)."""
    below = [o for o in options if o <= default]
    return default if default in options else (max(below) if below else options[0])


def stop_button(jobs: JobHandle | Sequence[JobHandle] | None, key: str) -> None:
    """Stop, outside any fragment: it only sets the jobs' Events, each loop stops within one
    batch."""
    running = [j for j in _as_list(jobs) if j.running]
    if running:
        st.button(
            t("Stop"),
            key=key,
            on_click=lambda: [j.stop() for j in running],
            type="secondary",
            icon="⏹",
        )


def train_pressed(page: str, prefix: str) -> bool:
    """Whether this script run comes from a press of the page's Train button (read before the
    button is drawn) while none of the page's jobs trains."""
    running = any(j.running for j in state.run_jobs(state.get_run(page)))
    return st.session_state.get(f"{prefix}_train") is True and not running


def run_controls(page: str, prefix: str, can_train: bool = True) -> dict | None:
    """The Train / Stop / Pause (or Step one epoch and Resume) / Reset row every lesson page shows,
    for the page's run, which it returns. Train is read by train_pressed; Pause, Step and Resume
    act on every running job of the run, like Stop, and rerun the page; Reset removes the run
    (stopping its jobs) and reruns it."""
    run = state.get_run(page)
    jobs = state.run_jobs(run)
    running = [j for j in jobs if j.running]
    paused = any(j.pause_asked for j in running)
    # one row, each button as wide as its label (fixed columns cut "Train" to "▶ T" at 800 px with
    # the sidebar open)
    with st.container(horizontal=True, gap="small"):
        st.button(
            t("Train"),
            type="primary",
            key=f"{prefix}_train",
            icon="▶",
            disabled=not can_train or bool(running),
        )
        stop_button(jobs, f"{prefix}_stop")
        if running:
            _pause_buttons(running, paused, prefix)
        reset = run is not None and st.button(
            t("Reset"), key=f"{prefix}_reset", help=t("Forget the trained model and its curves.")
        )
    if paused:
        st.caption(t("Paused: training waits after the epoch it was in. Nothing is lost."))
    if reset:
        state.clear_run(page)
        st.rerun()
    return run


def _pause_buttons(running: list[JobHandle], paused: bool, prefix: str) -> None:
    """Pause while the jobs train; Step one epoch and Resume while they are paused."""

    def each(action: str) -> Callable[[], None]:
        return lambda: [getattr(j, action)() for j in running]

    if not paused:
        st.button(t("Pause"), key=f"{prefix}_pause", on_click=each("pause"), icon="⏸")
        return
    st.button(
        t("Step one epoch"),
        key=f"{prefix}_step",
        on_click=each("step"),
        icon="⏭",
        help=t("Train exactly one more epoch, then pause again."),
    )
    st.button(t("Resume"), key=f"{prefix}_resume", on_click=each("resume"), icon="▶")


def train_and_show(
    page: str,
    prefix: str,
    settings,
    start: Callable[[object], state.Run | None],
    show: Callable[[state.Run], None],
    idle: str,
    source: str | None = None,
    controls=None,
    keep: Callable[[state.Run | None], None] | None = None,
) -> state.Run | None:
    """The flow every lesson shares, after its settings: the Train / Stop / Reset row; Train makes
    a new run with `start(settings)` (None: it said what was wrong, the last run stays) and shows
    it in the same script run; then `show(run)` draws the run's views, live while it trains.
    `idle`: what the page says before its first run. `settings` is None while the page cannot
    train (no data). `controls`: a container drawn earlier on the page to put the buttons in (a
    page with many settings keeps Train above the fold; they still act on the settings drawn
    below them).
    `keep(run)`: keeps the run once it has ended and shows the runs kept so far
    (rnnviz.ui.views.kept.keeper). Returns the run shown."""
    # 1. Train pressed: the new run replaces the last one before the buttons are drawn, so that
    # this same script run draws them for it (Stop shown, Train disabled); drawing the whole page
    # again for that (st.rerun) cost every press a second page run. Then the buttons.
    buttons = controls if controls is not None else st.container()  # above what start says
    if settings is not None and train_pressed(page, prefix):
        new = start(settings)
        if new is not None:
            state.set_run(page, new)
    with buttons:
        run = run_controls(page, prefix, can_train=settings is not None)
    # 2. the runs kept so far, this one too once it has ended (with Reset pressed, still there)
    if keep is not None:
        keep(run)
    if run is None:
        st.info(idle)
        return None
    # 3. a run started with other settings, or on other data, says so
    if settings is not None and (settings != run.settings or source != run.source):
        st.caption(
            t(
                "The settings above changed since this run; press Train to use them. The results "
                "below are from the run as it was started."
            )
        )
    # 4. its views
    show(run)
    return run


def status_line(job: JobHandle) -> None:
    """Progress bar with epoch and ETA while running; the ending in words after."""
    total = job.config.epochs
    done = job.epochs_done
    status = "paused" if job.paused else job.status
    if status == "queued":
        ahead = job.queue_position
        if ahead == 0:  # next in line: a worker is being started or handed this run
            st.info(t("Starting: a training worker is taking this run."), icon="⏳")
            return
        st.info(
            t(
                "The server is busy: {ahead} run(s) ahead of you. Training starts by itself when "
                "a place frees up.",
                ahead=ahead,
            ),
            icon="⏳",
        )
        return
    eta = job.eta_seconds
    eta_text = (
        t(" · about {eta} s left", eta=f"{eta:.0f}")
        if eta is not None and status == "running"
        else ""
    )
    st.progress(
        min(done / total, 1.0),
        text=t("Epoch {done}/{total}", done=done, total=total)
        + eta_text
        + t(" · status: {status}", status=translate(status)),
    )
    if status == "diverged":
        st.warning(job.message, icon="📈")
    elif status == "failed":
        st.error(job.message, icon="⚠️")
    elif status == "stopped":
        st.info(job.message, icon="⏹")


def _held_at(jobs: list[JobHandle]) -> tuple:
    """Each job's held epoch while it is paused, else None: what a page drew its views for."""
    return tuple(j.epochs_done if j.paused else None for j in jobs)


def live_view(job: JobHandle | Sequence[JobHandle], render: Callable) -> None:
    """Draw `render(job)` now, and again about every second while the job runs. Given a list of
    jobs, `render` receives the list and the view refreshes until all of them have ended. When
    they end, or a job is paused, stepped or resumed, the whole page is drawn again once (a paused
    run shows its insides and the epoch slider, views/scrub.py)."""
    jobs = _as_list(job)
    running = any(j.running for j in jobs)
    drawn = _held_at(jobs)
    if running:  # this view's reruns are their heartbeat (session_heartbeat leaves them out)
        st.session_state.setdefault(LIVE_VIEWS, set()).update(id(j) for j in jobs)

    def _changed() -> bool:
        return running and (not any(j.running for j in jobs) or _held_at(jobs) != drawn)

    @st.fragment(run_every=REFRESH_SECONDS if running else None)
    def _live():
        with state.bugs_reported():  # a fragment reruns alone, outside the page's own guard
            _draw()

    def _draw():
        for j in jobs:
            j.heartbeat()
        if all(j.status == "queued" for j in jobs):
            # waiting for a slot: only the queue changes, so draw only it. With a class queued
            # behind a busy pool, charts redrawn every second for every waiting session kept the
            # server's interpreter busy and slowed every other session's page.
            status_line(jobs[0])
            return
        # ended, or held at another epoch: the whole page is drawn again at once, these views with
        # it (drawn here first as well, the ended views were built twice); and again after
        # drawing them, for a job that ended meanwhile
        if _changed():
            st.rerun()
        if all(j.epochs_done == 0 for j in jobs) and any(j.status == "running" for j in jobs):
            # just started: draw the first point now, not a second later (a queued job is not waited
            # for: a fragment that never finishes its run keeps the page from settling)
            next(j for j in jobs if j.status == "running").wait_for_first_epoch(FIRST_EPOCH_WAIT)
        render(job)
        if _changed():
            st.rerun()

    _live()


def session_jobs() -> dict[str, list[JobHandle]]:
    """The session's queued or running jobs, by the page whose run holds them (keys
    "run:<page>")."""
    found = {}
    for key in list(st.session_state.keys()):
        if isinstance(key, str) and key.startswith("run:"):
            jobs = [j for j in state.run_jobs(st.session_state[key]) if j.running]
            if jobs:
                found[key.removeprefix("run:")] = jobs
    return found


def session_heartbeat(pages: Sequence = ()) -> None:
    """Keep every job of this session alive from whichever page is open, with a line per training
    page ("Training on Forecast: epoch 5/30") that links to it. `pages`: the app's st.Page objects.

    A fragment that reruns every HEARTBEAT_SECONDS while a job of the session is queued or running;
    each rerun is their heartbeat. Jobs the page drew a live view for in this script run are left
    out: that view reruns every second and beats them, and the page shows their progress. With no
    other job it draws nothing and has no timer, so an idle session, or one that watches its run on
    its page, costs nothing here; when the last job ends it asks for one full rerun, which drops the
    timer. Called once per full script run, after the page.
    """
    links = {p.url_path.replace("-", "_"): p for p in pages}
    on_the_page = st.session_state.pop(LIVE_VIEWS, set())  # the next full run draws them anew

    def elsewhere() -> dict[str, list[JobHandle]]:
        return {
            page: jobs
            for page, jobs in session_jobs().items()
            if not all(id(j) in on_the_page for j in jobs)
        }

    watching = bool(elsewhere())

    @st.fragment(run_every=HEARTBEAT_SECONDS if watching else None)
    def _heartbeat():
        with state.bugs_reported():  # a fragment reruns alone, outside the page's own guard
            _beat()

    def _beat():
        jobs = elsewhere()
        for page, page_jobs in jobs.items():
            for job in page_jobs:
                job.heartbeat()
            _where_it_trains(page, page_jobs, links.get(page))
        if watching and not jobs:
            st.rerun()  # the last job just ended: redraw without the timer

    _heartbeat()


def _where_it_trains(page: str, jobs: list[JobHandle], link) -> None:
    job = min(jobs, key=lambda j: j.epochs_done)  # several jobs (Compare): the one furthest behind
    title = link.title if link is not None else page
    if job.status == "queued":
        ahead = job.queue_position
        text = (
            t("Waiting on {page}: {ahead} run(s) ahead", page=title, ahead=ahead)
            if ahead
            else t("Starting on {page}", page=title)
        )
    else:
        text = t(
            "Training on {page}: epoch {done}/{total}",
            page=title,
            done=job.epochs_done,
            total=job.config.epochs,
        )
    if link is not None:  # the page's name as the link, the sentence below it: a link's label is
        # one line, and at the sidebar's width "epoch 1/2000" was cut to "epoch 1/2"
        st.page_link(link, label=title, icon="⏳")
    st.caption(text)

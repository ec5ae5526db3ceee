"""Training state tells the truth in the app (issue 12, point 7), under streamlit's AppTest: a job
belongs to the session, not to its page, and a run that diverged says so.

The session-wide heartbeat is a fragment in the shared sidebar. A fragment's run_every never fires
in AppTest, so "the tab is open" is simulated by calling at.run() again and again (each full run
draws the fragment, which is the heartbeat), and "the tab was closed" by no longer calling it.
The server's heartbeat limit is made short through its environment variable.
"""

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from rnnviz.ui import live

APP = str(Path(__file__).resolve().parents[1] / "app.py")
HEARTBEAT = 3  # seconds without a heartbeat before a job stops itself, in these tests


@pytest.fixture
def short_heartbeat(monkeypatch):
    monkeypatch.setenv("RNNVIZ_HEARTBEAT_SECONDS", str(HEARTBEAT))
    live.limits.clear()  # Limits are read from the environment once per process (st.cache_resource)
    yield
    live.limits.clear()


def _start_a_long_forecast(heartbeat: float | None = HEARTBEAT) -> tuple[AppTest, object]:
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.switch_page("app_pages/forecast.py").run()
    at.number_input(key="fc_window").set_value(5)
    at.select_slider(key="fc_hidden_size").set_value(4)
    at.number_input(key="fc_epochs").set_value(2000)
    at.run()
    at.button(key="fc_train").click().run()
    assert not at.exception, at.exception
    job = at.session_state["run:forecast"].job
    if heartbeat is not None:
        assert job.config.heartbeat_timeout == heartbeat
    return at, job


def test_session_heartbeat_keeps_a_job_alive_on_another_page_and_a_closed_tab_still_ends_it(
    short_heartbeat,
):
    at, job = _start_a_long_forecast()
    try:
        at.switch_page("app_pages/home.py").run()
        assert not at.exception, at.exception
        # 1. the tab stays open on Home for more than twice the heartbeat limit after the job
        # starts training (on a loaded machine it may wait for a worker first): it trains on
        deadline = time.monotonic() + 120
        while job.epochs_done == 0 and time.monotonic() < deadline:
            at.run()
            assert job.running, f"the job ended while it waited: {job.status}: {job.message}"
            time.sleep(0.3)
        deadline = time.monotonic() + 2.5 * HEARTBEAT
        while time.monotonic() < deadline:
            at.run()
            assert job.running, (
                f"the job ended while its session was on Home: {job.status}: {job.message}"
            )
            time.sleep(0.3)
        assert not at.exception, at.exception
        assert [link.value for link in at.sidebar.get("page_link")] == ["Forecast"]
        lines = [c.value for c in at.sidebar.caption]
        assert any(
            v.startswith("Training on Forecast: epoch ") and v.endswith("/2000") for v in lines
        ), lines
        assert job.epochs_done > 0
        # 2. the tab is closed (nothing runs the app any more): the job stops itself
        job.join(HEARTBEAT + 10)
        assert job.status == "stopped", (job.status, job.message)
        assert f"nobody was watching for {HEARTBEAT:g} s" in job.message
    finally:
        job.stop()
        job.join(10)


def test_the_press_that_starts_a_run_draws_its_buttons_and_leaves_the_sidebar_to_other_pages(
    short_heartbeat,
):
    """The press's own script run (no second page run) draws the page's buttons for the new run.
    The page shows the run's progress, and its live view is the run's heartbeat, so the sidebar
    has no line for it there; on another page the sidebar lists it, with the link back."""
    at, job = _start_a_long_forecast()
    try:
        assert at.button(key="fc_train").disabled  # the page's buttons are for the new run
        assert [b for b in at.button if b.key == "fc_stop"], "no Stop button"
        assert [link.value for link in at.sidebar.get("page_link")] == []
        assert not [c.value for c in at.sidebar.caption if "on Forecast" in c.value]
        assert live.LIVE_VIEWS not in at.session_state, "not cleared for the next full run"
        at.switch_page("app_pages/home.py").run()
        assert [link.value for link in at.sidebar.get("page_link")] == ["Forecast"]
        lines = [c.value for c in at.sidebar.caption]
        assert any(
            v.startswith(("Training on Forecast", "Waiting on", "Starting on")) for v in lines
        ), lines
        at.switch_page("app_pages/forecast.py").run()
        assert [link.value for link in at.sidebar.get("page_link")] == []
        assert job.running, (job.status, job.message)
    finally:
        job.stop()
        job.join(10)


def test_session_heartbeat_line_goes_when_the_job_ends(short_heartbeat):
    at, job = _start_a_long_forecast()
    at.switch_page("app_pages/home.py").run()
    assert [link.value for link in at.sidebar.get("page_link")], "no line for the running job"
    job.stop()
    job.join(10)
    at.run()
    assert not at.exception, at.exception
    assert [link.value for link in at.sidebar.get("page_link")] == []


def test_forecast_page_says_a_runaway_learning_rate_diverged():
    """SGD at lr 10 on an RNN with ReLU: the loss stays finite, yet the page must not say "done"."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.switch_page("app_pages/forecast.py").run()
    at.radio(key="fc_source").set_value("US employment, monthly 2006-2015 (BLS)").run()
    at.selectbox(key="fc_cell").set_value("rnn").run()
    at.selectbox(key="fc_nonlinearity").set_value("relu")
    at.selectbox(key="fc_optimizer").set_value("sgd")
    at.select_slider(key="fc_lr").set_value(10.0)
    at.run()
    at.button(key="fc_train").click().run()
    job = at.session_state["run:forecast"].job
    job.join(60)
    at.run()
    assert not at.exception, at.exception
    assert job.status == "diverged", (job.status, job.message)
    warnings = [w.value for w in at.warning]
    assert any(
        w.startswith("Training diverged: ") and "Lower the learning rate (it is 10)" in w
        for w in warnings
    ), warnings
    assert any("status: diverged" in p.proto.text for p in at.get("progress")), (
        "the progress line says another status"
    )


def test_a_queued_run_shows_only_its_place_in_the_queue():
    """Every slot of the pool busy: the next session's run waits, and its page says how many runs
    are ahead, with no charts (nothing but the queue changes while it waits; charts redrawn every
    second for every waiting student kept the server's interpreter busy)."""
    slots = getattr(live.executor(), "slots", None)
    if slots is None:
        pytest.skip("the executor in use has no fixed pool")
    sessions = [_start_a_long_forecast(heartbeat=None) for _ in range(slots)]
    try:
        for _, job in sessions:  # the pool is taken only once each job runs in its worker
            deadline = time.monotonic() + 60
            while job.status == "queued" and time.monotonic() < deadline:
                time.sleep(0.1)
            assert job.status == "running", (job.status, job.message)
        at, waiting = _start_a_long_forecast(heartbeat=None)
        sessions.append((at, waiting))
        assert waiting.status == "queued", waiting.status
        at.run()
        assert not at.exception, at.exception
        assert [i.value for i in at.info] == [
            "The server is busy: 1 run(s) ahead of you. Training starts by itself when a place "
            "frees up."
        ]
        run_charts = {"fc_loss_chart", "fc_forecast_chart"}
        assert not run_charts & {getattr(c, "key", None) for c in at.get("plotly_chart")}
        sessions[0][
            1
        ].stop()  # a place frees up: the waiting run starts by itself and draws its progress
        deadline = time.monotonic() + 60
        while waiting.epochs_done == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        at.run()
        assert waiting.status == "running", (waiting.status, waiting.message)
        assert not at.info
        assert run_charts <= {getattr(c, "key", None) for c in at.get("plotly_chart")}
    finally:
        for _, job in sessions:
            job.stop()
        for _, job in sessions:
            job.join(10)

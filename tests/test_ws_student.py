"""bench/ws_student.py: the protocol-level student that table 9's class uses instead of Chromium.

The widget states it keeps are checked against hand-built element protos (what the frontend would
send for each); the load test (marked `load`) runs one student against the real server on the
Forecast preset and checks that the run ended done and trained in a worker process, not in the
server."""

import asyncio
import re
from pathlib import Path

import pytest
from streamlit.proto.Button_pb2 import Button
from streamlit.proto.Checkbox_pb2 import Checkbox
from streamlit.proto.MultiSelect_pb2 import MultiSelect
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.Progress_pb2 import Progress
from streamlit.proto.Radio_pb2 import Radio
from streamlit.proto.Selectbox_pb2 import Selectbox
from streamlit.proto.Slider_pb2 import Slider

from bench.class_bench import ENDED, preset_query
from bench.ws_student import WsStudent, element_text, widget_state
from rnnviz.ui import live
from tests.browser.conftest import start_server

ROOT = Path(__file__).resolve().parents[1]


class TestWidgetState:
    def test_number_input_takes_the_value_the_server_set(self):
        el = NumberInput(id="w", default=20, value=14, set_value=True, data_type=NumberInput.INT)
        ws = widget_state("number_input", el)
        assert ws.WhichOneof("value") == "int_value" and ws.int_value == 14, ws

    def test_number_input_without_a_set_value_starts_at_its_default(self):
        el = NumberInput(id="w", default=0.5, value=3.0, data_type=NumberInput.FLOAT)
        ws = widget_state("number_input", el)
        assert ws.WhichOneof("value") == "double_value" and ws.double_value == 0.5, ws

    def test_select_slider_sends_the_option_texts(self):
        el = Slider(id="w", default=[3], options=["2", "4", "8", "16", "32"])
        ws = widget_state("slider", el)
        assert list(ws.string_array_value.data) == ["16"], ws

    def test_slider_sends_its_numbers(self):
        el = Slider(id="w", default=[70])
        assert list(widget_state("slider", el).double_array_value.data) == [70.0]

    def test_radio_and_selectbox_send_the_option_text(self):
        radio = Radio(id="r", default=1, options=["last", "flatten"])
        assert widget_state("radio", radio).string_value == "flatten"
        box = Selectbox(id="s", default=0, options=["LSTM", "GRU"], raw_value="GRU", set_value=True)
        assert widget_state("selectbox", box).string_value == "GRU"

    def test_multiselect_and_checkbox(self):
        multi = MultiSelect(id="m", default=[1, 2], options=["a", "b", "c"])
        assert list(widget_state("multiselect", multi).string_array_value.data) == ["b", "c"]
        assert widget_state("checkbox", Checkbox(id="c", default=True)).bool_value is True

    def test_a_button_has_no_state_until_pressed(self):
        assert widget_state("button", Button(id="b", label="Train")) is None

    def test_element_text_reads_a_progress_bars_text(self):
        text = element_text(Progress(value=100, text="Epoch 3/3 · status: done"))
        assert ENDED.search(text)[1] == "done", text


def _parent(pid: int) -> int | None:
    """The parent process of `pid` (None if it has ended)."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return None


JOB_DONE = re.compile(r"rnnviz\.jobs INFO: job \d+ (\w+): (\d+) epochs, .*\(worker (\d+);")


@pytest.mark.load
def test_one_protocol_student_trains_the_forecast_preset_in_a_worker():
    (ROOT / "test-artifacts").mkdir(exist_ok=True)  # start_server logs the server there
    proc, url = start_server()

    async def student() -> tuple[str, int]:
        s = WsStudent(url, "forecast", preset_query(epochs=3))
        try:
            await s.open(timeout=120)
            await s.press(r"\bTrain$")
            ended = await s.until(ENDED, timeout=240)  # the first run also starts the pool
            # as a tab stays open: the ended page is drawn in full, its insides too
            await s.until_settled(ENDED, timeout=120)
            assert any("Inside the model" in text for text in s.texts.values()), s.texts
            return ended, s.auto_reruns_sent
        finally:
            await s.close()

    log_path = ROOT / "test-artifacts" / f"server-{url.rsplit(':', 1)[1]}.log"
    try:
        ended, auto_reruns = asyncio.run(student())
        jobs = JOB_DONE.findall(log_path.read_text())
        # the worker that trained it: a process the server started, still in its pool
        parent = [_parent(int(worker)) for _, _, worker in jobs]
    finally:
        proc.terminate()
        proc.wait(20)
    assert ended == "status: done", ended
    assert [(status, epochs) for status, epochs, _ in jobs] == [("done", "3")], log_path.read_text()
    worker = int(jobs[0][2])
    assert worker != proc.pid, f"the job trained in the server process ({proc.pid})"
    assert parent == [proc.pid], f"worker {worker}'s parent is {parent}, not the server {proc.pid}"
    # the live view's fragment asked for its reruns (the browser's timer, here the student's)
    assert auto_reruns >= 1, auto_reruns


@pytest.mark.load
def test_a_tab_watching_its_run_on_its_page_runs_one_timer():
    """While a run trains on the page that shows it, the tab reruns one fragment: the live view,
    which is also the run's heartbeat. The sidebar's session heartbeat (every 2 s) is only for
    runs the page does not show; a second timer cost a class a third of its reruns."""
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    proc, url = start_server({"RNNVIZ_HEARTBEAT_SECONDS": "3"})  # a job unheard for 3 s stops

    async def student() -> tuple[list, list, list]:
        s = WsStudent(url, "forecast", preset_query(epochs=2000))
        try:
            await s.open(timeout=120)
            await s.press(r"\bTrain$")
            await s.until(re.compile(r"Epoch [1-9]\d*/2000"), timeout=240)
            await asyncio.sleep(
                8
            )  # more than twice the limit: the live view's reruns keep it alive
            timers = s.timers
            alive = [t for t in s.texts.values() if ENDED.search(t) or "status: running" in t]
            sidebar_lines = [t for t in s.texts.values() if t.startswith("Training on")]
            return timers, sidebar_lines, alive
        finally:
            await s.close()

    try:
        timers, sidebar_lines, alive = asyncio.run(student())
    finally:
        proc.terminate()
        proc.wait(20)
    assert timers == [live.REFRESH_SECONDS], timers
    assert sidebar_lines == [], sidebar_lines
    assert len(alive) == 1 and "status: running" in alive[0], alive

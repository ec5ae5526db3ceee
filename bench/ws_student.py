"""A student without a browser: Streamlit's own websocket protocol, spoken to the real server.

`WsStudent` opens a page of the app the way Streamlit's frontend does (streamlit 1.67,
static/js/index.*.js: `sendRerunBackMsg`, `handleAutoRerun`, the WidgetStateManager), so that a
class of 30 can be simulated on the machine that serves it without 30 Chromium renderers:

1. It connects to ws://HOST/_stcore/stream with the subprotocol "streamlit" and the page's Origin,
   and asks for a run: BackMsg.rerun_script with the link's query string, the page's url path as
   page_name (no page hash yet), no widget states, and a context (time zone, locale, url).
2. It reads every ForwardMsg. navigation gives the page's script hash (with st.navigation,
   new_session's is app.py's); new_session of a full run ends every fragment timer;
   page_info_changed gives the query string the browser's address bar would now show; each widget
   element (delta.new_element with an `id`) sets that widget's state as the frontend would on
   drawing it: its default, or the value the server set (`set_value`), and a widget it already
   has keeps its value; a full run that finishes drops the states of widgets it did not draw.
3. Every later rerun sends the current page hash, query string and the states of all widgets seen,
   like the browser. Pressing a button adds that button's `trigger_value` once.
4. st.fragment(run_every=...) is driven by the client, not the server: ForwardMsg.auto_rerun asks it
   to rerun the fragment every `interval` seconds (rerun_script with fragment_id and is_auto_rerun),
   stop_auto_rerun ends that. The live view and the session heartbeat use it: without these reruns
   a job hears no heartbeat and stops itself.
5. The connection stays open the whole time: as a browser, it answers the server's pings
   (`websockets` does) and sends none of its own, whose pong a busy server could answer too late.

What it leaves out: uploads (file_uploader), components, the forward-message cache (it says it has
no message cached, so the server sends each in full: a browser would get some as references), and
typing into widgets: every widget keeps the value the page drew.

    student = WsStudent("http://127.0.0.1:8501", "forecast", "epochs=3&...")
    await student.open()           # the page is drawn and has a Train button
    await student.press(r"\\bTrain$")
    status = await student.until(re.compile(r"status: (done|stopped|failed|diverged)"))
    await student.close()
"""

from __future__ import annotations

import asyncio
import re
import time

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect

__all__ = ["WsStudent", "widget_state", "element_text"]

FINISHED = ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY
# elements whose strings are a chart's spec, not words on the page (megabytes, read by nobody)
CHARTS = {"plotly_chart", "vega_lite_chart", "deck_gl_json_chart", "graphviz_chart", "bokeh_chart"}


def _set_or_default(el, value_field: str = "value"):
    """The value the frontend starts a widget with: the server's, if it set one, else the
    default (None if the widget has neither)."""
    if el.set_value and (not _optional(el, value_field) or el.HasField(value_field)):
        return getattr(el, value_field)
    if _optional(el, "default") and not el.HasField("default"):
        return None
    return el.default


def _optional(el, field: str) -> bool:
    """Whether `field` of the message tracks presence (proto3 `optional`)."""
    return el.DESCRIPTOR.fields_by_name[field].has_presence


def _option_strings(el, indices) -> list[str]:
    return [el.options[int(i)] for i in indices if 0 <= int(i) < len(el.options)]


def widget_state(kind: str, el) -> WidgetState | None:
    """The state the browser keeps for a widget element `el` of type `kind` once it is drawn,
    as the server's deserialisers read it (value_type in streamlit/elements/widgets/*.py); None
    for a widget that has none until the user acts (buttons, uploads)."""
    ws = WidgetState(id=el.id)
    if kind == "checkbox":
        ws.bool_value = bool(_set_or_default(el))
    elif kind == "number_input":
        value = _set_or_default(el)
        if value is None:
            return None
        if el.data_type == NumberInput.INT:
            ws.int_value = int(value)
        else:
            ws.double_value = float(value)
    elif kind in ("radio", "selectbox"):  # the option's text (raw_value) once the server set it
        if el.set_value and el.HasField("raw_value"):
            ws.string_value = el.raw_value
        elif el.HasField("default") and 0 <= el.default < len(el.options):
            ws.string_value = el.options[el.default]
        else:
            return None
    elif kind == "multiselect":
        chosen = el.raw_values if el.set_value else _option_strings(el, el.default)
        ws.string_array_value.data[:] = list(chosen)
    elif kind == "slider" and len(el.options):  # st.select_slider: the options' texts
        chosen = el.raw_value if el.set_value else _option_strings(el, el.default)
        ws.string_array_value.data[:] = list(chosen)
    elif kind == "slider":
        ws.double_array_value.data[:] = list(el.value if el.set_value else el.default)
    elif kind in ("text_input", "text_area"):
        value = _set_or_default(el)
        if value is None:
            return None
        ws.string_value = value
    else:
        return None
    return ws


def element_text(el) -> str:
    """Every string in an element (a markdown body, a progress bar's text, an alert, a label),
    joined by newlines: what a person could read of it."""
    parts = []
    for field, value in el.ListFields():
        if field.type == field.TYPE_STRING:
            parts += list(value) if field.is_repeated else [value]
        elif field.type == field.TYPE_MESSAGE and not field.is_repeated:
            parts.append(element_text(value))
    return "\n".join(p for p in parts if p)


class WsStudent:
    """One browser tab of the app, as Streamlit's frontend speaks to the server (module docs).

    `url`: the server (http://host:port); `page`: the page's url path ("forecast");
    `query`: the link's query string, without "?". Times (`pressed`, `ended`) are
    time.perf_counter(); `pressed_wall` is time.time()."""

    def __init__(self, url: str, page: str, query: str = ""):
        self.url, self.page, self.query = url.rstrip("/"), page, query
        self.page_hash = ""
        self.widgets: dict[str, WidgetState] = {}  # by widget id
        self.buttons: dict[str, str] = {}  # label -> widget id
        self.texts: dict[tuple, str] = {}  # delta path -> the element's text
        self.written_since_press: set[tuple] = set()
        self.messages = 0  # ForwardMsgs read
        self.auto_reruns_sent = 0  # fragment reruns its timers asked for
        self.reruns_sent = 0  # every rerun_script: the page's, a button's, a fragment's
        self.full_runs_finished = 0
        self.full_run_finished_at = -1  # `messages` when the last full run finished
        self.written_at: dict[tuple, int] = {}  # delta path -> `messages` when it was drawn
        self.errors: list[str] = []  # exceptions drawn on the page
        self._drawn_this_run: set[str] = set()
        self._timers: dict[str, tuple[float, asyncio.Task]] = {}  # fragment id -> interval, task
        self._changed = asyncio.Condition()
        self._ws = None
        self._reader: asyncio.Task | None = None

    # 1. connect and ask for the page
    async def open(self, ready: str = r"\bTrain$", timeout: float = 120.0) -> None:
        """Connect, ask for the page, and wait until a full run has finished with a button whose
        label matches `ready` on the page."""
        host = self.url.split("://", 1)[1]
        self._ws = await connect(
            f"ws://{host}/_stcore/stream",
            subprotocols=["streamlit"],
            origin=self.url,
            max_size=None,  # a chart's spec can be megabytes
            open_timeout=timeout,
            # as a browser: no pings of its own (a busy server's late pong would close it), the
            # server's pings answered
            ping_interval=None,
        )
        self._reader = asyncio.create_task(self._read())
        await self._rerun(page_name=self.page)
        pattern = re.compile(ready)
        await self._wait(
            lambda: self.full_runs_finished and any(pattern.search(b) for b in self.buttons),
            timeout,
            f"a button matching {ready!r}",
        )

    async def press(self, label: str) -> dict:
        """Press the button whose label matches `label` (a regex), as a click does: one rerun
        with every widget's state and that button's trigger."""
        pattern = re.compile(label)
        found = [wid for text, wid in self.buttons.items() if pattern.search(text)]
        if not found:
            raise LookupError(f"no button matching {label!r} on the page: {sorted(self.buttons)}")
        self.written_since_press.clear()
        pressed = {"pressed": time.perf_counter(), "pressed_wall": time.time()}
        await self._rerun(trigger=found[0])
        return pressed

    async def until(self, pattern: re.Pattern, timeout: float = 900.0) -> str:
        """Wait until an element drawn since the last press shows text matching `pattern`;
        that text's first match."""
        found: list[str] = []

        def seen() -> bool:
            for path in self.written_since_press:
                m = pattern.search(self.texts.get(path, ""))
                if m:
                    found.append(m[0])
                    return True
            return False

        await self._wait(seen, timeout, f"text matching {pattern.pattern!r}")
        return found[0]

    async def until_settled(self, pattern: re.Pattern, timeout: float = 120.0) -> None:
        """Wait until a full run has finished after the element showing `pattern` was drawn: after a
        run ends, its live view asks the server for one full run that draws the ended page (the
        forecast, the insides, the downloads), and a browser keeps the tab open while it comes."""

        def settled() -> bool:
            drawn = [
                self.written_at[path]
                for path in self.written_since_press
                if pattern.search(self.texts.get(path, ""))
            ]
            return bool(drawn) and self.full_run_finished_at > max(drawn)

        await self._wait(settled, timeout, "a full run after the end was drawn")

    async def close(self) -> None:
        for _, task in self._timers.values():
            task.cancel()
        self._timers.clear()
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    # 2. what the browser sends
    async def _rerun(
        self, page_name: str = "", trigger: str | None = None, fragment_id: str = ""
    ) -> None:
        msg = BackMsg()
        rs = msg.rerun_script
        rs.query_string = self.query
        rs.page_script_hash = self.page_hash
        rs.page_name = "" if self.page_hash else page_name
        rs.fragment_id = fragment_id
        rs.is_auto_rerun = bool(fragment_id)
        rs.widget_states.widgets.extend(self.widgets.values())
        if trigger is not None:
            rs.widget_states.widgets.append(WidgetState(id=trigger, trigger_value=True))
        ctx = rs.context_info
        ctx.timezone, ctx.timezone_offset, ctx.locale = "UTC", 0, "en-US"
        ctx.url, ctx.is_embedded, ctx.color_scheme = f"{self.url}/{self.page}", False, "light"
        self.reruns_sent += 1
        await self._ws.send(msg.SerializeToString())

    async def _auto_rerun(self, fragment_id: str, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            self.auto_reruns_sent += 1
            await self._rerun(fragment_id=fragment_id)

    # 3. what the server sends
    async def _read(self) -> None:
        try:
            async for data in self._ws:
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self.messages += 1
                self._handle(msg)
                async with self._changed:
                    self._changed.notify_all()
        except Exception as e:  # the connection closed under us (or a bug here): the waits fail
            self.errors.append(f"connection: {e!r}")
        async with self._changed:
            self._changed.notify_all()

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            if not msg.metadata.run.fragment_ids:  # a full run: the browser drops every timer
                self._drawn_this_run.clear()
                for _, task in self._timers.values():
                    task.cancel()
                self._timers.clear()
        elif kind == "navigation":  # st.navigation: the page that ran (new_session names app.py)
            self.page_hash = msg.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self._element(tuple(msg.metadata.delta_path), msg.delta.new_element)
        elif kind == "auto_rerun":
            self._start_timer(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for fid in msg.stop_auto_rerun.fragment_ids:
                if fid in self._timers:
                    self._timers.pop(fid)[1].cancel()
        elif kind == "script_finished" and msg.script_finished == FINISHED:
            self.full_runs_finished += 1
            self.full_run_finished_at = self.messages
            self.widgets = {k: v for k, v in self.widgets.items() if k in self._drawn_this_run}

    @property
    def timers(self) -> list[float]:
        """The intervals of the fragment timers the page now runs (one per st.fragment with
        run_every that the last full run drew), as a browser tab would."""
        return sorted(interval for interval, _ in self._timers.values())

    def _start_timer(self, fragment_id: str, interval: float) -> None:
        if fragment_id in self._timers and self._timers[fragment_id][0] == interval:
            return  # as the browser: the same interval keeps its timer
        if fragment_id in self._timers:
            self._timers[fragment_id][1].cancel()
        task = asyncio.create_task(self._auto_rerun(fragment_id, interval))
        self._timers[fragment_id] = (interval, task)

    def _element(self, path: tuple, element) -> None:
        kind = element.WhichOneof("type")
        el = getattr(element, kind)
        self.texts[path] = "" if kind in CHARTS else element_text(el)
        self.written_at[path] = self.messages
        self.written_since_press.add(path)
        if kind == "exception":
            self.errors.append(self.texts[path][:300])
        widget_id = getattr(el, "id", "") if "id" in el.DESCRIPTOR.fields_by_name else ""
        if not widget_id.startswith("$$ID"):
            return
        self._drawn_this_run.add(widget_id)
        if kind == "button":
            self.buttons[el.label] = widget_id
        state = widget_state(kind, el)
        server_set = getattr(el, "set_value", False)
        if state is not None and (widget_id not in self.widgets or server_set):
            self.widgets[widget_id] = state

    async def _wait(self, ready, timeout: float, what: str) -> None:
        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: ready() or self._reader.done()), timeout
                )
            except TimeoutError:
                raise TimeoutError(f"{what} did not show within {timeout:.0f} s") from None
        if not ready():
            raise ConnectionError(f"the connection closed before {what} showed: {self.errors}")

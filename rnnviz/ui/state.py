"""Per-user state: every run lives in st.session_state, nothing at module level.

A "run" is what one press of Train made: its job(s), the dataset and settings it trained on, and
whatever the page derived from them (`Run`; a page may extend it, e.g. the Forecast page's
ForecastRun; pages not moved to it yet keep a dict with the same keys). Changing a widget
afterwards changes the next run only; Reset removes the run.

Errors: a `UserError` (rnnviz.errors) is the user's to fix, and the page that called rnnviz shows
its message (`show_error`). Anything else is a bug, with one path for it: `bugs_reported()` around
the page (app.py) and around each live fragment logs the traceback on the server (logger
"rnnviz.ui") and shows SOMETHING_WENT_WRONG; the session's runs stay where they were.

An uploaded file is parsed once per session (`parsed_upload`) and kept here too, never in a
cache shared by sessions (st.cache_data would keep it after the tab closes and hand it to anyone
who uploads the same bytes). Nothing uploaded is written to disk.
"""

from __future__ import annotations

import itertools
import logging
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from ..errors import UserError
from .i18n import t

__all__ = [
    "Run",
    "get_run",
    "set_run",
    "clear_run",
    "run_jobs",
    "trained",
    "parsed_upload",
    "show_error",
    "report_bug",
    "bugs_reported",
    "plain",
    "KEPT_UPLOADS",
    "SOMETHING_WENT_WRONG",
]

KEPT_UPLOADS = 3  # parsed uploads kept per uploader and session: the one shown and the last two
SOMETHING_WENT_WRONG = "Something went wrong; nothing was lost."
log = logging.getLogger("rnnviz.ui")


@dataclass(eq=False)
class Run:
    """What one press of Train made, or a model opened from a file (then `jobs` is empty).

    The page's views keep what they derive from it in `results` (an evaluation, a trace, the
    baselines), computed once per run: a new run starts with none."""

    settings: Any  # the page's settings object (rnnviz.settings), as the run was started
    dataset: Any = None  # the data it trained on (a ForecastDataset, a CharDataset, ...)
    jobs: list = field(default_factory=list)  # its training jobs (rnnviz.executors.JobHandle)
    model: Any = None  # a model opened from a file (a run with jobs reads theirs)
    source: str | None = None  # the data's name (a file's or a sample's)
    results: dict = field(default_factory=dict)  # what the views derived, by name
    id: int = 0  # counts runs in this session (set_run), for widget keys that belong to it

    @property
    def job(self):
        """The run's one job (None when it has several, or none)."""
        return self.jobs[0] if len(self.jobs) == 1 else None

    @property
    def running(self) -> bool:
        return any(j.running for j in self.jobs)

    def current_model(self):
        """The model to look inside: the one job's latest weights, or the opened model."""
        return self.job.snapshot_model() if self.job is not None else self.model


def get_run(page: str) -> Run | dict[str, Any] | None:
    return st.session_state.get(f"run:{page}")


def set_run(page: str, run: Run | dict[str, Any]) -> Run | dict[str, Any]:
    """Store a new run (its id counts runs in this session, for widget keys that belong to it)."""
    counter = st.session_state.setdefault("run_counter", itertools.count(1))
    if isinstance(run, Run):
        run.id = next(counter)
    else:
        run["id"] = next(counter)
    _stop_jobs(
        st.session_state.get(f"run:{page}")
    )  # a new run replaces the old one; never leave it training unseen
    st.session_state[f"run:{page}"] = run
    return run


def clear_run(page: str) -> None:
    _stop_jobs(st.session_state.pop(f"run:{page}", None))


def run_jobs(run: Run | dict[str, Any] | None) -> list:
    """The training jobs of a run: a Run's `jobs`; a dict's "job", or its "jobs" (a page that trains
    several at once)."""
    if isinstance(run, Run):
        return list(run.jobs)
    if not run:
        return []
    if run.get("jobs"):
        return list(run["jobs"])
    return [run["job"]] if run.get("job") is not None else []


def trained(run: Run | dict[str, Any]) -> tuple[Any, Any]:
    """(model, dataset) of a run, for a page that looks at another page's model: the one job's
    latest weights or the opened model (None when the run has several jobs), and its data."""
    if isinstance(run, Run):
        return run.current_model(), run.dataset
    job = run.get("job")
    return (job.snapshot_model() if job is not None else run.get("model")), run["ds"]


def _stop_jobs(run: Run | dict[str, Any] | None) -> None:
    for job in run_jobs(run):
        job.stop()


def parsed_upload(uploader: str, upload: Hashable, parse: Callable[[], Any]) -> Any:
    """`parse()` for this upload (its file_id, and any parse option), run once per session: a rerun
    gets the table it made, or the same UserError (a DataError, say) again without parsing again.
    Kept in this session's state, the last KEPT_UPLOADS uploads of each `uploader` (a page's file
    widget)."""
    kept = st.session_state.setdefault("_uploads", {}).setdefault(uploader, OrderedDict())
    if upload in kept:
        kept.move_to_end(upload)
    else:
        try:
            kept[upload] = (parse(), None)
        except UserError as e:
            kept[upload] = (None, e)
        while len(kept) > KEPT_UPLOADS:
            kept.popitem(last=False)
    result, error = kept[upload]
    if error is not None:
        raise error.with_traceback(None)
    return result


def show_error(message: str) -> None:
    """A problem in the user's terms. st.error renders markdown, so the message is escaped first."""
    st.error(plain(message), icon="⚠️")


def report_bug(error: BaseException) -> None:
    """An error that is no UserError: its traceback to the server's log, one calm sentence to the
    user."""
    log.error("unexpected error on a page: %s", type(error).__name__, exc_info=error)
    st.error(t(SOMETHING_WENT_WRONG), icon="⚠️")


@contextmanager
def bugs_reported() -> Iterator[None]:
    """Run a page (or a fragment) so that a bug ends it with `report_bug` instead of a traceback.
    st.rerun and st.stop raise BaseExceptions, not Exceptions: they pass through untouched."""
    try:
        yield
    except Exception as e:
        report_bug(e)


_MARKDOWN_SPECIALS = "\\`*_{}[]()<>#+-.!|~$"


def plain(text: str) -> str:
    """User text made safe for a markdown element: every markdown character escaped, so a
    column called '<img onerror=...>' or '**x**' shows exactly as typed."""
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIALS else ch for ch in str(text))

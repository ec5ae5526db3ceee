"""Per-user state: every run lives in st.session_state, nothing at module level.

A "run" is what one press of Train made: its job, the dataset and settings it trained on, and
whatever the page derived from them. Changing a widget afterwards changes the next run only;
Reset removes the run.

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
from typing import Any

import streamlit as st

from ..errors import UserError
from .i18n import t

__all__ = [
    "get_run",
    "set_run",
    "clear_run",
    "run_jobs",
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


def get_run(page: str) -> dict[str, Any] | None:
    return st.session_state.get(f"run:{page}")


def set_run(page: str, run: dict[str, Any]) -> dict[str, Any]:
    """Store a new run (its "id" counts runs in this session, for widget keys that belong to it)."""
    counter = st.session_state.setdefault("run_counter", itertools.count(1))
    run["id"] = next(counter)
    _stop_jobs(
        st.session_state.get(f"run:{page}")
    )  # a new run replaces the old one; never leave it training unseen
    st.session_state[f"run:{page}"] = run
    return run


def clear_run(page: str) -> None:
    _stop_jobs(st.session_state.pop(f"run:{page}", None))


def run_jobs(run: dict[str, Any] | None) -> list:
    """The training jobs of a run: its "job", or its "jobs" (a page that trains several at once)."""
    if not run:
        return []
    if run.get("jobs"):
        return list(run["jobs"])
    return [run["job"]] if run.get("job") is not None else []


def _stop_jobs(run: dict[str, Any] | None) -> None:
    for job in run_jobs(run):
        job.stop()


def parsed_upload(uploader: str, upload: Hashable, parse: Callable[[], Any]) -> Any:
    """`parse()` for this upload (its file_id, and any parse option), run once per session: a rerun
    gets the table it made, or the same UserError (a DataError, say) again without parsing again. Kept in this
    session's state, the last KEPT_UPLOADS uploads of each `uploader` (a page's file widget)."""
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
    """An error that is no UserError: its traceback to the server's log, one calm sentence to the user."""
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

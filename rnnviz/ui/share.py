"""Share links and teacher presets: a page's settings live in its URL.

A page calls `param(key, ...)` just before drawing each widget it shares. On the first run of
that page in a session, a value for the widget in the URL (its name is the key without the
page's prefix: `fc_lr` is `?lr=0.01`) is checked against the widget's options or range and put
into st.session_state, so the widget starts there; a value that does not fit is skipped and
listed in a note. `publish()`, after the widgets, writes the current values back to
st.query_params, so the address bar is always a link to what is on screen.

`?hide=optimizer,lr` hides those controls (any shared control's name) for a class: they keep the
value from the link but are not drawn (CSS on Streamlit's `st-key-<key>` class). Only names of
this page's shared widgets ever reach the CSS, never raw user text.
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from .i18n import t

__all__ = ["param", "publish", "hidden_names", "share_link"]

_NAME = re.compile(r"^[a-z0-9_]{1,40}$")


def _page_state(prefix: str) -> dict:
    """Per session and page: which keys were registered this run and which were restored once."""
    store = st.session_state.setdefault("_share", {})
    return store.setdefault(prefix, {"restored": False, "keys": {}, "skipped": []})


def _split(key: str) -> tuple[str, str]:
    """"fc_lr" -> ("fc", "lr"); a key without a prefix ("seed", in the shared sidebar) -> ("", "seed")."""
    prefix, _, name = key.partition("_")
    return (prefix, name) if name else ("", key)


def _from_text(raw: str, kind: str, options: Sequence | None, lo, hi):
    """Turn a URL value into the widget's value, or raise ValueError if it does not fit."""
    if kind == "text":
        return raw
    if kind == "bool":
        if raw.lower() in ("1", "true", "yes"):
            return True
        if raw.lower() in ("0", "false", "no"):
            return False
        raise ValueError(raw)
    if kind == "list":
        values = [v for v in raw.split(",") if v != ""]
        if options is not None and any(v not in [str(o) for o in options] for v in values):
            raise ValueError(raw)
        by_text = {str(o): o for o in options} if options is not None else {}
        return [by_text.get(v, v) for v in values]
    if kind in ("int", "float"):
        value = int(raw) if kind == "int" else float(raw)
        if not math.isfinite(value) or (lo is not None and value < lo) or (hi is not None and value > hi):
            raise ValueError(raw)
        if options is not None:
            match = [o for o in options if math.isclose(float(o), value, rel_tol=1e-9)]
            if not match:
                raise ValueError(raw)
            return match[0]
        return value
    # "choice": one of the options, compared as text
    for o in options or ():
        if str(o) == raw:
            return o
    raise ValueError(raw)


def param(key: str, kind: str = "choice", options: Sequence | None = None, lo: float | None = None,
          hi: float | None = None, name: str | None = None) -> None:
    """Share widget `key` (drawn right after this call) through the URL as `name` (default: the key
    without its page prefix).

    kind: "choice" (one of options), "int"/"float" (within lo..hi, or one of options), "bool",
    "text", "list" (comma-separated, each one of options)."""
    prefix, short = _split(key)
    name = name or short
    page = _page_state(prefix)
    page["keys"][key] = (kind, name)
    if page["restored"] or name not in st.query_params:
        return
    raw = st.query_params.get(name, "")
    try:
        st.session_state[key] = _from_text(str(raw), kind, options, lo, hi)
    except (ValueError, TypeError):
        page["skipped"].append(name)


def _to_text(value: Any, kind: str) -> str:
    if kind == "list":
        return ",".join(str(v) for v in value)
    if kind == "bool":
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _css_safe(key: str) -> str:
    """The class Streamlit's frontend gives a keyed element: st-key-<key with other characters as '-'>."""
    return re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())


def hidden_names() -> list[str]:
    raw = st.query_params.get("hide", "")
    return [n.strip() for n in str(raw).split(",") if _NAME.match(n.strip())]


def share_link(prefix: str) -> str:
    """The page's address with its current settings (and any hide list) as query parameters."""
    base = (st.context.url or "").split("?")[0]
    return base + ("?" + urlencode(_current(prefix)) if _current(prefix) else "")


def _current(prefix: str) -> dict[str, str]:
    values = {}
    for group in ("", prefix):  # the sidebar's shared settings, then the page's
        for key, (kind, name) in _page_state(group)["keys"].items():
            if key in st.session_state and st.session_state[key] is not None:
                values[name] = _to_text(st.session_state[key], kind)
    hide = hidden_names()
    if hide:
        values["hide"] = ",".join(hide)
    return values


def publish(prefix: str, show_link: bool = True) -> None:
    """After the page's widgets: write their values to the URL, hide the controls the link asks to
    hide, mention values that could not be used, and offer the link to copy."""
    page, sidebar = _page_state(prefix), _page_state("")
    skipped = page["skipped"] + sidebar["skipped"]
    for group in (page, sidebar):
        group["restored"] = True  # from now on the widgets own their values
        group["skipped"] = []
    if skipped:
        st.caption(t("This link's {names} did not fit this page (a value out of range or not offered), so the "
                     "default is used.", names=", ".join(sorted(set(skipped)))))
    by_name = {name: key for key, (_, name) in {**sidebar["keys"], **page["keys"]}.items()}
    hidden = [by_name[n] for n in hidden_names() if n in by_name]
    if hidden:
        css = ", ".join(f".st-key-{_css_safe(key)}" for key in hidden)  # our own keys, never user text
        st.html(f"<style>{css} {{ display: none !important; }}</style>")
    values = _current(prefix)
    if dict(st.query_params) != values:
        st.query_params.from_dict(values)
    if show_link:
        with st.expander("🔗 " + t("Share these settings")):
            st.caption(t("Copy this link (the button at its right): it opens this page with these settings. "
                         "A teacher can add &hide=optimizer,lr (any setting's name) to hide controls from students. "
                         "An uploaded file is not in the link: whoever opens it uploads the file again."))
            st.code(share_link(prefix), language=None, wrap_lines=True)

"""Share links and teacher presets: a page's settings live in its URL, and last for the session.

A page calls `param(key, ...)` just before drawing each widget it shares. The first time a page is
opened in a session, its link (the URL's query parameters) is kept; a value for the widget in it
(its name is the key without the page's prefix: `fc_lr` is `?lr=0.01`) is checked against the
widget's options or range and put into st.session_state, so the widget starts there; a value that
does not fit is skipped and listed in a note. `publish()`, after the widgets, writes the current
values back to st.query_params, so the address bar is always a link to what is on screen.

Streamlit forgets a widget's value when the widget is not drawn in a run: while no file is
uploaded yet, or while the user is on another page. So `publish()` also keeps every shared value
in a store of its own (session state that is no widget's), and `param()` puts a forgotten value
back into the widget's key before the widget is drawn again. A kept value the widget cannot take
any more (a column the new file lacks) changes to the nearest it can, and the page says so.

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

from . import state
from .i18n import t

__all__ = ["param", "publish", "value", "hidden_names", "share_link", "rename"]

_NAME = re.compile(r"^[a-z0-9_]{1,40}$")


def _page_state(prefix: str) -> dict:
    """Per session and page: the link it was opened with, the keys registered, the value each shared
    setting last had, and the notes for this run (link values skipped, kept values changed)."""
    store = st.session_state.setdefault("_share", {})
    if prefix not in store:
        link = {name: str(st.query_params.get(name, "")) for name in st.query_params}
        store[prefix] = {"link": link, "keys": {}, "values": {}, "skipped": [], "changed": []}
    return store[prefix]


def rename(prefix: str, renamed: dict[str, str]) -> None:
    """Old link names -> current ones on this page (rnnviz.settings.aliases): a link made before a
    setting was renamed (`?hidden=32`, `&hide=batch`) is read as if it used the new name, and the
    address is written back with the new one. A current name in the same link wins."""
    page = _page_state(prefix)
    page["aliases"] = {**page.get("aliases", {}), **renamed}
    link = page["link"]
    for old, new in renamed.items():
        if old in link:
            raw = link.pop(old)
            link.setdefault(new, raw)
    if "hide" in link:
        link["hide"] = ",".join(renamed.get(n.strip(), n) for n in link["hide"].split(","))


def _split(key: str) -> tuple[str, str]:
    """ "fc_lr" -> ("fc", "lr"); a key without a prefix ("seed", in the shared sidebar) ->
    ("", "seed")."""
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
        if (
            not math.isfinite(value)
            or (lo is not None and value < lo)
            or (hi is not None and value > hi)
        ):
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


def param(
    key: str,
    kind: str = "choice",
    options: Sequence | None = None,
    lo: float | None = None,
    hi: float | None = None,
    name: str | None = None,
) -> None:
    """Share widget `key` (drawn right after this call) through the URL as `name` (default: the key
    without its page prefix).

    kind: "choice" (one of options), "int"/"float" (within lo..hi, or one of options), "bool",
    "text", "list" (comma-separated, each one of options)."""
    prefix, short = _split(key)
    name = name or short
    page = _page_state(prefix)
    page["keys"][key] = (kind, name)
    if key in st.session_state or key in page["values"]:
        # the widget's value from the last run, or kept while streamlit dropped it (not drawn): it
        # goes (back) into the widget's key, as near as the widget's options now allow
        kept = st.session_state[key] if key in st.session_state else page["values"][key]
        fitted = _fit(kept, kind, options, lo, hi)
        if fitted is None:
            st.session_state.pop(key, None)  # the widget starts at its default
        elif fitted != kept or key not in st.session_state:
            st.session_state[key] = fitted
        if fitted != kept:
            page["changed"].append((name, kept, kind, key))
        return
    if name in page["link"]:
        try:
            st.session_state[key] = _from_text(page["link"][name], kind, options, lo, hi)
        except (ValueError, TypeError):
            page["skipped"].append(name)


def _fit(value: Any, kind: str, options: Sequence | None, lo, hi) -> Any:
    """`value` if the widget can still take it; else the nearest it can (a number clamped into its
    range, a list without the options that are gone), or None for the widget's default."""
    if kind in ("text", "bool"):
        return value
    if kind == "list":
        return value if options is None else [v for v in value if v in list(options)]
    if options is not None:
        return value if value in list(options) else None
    if kind in ("int", "float"):
        low = value if lo is None else max(value, lo)
        return low if hi is None else min(low, hi)
    return value


def value(key: str, default: Any) -> Any:
    """The session's value of shared setting `key` before its widget is drawn in this run: the
    widget's, else the kept one, else the link's (as the type of `default`), else `default`."""
    if key in st.session_state:
        return st.session_state[key]
    prefix, short = _split(key)
    page = _page_state(prefix)
    if key in page["values"]:
        return page["values"][key]
    _, name = page["keys"].get(key, (None, short))
    try:
        return type(default)(page["link"][name])
    except (KeyError, ValueError, TypeError):
        return default


def _to_text(value: Any, kind: str) -> str:
    if kind == "list":
        return ",".join(str(v) for v in value)
    if kind == "bool":
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _shown(value: Any, kind: str) -> str:
    """A setting's value in a note on the page (markdown-escaped: it may be a column's name)."""
    text = (
        ", ".join(str(v) for v in value)
        if kind == "list" and value is not None
        else _to_text(value, kind)
    )
    return state.plain(text) if text else "—"


def _css_safe(key: str) -> str:
    """The class Streamlit's frontend gives a keyed element: st-key-<key with other characters
    as '-'>."""
    return re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())


def hidden_names(prefix: str = "") -> list[str]:
    """The controls the page's link hides (the link it was opened with, and the address bar now)."""
    page = _page_state(prefix)
    raw = ",".join([str(st.query_params.get("hide", "")), page["link"].get("hide", "")])
    renamed = page.get("aliases", {})  # a link's old names hide the renamed controls
    names = (renamed.get(n.strip(), n.strip()) for n in raw.split(","))
    return list(dict.fromkeys(n for n in names if _NAME.match(n)))


def share_link(prefix: str) -> str:
    """The page's address with its current settings (and any hide list) as query parameters."""
    base = (st.context.url or "").split("?")[0]
    return base + ("?" + urlencode(_current(prefix)) if _current(prefix) else "")


def _current(prefix: str) -> dict[str, str]:
    """Name -> text of every shared setting of the sidebar and the page: the widget's value, else
    the kept one; then the page link's values for settings not drawn yet (no file uploaded)."""
    values = {}
    groups = [
        _page_state(""),
        _page_state(prefix),
    ]  # the sidebar's shared settings, then the page's
    for group in groups:
        for key, (kind, name) in group["keys"].items():
            current = st.session_state[key] if key in st.session_state else group["values"].get(key)
            if current is not None:
                values[name] = _to_text(current, kind)
    for name, raw in groups[1]["link"].items():
        if name != "hide" and _NAME.match(name):
            values.setdefault(name, raw)
    hide = hidden_names(prefix)
    if hide:
        values["hide"] = ",".join(hide)
    return values


def _remember(group: dict) -> None:
    """Keep the value of every shared widget drawn in this run, for when it is drawn again."""
    for key in group["keys"]:
        if key in st.session_state:
            group["values"][key] = st.session_state[key]


def publish(prefix: str, show_link: bool = True) -> None:
    """After the page's widgets: keep their values for the session, write them to the URL, hide the
    controls the link asks to hide, name the values that could not be used, and offer the link."""
    page, sidebar = _page_state(prefix), _page_state("")
    skipped = page["skipped"] + sidebar["skipped"]
    changed = page["changed"] + sidebar["changed"]
    for group in (page, sidebar):
        _remember(group)
        group["skipped"], group["changed"] = [], []
    if skipped:
        st.caption(
            t(
                "This link's {names} did not fit this page (a value out of range or not offered), "
                "so the default is used.",
                names=", ".join(sorted(set(skipped))),
            )
        )
    for name, kept, kind, key in changed:
        st.info(
            t(
                "{name} = {kept} does not fit this data, so {used} is used.",
                name=name,
                kept=_shown(kept, kind),
                used=_shown(st.session_state.get(key), kind),
            ),
            icon="ℹ️",
        )
    by_name = {name: key for key, (_, name) in {**sidebar["keys"], **page["keys"]}.items()}
    hidden = [by_name[n] for n in hidden_names(prefix) if n in by_name]
    if hidden:
        css = ", ".join(
            f".st-key-{_css_safe(key)}" for key in hidden
        )  # our own keys, never user text
        st.html(f"<style>{css} {{ display: none !important; }}</style>")
    values = _current(prefix)
    if dict(st.query_params) != values:
        st.query_params.from_dict(values)
    if show_link:
        with st.expander("🔗 " + t("Share these settings")):
            st.caption(
                t(
                    "Copy this link (the button at its right): it opens this page with these "
                    "settings. "
                    "A teacher can add &hide=optimizer,lr (any setting's name) to hide controls "
                    "from students. "
                    "An uploaded file is not in the link: whoever opens it uploads the file again."
                )
            )
            st.code(share_link(prefix), language=None, wrap_lines=True)

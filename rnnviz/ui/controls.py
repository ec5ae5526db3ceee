"""Widgets drawn from a settings dataclass (rnnviz.settings): one helper per kind of field.

`control(Settings, "hidden_size")` draws that field's widget under the key `<prefix>_<name>`
(`fc_hidden_size`), shares it in the page's link as `?hidden_size=` (rnnviz.ui.share: a link's
value is checked against the field's bounds or options; the value lasts across uploads and page
switches) and returns the value. `controls(Settings, {column: [names]})` draws groups of fields
into containers and returns the Settings object. What only the data knows (a target column's
options, a window's default) is passed in per field; the rest comes from the field.

Labels and help are the fields' English text, translated here with t(). Old link names are read
through the settings' alias table (`page_links`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import streamlit as st

from .. import settings as config
from . import live, share
from .i18n import t
from .widgets import int_slider, option_slider

__all__ = ["page_links", "control", "controls"]


def page_links(*classes) -> None:
    """Before a page's first widget: read its link's old names as the settings' current ones."""
    for cls in classes:
        share.rename(cls.prefix, config.aliases(cls))


def _number(label: str, key: str, value, lo, hi, options, step, **kw):
    return st.number_input(label, lo, hi, value, key=key, **kw)


def _slider(label: str, key: str, value, lo, hi, options, step, **kw):
    if step is not None:
        kw["step"] = step
    return int_slider(label, lo, hi, value, key=key, **kw)


def _select_slider(label: str, key: str, value, lo, hi, options, step, **kw):
    return option_slider(label, options, value, key=key, **kw)


def _select(label: str, key: str, value, lo, hi, options, step, **kw):
    index = options.index(value) if value in options else 0
    return st.selectbox(label, options, index=index, key=key, **kw)


def _radio(label: str, key: str, value, lo, hi, options, step, **kw):
    index = options.index(value) if value in options else 0
    return st.radio(label, options, index=index, key=key, **kw)


def _checkbox(label: str, key: str, value, lo, hi, options, step, **kw):
    return st.checkbox(label, value=bool(value), key=key, **kw)


def _multiselect(label: str, key: str, value, lo, hi, options, step, **kw):
    return st.multiselect(label, options, default=list(value or []), key=key, **kw)


def _text(label: str, key: str, value, lo, hi, options, step, **kw):
    return st.text_input(label, value, key=key, **kw)


def _text_area(label: str, key: str, value, lo, hi, options, step, **kw):
    return st.text_area(label, value, key=key, **kw)


def _none(label: str, key: str, value, lo, hi, options, step, **kw):
    """A setting with no widget (buttons set it): shared through the link like the others, its
    value is the session's, else the default."""
    return st.session_state.get(key, value)


WIDGETS: dict[str, Callable] = {
    "number": _number,
    "slider": _slider,
    "select_slider": _select_slider,
    "select": _select,
    "radio": _radio,
    "checkbox": _checkbox,
    "multiselect": _multiselect,
    "text": _text,
    "text_area": _text_area,
    "none": _none,
}


def control(
    cls,
    name: str,
    *,
    options: Sequence | None = None,
    default: Any = None,
    lo: Any = None,
    hi: Any = None,
    key: str | None = None,
    prepare: Callable[[], None] | None = None,
    **widget: Any,
) -> Any:
    """Draw field `name` of settings class `cls` and return its value.

    options/lo/hi/default: what the data decides (else the field's, within the server's limits);
    key: the widget's key (default `<prefix>_<name>`; a per-file key for a file's columns);
    prepare: called after the link's value is in place and before the widget is drawn (a page that
    fits a kept value to new data); widget: passed to the streamlit widget (format_func, disabled,
    horizontal, ...)."""
    lim = live.limits()
    spec = config.settings_fields(cls)[name][1]
    # 1. what this server and this data allow
    offered = list(options) if options is not None else config.options(cls, name, lim)
    low, high = config.bounds(cls, name, lim)
    low, high = low if lo is None else lo, high if hi is None else hi
    value = config.default(cls, name, lim) if default is None else default
    # 2. the share link: registered under the field's name, its value checked
    key = key or f"{cls.prefix}_{name}"
    share.rename(cls.prefix, config.aliases(cls))
    share.param(key, spec.kind, options=offered, lo=low, hi=high, name=name)
    if prepare is not None:
        prepare()
    # 3. the widget
    if spec.help and "help" not in widget:
        widget["help"] = t(spec.help)
    draw = WIDGETS[spec.widget]
    return draw(t(spec.label), key, value, low, high, offered, spec.step, **widget)


Custom = Mapping[str, Any] | Callable[[dict], Mapping[str, Any]]


def controls(
    cls,
    layout: Mapping[Any, Sequence[str]] | Sequence[str],
    given: Mapping[str, Any] | None = None,
    **custom: Custom,
):
    """Draw the fields named in `layout` ({container: [names]}, or one list drawn where the page
    is) and return `cls(**values)`, with `given` for fields not drawn here. A list (a
    multiselect's) is kept as a tuple: the settings object stays frozen all the way down.

    custom[name]: control()'s keywords for that field, or a function of the values drawn so far
    that returns them (a widget disabled by an earlier choice)."""
    groups = layout.items() if isinstance(layout, Mapping) else [(None, layout)]
    values: dict[str, Any] = dict(given or {})
    for container, names in groups:
        for name in names:
            extra = custom.get(name, {})
            extra = extra(values) if callable(extra) else extra
            if container is None:
                values[name] = control(cls, name, **extra)
            else:
                with container:
                    values[name] = control(cls, name, **extra)
    named = config.settings_fields(cls)
    for name, value in values.items():
        if named[name][1].kind == "list" and isinstance(value, list):
            values[name] = tuple(value)
    return cls(**values)

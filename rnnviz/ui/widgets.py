"""Sliders whose range comes from the data or the server's limits.

st.slider refuses min == max (StreamlitInvalidMinMaxError), and a select_slider over one option
is a slider with nowhere to go. A 2-letter word, a window of 1 or a server limited to 1 layer
gives exactly that. These draw the slider when there is a choice, and a caption naming the only
value when there is not (inside a container with the widget's key, so `?hide=` still hides it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from .state import plain

__all__ = ["int_slider", "option_slider", "up_to", "wrapping_columns"]


def _only(label: str, text: str, key: str) -> None:
    with st.container(key=key):  # the class st-key-<key>, as the slider would have
        st.caption(f"{label}: {plain(text)}")


def int_slider(label: str, lo: int, hi: int, value: int, key: str, **kwargs) -> int:
    """st.slider over lo..hi, or lo with a caption when lo..hi holds one value."""
    if hi <= lo:
        _only(label, str(lo), key)
        return lo
    return st.slider(label, lo, hi, min(max(value, lo), hi), key=key, **kwargs)


def option_slider(
    label: str, options: Sequence, value: Any, key: str, format_func: Callable = str, **kwargs
) -> Any:
    """st.select_slider over options, or the only option with a caption."""
    options = list(options)
    if len(options) == 1:
        _only(label, str(format_func(options[0])), key)
        return options[0]
    return st.select_slider(label, options, value=value, key=key, format_func=format_func, **kwargs)


def up_to(options: Sequence[int], limit: int) -> list[int]:
    """The options a server's limit allows; the limit itself when it is below all of them."""
    return [o for o in options if o <= limit] or [limit]


def wrapping_columns(key: str, spec, min_width: int) -> list:
    """st.columns(spec), side by side where each is at least `min_width` px wide, else wrapped
    onto more rows (a narrow window with the sidebar open): the columns sit in a container keyed
    `key` (its CSS class st-key-<key>) whose own style lets them wrap."""
    st.html(
        f"<style>.st-key-{key} [data-testid='stHorizontalBlock'] {{ flex-wrap: wrap; }} "
        f".st-key-{key} [data-testid='stColumn'] {{ min-width: {int(min_width)}px; }}</style>"
    )
    with st.container(key=key):
        return st.columns(spec)

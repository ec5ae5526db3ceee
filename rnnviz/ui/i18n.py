"""The UI's languages: English and Korean, switched in the sidebar.

English is the source text, written where it is shown (as gettext does); every other language is
one table, rnnviz/ui/lang/<code>.py, mapping each English string to its translation. `t()` looks a
string up in the session's language and fills its {placeholders}. A test holds every t("...") in
the code to an entry in every table, with the same placeholders. Messages raised by the package
itself (DataError, a job's ending) stay in English: they name the user's own rows and columns.

Figures and tables are built by the package (rnnviz.plots, rnnviz.tasks) in English, streamlit-free.
`figure()` and `frame()` put their words into the session's language in one place, just before a
page draws them: every title, axis title, legend entry, colour-bar title, annotation and category
label and hover label of a figure, and every header and status word of a table. A text is looked
up whole, or matched against the table's entries with {placeholders} ("Gates, layer {layer}"),
whose values are looked up in turn unless quoted ('{column}': the user's own words); anything else
(the user's own column names and words, numbers) is left as it is.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from .lang import ko

__all__ = [
    "LANGUAGES", "TABLES", "t", "language", "translate", "translate_hover", "figure", "frame",
    "chart", "table",
]  # fmt: skip

LANGUAGES = {"en": "English", "ko": "한국어"}
TABLES: dict[str, dict[str, str]] = {"ko": ko.STRINGS}


def language() -> str:
    lang = st.session_state.get("lang")
    return lang if lang in LANGUAGES else "en"


def t(text: str, **values) -> str:
    """`text` in the session's language, with {placeholders} filled from `values`."""
    lang = language()
    if lang != "en":
        text = TABLES[lang].get(text, text)
    return text.format(**values) if values else text


@cache
def _patterns(lang: str) -> tuple[tuple[str, re.Pattern, str, frozenset[str]], ...]:
    """The table's entries with {placeholders} as regular expressions, the most literal text
    first: (the English entry, its pattern, its translation, the names of its quoted placeholders
    ('{column}': the user's own words, kept as they are)). "Gates, layer {layer}" matches
    "Gates, layer 2" before "{cell} layer {layer}" can."""
    out = []
    for english, translated in TABLES[lang].items():
        parts = re.split(r"{(\w+)}", english)
        if len(parts) == 1:
            continue
        names = parts[1::2]
        if len(set(names)) != len(names):
            continue
        pattern = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
        )
        quoted = frozenset(re.findall(r"'{(\w+)}'", english))
        literal = len("".join(parts[::2]))
        out.append((literal, english, re.compile(f"^{pattern}$", re.DOTALL), translated, quoted))
    out.sort(key=lambda entry: -entry[0])  # the most specific first: "Gates, layer {layer}"
    return tuple(entry[1:] for entry in out)


def translate(text, lang: str | None = None):
    """`text` (a figure's or table's word, built in English) in `lang` (default: the session's):
    the table's entry for the whole text, or for an entry with placeholders that it matches; else
    `text` unchanged. Anything but a string passes as it is."""
    lang = lang or language()
    if lang == "en" or not isinstance(text, str) or not text:
        return text
    table = TABLES[lang]
    if text in table:
        return table[text]
    for _, pattern, translated, quoted in _patterns(lang):
        found = pattern.match(text)
        if found:
            values = {
                k: v if k in quoted else translate(v, lang) for k, v in found.groupdict().items()
            }
            return translated.format(**values)
    return text


# a hover template's fields (%{y:.3f}) and markup (<br>, <extra></extra>): never words
_HOVER_CODE = re.compile(r"(%{[^}]*}|<[^>]*>)")
# a label's words between its punctuation: "true" of ", true ", "step t" of "step t "
_HOVER_WORDS = re.compile(r"^([\s,:;'=]*)(.*?)([\s,:;'=]*)$", re.DOTALL)


def translate_hover(template, lang: str | None = None):
    """A hover template ("step t %{x}<br>value %{z:.4f}<extra></extra>") with each label between
    its fields and markup translated ("단계 t %{x}<br>값 %{z:.4f}..."); fields stay as they are."""
    if not isinstance(template, str):
        return template
    pieces = _HOVER_CODE.split(template)
    for i in range(0, len(pieces), 2):  # even pieces are text, odd ones the fields and markup
        lead, words, tail = _HOVER_WORDS.match(pieces[i]).groups()
        if words:
            pieces[i] = lead + translate(words, lang) + tail
    return "".join(pieces)


_TITLED = ("title", "colorbar", "legendgrouptitle")


def _translate_titles(obj, lang: str) -> None:
    """Every `title.text` of a layout part or a trace, its colour bar's included."""
    for name in _TITLED:
        part = getattr(obj, name, None) if name in obj else None
        if part is None:
            continue
        if name == "colorbar":
            part = part.title
        if getattr(part, "text", None):
            part.text = translate(part.text, lang)


# a date axis's ticks by zoom, in numbers (d3-time-format): plotly's own name the months in
# English ("Jan 2015"); as plotly's do, a finer zoom says more
_DATE_TICKS = (
    dict(dtickrange=[None, 86_400_000], value="%m-%d %H:%M"),
    dict(dtickrange=[86_400_000, "M1"], value="%Y-%m-%d"),
    dict(dtickrange=["M1", "M12"], value="%Y-%m"),
    dict(dtickrange=["M12", None], value="%Y"),
)


def _numeric_dates(fig: go.Figure) -> None:
    """Each axis that shows dates gets numeric ticks and hover, unless its figure chose a format."""
    for trace in fig.data:
        for axis in ("x", "y"):
            values = trace[axis] if axis in trace else None
            if values is None or not len(values):
                continue
            if np.asarray(values).dtype.kind != "M" and not isinstance(values[0], pd.Timestamp):
                continue
            ref = (trace[f"{axis}axis"] if f"{axis}axis" in trace else None) or axis
            name = f"{axis}axis{ref[1:]}"
            part = fig.layout[name] if name in fig.layout else None
            chosen = part is not None and (part.tickformat or part.tickformatstops)
            dates = {"hoverformat": (part and part.hoverformat) or "%Y-%m-%d"}
            fig.update_layout(
                {name: dates if chosen else {**dates, "tickformatstops": _DATE_TICKS}}
            )


def figure(fig: go.Figure) -> go.Figure:
    """The figure with its words in the session's language (a copy: a page may keep its figure
    for the next rerun, in another language; English returns it as it is): its title, every
    axis title and category tick text, the legend's title, colour-bar titles, annotations
    (subplot titles), and each trace's name, hover template, legend group title and category
    labels; dates in numbers."""
    lang = language()
    if lang == "en":
        return fig
    made = getattr(fig, "_translations", None)  # a kept figure (ui/figures.py) drawn again
    if made is not None and lang in made:
        return made[lang]
    original, fig = fig, go.Figure(fig)
    _numeric_dates(fig)
    layout = fig.layout
    _translate_titles(layout, lang)
    for name in layout:
        if name.startswith(("xaxis", "yaxis", "coloraxis")) or name == "legend":
            part = layout[name]
            _translate_titles(part, lang)
            if name.startswith("coloraxis"):
                _translate_titles(part.colorbar, lang)
            if getattr(part, "ticktext", None):
                part.ticktext = [translate(v, lang) for v in part.ticktext]
    for note in layout.annotations or ():
        note.text = translate(note.text, lang)
    for trace in fig.data:
        if getattr(trace, "name", None):
            trace.name = translate(trace.name, lang)
        if getattr(trace, "hovertemplate", None):
            template = trace.hovertemplate
            trace.hovertemplate = (
                [translate_hover(v, lang) for v in template]
                if isinstance(template, (list, tuple))
                else translate_hover(template, lang)
            )
        _translate_titles(trace, lang)
        marker = getattr(trace, "marker", None)
        if marker is not None and "colorbar" in marker:
            _translate_titles(marker, lang)
        if trace.type in ("bar", "box", "heatmap"):
            for axis in ("x", "y"):
                values = getattr(trace, axis, None)
                if values is not None and len(values) and all(isinstance(v, str) for v in values):
                    setattr(trace, axis, [translate(v, lang) for v in values])
    # the copy in this language, kept on the figure: copying re-checks every property (8 ms for
    # the gates); figures are not changed once drawn (a page that adds to one copies it first).
    # Of the original's kind: a kept figure's copy makes its plotly dict once too (figures.Kept)
    fig.__class__ = type(original)
    original._translations = {**(made or {}), lang: fig}
    return fig


def _text(values) -> bool:
    """Whether a column or index holds text (pandas' str dtype, or objects)."""
    return pd.api.types.is_string_dtype(values.dtype) or pd.api.types.is_object_dtype(values.dtype)


def frame(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of `table` with its headers (columns, index names, index labels) and its words
    (text cells: status words, rung names, parts) in the session's language."""
    lang = language()
    if lang == "en":
        return table
    out = table.rename(columns=lambda c: translate(c, lang))
    out.index = out.index.set_names([translate(n, lang) for n in out.index.names])
    if _text(out.index) and out.index.nlevels == 1:
        out.index = out.index.map(lambda v: translate(v, lang))
    for column in [c for c in out.columns if _text(out[c])]:
        out[column] = out[column].map(lambda v: translate(v, lang))
    return out


def chart(fig: go.Figure, **kw):
    """st.plotly_chart of the figure in the session's language; every view draws through here."""
    return st.plotly_chart(figure(fig), **kw)


def table(data, **kw):
    """st.dataframe of the table in the session's language; every view draws through here."""
    return st.dataframe(frame(data) if isinstance(data, pd.DataFrame) else data, **kw)

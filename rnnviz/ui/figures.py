"""Figures built once and drawn again: a page draws every chart on every rerun, and plotly checks
each property it is given (5-45 ms a figure), so moving one slider on an ended run rebuilt all its
charts, and a class that ends thirty runs of the same preset built each chart thirty times.

`built(run, builder, *args, **kw)` is builder(*args, **kw), kept for the run (the last
RUN_FIGURES, in run.results) and compared by content: a kept figure is given again while the
arguments are the same (arrays by their bytes, dataclasses field by field). For an ended run on a
bundled public sample (`run.public`) the figure is also kept for every session of this server
(the last SHARED_FIGURES): students who train the teacher's preset with the same seed get the same
weights, so the same figures, built once. No figure made from a user's file is shared.

A kept figure is drawn again as it is: callers never change it (i18n.figure copies before it
translates; an overlay copies first). So plotly's dict of it, which st.plotly_chart asks for at
every drawing (`to_dict`: a deep copy of every trace, its arrays in base64; 12 of an ended
Forecast page's 57 ms, for charts already built), is made once too (`Kept`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
import torch

__all__ = ["built", "digest", "Kept", "RUN_FIGURES", "SHARED_FIGURES"]

RUN_FIGURES = 16  # figures one run keeps (a window, a step, an epoch each make new ones: 20-220 KB)
SHARED_FIGURES = 32  # figures the server keeps for the runs on public samples


class Unhashable(TypeError):
    """An argument digest() cannot read by content: the figure is built, and not kept."""


_SCALARS = (str, bytes, int, float, bool, type(None), np.generic, pd.Timestamp)


def _simple(value) -> bool:
    """A value whose repr is exact (floats and numpy scalars round-trip): a scalar, or a tuple of
    simple values."""
    return isinstance(value, _SCALARS) or (
        isinstance(value, tuple) and all(_simple(v) for v in value)
    )


def _exact_repr(items: list | tuple) -> str | None:
    """One repr for a list of simple values, or of dataclasses of one type (the unrolled net's
    hundreds of edges), when it is exact: no truncated array ("...") and no object named by its
    address; else None."""
    kind = type(items[0])
    if all(_simple(v) for v in items):
        text = repr(items)
    elif dataclasses.is_dataclass(kind) and all(type(v) is kind for v in items):
        names = [f.name for f in dataclasses.fields(kind)]
        text = kind.__qualname__ + repr([tuple(getattr(v, n) for n in names) for v in items])
    else:
        return None
    return None if "..." in text or " at 0x" in text else text


def _feed(h, value) -> None:
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, (pd.Index, pd.Series)):
        value = value.to_numpy()
    if isinstance(value, np.ndarray):
        h.update(f"a{value.dtype}{value.shape}".encode())
        if value.dtype.kind == "O":  # objects (text, timestamps): by value, not their pointers
            _feed(h, value.ravel().tolist())
        else:
            h.update(np.ascontiguousarray(value).tobytes())
    elif _simple(value):
        h.update(repr((type(value).__name__, value)).encode())
    elif isinstance(value, dict):
        h.update(f"d{len(value)}".encode())
        for k, v in value.items():
            _feed(h, k)
            _feed(h, v)
    elif isinstance(value, list | tuple):
        h.update(f"l{len(value)}".encode())
        text = _exact_repr(value) if value else ""
        if text is not None:
            h.update(text.encode())
        else:
            for v in value:
                _feed(h, v)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        h.update(type(value).__qualname__.encode())
        for f in dataclasses.fields(value):
            _feed(h, getattr(value, f.name))
    else:
        raise Unhashable(type(value).__name__)


def digest(*values) -> str:
    """A digest of `values` by content; Unhashable for a value it cannot read."""
    h = hashlib.blake2b(digest_size=20)
    for v in values:
        _feed(h, v)
    return h.hexdigest()


class Kept(go.Figure):
    """A figure that is not changed any more (the module docs): its `to_dict()` is made once and
    given again, a new top-level dict around the same traces and layout (plotly's own pickling
    adds keys at that level). Read what it gives; never change it. A figure becomes one by
    `fig.__class__ = Kept`: go.Figure(fig) would check every property again."""

    def to_dict(self) -> dict:
        made = self.__dict__.get("_as_dict")
        if made is None:
            made = self._as_dict = super().to_dict()
        return dict(made)


@st.cache_resource
def _shared() -> dict:
    return {"lock": threading.Lock(), "figures": OrderedDict()}


def _keep(store: OrderedDict, key: str, fig, most: int) -> None:
    store[key] = fig
    store.move_to_end(key)
    while len(store) > most:
        store.popitem(last=False)


def built(run, builder: Callable, *args, **kw):
    """builder(*args, **kw), kept for `run` (and, on a public sample, for the server) while the
    arguments are the same; built afresh, and not kept, for run None or an argument digest() cannot
    read."""
    results = getattr(run, "results", None)  # a Run (a page's dict of runs keeps none)
    try:
        key = (
            digest(builder.__module__, builder.__qualname__, args, kw)
            if results is not None
            else None
        )
    except Unhashable:
        key = None
    if key is None:
        return builder(*args, **kw)
    mine = results.setdefault("figures", OrderedDict())
    if key in mine:
        mine.move_to_end(key)
        return mine[key]
    # shared: an ended run's figures (one still training draws each epoch's, seen by it alone)
    shared = _shared() if getattr(run, "public", False) and not run.running else None
    if shared is not None:
        with shared["lock"]:
            fig = shared["figures"].get(key)
            if fig is not None:
                shared["figures"].move_to_end(key)
        if fig is not None:
            _keep(mine, key, fig, RUN_FIGURES)
            return fig
    fig = builder(*args, **kw)
    if type(fig) is go.Figure:  # from here on drawn as it is (not the nets builders make)
        fig.__class__ = Kept
    _keep(mine, key, fig, RUN_FIGURES)
    if shared is not None:
        with shared["lock"]:
            _keep(shared["figures"], key, fig, SHARED_FIGURES)
    return fig

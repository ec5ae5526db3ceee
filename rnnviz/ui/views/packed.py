"""A batch of a real series as torch holds it: the (seq, batch, dim) layout beside batch-first,
and sequences of different lengths padded, then packed into a PackedSequence, with the check that
packing gives every sequence the final state it has when it runs alone.

Shown on Step through, under the cell whose numbers are on screen: the batch is three windows of
the Seattle sample (rnnviz.data.batches), the states come from that very cell (rnnviz.tasks), the
figures from rnnviz.plots. Nothing here computes a number.
Shapes: N sequences, L steps, F columns, H hidden units, S packed rows.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from torch import Tensor

from ... import plots, tasks
from ...data import batches
from .. import i18n
from ..i18n import t

__all__ = ["layout_view", "packed_view", "BATCH"]

BATCH = 3  # N: the windows shown as one batch


def layout_view(x: Tensor, columns) -> None:
    """The same N windows (N, L, F) as batch-first and as (L, N, F): tables of the same numbers,
    the second x.transpose(0, 1)."""
    n, steps, f = x.shape
    st.subheader(t("One batch, two layouts: (seq, batch, dim) and batch-first"))
    st.markdown(
        t(
            "Three windows of the series make one batch. torch's RNN, LSTM and GRU read "
            "**(seq, batch, dim)** = (L, N, F) = ({l}, {n}, {f}) by default; with "
            "`batch_first=True` (as rnnviz builds them) they read (N, L, F) = ({n}, {l}, {f}). "
            "The numbers are the same: `x.transpose(0, 1)` only swaps the first two axes.",
            l=steps,
            n=n,
            f=f,
        )
    )
    # one table under the other, every row shown: side by side they are cut at 800 px wide
    shown = dict(width="content", height=(n * steps + 1) * 35 + 3)
    st.markdown(t("**batch-first** x: (N, L, F) = {shape}", shape=tuple(x.shape)))
    frame = batches.layout_frame(x, ("n", "t"), columns)
    i18n.table(frame, key="st_layout_batch_first", **shown)
    seq_first = x.transpose(0, 1)  # (L, N, F)
    st.markdown(
        t(
            "**(seq, batch, dim)** x.transpose(0, 1): (L, N, F) = {shape}",
            shape=tuple(seq_first.shape),
        )
    )
    frame = batches.layout_frame(seq_first, ("t", "n"), columns)
    i18n.table(frame, key="st_layout_seq_first", **shown)


def packed_view(model, x: Tensor, columns) -> None:
    """The N windows cut to different lengths: the padded batch (pad cells marked), torch's
    PackedSequence (data and batch_sizes) and the final states packed, alone and unpacked."""
    steps = x.shape[1]
    lengths = batches.cut_lengths(steps, x.shape[0])
    padded = batches.padded_batch(x, lengths)  # (N, L, F)
    packed = batches.packed_layout(padded, lengths)
    st.subheader(t("Series of different lengths: padding and PackedSequence"))
    st.markdown(
        t(
            "The same windows cut to different lengths: window n keeps its first {lengths} "
            "days. Padding (grey) fills the rest with 0 so the batch is one tensor; "
            "`pack_padded_sequence` sorts the series longest first and keeps only the real "
            "steps, step by step, so the RNN never reads a pad.",
            lengths=", ".join(map(str, lengths)),
        )
    )
    i18n.chart(
        plots.padded_figure(
            padded.numpy(),
            lengths,
            columns,
            t("Padded batch (N, L, F) = {shape}", shape=tuple(padded.shape)),
            x_label=t("step t"),
            y_label=t("sequence n · column"),
            pad=t("pad"),
        ),
        key="st_padded_chart",
        width="stretch",
    )
    _packed_parts(packed, columns)
    _same_final_states(model, padded, lengths)


def _packed_parts(packed: batches.PackedLayout, columns) -> None:
    """PackedSequence.data as a figure (each row labelled with its step and sequence), then
    batch_sizes as a table."""
    title = t("PackedSequence.data: (S, F) = {shape}", shape=tuple(packed.data.shape))
    i18n.chart(
        plots.packed_figure(
            packed.data.numpy(),
            packed.rows,
            columns,
            title,
            x_label=t("column (F)"),
            y_label=t("row of data (step t, sequence n)"),
        ),
        key="st_packed_chart",
        width="stretch",
    )
    st.markdown(t("**batch_sizes**: sequences still running at each step"))
    sizes = pd.DataFrame({"batch_sizes": packed.batch_sizes}).rename_axis("t")
    i18n.table(sizes, key="st_batch_sizes", width="content")
    st.caption(t("sorted_indices: {order}", order=packed.sorted_indices))


def _same_final_states(model, padded: Tensor, lengths: list[int]) -> None:
    """Each sequence's final hidden state from the packed run, from a run of it alone, and from
    the padded batch run without packing; the largest differences."""
    check = tasks.packed_vs_alone(model, padded, lengths)

    def shown(h: Tensor) -> str:
        return ", ".join(f"{v:.4f}" for v in h.tolist())

    def gap(a: Tensor, b: Tensor) -> str:
        return f"{float((a - b).abs().max()):.2e}"

    # a column per sequence, a row per quantity: three narrow columns fit at 800 px wide
    columns = {
        f"n={n}": {
            t("length"): str(lengths[n]),
            t("h packed"): shown(check.packed[n]),
            t("h alone"): shown(check.alone[n]),
            t("|packed - alone|"): gap(check.packed[n], check.alone[n]),
            t("h padded, not packed"): shown(check.padded[n]),
            t("|padded - alone|"): gap(check.padded[n], check.alone[n]),
        }
        for n in range(len(lengths))
    }
    st.markdown(
        t(
            "**The check**: the final hidden state h of each series from one run on the packed "
            "batch equals a run of that series alone (up to float rounding). Run on the padded "
            "batch without packing, a short series reads the pads as days of 0 and ends "
            "elsewhere."
        )
    )
    frame = pd.DataFrame(columns).rename_axis(t("sequence n"), axis="columns")
    i18n.table(frame, key="st_packed_check", width="stretch")

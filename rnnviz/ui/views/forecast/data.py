"""The Forecast page's data: a bundled sample or an upload, parsed once, and what was read.

An upload's table is kept in its session (state.parsed_upload), a sample's in `sample_table`
(the same public file for everyone): no cache shared by sessions ever holds a user's file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from .... import data
from ....errors import UserError
from ....settings import SAMPLES, UPLOAD, ForecastSource
from ... import i18n, live, state
from ...controls import control
from ...i18n import t

__all__ = ["ASSETS", "load_table", "sample_table", "choose_data", "show_table"]

ASSETS = Path(__file__).resolve().parents[4] / "assets"


def load_table(
    content: bytes, name: str, fill: bool, max_bytes: int, max_rows: int, max_columns: int
) -> pd.DataFrame:
    """Parse a CSV within this server's limits; its name goes into attrs["source"]."""
    df = data.read_csv(
        content,
        fill="ffill" if fill else None,
        max_bytes=max_bytes,
        max_rows=max_rows,
        max_columns=max_columns,
    )
    df.attrs["source"] = name
    return df


@st.cache_data(max_entries=4, show_spinner=False)
def sample_table(
    file: str, fill: bool, max_bytes: int, max_rows: int, max_columns: int
) -> pd.DataFrame:
    """A bundled sample (public data, the same for everyone): parsed once per server."""
    table = load_table((ASSETS / file).read_bytes(), file, fill, max_bytes, max_rows, max_columns)
    table.attrs["public"] = True  # views of it may be shared by sessions (live.run_view_shared)
    return table


def choose_data() -> tuple[pd.DataFrame | None, str | None]:
    """The data source widgets. Returns (table or None, sample label or None)."""
    lim = live.limits()
    source = control(ForecastSource, "source", horizontal=True, format_func=t)
    fill = control(ForecastSource, "fill")
    uploaded = None
    if source == UPLOAD:
        uploaded = st.file_uploader(
            t("CSV file (comma, semicolon or tab separated; UTF-8 or Korean Excel)"),
            type=["csv", "txt", "tsv"],
            key="fc_upload",
            max_upload_size=lim.upload_mb,
        )
        if uploaded is None:
            st.info(t("Choose a CSV file with one row per time step, or pick a sample above."))
            return None, None
    try:
        table = _read(uploaded, fill) if uploaded is not None else _sample(source, fill)
    except UserError as e:
        state.show_error(str(e))
        return None, None
    return table, (source if source != UPLOAD else None)


def _read(uploaded, fill: bool) -> pd.DataFrame:
    """An upload, parsed once per session and kept in it (a failed parse too): never shared, never
    on disk."""
    lim = live.limits()
    return state.parsed_upload(
        "fc_upload",
        (uploaded.file_id, fill),
        lambda: load_table(
            uploaded.getvalue(), uploaded.name, fill, lim.upload_bytes, lim.rows, lim.columns
        ),
    )


def _sample(label: str, fill: bool) -> pd.DataFrame:
    lim = live.limits()
    return sample_table(SAMPLES[label][0], fill, lim.upload_bytes, lim.rows, lim.columns)


def show_table(table: pd.DataFrame) -> None:
    """How the file was read, the columns that are not numbers yet, and a preview."""
    # rnnviz.data says these in English; the table's patterns put them into the page's language
    notes = table.attrs["notes"]
    st.caption(" · ".join(state.plain(i18n.translate(note)) for note in notes))
    problems = table.attrs["problems"]
    if problems:
        st.warning(
            t("Some columns cannot be used as numbers yet:")
            + "\n\n"
            + "\n".join(f"- {state.plain(i18n.translate(msg))}" for msg in problems.values())
        )
    with st.expander(
        t(
            "Preview: {rows} rows x {columns} columns",
            rows=f"{len(table):,}",
            columns=table.shape[1],
        ),
        expanded=False,
    ):
        i18n.table(table.head(500), width="stretch")

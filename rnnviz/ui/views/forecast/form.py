"""The Forecast page's settings form: three columns of widgets drawn from ForecastSettings, the
series they will read, and a warning when the test part leaves the training range."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from .... import baselines, data, plots
from ....cellspec import spec
from ....settings import RUNS, SAMPLES, ForecastSettings
from ... import i18n, live, share, state
from ...controls import controls
from ...i18n import t

__all__ = ["DATA", "MODEL", "TRAINING", "choose_settings", "fit_window", "preview"]

DATA = (
    "target",
    "features",
    "window",
    "horizon",
    "train_pct",
    "val_pct",
    "scaler",
    "predict_change",
    "season",
)
MODEL = ("cell", "nonlinearity", "hidden_size", "num_layers", "head", "output_activation")
TRAINING = ("optimizer", "lr", "epochs", "batch_size", "runs", "folds")


def _largest_window(table: pd.DataFrame) -> int:
    """The largest window this table takes with the horizon and split as they stand (their
    widgets are drawn after the window's, so their values come from the session or the link)."""
    split = ForecastSettings(
        train_pct=share.value("fc_train_pct", 70), val_pct=share.value("fc_val_pct", 15)
    ).split
    return data.largest_window(len(table), int(share.value("fc_horizon", 1)), split)


def fit_window(table: pd.DataFrame, fit: int) -> None:
    """When a table is new, a window kept from the session or the link that is longer than `fit`
    becomes `fit`, and the page says so (the other settings stay as they were)."""
    seen = (table.attrs["source"], len(table))
    if st.session_state.get("fc_window_fitted") == seen:
        return
    st.session_state["fc_window_fitted"] = seen
    window = st.session_state.get("fc_window")
    if window is not None and 1 <= fit < window:
        st.session_state["fc_window"] = fit  # before the widget is drawn: it shows the new value
        st.info(
            t(
                "Window {window} does not fit this file's {rows} rows (with this horizon and "
                "split), so {fit} is used.",
                window=window,
                rows=len(table),
                fit=fit,
            ),
            icon="ℹ️",
        )


def _per_field(table: pd.DataFrame, sample: str | None) -> dict:
    """What the data decides for some fields (the columns, the window), and how some widgets
    show their values; the rest comes from ForecastSettings."""
    lim, columns, source = live.limits(), list(table.columns), table.attrs["source"]
    numeric = data.numeric_columns(table)
    target = SAMPLES[sample][1] if sample else data.suggest_target(table)
    features = [f for f in SAMPLES[sample][2] if f in numeric] if sample else [target]
    fit = _largest_window(table)
    return dict(
        target=dict(options=columns, default=target, key=f"fc_target_{source}"),
        features=dict(options=columns, default=features, key=f"fc_features_{source}"),
        window=dict(
            default=max(1, min(20, lim.window, len(table) // 10, fit)),
            prepare=lambda: fit_window(table, fit),
        ),
        cell=dict(format_func=lambda c: spec(c).choice),
        nonlinearity=lambda chosen: dict(disabled=chosen["cell"] != "rnn"),
        head=dict(horizontal=True),
        output_activation=dict(horizontal=True),
        lr=dict(format_func=lambda v: f"{v:g}"),
        runs=dict(format_func=lambda k: t(RUNS[k])),
        folds=lambda chosen: dict(disabled=chosen["runs"] != "folds"),
    )


def choose_settings(table: pd.DataFrame, sample: str | None) -> ForecastSettings | None:
    """The next run's settings, from three columns of widgets (None: no column holds numbers)."""
    if not data.numeric_columns(table):
        state.show_error(
            t(
                "No column of this file holds numbers that can be used. Check the file's "
                "separator and that the values are numbers."
            )
        )
        return None
    col_data, col_model, col_train = st.columns(3)
    col_data.markdown(t("**Data**"))
    col_model.markdown(t("**Model**"))
    col_train.markdown(t("**Training**"))
    layout = {col_data: DATA, col_model: MODEL, col_train: TRAINING}
    settings = controls(ForecastSettings, layout, **_per_field(table, sample))
    preview(table, settings)
    return settings


def preview(table: pd.DataFrame, settings: ForecastSettings) -> None:
    """The columns the run will read, and a warning when the test part asks the model to
    extrapolate (before training)."""
    numeric = data.numeric_columns(table)
    if settings.features:
        chosen = [c for c in dict.fromkeys([settings.target, *settings.features]) if c in numeric]
        i18n.chart(plots.series_figure(table, chosen, t("The data")), width="stretch")
    if settings.target in numeric:
        outside = baselines.extrapolation(
            table[settings.target].to_numpy(dtype=float), settings.forecast_config()
        )
        if outside is not None:
            message = outside.message(predict_change=settings.predict_change)
            st.warning(state.plain(i18n.translate(message)), icon="📏")  # said in English

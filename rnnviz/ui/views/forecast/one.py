"""One Forecast run, live: its progress, the loss, the forecast against the baseline on the
validation and test parts, and the errors table, in the data's own units."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import streamlit as st

from .... import plots, tasks
from ....metrics import MetricError
from ... import live, state
from ...i18n import t
from .. import scrub

__all__ = ["evaluation", "metrics_frame", "render_live", "LIVE_EVALUATION_SECONDS"]

# While a job trains, its forecast is recomputed at most this often. A forecast is a forward pass
# over the validation and test windows in the web process: at every refresh (once a second) for
# every session it was a fifth of the server's CPU in a class of 12, taken from the workers.
LIVE_EVALUATION_SECONDS = 3.0


def evaluation(run) -> dict:
    """Validation and test forecasts by part: once the job has ended, for the weights of the epoch
    chosen on the epoch slider (scrub.py; at first those it ended with); while it trains, for the
    latest finished epoch, at most every LIVE_EVALUATION_SECONDS."""
    return _evaluated(run)["parts"]


def _evaluated(run) -> dict:
    """evaluation's cache: {"epoch", "status", "at", "parts", "shown"}, recomputed when the epoch,
    the status or the slider's epoch ("shown") changed (while the job trains: and
    LIVE_EVALUATION_SECONDS have passed)."""
    job, ds = run.job, run.dataset
    # status before weights: a job marks itself done only after its final weights are in, so a
    # cache labelled "done" holds them (read after the snapshot, a run ending meanwhile kept stale
    # metrics)
    status = job.status if job is not None else "loaded"
    epoch = job.epochs_done if job is not None else -1
    shown = scrub.chosen(run, "fc")  # the slider's epoch once the run has ended, else None
    cached = run.results.get("evaluated")
    fresh = (
        cached is not None
        and cached["epoch"] == epoch
        and cached["status"] == status
        and cached.get("shown") == shown
    )
    if cached is not None and status == "running" and cached["status"] == "running":
        fresh = fresh or time.monotonic() - cached["at"] < LIVE_EVALUATION_SECONDS
    if not fresh:
        model = scrub.model_at(run, shown)
        try:
            parts = {
                p: tasks.evaluate_forecast(model, ds, p)
                for p in ("val", "test")
                if len(ds.actual[ds.parts[p]])
            }
        except MetricError as e:  # a forecast that is not finite: said, never shown as inf
            state.show_error(str(e))
            parts = {}
        cached = {"epoch": epoch, "status": status, "at": time.monotonic(), "parts": parts}
        cached["shown"] = shown
        run.results["evaluated"] = cached
    return cached


def metrics_frame(result: tasks.ForecastResult) -> pd.DataFrame:
    return pd.DataFrame(result.table).set_index("metric")


def _loss_chart(history: list[dict]) -> None:
    if history:
        st.plotly_chart(
            plots.loss_figure(history, t("Loss (scaled units, log axis)")),
            width="stretch",
            key="fc_loss_chart",
        )
    else:
        st.caption(t("The loss curve appears after the first epoch."))


def _forecast_chart(run, parts: dict) -> None:
    """Validation and test together: actual, the model, the baseline. The figure is built once per
    evaluation (the live view redraws every second, the forecast changes every few)."""
    both = [r for r in (parts.get("val"), parts.get("test")) if r is not None]
    if not both:
        return
    shown, target = scrub.chosen(run, "fc"), run.settings.target
    if shown is None:
        title = t("'{target}' on validation + test, in its own units", target=target)
    else:  # as short: the title has half the page's width
        title = t("'{target}' after epoch {epoch}, in its own units", target=target, epoch=shown)
    made = run.results.get("forecast_figure")
    if made is None or made[0] is not parts or made[1] != title:
        fig = plots.forecast_figure(
            np.concatenate([np.asarray(r.dates) for r in both]),
            np.concatenate([r.actual for r in both]),
            np.concatenate([r.predicted for r in both]),
            np.concatenate([r.baseline for r in both]),
            title=title,
        )
        made = run.results["forecast_figure"] = (parts, title, fig)
    st.plotly_chart(made[2], width="stretch", key="fc_forecast_chart")


def _errors(parts: dict, target: str) -> None:
    """The test part's errors (the validation part's when there is no test part)."""
    shown = parts.get("test") or parts.get("val")
    if shown is None:
        return
    st.markdown(
        t(
            "**Errors on the {part} part** ({rows} rows, in the units of '{target}'); "
            "baseline = tomorrow equals today",
            part=t("test") if "test" in parts else t("validation"),
            rows=len(shown.actual),
            target=state.plain(target),
        )
    )
    st.dataframe(metrics_frame(shown), width="content", key="fc_metrics")


def render_live(run):
    """What live_view redraws about once a second while the job trains (`job` None: an opened
    model)."""

    def _render(job):
        if job is not None:
            live.status_line(job)
        parts = evaluation(run)
        left, right = st.columns(2)
        with left:
            _loss_chart(job.history if job is not None else [])
        with right:
            _forecast_chart(run, parts)
            if job is not None and job.running and parts:
                st.caption(
                    t(
                        "While it trains, the forecast is redrawn every {s:g} s from the latest "
                        "weights.",
                        s=LIVE_EVALUATION_SECONDS,
                    )
                )
        _errors(parts, run.settings.target)

    return _render

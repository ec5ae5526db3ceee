"""One Forecast run, live: its progress, the loss, the forecast against the baseline on the
validation and test parts, and the errors table, in the data's own units."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from .... import plots, tasks
from ....metrics import MetricError
from ... import figures, i18n, live, state
from ...i18n import t
from ...widgets import wrapping_columns
from .. import kept, scrub

__all__ = ["evaluation", "metrics_frame", "kept_more", "render_live", "LIVE_EVALUATION_SECONDS"]

# While a job trains, its forecast is recomputed at most this often. A forecast is a forward pass
# over the validation and test windows in the web process: at every refresh (once a second) for
# every session it was a fifth of the server's CPU in a class of 12, taken from the workers.
LIVE_EVALUATION_SECONDS = 3.0


def evaluation(run) -> dict:
    """Validation and test forecasts by part: once the job has ended or while it is paused, for
    the weights of the epoch chosen on the epoch slider (scrub.py; at first those it ended or is
    held with); while it trains, for the latest finished epoch, at most every
    LIVE_EVALUATION_SECONDS."""
    return _evaluated(run)["parts"]


def _evaluated(run) -> dict:
    """evaluation's cache: {"epoch", "status", "at", "parts", "shown", "held"}, recomputed when
    the epoch, the status, the slider's epoch ("shown") or being paused changed (while the job
    trains: and LIVE_EVALUATION_SECONDS have passed)."""
    job = run.job
    # status before weights: a job marks itself done only after its final weights are in, so a
    # cache labelled "done" holds them (read after the snapshot, a run ending meanwhile kept stale
    # metrics)
    status = job.status if job is not None else "loaded"
    epoch = job.epochs_done if job is not None else -1
    shown = scrub.chosen(run, "fc")  # the slider's epoch once ended or paused, else None
    # paused: the held epoch's snapshot, never the latest weights streamed while it trained
    held = scrub.held(run)
    cached = run.results.get("evaluated")
    fresh = (
        cached is not None
        and cached["epoch"] == epoch
        and cached["status"] == status
        and cached.get("shown") == shown
        and cached.get("held") == held
    )
    if cached is not None and status == "running" and not held and cached["status"] == "running":
        fresh = fresh or time.monotonic() - cached["at"] < LIVE_EVALUATION_SECONDS
    if not fresh:
        model = scrub.model_at(run, shown)
        try:
            parts = _forecasts(run, model)
        except MetricError as e:  # a forecast that is not finite: said, never shown as inf
            state.show_error(str(e))
            parts = {}
        cached = {"epoch": epoch, "status": status, "at": time.monotonic(), "parts": parts}
        cached["shown"], cached["held"] = shown, held
        run.results["evaluated"] = cached
    return cached


def _forecasts(run, model) -> dict:
    """{part: evaluate_forecast} for the validation and test parts. For a run on a bundled sample
    that has ended, kept for every session of this server by the model's weights and the data
    (live.shared_result): a class that trains the preset with one seed gets the same weights, so one
    forward pass serves every student (it was a sixth of the server's script time in a class of
    30). A run on a user's file, or one still training, computes its own."""
    ds = run.dataset

    def compute() -> dict:
        parts = ("val", "test")
        return {
            p: tasks.evaluate_forecast(model, ds, p) for p in parts if len(ds.actual[ds.parts[p]])
        }

    if not run.public or run.running:
        return compute()
    key = figures.digest(model.config, model.state_dict(), ds.config, ds.series, ds.x)
    return live.shared_result(key, compute, kind="forecasts")


def metrics_frame(result: tasks.ForecastResult) -> pd.DataFrame:
    return pd.DataFrame(result.table).set_index("metric")


def _val_and_test(parts: dict) -> dict | None:
    """The validation and test parts one after the other: dates, actual, predicted, baseline
    (data units); None when neither has a row."""
    both = [r for r in (parts.get("val"), parts.get("test")) if r is not None]
    if not both:
        return None
    return {
        "dates": np.concatenate([np.asarray(r.dates) for r in both]),
        "actual": np.concatenate([r.actual for r in both]),
        "predicted": np.concatenate([r.predicted for r in both]),
        "baseline": np.concatenate([r.baseline for r in both]),
    }


def kept_more(run) -> dict:
    """What a kept Forecast run keeps besides its job's (views.kept.keep_ended): the extra of the
    page's model download, its forecast on validation + test and its errors on the test part
    (the validation part's without one) beside the baseline's, in the data's units."""
    parts = evaluation(run)
    shown, part = (
        (parts["test"], t("test")) if "test" in parts else (parts.get("val"), t("validation"))
    )
    metrics = {}
    for row in shown.table if shown is not None else ():
        metrics[f"{row['metric']} ({part})"] = row["model"]
        metrics[t("{metric} ({part}), baseline", metric=row["metric"], part=part)] = row["baseline"]
    joined = _val_and_test(parts)
    forecast = None if joined is None else {k: joined[k] for k in ("dates", "predicted")}
    extra = tasks.forecast_extra(run.dataset, run.settings.saved())
    return {"extra": extra, "forecast": forecast, "metrics": metrics}


def _loss_chart(history: list[dict], overlays: list) -> None:
    if history:
        fig = plots.loss_figure(history, t("Loss (scaled units, log axis)"))
        i18n.chart(kept.loss_overlays(fig, overlays), width="stretch", key="fc_loss_chart")
    else:
        st.caption(t("The loss curve appears after the first epoch."))


PART_NAMES = {"val": "validation", "test": "test"}


def _forecast_chart(run, parts: dict, overlays: list) -> None:
    """Validation and test together: actual, the model, the baseline, and the kept runs'
    forecasts chosen to overlay (of the same column of the same data). The figure is kept
    (figures.built): the live view redraws every second, the forecast changes every few."""
    joined = _val_and_test(parts)
    if joined is None:
        return
    shown, target = scrub.chosen(run, "fc"), run.settings.target
    if shown is None:
        title = t("'{target}' on validation + test, in its own units", target=target)
    else:  # as short: the title has half the page's width
        title = t("'{target}' after epoch {epoch}, in its own units", target=target, epoch=shown)
    names = [name for name in ("val", "test") if parts.get(name) is not None]
    fig = figures.built(
        run,
        plots.forecast_figure,
        joined["dates"],
        joined["actual"],
        joined["predicted"],
        joined["baseline"],
        title=title,
        unit=run.settings.target,
        parts=[(PART_NAMES[n], len(parts[n].actual)) for n in names],
    )
    same = [
        k
        for k in overlays
        if k.forecast and k.source == run.source and k.settings.target == run.settings.target
    ]
    if same:
        fig = go.Figure(fig)  # a copy: the figure kept for this evaluation stays the run's own
        for k in same:
            name = t("{run}: model", run=kept.run_name(k.number))
            plots.overlay_forecast(
                fig, k.forecast["dates"], k.forecast["predicted"], name, k.number
            )
    i18n.chart(fig, width="stretch", key="fc_forecast_chart")
    if len(same) < len(overlays):
        st.caption(t("Runs on other data or another column show only their loss."))


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
    i18n.table(metrics_frame(shown), width="content", key="fc_metrics")


CHARTS = "fc_live_charts"  # the container of the loss and forecast charts (its CSS class)


def render_live(run, overlays=None):
    """What live_view redraws about once a second while the job trains (`job` None: an opened
    model). overlays(): the kept runs to draw on its charts (views.kept.overlaid)."""

    def _render(job):
        if job is not None:
            live.status_line(job)
        parts = evaluation(run)
        chosen = overlays() if overlays is not None else []
        # side by side where both fit; one under the other in a narrow window (800 px with the
        # sidebar open left each chart 230 px: its title cut, its dates written over each other)
        left, right = wrapping_columns(CHARTS, 2, 340)
        with left:
            _loss_chart(job.history if job is not None else [], chosen)
        with right:
            _forecast_chart(run, parts, chosen)
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

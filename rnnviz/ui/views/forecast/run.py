"""A Forecast run: what it holds (ForecastRun), how one starts (`start` for Train,
`open_saved_model` for a file saved here), and which views show it (`show`): one run live, then
the ladder, the model's insides and the downloads; or several runs (five seeds, rolling-origin
folds) side by side."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from .... import tasks
from ....checkpoint import CheckpointError
from ....data import DataError
from ....errors import UserError
from ....settings import ForecastSettings
from ... import live, state
from ...i18n import t
from ...sidebar import device_choice, seed_choice
from .. import scrub
from .files import downloads, script_download
from .inside import inside_the_model
from .ladder import show_ladder
from .one import render_live
from .spread import render_runs

__all__ = ["ForecastRun", "start", "open_saved_model", "show"]


@dataclass(eq=False)
class ForecastRun(state.Run):
    """A Forecast run: state.Run (settings, dataset, jobs, model, source, results) and what the
    Forecast views need besides: the table it read, and per job its dataset, seed and name."""

    table: pd.DataFrame | None = None  # the table it read (None for a model opened from a file)
    fill: bool = False  # missing values were filled forward (the script does the same)
    public: bool = False  # a bundled sample: its views may be shared by sessions
    datasets: list = field(default_factory=list)  # per job (a fold's own, else `dataset`)
    folds: list | None = None  # per job, rnnviz.runs.Fold; None unless rolling origin
    seeds: list[int] = field(default_factory=list)  # per job
    names: list[str] = field(default_factory=list)  # per job: "seed 3", "fold 2"


def start(table: pd.DataFrame, settings: ForecastSettings) -> ForecastRun | None:
    """Build the dataset and model(s) for `settings` and start their jobs: one run, five seeds, or
    a run per rolling-origin fold. Any problem: a message and None (the last run stays)."""
    try:
        if settings.split[2] <= 0:
            raise DataError(
                t("Training and validation take every row: leave some for the test part.")
            )
        plan = tasks.plan_forecast(
            table, settings, seed_choice(), device_choice(), live.limits()
        )  # every model built first: a bad setting starts none of them
        jobs = [live.start_job(*job) for job in zip(plan.models, plan.train_data, plan.train)]
    except UserError as e:
        state.show_error(str(e))
        return None
    if plan.folds is not None:
        names = [t("fold {number}", number=f.number) for f in plan.folds]
    else:
        names = [t("seed {seed}", seed=k) for k in plan.seeds]
    return ForecastRun(
        settings=settings,
        dataset=plan.dataset,
        jobs=jobs,
        source=table.attrs["source"],
        table=table,
        fill=bool(st.session_state.get("fc_fill")),
        public=bool(table.attrs.get("public")),
        datasets=plan.datasets,
        folds=plan.folds,
        seeds=plan.seeds,
        names=names,
    )


def open_saved_model(page: str, table: pd.DataFrame | None) -> None:
    """Upload a model saved here; it is rebuilt on the current data for inspection, as the page's
    run (a file opened once is not opened again on every rerun)."""
    lim = live.limits()
    uploaded = st.file_uploader(
        t("Open a saved model (.safetensors from this page)"),
        type=["safetensors"],
        key="fc_model_upload",
        max_upload_size=lim.upload_mb,
    )
    if uploaded is None or st.session_state.get("fc_restored") == uploaded.file_id:
        return
    try:
        if table is None:
            raise DataError(t("Choose the data the model was trained on first."))
        if uploaded.size > lim.upload_bytes:
            raise CheckpointError(
                t("The file is larger than this server's limit of {mb} MB.", mb=lim.upload_mb)
            )
        model, ds, saved = tasks.restore_forecast(uploaded.getvalue(), table)
    except UserError as e:
        state.show_error(t("Could not open that model: {problem}", problem=e))
        return
    st.session_state["fc_restored"] = uploaded.file_id
    opened = ForecastRun(
        settings=ForecastSettings.from_saved(saved),
        dataset=ds,
        model=model,
        source=table.attrs["source"],
        table=table,
    )
    state.set_run(page, opened)
    st.session_state["fc_flash"] = t(
        "Opened {name}: its forecasts and insides are shown below.", name=uploaded.name
    )
    st.rerun()


def show(run: ForecastRun, overlays=None) -> None:
    """The run's views: live while it trains, then what it says. overlays(): the kept runs to
    draw on its loss and forecast charts (views.kept.overlaid)."""
    if len(run.jobs) > 1:  # five seeds or rolling-origin folds
        live.live_view(run.jobs, render_runs(run))
        if run.folds is None and not run.running:
            st.subheader(t("Downloads"))
            script_download(run)
        return
    if run.job is not None:
        live.live_view(run.job, render_live(run, overlays))
    else:
        render_live(run, overlays)(None)  # a model opened from a file
    if scrub.inspectable(run):  # ended, or paused: the held epoch's insides, the slider
        show_ladder(run)
        inside_the_model(run)
    if not run.running:
        st.subheader(t("Downloads"))
        downloads(run)

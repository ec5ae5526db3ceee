"""Forecast: a CSV column, a window of history, a recurrent model, and the baseline to beat.

Widgets -> ForecastConfig/ModelConfig/TrainConfig -> rnnviz -> figures. No maths here.
"""

import hashlib

import numpy as np
import pandas as pd
import streamlit as st

from rnnviz import baselines, data, plots, runs, tasks
from rnnviz import settings as config
from rnnviz.checkpoint import CheckpointError
from rnnviz.data import DataError
from rnnviz.errors import UserError
from rnnviz.metrics import MetricError
from rnnviz.settings import ForecastSettings, ForecastSource
from rnnviz.trace import hidden_state_path, trace
from rnnviz.ui import live, share, state
from rnnviz.ui.controls import page_links
from rnnviz.ui.i18n import t
from rnnviz.ui.sidebar import device_choice, seed_choice
from rnnviz.ui.views.forecast.data import choose_data, show_table
from rnnviz.ui.views.forecast.form import choose_settings
from rnnviz.ui.widgets import int_slider, option_slider

PAGE = "forecast"
ENDED = ("done", "diverged")  # runs whose weights are a result (a stopped or failed run's are not)


def start_training(table: pd.DataFrame, s: ForecastSettings) -> bool:
    """Build the dataset and model(s) for settings `s` and start their jobs: one run, five seeds, or
    a run per rolling-origin fold. Any problem: a message, and the previous run stays as it was."""
    try:
        if s.split[2] <= 0:
            raise DataError(
                t("Training and validation take every row: leave some for the test part.")
            )
        config.check(s, live.limits())
        cfg = s.forecast_config()
        ds = data.make_forecast_dataset(table, cfg)
        seed = seed_choice()
        if s.runs == "folds":
            folds, datasets = runs.fold_datasets(table, cfg, s.folds)
            seeds, names = [seed] * len(folds), [t("fold {number}", number=f.number) for f in folds]
        else:
            folds, datasets = None, [ds] * (runs.SEEDS if s.runs == "seeds" else 1)
            seeds = [seed + k for k in range(len(datasets))]
            names = [t("seed {seed}", seed=k) for k in seeds]
        specs = [
            (
                tasks.forecast_model_for(d, s, seed=k),
                tasks.forecast_train_data(d),
                s.train_config(seed=k, device=device_choice()),
            )
            for d, k in zip(datasets, seeds)
        ]
        jobs = [
            live.start_job(*spec) for spec in specs
        ]  # built first: a bad setting starts none of them
    except UserError as e:
        state.show_error(str(e))
        return False
    one = s.runs == "one"
    state.set_run(
        PAGE,
        {
            "job": jobs[0] if one else None,
            "jobs": None if one else jobs,
            "model": None,
            "ds": ds,
            "settings": s,
            "source": table.attrs["source"],
            "public": bool(table.attrs.get("public")),
            "evaluated": None,
            "table": table,
            "fill": bool(st.session_state.get("fc_fill")),
            "datasets": datasets,
            "folds": folds,
            "seeds": seeds,
            "names": names,
        },
    )
    return True


def ladder_forecasts(run: dict):
    """The baselines' forecasts for the run's dataset, in the view worker (ETS takes seconds). On a
    bundled sample they are the same for every session with the same data and settings, so a class
    training the preset computes them once."""
    ds, season = run["ds"], run["settings"].season_rows
    if not run.get("public"):
        return live.run_view(baselines.baseline_forecasts, ds, season)
    digest = hashlib.sha256(np.ascontiguousarray(ds.series).tobytes())
    digest.update(ds.x.numpy().tobytes())
    key = ("ladder", repr(ds.config), season, digest.hexdigest())
    return live.run_view_shared(key, baselines.baseline_forecasts, ds, season)


def run_model(run: dict):
    return run["job"].snapshot_model() if run["job"] is not None else run["model"]


def evaluation(run: dict) -> dict:
    """Validation and test forecasts for the latest finished epoch (recomputed only when it
    changes)."""
    job = run["job"]
    # status before weights: a job marks itself done only after its final weights are in, so a cache
    # labelled "done" holds them (read after the snapshot, a run ending meanwhile kept stale
    # metrics)
    status = job.status if job is not None else "loaded"
    epoch = job.epochs_done if job is not None else -1
    cached = run.get("evaluated")
    if cached is None or cached["epoch"] != epoch or cached["status"] != status:
        model = run_model(run)
        ds = run["ds"]
        try:
            parts = {
                p: tasks.evaluate_forecast(model, ds, p)
                for p in ("val", "test")
                if len(ds.actual[ds.parts[p]])
            }
        except MetricError as e:  # a forecast that is not finite: said, never shown as inf
            state.show_error(str(e))
            parts = {}
        cached = {"epoch": epoch, "status": status, "parts": parts}
        run["evaluated"] = cached
    return cached["parts"]


def metrics_frame(result) -> pd.DataFrame:
    return pd.DataFrame(result.table).set_index("metric")


def render_live(run: dict):
    def _render(job):
        if job is not None:
            live.status_line(job)
        history = job.history if job is not None else []
        s = run["settings"]
        parts = evaluation(run)
        left, right = st.columns(2)
        with left:
            if history:
                st.plotly_chart(
                    plots.loss_figure(history, t("Loss (scaled units, log axis)")),
                    width="stretch",
                    key="fc_loss_chart",
                )
            else:
                st.caption(t("The loss curve appears after the first epoch."))
        with right:
            shown = parts.get("test") or parts.get("val")
            if shown is not None:
                both = [r for r in (parts.get("val"), parts.get("test")) if r is not None]
                dates = np.concatenate([np.asarray(r.dates) for r in both])
                fig = plots.forecast_figure(
                    dates,
                    np.concatenate([r.actual for r in both]),
                    np.concatenate([r.predicted for r in both]),
                    np.concatenate([r.baseline for r in both]),
                    title=t("'{target}' on validation + test, in its own units", target=s.target),
                )
                st.plotly_chart(fig, width="stretch", key="fc_forecast_chart")
        shown = parts.get("test") or parts.get("val")
        if shown is not None:
            st.markdown(
                t(
                    "**Errors on the {part} part** ({rows} rows, in the units of '{target}'); "
                    "baseline = tomorrow equals today",
                    part=t("test") if "test" in parts else t("validation"),
                    rows=len(shown.actual),
                    target=state.plain(s.target),
                )
            )
            st.dataframe(metrics_frame(shown), width="content", key="fc_metrics")

    return _render


def tested(run: dict, jobs) -> dict[int, object]:
    """Each ended run's test result (tasks.ForecastResult), by its place in the run's list, computed
    once per job (its weights no longer change); a forecast that is not finite is said, not used."""
    cache = run.setdefault("tested", {})
    found = {}
    for i, (job, ds) in enumerate(zip(jobs, run["datasets"])):
        if job.status not in ENDED or not job.epochs_done:
            continue
        if job.id not in cache:
            try:
                cache[job.id] = tasks.evaluate_forecast(job.snapshot_model(), ds, "test")
            except MetricError as e:
                cache[job.id] = f"{run['names'][i]}: {e}"
        if isinstance(cache[job.id], str):
            state.show_error(cache[job.id])
        else:
            found[i] = cache[job.id]
    return found


def runs_frame(run: dict, jobs) -> pd.DataFrame:
    """One row per run: its name, status and the last epoch's losses, read from its history."""
    rows = []
    for name, job in zip(run["names"], jobs):
        h = tasks.history_summary(job.history)
        rows.append(
            {
                t("run"): name,
                t("status"): job.status,
                t("epochs"): h["epochs"],
                t("train loss"): h["train_loss"],
                t("validation loss"): h["val_loss"],
            }
        )
    if (
        run["folds"] is not None
    ):  # a fold trains on everything before its origin: no validation part
        for row in rows:
            del row[t("validation loss")]
    return pd.DataFrame(rows)


def show_spread(run: dict, results: dict) -> None:
    """Five seeds: the model's errors as mean ± sample sd over the runs that ended, and its forecast
    as a band (min..max over the seeds) around the mean line."""
    s, count = run["settings"], len(run["seeds"])
    spread = runs.seed_spread(list(results.values()), [run["seeds"][i] for i in results])
    rmse = spread.metric("RMSE")
    sd = f" ± {rmse['sd']:.4g}" if rmse["sd"] is not None else ""
    st.markdown(
        t(
            "**Test RMSE of the model: {mean}{sd}** (mean ± sample standard deviation, ddof=1, "
            "over {n} of {count} "
            "seeds), in the units of '{target}'; persistence (tomorrow equals today): {baseline}.",
            mean=f"{rmse['mean']:.4g}",
            sd=sd,
            n=len(results),
            count=count,
            target=state.plain(s.target),
            baseline=f"{rmse['baseline']:.4g}",
        )
    )
    if len(results) < count:
        st.caption(
            t(
                "Runs that were stopped or failed are left out: the spread is over the runs that "
                "ended."
            )
        )
    fig = plots.forecast_band_figure(
        spread.dates,
        spread.actual,
        spread.baseline,
        spread.mean,
        spread.low,
        spread.high,
        title=t("'{target}' (test part): mean, min..max over seeds", target=s.target),
        band_name=t("model, min..max over seeds"),
        mean_name=t("model, mean over seeds"),
    )
    st.plotly_chart(fig, width="stretch", key="fc_band_chart")
    frame = pd.DataFrame(
        [
            {
                "metric": r["metric"],
                t("model mean"): r["mean"],
                t("model sd (ddof=1)"): r["sd"],
                t("lowest"): r["min"],
                t("highest"): r["max"],
                t("baseline"): r["baseline"],
                **{t("seed {seed}", seed=k): v for k, v in r["by_seed"].items()},
            }
            for r in spread.table
        ]
    )
    st.dataframe(frame.set_index("metric"), width="stretch", key="fc_spread_table")
    if (
        len(results) == count and rmse["sd"] is not None
    ):  # every seed ended: the ladder, ties judged by the spread
        k = spread.median_run
        ladder_table(
            run,
            "test",
            spread.predicted[k],
            spread=rmse["sd"],
            model_name=f"{s.cell.upper()} ({t('seed {seed}', seed=spread.seeds[k])})",
        )
        st.caption(
            t(
                "The ladder ranks the run whose RMSE is the median of the {count} (seed {seed}); "
                "a gap to the "
                "best baseline within the sd over seeds ({sd}) is called a tie.",
                count=count,
                seed=spread.seeds[k],
                sd=f"{rmse['sd']:.4g}",
            )
        )


def show_folds(run: dict, results: dict) -> None:
    """Rolling origin: each fold's test RMSE for the model and persistence, and their means once
    every fold has ended."""
    s, folds = run["settings"], run["folds"]
    rows = runs.fold_table([folds[i] for i in results], list(results.values()))
    if len(results) == len(folds):
        mean = rows[-1]
        st.markdown(
            t(
                "**Mean test RMSE over {k} folds: model {model}, persistence {baseline}**, in the "
                "units of "
                "'{target}'.",
                k=len(folds),
                model=f"{mean['model RMSE']:.4g}",
                baseline=f"{mean['persistence RMSE']:.4g}",
                target=state.plain(s.target),
            )
        )
    else:
        rows = rows[:-1]
        st.caption(t("The mean over the folds appears when every fold has ended."))
    st.caption(
        t(
            "Each fold trains on every window before its origin (no validation part) and is "
            "tested on the "
            "next block; scaling is fit on that fold's training rows only."
        )
    )
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="fc_folds_table")


def render_runs(run: dict):
    """Several runs at once (seeds or folds): their progress and losses while they train, then what
    they say together."""

    def _render(jobs):
        ended = sum(not j.running for j in jobs)
        done, total = sum(j.epochs_done for j in jobs), sum(j.config.epochs for j in jobs)
        st.progress(
            min(done / total, 1.0),
            text=t(
                "{ended} of {count} runs ended · {done} of {total} epochs in all",
                ended=ended,
                count=len(jobs),
                done=done,
                total=total,
            ),
        )
        if any(j.status == "queued" for j in jobs):
            st.info(
                t("Some runs wait for a free worker: they start by themselves as others end."),
                icon="⏳",
            )
        for name, job in zip(run["names"], jobs):
            if job.status in ("diverged", "failed"):
                st.warning(f"{name}: {job.message}", icon="📈" if job.status == "diverged" else "⚠️")
        histories = {name: j.history for name, j in zip(run["names"], jobs)}
        if any(histories.values()):
            st.plotly_chart(
                plots.losses_figure(
                    histories, t("Loss of each run (solid: training, dotted: validation)")
                ),
                width="stretch",
                key="fc_losses_chart",
            )
        st.dataframe(runs_frame(run, jobs), hide_index=True, width="stretch", key="fc_runs_table")
        results = tested(run, jobs)
        if not results:
            return
        if run["folds"] is None:
            show_spread(run, results)
        else:
            show_folds(run, results)

    return _render


def show_ladder(run: dict) -> None:
    """The model ranked with every baseline on the part the metrics above are for, and who wins."""
    parts = evaluation(run)
    part = "test" if "test" in parts else "val" if "val" in parts else None
    if part is not None:
        ladder_table(run, part, parts[part].predicted, model_name=run["settings"].cell.upper())


def ladder_table(
    run: dict, part: str, predicted, spread: float | None = None, model_name: str = "model"
) -> None:
    """The ladder for one forecast of the model (`predicted`, on `part`) and its verdict; `spread`
    (the sd of the model's RMSE over seeds) makes a smaller gap a tie. The baselines (ETS is fit
    here) are
    computed once per run, where training runs."""
    ds, s = run["ds"], run["settings"]
    try:
        if "baselines" not in run:
            run["baselines"] = ladder_forecasts(run)
        if run["baselines"] is None:  # the view ran out of time or memory: said above
            return
        result = baselines.ladder(
            ds, run["baselines"], predicted, part, spread=spread, model_name=model_name
        )
    except UserError as e:
        state.show_error(str(e))
        return
    st.markdown(
        t(
            "**The baseline ladder** on the {part} part, best first, in the units of '{target}' "
            "(▶ marks your model)",
            part=t("test") if part == "test" else t("validation"),
            target=state.plain(s.target),
        )
    )
    st.dataframe(pd.DataFrame(result.records()).set_index("rank"), width="stretch", key="fc_ladder")
    st.markdown(state.plain(result.verdict))
    st.caption(t("Seasonal baselines: {season}.", season=state.plain(result.season.describe())))
    for why in result.left_out:
        st.caption(t("Left out: {why}", why=state.plain(why)))


def inside_the_model(run: dict) -> None:
    ds = run["ds"]
    model = run_model(run)
    n = len(ds.x)
    st.subheader(t("Inside the model"))
    labels = [str(d.date()) if hasattr(d, "date") else str(d) for d in ds.dates]
    i = option_slider(
        t("Window (by the date it predicts)"),
        list(range(n)),
        n - 1,
        key=f"fc_window_pick_{run['id']}",
        format_func=lambda k: labels[k],
        help=t("Pick which window of the series to look inside."),
    )
    views = run.setdefault(
        "views", {}
    )  # the model is final here: each view is computed once per run
    if views.get("window") != i:
        views["window"], views["trace"] = (
            i,
            trace(model, ds.x[i]),
        )  # one window: bounded by the window limit
    tr = views["trace"]
    predicted = float(ds.inverse(tr.prediction.reshape(1, 1), [i])[0])
    c1, c2, c3 = st.columns(3)
    c1.metric(t("Actual ({date})", date=labels[i]), f"{ds.actual[i]:.4g}")
    c2.metric(
        t("Model"),
        f"{predicted:.4g}",
        t("{error} error", error=f"{predicted - ds.actual[i]:+.4g}"),
        delta_color="off",
    )
    c3.metric(
        t("Baseline (next = last)"),
        f"{ds.baseline[i]:.4g}",
        t("{error} error", error=f"{ds.baseline[i] - ds.actual[i]:+.4g}"),
        delta_color="off",
    )
    step = int_slider(
        t("Step t inside the window"), 0, ds.window - 1, ds.window - 1, key=f"fc_step_{run['id']}"
    )
    for layer, h in enumerate(tr.hidden):
        st.plotly_chart(
            plots.heatmap_figure(
                h.numpy(),
                t("Hidden state h_t, layer {layer} (units x steps)", layer=layer + 1),
                highlight=step,
            ),
            width="stretch",
            key=f"fc_heat_{layer}",
        )
        if tr.cell != "rnn":
            gates = {g: v.numpy() for g, v in tr.gates[layer].items()}
            if tr.cell_state is not None:
                gates["c_t (cell state)"] = tr.cell_state[layer].numpy()
            st.plotly_chart(
                plots.gates_figure(
                    gates, t("Gates, layer {layer}", layer=layer + 1), highlight=step
                ),
                width="stretch",
                key=f"fc_gates_{layer}",
            )
    step_table = {"h_t": tr.hidden[-1][step].numpy()}
    for g, v in tr.gates[-1].items():
        if tr.cell != "rnn":
            step_table[g] = v[step].numpy()
    st.caption(t("Top layer at step t = {step}: one row per hidden unit", step=step))
    st.dataframe(pd.DataFrame(step_table).rename_axis("unit"), width="content", key="fc_step_table")
    if "path" not in views:
        # a bounded subset of the windows, computed where training runs (a worker process), not
        # in the web process
        views["path"] = live.run_view(hidden_state_path, model, ds.x, live.limits())
    path = views["path"]
    if path is None:  # the view ran out of time or memory where it runs: already said above
        return
    chosen = path.project(tr.hidden[-1][-1]).tolist()  # the chosen window, on the path's axes
    st.plotly_chart(
        plots.pca_path_figure(
            path.points.numpy(),
            [labels[k] for k in path.indices],
            explained=path.explained.tolist(),
            chosen=chosen,
        ),
        width="stretch",
        key="fc_pca",
    )
    if path.subset:
        st.caption(
            t(
                "The path shows one window in {stride}, {shown:,} of {total:,}, evenly spaced up "
                "to the last one, "
                "so that this view stays quick on a shared server.",
                stride=path.stride,
                shown=len(path.indices),
                total=path.total,
            )
        )


def downloads(run: dict) -> None:
    ds, s = run["ds"], run["settings"]
    model = run_model(run)
    frames = [
        tasks.evaluate_forecast(model, ds, p).frame().assign(part=p)
        for p in ("train", "val", "test")
        if len(ds.actual[ds.parts[p]])
    ]
    csv = pd.concat(frames).to_csv(index=False).encode("utf-8")
    c1, c2 = st.columns(2)
    c1.download_button(
        t("Download predictions (CSV)"), csv, "predictions.csv", "text/csv", key="fc_dl_csv"
    )
    c2.download_button(
        t("Download the model (safetensors)"),
        tasks.forecast_checkpoint(model, ds, s.saved()),
        "rnnviz-forecast.safetensors",
        "application/octet-stream",
        key="fc_dl_model",
    )
    script_download(run)


def script_download(run: dict) -> None:
    """ "Download as a Python script": this run (the first seed's, of five) in plain torch +
    pandas."""
    if run["job"] is None and not run.get("jobs"):
        st.caption(t("A model opened from a file has no training settings to write a script from."))
        return
    job = run["job"] or run["jobs"][0]
    script = tasks.forecast_script(run["table"], run["settings"], job.config, run["fill"])
    st.download_button(
        t("Download as a Python script"),
        script.encode("utf-8"),
        "rnnviz_forecast.py",
        "text/x-python",
        key="fc_dl_script",
        help=t(
            "A standalone script (torch, pandas and numpy; no rnnviz) that trains this run again "
            "and prints the same test metrics. Run: python rnnviz_forecast.py {file}",
            file=run["source"],
        ),
    )
    if run.get("jobs"):
        st.caption(t("It trains seed {seed}; add --seed N for another.", seed=job.config.seed))
    if job.status in ("diverged", "stopped"):
        st.caption(
            t(
                "This run ended early ({status}) and kept the weights of an earlier epoch; the "
                "script trains "
                "every epoch and prints the last one's metrics.",
                status=job.status,
            )
        )


def restore_model(table: pd.DataFrame | None) -> None:
    """Upload a model saved here; it is rebuilt on the current data for inspection."""
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
        model, ds, s = tasks.restore_forecast(uploaded.getvalue(), table)
    except UserError as e:
        state.show_error(t("Could not open that model: {problem}", problem=e))
        return
    st.session_state["fc_restored"] = uploaded.file_id
    state.set_run(
        PAGE,
        {
            "job": None,
            "model": model,
            "ds": ds,
            "settings": ForecastSettings.from_saved(s),
            "source": table.attrs["source"],
            "evaluated": None,
        },
    )
    st.session_state["fc_flash"] = t(
        "Opened {name}: its forecasts and insides are shown below.", name=uploaded.name
    )
    st.rerun()


def page() -> None:
    st.title(t("📈 Forecast"))
    st.caption(
        t(
            "Would an RNN with a window of history beat 'tomorrow = today' on this series? Train "
            "one and see, "
            "in the data's own units."
        )
    )
    if "fc_flash" in st.session_state:
        st.success(state.plain(st.session_state.pop("fc_flash")))
    page_links(ForecastSource, ForecastSettings)  # old links' names (hidden) read as the new ones
    table, sample = choose_data()
    settings = None
    if table is not None:
        show_table(table)
        settings = choose_settings(table, sample)
    share.publish("fc")
    train_clicked, run = live.run_controls(PAGE, "fc", can_train=settings is not None)
    if train_clicked and settings is not None and start_training(table, settings):
        st.rerun()  # draw the page again with the new run: Stop shown, Train disabled
    if run is None:
        st.info(
            t(
                "Press Train: the loss, the forecast against the baseline and the metrics appear "
                "here as it learns."
            )
        )
    else:
        if settings is not None and (
            settings != run["settings"] or table.attrs["source"] != run["source"]
        ):
            st.caption(
                t(
                    "The settings above changed since this run; press Train to use them. The "
                    "results below are "
                    "from the run as it was started."
                )
            )
        if run.get("jobs"):  # five seeds or rolling-origin folds
            live.live_view(run["jobs"], render_runs(run))
            if run["folds"] is None and not any(j.running for j in run["jobs"]):
                st.subheader(t("Downloads"))
                script_download(run)
        else:
            if run["job"] is not None:
                live.live_view(run["job"], render_live(run))
            else:
                render_live(run)(None)
            if run["job"] is None or not run["job"].running:
                show_ladder(run)
                inside_the_model(run)
                st.subheader(t("Downloads"))
                downloads(run)
    with st.expander(t("Open a saved model")):
        restore_model(table)


page()

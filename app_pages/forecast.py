"""Forecast: a CSV column, a window of history, a recurrent model, and the baseline to beat.

Widgets -> ForecastConfig/ModelConfig/TrainConfig -> rnnviz -> figures. No maths here.
"""

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from rnnviz import TrainConfig, baselines, data, plots, runs, tasks
from rnnviz.cellspec import spec
from rnnviz.checkpoint import CheckpointError
from rnnviz.data import DataError, ForecastConfig
from rnnviz.errors import UserError
from rnnviz.export import forecast_script
from rnnviz.metrics import MetricError
from rnnviz.trace import hidden_state_path, trace
from rnnviz.ui import live, share, state
from rnnviz.ui.i18n import t
from rnnviz.ui.sidebar import device_choice, seed_choice
from rnnviz.ui.widgets import int_slider, option_slider, up_to

PAGE = "forecast"
ASSETS = Path(__file__).resolve().parents[1] / "assets"
SAMPLES = {  # label -> (file, target, features)
    "Seattle weather, daily 2012-2015 (NOAA)": (
        "seattle-weather.csv",
        "temp_max",
        ["temp_max", "temp_min", "wind"],
    ),
    "US employment, monthly 2006-2015 (BLS)": ("us-employment.csv", "nonfarm", ["nonfarm"]),
}
UPLOAD = "Upload a CSV"
RUNS = {
    "one": "One run",
    "seeds": "Train 5 seeds (seed s to s+4): the spread",
    "folds": "Rolling origin: k folds, each trained on everything before its origin",
}
ENDED = ("done", "diverged")  # runs whose weights are a result (a stopped or failed run's are not)
LEARNING_RATES = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0]


def load_table(
    content: bytes, name: str, fill: bool, max_bytes: int, max_rows: int, max_columns: int
):
    """Parse a CSV. An upload's table is kept in its session (state.parsed_upload), a sample's in
    sample_table: no cache shared by sessions ever holds a user's file."""
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


def choose_data():
    """The data source widgets. Returns (table or None, sample label or None)."""
    lim = live.limits()
    share.param("fc_source", options=[*SAMPLES, UPLOAD])
    source = st.radio(
        t("Data"), [*SAMPLES, UPLOAD], key="fc_source", horizontal=True, format_func=t
    )
    share.param("fc_fill", "bool")
    fill = st.checkbox(t("Fill missing values forward (from the row above)"), key="fc_fill")
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
        if (
            source == UPLOAD
        ):  # parsed once per session and kept in it (a failed parse too): never shared, never on disk
            table = state.parsed_upload(
                "fc_upload",
                (uploaded.file_id, fill),
                lambda: load_table(
                    uploaded.getvalue(),
                    uploaded.name,
                    fill,
                    lim.upload_bytes,
                    lim.rows,
                    lim.columns,
                ),
            )
        else:
            table = sample_table(SAMPLES[source][0], fill, lim.upload_bytes, lim.rows, lim.columns)
    except UserError as e:
        state.show_error(str(e))
        return None, None
    return table, (source if source != UPLOAD else None)


def show_table(table: pd.DataFrame) -> None:
    st.caption(" · ".join(state.plain(note) for note in table.attrs["notes"]))
    problems = table.attrs["problems"]
    if problems:
        st.warning(
            t("Some columns cannot be used as numbers yet:")
            + "\n\n"
            + "\n".join(f"- {state.plain(msg)}" for msg in problems.values())
        )
    with st.expander(
        t(
            "Preview: {rows} rows x {columns} columns",
            rows=f"{len(table):,}",
            columns=table.shape[1],
        ),
        expanded=False,
    ):
        st.dataframe(table.head(500), width="stretch")


def fit_window(table: pd.DataFrame) -> int:
    """The largest window this table takes with the horizon and split as they stand. When a table
    is new, a window kept from the session or the link that is longer becomes that, and the page
    says so (the other settings stay as they were)."""
    train, val = share.value("fc_train_pct", 70), share.value("fc_val_pct", 15)
    split = (train / 100, val / 100, round(1 - train / 100 - val / 100, 10))
    fit = data.largest_window(len(table), int(share.value("fc_horizon", 1)), split)
    seen = (table.attrs["source"], len(table))
    if st.session_state.get("fc_window_fitted") != seen:
        st.session_state["fc_window_fitted"] = seen
        window = st.session_state.get("fc_window")
        if window is not None and 1 <= fit < window:
            st.session_state["fc_window"] = (
                fit  # before the widget is drawn: it shows the new value
            )
            st.info(
                t(
                    "Window {window} does not fit this file's {rows} rows (with this horizon and split), so "
                    "{fit} is used.",
                    window=window,
                    rows=len(table),
                    fit=fit,
                ),
                icon="ℹ️",
            )
    return fit


def choose_settings(table: pd.DataFrame, sample: str | None) -> dict | None:
    """All the choices for the next run, as plain values."""
    lim = live.limits()
    numeric = data.numeric_columns(table)
    everything = [c for c in table.columns]
    if not numeric:
        state.show_error(
            t(
                "No column of this file holds numbers that can be used. Check the file's separator "
                "and that the values are numbers."
            )
        )
        return None
    default_target = SAMPLES[sample][1] if sample else data.suggest_target(table)
    default_features = (
        [f for f in SAMPLES[sample][2] if f in numeric] if sample else [default_target]
    )
    col_data, col_model, col_train = st.columns(3)
    with col_data:
        st.markdown(t("**Data**"))
        share.param(f"fc_target_{table.attrs['source']}", options=everything, name="target")
        target = st.selectbox(
            t("Target (the column to forecast)"),
            everything,
            index=everything.index(default_target) if default_target in everything else 0,
            key=f"fc_target_{table.attrs['source']}",
        )
        share.param(
            f"fc_features_{table.attrs['source']}", "list", options=everything, name="features"
        )
        features = st.multiselect(
            t("Input columns"),
            everything,
            default=default_features,
            key=f"fc_features_{table.attrs['source']}",
        )
        share.param("fc_window", "int", lo=1, hi=lim.window)
        fit = fit_window(table)
        window = st.number_input(
            t("Window (steps of history)"),
            1,
            lim.window,
            value=max(1, min(20, lim.window, len(table) // 10, fit)),
            key="fc_window",
        )
        share.param("fc_horizon", "int", lo=1, hi=100)
        horizon = st.number_input(t("Horizon (rows ahead)"), 1, 100, value=1, key="fc_horizon")
        share.param("fc_train_pct", "int", options=range(10, 91, 5))
        train_pct = st.slider(t("Training part %"), 10, 90, 70, 5, key="fc_train_pct")
        share.param("fc_val_pct", "int", options=range(0, 41, 5))
        val_pct = st.slider(t("Validation part %"), 0, 40, 15, 5, key="fc_val_pct")
        share.param("fc_scaler", options=["minmax", "standard", "none"])
        scaler = st.selectbox(
            t("Scaling (fit on the training part only)"),
            ["minmax", "standard", "none"],
            key="fc_scaler",
            help=t(
                "minmax maps the training part to 0..1; standard to mean 0, sd 1, which leaves "
                "more room for values beyond the training part's range."
            ),
        )
        share.param("fc_change", "bool", name="change")
        predict_change = st.checkbox(
            t("Predict the change (differencing)"),
            key="fc_change",
            help=t(
                "The model reads each input's step changes and learns the change from "
                "the window's last value; the plots and metrics add it back to that "
                "value. It can follow a trend beyond the training part's range."
            ),
        )
        share.param("fc_season", "int", lo=0, hi=lim.rows)
        season = st.number_input(
            t("Season for the baselines (rows per cycle; 0 = find it)"),
            0,
            lim.rows,
            0,
            key="fc_season",
            help=t(
                "0 finds it from the dates (daily 7, monthly 12, quarterly 4) or from the "
                "training part's autocorrelation."
            ),
        )
    with col_model:
        st.markdown(t("**Model**"))
        share.param("fc_cell", options=["lstm", "gru", "rnn"])
        cell = st.selectbox(
            t("Cell"), ["lstm", "gru", "rnn"], key="fc_cell", format_func=lambda c: spec(c).choice
        )
        share.param("fc_nonlinearity", options=["tanh", "relu"])
        nonlinearity = st.selectbox(
            t("RNN nonlinearity"), ["tanh", "relu"], key="fc_nonlinearity", disabled=cell != "rnn"
        )
        hidden_options = up_to((2, 4, 8, 16, 32, 64, 128, 256), lim.hidden)
        share.param("fc_hidden", "int", options=hidden_options)
        hidden = option_slider(
            t("Hidden units"), hidden_options, live.at_most(16, hidden_options), key="fc_hidden"
        )
        share.param("fc_layers", "int", lo=1, hi=lim.layers)
        layers = int_slider(t("Layers"), 1, lim.layers, 1, key="fc_layers")
        share.param("fc_head", options=["last", "flatten"])
        head = st.radio(
            t("Head"),
            ["last", "flatten"],
            key="fc_head",
            horizontal=True,
            help=t(
                "last: the last hidden state predicts (many-to-one). flatten: every step's hidden "
                "state goes into the head, as in the KOSPI tutorial."
            ),
        )
    with col_train:
        st.markdown(t("**Training**"))
        share.param("fc_optimizer", options=["adam", "sgd"])
        optimizer = st.selectbox(t("Optimizer"), ["adam", "sgd"], key="fc_optimizer")
        share.param("fc_lr", "float", options=LEARNING_RATES)
        lr = st.select_slider(
            t("Learning rate"),
            LEARNING_RATES,
            value=1e-2,
            key="fc_lr",
            format_func=lambda v: f"{v:g}",
        )
        share.param("fc_epochs", "int", lo=1, hi=lim.epochs)
        epochs = st.number_input(t("Epochs"), 1, lim.epochs, min(30, lim.epochs), key="fc_epochs")
        share.param("fc_batch", "int", options=[8, 16, 32, 64, 128, 256, 0])
        batch = st.select_slider(
            t("Batch size"),
            [8, 16, 32, 64, 128, 256, 0],
            value=32,
            key="fc_batch",
            format_func=lambda b: t("all") if b == 0 else str(b),
        )
        share.param("fc_runs", options=list(RUNS))
        runs_kind = st.radio(
            t("Runs"),
            list(RUNS),
            key="fc_runs",
            format_func=lambda k: t(RUNS[k]),
            help=t(
                "5 seeds: five runs that differ only in their seed, side by side; the errors "
                "are given as mean ± standard deviation. Rolling origin: k successive test "
                "blocks over the test part, for short series where one split decides too much."
            ),
        )
        share.param("fc_folds", "int", lo=runs.MIN_FOLDS, hi=lim.folds)
        folds = st.number_input(
            t("Folds (k)"),
            runs.MIN_FOLDS,
            lim.folds,
            min(5, lim.folds),
            key="fc_folds",
            disabled=runs_kind != "folds",
        )
    if features:
        st.plotly_chart(
            plots.series_figure(
                table,
                [c for c in dict.fromkeys([target, *features]) if c in numeric],
                t("The data"),
            ),
            width="stretch",
        )
    split = (train_pct / 100, val_pct / 100, round(1 - train_pct / 100 - val_pct / 100, 10))
    if target in numeric:  # before training: does this split ask the model to extrapolate?
        outside = baselines.extrapolation(
            table[target].to_numpy(dtype=float),
            ForecastConfig(target=target, window=int(window), horizon=int(horizon), split=split),
        )
        if outside is not None:
            st.warning(state.plain(outside.message(predict_change=predict_change)), icon="📏")
    return dict(
        target=target,
        features=features,
        window=int(window),
        horizon=int(horizon),
        split=split,
        scaler=scaler,
        predict_change=bool(predict_change),
        season=int(season) or None,
        cell=cell,
        nonlinearity=nonlinearity,
        hidden=int(hidden),
        layers=int(layers),
        head=head,
        optimizer=optimizer,
        lr=float(lr),
        epochs=int(epochs),
        batch=int(batch),
        runs=runs_kind,
        folds=int(folds),
    )


def start_training(table: pd.DataFrame, s: dict) -> bool:
    """Build the dataset and model(s) for settings `s` and start their jobs: one run, five seeds, or
    a run per rolling-origin fold. Any problem: a message, and the previous run stays as it was."""
    try:
        if s["split"][2] <= 0:
            raise DataError(
                t("Training and validation take every row: leave some for the test part.")
            )
        live.limits().check(
            window=s["window"], hidden=s["hidden"], layers=s["layers"], epochs=s["epochs"]
        )
        cfg = ForecastConfig(
            target=s["target"],
            features=s["features"],
            window=s["window"],
            horizon=s["horizon"],
            split=s["split"],
            scaler=s["scaler"],
            predict_change=s["predict_change"],
        )
        ds = data.make_forecast_dataset(table, cfg)
        seed = seed_choice()
        if s["runs"] == "folds":
            folds, datasets = runs.fold_datasets(table, cfg, s["folds"])
            seeds, names = [seed] * len(folds), [t("fold {number}", number=f.number) for f in folds]
        else:
            folds, datasets = None, [ds] * (runs.SEEDS if s["runs"] == "seeds" else 1)
            seeds = [seed + k for k in range(len(datasets))]
            names = [t("seed {seed}", seed=k) for k in seeds]
        specs = [
            (
                tasks.forecast_model(
                    d, s["cell"], s["hidden"], s["layers"], s["head"], s["nonlinearity"], seed=k
                ),
                tasks.forecast_train_data(d),
                TrainConfig(
                    epochs=s["epochs"],
                    batch_size=s["batch"],
                    lr=s["lr"],
                    optimizer=s["optimizer"],
                    seed=k,
                    device=device_choice(),
                ),
            )
            for d, k in zip(datasets, seeds)
        ]
        jobs = [
            live.start_job(*spec) for spec in specs
        ]  # built first: a bad setting starts none of them
    except UserError as e:
        state.show_error(str(e))
        return False
    one = s["runs"] == "one"
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
    ds, season = run["ds"], run["settings"].get("season")
    if not run.get("public"):
        return live.run_view(baselines.baseline_forecasts, ds, season)
    digest = hashlib.sha256(np.ascontiguousarray(ds.series).tobytes())
    digest.update(ds.x.numpy().tobytes())
    key = ("ladder", repr(ds.config), season, digest.hexdigest())
    return live.run_view_shared(key, baselines.baseline_forecasts, ds, season)


def run_model(run: dict):
    return run["job"].snapshot_model() if run["job"] is not None else run["model"]


def evaluation(run: dict) -> dict:
    """Validation and test forecasts for the latest finished epoch (recomputed only when it changes)."""
    job = run["job"]
    # status before weights: a job marks itself done only after its final weights are in, so a cache
    # labelled "done" holds them (read after the snapshot, a run ending meanwhile kept stale metrics)
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
                    title=t(
                        "'{target}' on validation + test, in its own units", target=s["target"]
                    ),
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
                    target=state.plain(s["target"]),
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
            "**Test RMSE of the model: {mean}{sd}** (mean ± sample standard deviation, ddof=1, over {n} of {count} "
            "seeds), in the units of '{target}'; persistence (tomorrow equals today): {baseline}.",
            mean=f"{rmse['mean']:.4g}",
            sd=sd,
            n=len(results),
            count=count,
            target=state.plain(s["target"]),
            baseline=f"{rmse['baseline']:.4g}",
        )
    )
    if len(results) < count:
        st.caption(
            t(
                "Runs that were stopped or failed are left out: the spread is over the runs that ended."
            )
        )
    fig = plots.forecast_band_figure(
        spread.dates,
        spread.actual,
        spread.baseline,
        spread.mean,
        spread.low,
        spread.high,
        title=t("'{target}' (test part): mean, min..max over seeds", target=s["target"]),
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
            model_name=f"{s['cell'].upper()} ({t('seed {seed}', seed=spread.seeds[k])})",
        )
        st.caption(
            t(
                "The ladder ranks the run whose RMSE is the median of the {count} (seed {seed}); a gap to the "
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
                "**Mean test RMSE over {k} folds: model {model}, persistence {baseline}**, in the units of "
                "'{target}'.",
                k=len(folds),
                model=f"{mean['model RMSE']:.4g}",
                baseline=f"{mean['persistence RMSE']:.4g}",
                target=state.plain(s["target"]),
            )
        )
    else:
        rows = rows[:-1]
        st.caption(t("The mean over the folds appears when every fold has ended."))
    st.caption(
        t(
            "Each fold trains on every window before its origin (no validation part) and is tested on the "
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
        ladder_table(run, part, parts[part].predicted, model_name=run["settings"]["cell"].upper())


def ladder_table(
    run: dict, part: str, predicted, spread: float | None = None, model_name: str = "model"
) -> None:
    """The ladder for one forecast of the model (`predicted`, on `part`) and its verdict; `spread` (the
    sd of the model's RMSE over seeds) makes a smaller gap a tie. The baselines (ETS is fit here) are
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
            target=state.plain(s["target"]),
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
        # a bounded subset of the windows, computed where training runs (a worker process), not in the web process
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
                "The path shows one window in {stride}, {shown:,} of {total:,}, evenly spaced up to the last one, "
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
        tasks.forecast_checkpoint(model, ds, s),
        "rnnviz-forecast.safetensors",
        "application/octet-stream",
        key="fc_dl_model",
    )
    script_download(run)


def script_download(run: dict) -> None:
    """ "Download as a Python script": this run (the first seed's, of five) in plain torch + pandas."""
    if run["job"] is None and not run.get("jobs"):
        st.caption(t("A model opened from a file has no training settings to write a script from."))
        return
    job = run["job"] or run["jobs"][0]
    script = forecast_script(run["table"], run["settings"], job.config, run["fill"])
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
                "This run ended early ({status}) and kept the weights of an earlier epoch; the script trains "
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
            "settings": s,
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
            "Would an RNN with a window of history beat 'tomorrow = today' on this series? Train one and see, "
            "in the data's own units."
        )
    )
    if "fc_flash" in st.session_state:
        st.success(state.plain(st.session_state.pop("fc_flash")))
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
                "Press Train: the loss, the forecast against the baseline and the metrics appear here as it learns."
            )
        )
    else:
        if settings is not None and (
            settings != run["settings"] or table.attrs["source"] != run["source"]
        ):
            st.caption(
                t(
                    "The settings above changed since this run; press Train to use them. The results below are "
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

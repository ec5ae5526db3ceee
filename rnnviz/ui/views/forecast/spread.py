"""Several Forecast runs at once: five seeds (the spread of the errors, a band around the mean
forecast) or rolling-origin folds (each fold's test RMSE beside persistence's)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from .... import plots, runs, tasks
from ....metrics import MetricError
from ... import i18n, state
from ...i18n import t
from .ladder import ladder_table

__all__ = ["ENDED", "tested", "runs_frame", "show_spread", "show_folds", "render_runs"]

ENDED = ("done", "diverged")  # runs whose weights are a result (a stopped or failed run's are not)


def tested(run, jobs) -> dict[int, tasks.ForecastResult]:
    """Each ended run's test result, by its place in the run's list, computed once per job (its
    weights no longer change); a forecast that is not finite is said, not used."""
    cache = run.results.setdefault("tested", {})
    found = {}
    for i, (job, ds) in enumerate(zip(jobs, run.datasets)):
        if job.status not in ENDED or not job.epochs_done:
            continue
        if job.id not in cache:
            try:
                cache[job.id] = tasks.evaluate_forecast(job.snapshot_model(), ds, "test")
            except MetricError as e:
                cache[job.id] = f"{run.names[i]}: {e}"
        if isinstance(cache[job.id], str):
            state.show_error(cache[job.id])
        else:
            found[i] = cache[job.id]
    return found


def runs_frame(run, jobs) -> pd.DataFrame:
    """One row per run: its name, status and the last epoch's losses, read from its history."""
    rows = []
    for name, job in zip(run.names, jobs):
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
    if run.folds is not None:  # a fold trains on everything before its origin: no validation part
        for row in rows:
            del row[t("validation loss")]
    return pd.DataFrame(rows)


def _spread_line(run, rmse: dict, ended: int) -> None:
    """The model's test RMSE as mean ± sd over the seeds that ended, beside persistence's."""
    count = len(run.seeds)
    sd = f" ± {rmse['sd']:.4g}" if rmse["sd"] is not None else ""
    st.markdown(
        t(
            "**Test RMSE of the model: {mean}{sd}** (mean ± sample standard deviation, ddof=1, "
            "over {n} of {count} seeds), in the units of '{target}'; persistence (tomorrow "
            "equals today): {baseline}.",
            mean=f"{rmse['mean']:.4g}",
            sd=sd,
            n=ended,
            count=count,
            target=state.plain(run.settings.target),
            baseline=f"{rmse['baseline']:.4g}",
        )
    )
    if ended < count:
        st.caption(
            t(
                "Runs that were stopped or failed are left out: the spread is over the runs that "
                "ended."
            )
        )


def _spread_table(spread: runs.SeedSpread) -> None:
    """Each metric: mean, sd, lowest, highest over the seeds, the baseline, and every seed's."""
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
    i18n.table(frame.set_index("metric"), width="stretch", key="fc_spread_table")


def _median_ladder(run, spread: runs.SeedSpread, sd: float) -> None:
    """Every seed ended: the ladder for the median seed's run, ties judged by the spread."""
    k = spread.median_run
    seed = t("seed {seed}", seed=spread.seeds[k])
    ladder_table(
        run,
        "test",
        spread.predicted[k],
        spread=sd,
        model_name=f"{run.settings.cell.upper()} ({seed})",
    )
    st.caption(
        t(
            "The ladder ranks the run whose RMSE is the median of the {count} (seed {seed}); a "
            "gap to the best baseline within the sd over seeds ({sd}) is called a tie.",
            count=len(run.seeds),
            seed=spread.seeds[k],
            sd=f"{sd:.4g}",
        )
    )


def show_spread(run, results: dict) -> None:
    """Five seeds: the model's errors as mean ± sample sd over the runs that ended, and its
    forecast as a band (min..max over the seeds) around the mean line."""
    target = run.settings.target
    spread = runs.seed_spread(list(results.values()), [run.seeds[i] for i in results])
    rmse = spread.metric("RMSE")
    _spread_line(run, rmse, len(results))
    fig = plots.forecast_band_figure(
        spread.dates,
        spread.actual,
        spread.baseline,
        spread.mean,
        spread.low,
        spread.high,
        title=t("'{target}' (test part): mean, min..max over seeds", target=target),
        band_name=t("model, min..max over seeds"),
        mean_name=t("model, mean over seeds"),
        unit=target,
        parts=[("test", len(spread.actual))],
    )
    i18n.chart(fig, width="stretch", key="fc_band_chart")
    _spread_table(spread)
    if len(results) == len(run.seeds) and rmse["sd"] is not None:
        _median_ladder(run, spread, rmse["sd"])


def show_folds(run, results: dict) -> None:
    """Rolling origin: each fold's test RMSE for the model and persistence, and their means once
    every fold has ended."""
    folds = run.folds
    rows = runs.fold_table([folds[i] for i in results], list(results.values()))
    if len(results) == len(folds):
        mean = rows[-1]
        st.markdown(
            t(
                "**Mean test RMSE over {k} folds: model {model}, persistence {baseline}**, in the "
                "units of '{target}'.",
                k=len(folds),
                model=f"{mean['model RMSE']:.4g}",
                baseline=f"{mean['persistence RMSE']:.4g}",
                target=state.plain(run.settings.target),
            )
        )
    else:
        rows = rows[:-1]
        st.caption(t("The mean over the folds appears when every fold has ended."))
    st.caption(
        t(
            "Each fold trains on every window before its origin (no validation part) and is "
            "tested on the next block; scaling is fit on that fold's training rows only."
        )
    )
    i18n.table(pd.DataFrame(rows), hide_index=True, width="stretch", key="fc_folds_table")


def _progress(run, jobs) -> None:
    """How far the runs are, which wait for a worker, which diverged or failed."""
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
    for name, job in zip(run.names, jobs):
        if job.status in ("diverged", "failed"):
            st.warning(f"{name}: {job.message}", icon="📈" if job.status == "diverged" else "⚠️")


def render_runs(run):
    """Several runs at once (seeds or folds): their progress and losses while they train, then
    what they say together."""

    def _render(jobs):
        _progress(run, jobs)
        histories = {name: j.history for name, j in zip(run.names, jobs)}
        if any(histories.values()):
            i18n.chart(
                plots.losses_figure(
                    histories, t("Loss of each run (solid: training, dotted: validation)")
                ),
                width="stretch",
                key="fc_losses_chart",
            )
        i18n.table(runs_frame(run, jobs), hide_index=True, width="stretch", key="fc_runs_table")
        results = tested(run, jobs)
        if results:
            (show_spread if run.folds is None else show_folds)(run, results)

    return _render

"""Kept runs on a page: keeping a run when it ends, the run table, and the overlays.

- `keep_ended(page, run, more)`: once the page's run has ended (done, stopped after an epoch,
  diverged), it is kept in this session's rnnviz.kept.KeptRuns (st.session_state only: nothing is
  shared between sessions), with what the page adds (`more(run)`: a checkpoint's extra, the
  forecast, metrics in the data's units).
- `run_table(page, prefix, ...)`: one row per kept run (its number, how it ended, a settings
  summary, the final metrics), and per run Restore settings, Download the model, Delete; then the
  multiselect "Overlay on the current run".
- `overlaid(page, prefix)`: the kept runs chosen there, for the page's charts to draw
  (`loss_overlays`, or rnnviz.plots.overlay_forecast).

Restore puts the kept settings into the page's widgets (their keys, as rnnviz.ui.controls names
them) from a button's callback, before the page is drawn again; rnnviz.ui.share then fits each
value to the widget and writes it to the link.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from ... import plots
from ... import settings as config
from ...kept import KeptRun, KeptRuns, keep_job, keepable, settings_summary
from .. import i18n, live, state
from ..i18n import t

__all__ = [
    "kept_runs",
    "keeper",
    "keep_ended",
    "run_table",
    "overlaid",
    "loss_overlays",
    "loss_overlay",
    "run_name",
]

STORE = "kept_runs"  # this session's KeptRuns, in st.session_state
KeyOf = Callable[[KeptRun, str], str | None]  # a setting's widget key, None: <prefix>_<name>


def kept_runs() -> KeptRuns:
    """This session's kept runs (made on first use, each page's last Limits.kept_runs)."""
    if STORE not in st.session_state:
        limits = live.limits()
        st.session_state[STORE] = KeptRuns(limit=limits.kept_runs, mb=limits.kept_mb)
    return st.session_state[STORE]


def run_name(number: int) -> str:
    return t("run {number}", number=number)


def keep_ended(page: str, run, more: Callable[[state.Run], dict] | None = None) -> None:
    """Keep the page's run once its one job has ended and is worth keeping (rnnviz.kept.keepable);
    each run is looked at once. A run with several jobs (seeds, folds) or none (a model opened
    from a file) is not kept."""
    if not isinstance(run, state.Run) or run.job is None or run.job.running:
        return
    if "kept" in run.results:
        return
    run.results["kept"] = None  # looked at: not kept again on the next rerun
    job = run.job
    if not keepable(job.status, job.epochs_done):
        return
    added = {"source": run.source, **(more(run) if more is not None else {})}
    run.results["kept"] = kept_runs().add(keep_job(page, run.settings, job, **added)).number


def keeper(
    page: str,
    prefix: str,
    more: Callable[[state.Run], dict] | None = None,
    key_of: KeyOf | None = None,
) -> Callable:
    """live.train_and_show's `keep`: keep the run once it has ended, then show the run table."""

    def keep(run) -> None:
        keep_ended(page, run, more)
        run_table(page, prefix, run, key_of)

    return keep


def overlaid(page: str, prefix: str) -> list[KeptRun]:
    """The kept runs chosen in the table's "Overlay on the current run", oldest first."""
    chosen = set(st.session_state.get(f"{prefix}_kept_overlay") or ())
    return [r for r in kept_runs().for_page(page) if r.number in chosen]


def loss_overlays(fig, runs: list[KeptRun]):
    """`fig` (a plots.loss_figure) with the loss curves of kept `runs` on it."""
    for kept in runs:
        name = run_name(kept.number)
        plots.overlay_loss(
            fig,
            kept.history,
            t("{run}: train loss", run=name),
            kept.number,
            val_name=t("{run}: validation loss", run=name),
        )
    return fig


def loss_overlay(page: str, prefix: str) -> Callable:
    """overlay(fig) for a page's loss chart: adds the kept runs chosen at that moment."""
    return lambda fig: loss_overlays(fig, overlaid(page, prefix))


# the history's columns as a table header says them
METRIC_HEADERS = {
    "train_loss": "train loss",
    "val_loss": "validation loss",
    "train_accuracy": "train accuracy",
    "val_accuracy": "validation accuracy",
}


def _label(settings) -> Callable[[str], str]:
    """A setting's name as its widget's label says it, in the session's language."""
    fields = config.settings_fields(type(settings))
    return lambda name: t(fields[name][1].label) if name in fields else name


def _table(runs: list[KeptRun]) -> pd.DataFrame:
    """One row per kept run: its number, how it ended, its epochs, its metrics, its settings
    (last: the longest, cut off first on a narrow screen)."""
    rows = []
    for kept in runs:
        others = [r.settings for r in runs if r is not kept]
        rows.append(
            {
                t("run"): kept.number,
                t("status"): t(kept.status),
                t("epochs"): kept.epochs,
                t("seed"): kept.seed,
                **{t(METRIC_HEADERS.get(k, k)): v for k, v in kept.metrics.items()},
                t("settings"): settings_summary(kept.settings, others, _label(kept.settings)),
            }
        )
    return pd.DataFrame(rows)


def _restore(kept: KeptRun, key_of: KeyOf | None) -> None:
    """A button's callback: every setting of `kept` into its widget's key (a list for a
    multiselect), and its seed into the sidebar's, so the page is drawn again with them."""
    prefix = type(kept.settings).prefix
    for name, value in config.iter_values(kept.settings):
        key = key_of(kept, name) if key_of is not None else None
        st.session_state[key or f"{prefix}_{name}"] = (
            list(value) if isinstance(value, tuple) else value
        )
    if kept.seed is not None:
        st.session_state["seed"] = kept.seed
    st.session_state[f"{prefix}_kept_flash"] = t(
        "The settings of {run} are back in the widgets above; press Train to run them again.",
        run=run_name(kept.number),
    )


def _delete(page: str, number: int) -> None:
    kept_runs().delete(page, number)


def _row(page: str, prefix: str, kept: KeptRun, key_of) -> None:
    """Run `kept`'s buttons in one line: Restore settings, Download the model, Delete."""
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        st.markdown(t("**{run}**", run=run_name(kept.number)))
        st.button(
            t("Restore"),
            key=f"{prefix}_kept_restore_{kept.number}",
            on_click=_restore,
            args=(kept, key_of),
            icon="↩",
            help=t("Put this run's settings back into the widgets above."),
        )
        st.download_button(
            t("Model"),
            kept.checkpoint,  # made when pressed, not on every rerun
            f"rnnviz-{page}-run{kept.number}.safetensors",
            "application/octet-stream",
            key=f"{prefix}_kept_download_{kept.number}",
            icon="⬇",
            help=t("Download this run's model as it ended (safetensors).")
            if kept.reopenable
            else t(
                "Download this run's weights, settings and vocabulary as it ended (safetensors). "
                "This page cannot open the file again; torch can (see the README)."
            ),
        )
        st.button(
            t("Delete"),
            key=f"{prefix}_kept_delete_{kept.number}",
            on_click=_delete,
            args=(page, kept.number),
            icon="🗑",
        )


def run_table(page: str, prefix: str, current=None, key_of: KeyOf | None = None) -> None:
    """The page's kept runs, newest first, with their buttons, and the overlay choice. `current`:
    the page's run (its own kept row is not offered for the overlay); key_of(kept, name): a
    setting's widget key where it is not `<prefix>_<name>` (the Forecast page's columns are
    per file)."""
    runs = kept_runs().for_page(page)
    if not runs:
        return
    # collapsed: the current run's charts stay where they were, right below Train
    label = t("Kept runs ({count}): compare, overlay, restore, download", count=len(runs))
    with st.expander(label):
        # 1. what Restore said, once
        flash = st.session_state.pop(f"{prefix}_kept_flash", None)
        if flash:
            st.success(state.plain(flash), icon="↩")
        # 2. the table, then each run's buttons
        i18n.table(_table(runs[::-1]), hide_index=True, width="stretch", key=f"{prefix}_kept")
        for kept in runs[::-1]:
            _row(page, prefix, kept, key_of)
        # 3. the overlay choice, its deleted runs dropped before the widget is drawn
        own = current.results.get("kept") if isinstance(current, state.Run) else None
        options = [r.number for r in runs if r.number != own]
        key = f"{prefix}_kept_overlay"
        st.session_state[key] = [n for n in st.session_state.get(key) or () if n in options]
        st.multiselect(
            t("Overlay on the current run"),
            options,
            format_func=run_name,
            key=key,
            help=t("Their curves are drawn dashed on the charts of the current run."),
            # streamlit's own words are English: say them here, in the page's language
            placeholder=t("Choose earlier runs") if options else t("No earlier run kept yet"),
        )

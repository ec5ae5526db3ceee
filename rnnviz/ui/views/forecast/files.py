"""What a Forecast run gives to take home: its predictions (CSV), its model (safetensors, opened
again by `run.open_saved_model`) and a standalone script that trains it again."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from .... import tasks
from ...i18n import t

__all__ = ["downloads", "script_download"]


def downloads(run) -> None:
    """Predictions on every part beside the baseline, the model, and the script. Each file is made
    when its button is pressed: making all three on every drawing of an ended run was a tenth of
    the page's time."""
    ds, model, saved = run.dataset, run.current_model(), run.settings.saved()

    def predictions() -> bytes:
        frames = [
            tasks.evaluate_forecast(model, ds, p).frame().assign(part=p)
            for p in ("train", "val", "test")
            if len(ds.actual[ds.parts[p]])
        ]
        return pd.concat(frames).to_csv(index=False).encode("utf-8")

    c1, c2 = st.columns(2)
    c1.download_button(
        t("Download predictions (CSV)"),
        predictions,
        "predictions.csv",
        "text/csv",
        key="fc_dl_csv",
    )
    c2.download_button(
        t("Download the model (safetensors)"),
        lambda: tasks.forecast_checkpoint(model, ds, saved),
        "rnnviz-forecast.safetensors",
        "application/octet-stream",
        key="fc_dl_model",
    )
    script_download(run)


def script_download(run) -> None:
    """ "Download as a Python script": this run (the first seed's, of five) in plain torch +
    pandas."""
    if not run.jobs:
        st.caption(t("A model opened from a file has no training settings to write a script from."))
        return
    job = run.jobs[0]
    table, settings, fill = run.table, run.settings, run.fill
    st.download_button(
        t("Download as a Python script"),
        lambda: tasks.forecast_script(table, settings, job.config, fill).encode("utf-8"),
        "rnnviz_forecast.py",
        "text/x-python",
        key="fc_dl_script",
        help=t(
            "A standalone script (torch, pandas and numpy; no rnnviz) that trains this run again "
            "and prints the same test metrics. Run: python rnnviz_forecast.py {file}",
            file=run.source,
        ),
    )
    if len(run.jobs) > 1:
        st.caption(t("It trains seed {seed}; add --seed N for another.", seed=job.config.seed))
    if job.status in ("diverged", "stopped"):
        st.caption(
            t(
                "This run ended early ({status}) and kept the weights of an earlier epoch; the "
                "script trains every epoch and prints the last one's metrics.",
                status=job.status,
            )
        )

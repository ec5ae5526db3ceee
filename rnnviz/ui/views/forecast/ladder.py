"""The baseline ladder: the model ranked with persistence, seasonal naive, linear autoregression and
exponential smoothing on the same part, in the data's units, and who wins."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from .... import baselines
from ....errors import UserError
from ... import figures, i18n, live, state
from ...i18n import t
from .one import evaluation

__all__ = ["ladder_forecasts", "show_ladder", "ladder_table"]


def ladder_forecasts(run):
    """The baselines' forecasts for the run's dataset, in the view worker (ETS takes seconds). On a
    bundled sample they are the same for every session with the same data and settings, so a class
    training the preset computes them once."""
    ds, season = run.dataset, run.settings.season_rows
    if not run.public:
        return live.run_view(baselines.baseline_forecasts, ds, season)
    key = ("ladder", figures.digest(ds.config, season, ds.series, ds.x))
    return live.run_view_shared(key, baselines.baseline_forecasts, ds, season)


def show_ladder(run) -> None:
    """The model ranked with every baseline on the part the metrics above are for."""
    parts = evaluation(run)
    part = "test" if "test" in parts else "val" if "val" in parts else None
    if part is not None:
        ladder_table(run, part, parts[part].predicted, model_name=run.settings.cell.upper())


def ladder_table(
    run, part: str, predicted, spread: float | None = None, model_name: str = "model"
) -> None:
    """The ladder for one forecast of the model (`predicted`, on `part`) and its verdict; `spread`
    (the sd of the model's RMSE over seeds) makes a smaller gap a tie. The baselines (ETS is fit
    here) are computed once per run, where training runs."""
    try:
        if "baselines" not in run.results:
            run.results["baselines"] = ladder_forecasts(run)
        forecasts = run.results["baselines"]
        if forecasts is None:  # the view ran out of time or memory: said above
            return
        result = baselines.ladder(
            run.dataset, forecasts, predicted, part, spread=spread, model_name=model_name
        )
    except UserError as e:
        state.show_error(str(e))
        return
    st.markdown(
        t(
            "**The baseline ladder** on the {part} part, best first, in the units of '{target}' "
            "(▶ marks your model)",
            part=t("test") if part == "test" else t("validation"),
            target=state.plain(run.settings.target),
        )
    )
    i18n.table(pd.DataFrame(result.records()).set_index("rank"), width="stretch", key="fc_ladder")
    # the package says these in English; the table's patterns put them into the page's language
    st.markdown(state.plain(i18n.translate(result.verdict)))
    season = i18n.translate(result.season.describe())
    st.caption(t("Seasonal baselines: {season}.", season=state.plain(season)))
    for why in result.left_out:
        st.caption(t("Left out: {why}", why=state.plain(i18n.translate(why))))

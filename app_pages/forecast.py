"""Forecast: a CSV column, a window of history, a recurrent model, and the baseline to beat.

Widgets (ForecastSettings through rnnviz.ui.controls) -> one rnnviz call (tasks.plan_forecast,
in views.forecast.run.start) -> the views (rnnviz/ui/views/forecast/). No maths here.
"""

import streamlit as st

from rnnviz.settings import ForecastSettings, ForecastSource
from rnnviz.ui import live, share, state
from rnnviz.ui.controls import page_links
from rnnviz.ui.i18n import t
from rnnviz.ui.views import kept
from rnnviz.ui.views.forecast.data import choose_data, show_table
from rnnviz.ui.views.forecast.form import choose_settings
from rnnviz.ui.views.forecast.one import kept_more
from rnnviz.ui.views.forecast.run import open_saved_model, show, start

PAGE = "forecast"


def _per_file_key(run, name: str) -> str | None:
    """The widget key of a kept run's setting where the form keys it by the data's name."""
    return f"fc_{name}_{run.source}" if name in ("target", "features") else None


def page() -> None:
    st.title(t("📈 Forecast"))
    st.caption(
        t(
            "Would an RNN with a window of history beat 'tomorrow = today' on this series? Train "
            "one and see, in the data's own units."
        )
    )
    if "fc_flash" in st.session_state:
        st.success(state.plain(st.session_state.pop("fc_flash")))
    page_links(ForecastSource, ForecastSettings)  # an old link's names (hidden) as the new ones
    table, sample = choose_data()
    # Train / Stop / Reset sit here, above the fold, and act on the settings drawn below
    controls = st.container()
    settings = None
    if table is not None:
        show_table(table)
        settings = choose_settings(table, sample)
    share.publish("fc")
    live.train_and_show(
        PAGE,
        "fc",
        settings,
        start=lambda chosen: start(table, chosen),
        show=lambda run: show(run, lambda: kept.overlaid(PAGE, "fc")),
        idle=t(
            "Press Train: the loss, the forecast against the baseline and the metrics appear "
            "here as it learns."
        ),
        source=table.attrs["source"] if table is not None else None,
        controls=controls,
        keep=kept.keeper(PAGE, "fc", more=kept_more, key_of=_per_file_key),
    )
    with st.expander(t("Open a saved model")):
        open_saved_model(PAGE, table)


page()

"""Digits: an image read row by row is a sequence; a many-to-one classifier names it.

Widgets (DigitsSettings) -> images (data.digits) -> image_model / TrainConfig -> rnnviz -> the
views in rnnviz/ui/views/digits.py. No maths here.
"""

import streamlit as st

from rnnviz import settings as config
from rnnviz import tasks
from rnnviz.cellspec import spec
from rnnviz.data.digits import digits_as_sequences, load_digits
from rnnviz.errors import UserError
from rnnviz.settings import DIGITS_SAMPLE, DigitsSettings
from rnnviz.ui import live, share, state
from rnnviz.ui.controls import control, controls, page_links
from rnnviz.ui.i18n import t
from rnnviz.ui.sidebar import device_choice, seed_choice
from rnnviz.ui.views.digits import (
    inspect,
    render_live,
    show_examples,
    show_images,
    uploaded_images,
)

PAGE = "digits"


@st.cache_resource(show_spinner=False)
def sample_images():
    images, labels = load_digits()
    return images, labels, [str(d) for d in range(10)]


def choose_images():
    """(the source chosen, and (images (N, R, P), labels (N,), class names, file name) or None
    with a message shown)."""
    page_links(DigitsSettings)
    source = control(DigitsSettings, "source", horizontal=True, format_func=t)
    if source == DIGITS_SAMPLE:
        images, labels, names = sample_images()
        return source, (images, labels, names, "digits.csv.gz")
    return source, uploaded_images(live.limits())


def choose_settings(source: str) -> DigitsSettings:
    """Three columns: the model, training, the budget and the test part."""
    c1, c2, c3 = st.columns(3)
    layout = {
        c1: ("cell", "hidden_size", "num_layers"),
        c2: ("optimizer", "lr", "batch_size"),
        c3: ("epochs", "test"),
    }
    return controls(
        DigitsSettings,
        layout,
        given=dict(source=source),
        cell=dict(format_func=lambda c: spec(c).choice),
        lr=dict(format_func=lambda v: f"{v:g}"),
    )


def start_training(images, labels, names, file: str, s: DigitsSettings) -> bool:
    try:
        config.check(s, live.limits())
        parts = digits_as_sequences(images, labels, test_fraction=s.test, val_fraction=0.15, seed=0)
        model = tasks.image_model(
            images.shape[1],
            images.shape[2],
            len(names),
            s.cell,
            s.hidden_size,
            s.num_layers,
            seed=seed_choice(),
        )
        cfg = s.train_config(seed=seed_choice(), device=device_choice())
        job = live.start_job(model, tasks.image_train_data(parts), cfg)
    except UserError as e:
        state.show_error(str(e))
        return False
    run = {"job": job, "parts": parts, "names": names, "settings": s, "file": file}
    state.set_run(PAGE, {**run, "rows": images.shape[1]})
    return True


def page() -> None:
    st.title(t("✍️ Digits"))
    st.caption(
        t(
            "An image read one row at a time is a sequence: 8 rows of 8 pixels are 8 time steps "
            "of 8 features. The network reads them top to bottom and names the digit after the "
            "last row."
        )
    )
    source, chosen = choose_images()
    settings = None
    if chosen is not None:
        images, labels, names, file = chosen
        show_images(images, names)
        settings = choose_settings(source)
    share.publish("dg")
    # Train right below the settings (a 1366 x 768 screen shows it without scrolling), the
    # examples after
    train, run = live.run_controls(PAGE, "dg", can_train=settings is not None)
    if train and settings is not None and start_training(images, labels, names, file, settings):
        st.rerun()
    if run is None:
        st.info(t("Press Train: the loss and the validation accuracy appear here as it learns."))
    else:
        ran = run["settings"], run["file"], run["rows"]
        if settings is not None and (settings, file, images.shape[1]) != ran:
            st.caption(t("The settings above changed since this run; press Train to use them."))
        live.live_view(run["job"], render_live)
    if chosen is not None:
        show_examples(images, labels, names)
    if run is not None and not run["job"].running and run["job"].epochs_done > 0:
        inspect(run)


page()

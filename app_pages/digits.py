"""Digits: an image read row by row is a sequence; a many-to-one classifier names it.

Widgets (DigitsSettings) -> images (data.digits) -> image_model / TrainConfig -> rnnviz -> the
views in rnnviz/ui/views/digits.py. No maths here.
"""

import streamlit as st

from rnnviz import tasks
from rnnviz.cellspec import spec
from rnnviz.data.digits import DIGITS_PATH, MNIST_PATH, digits_as_sequences, load_digits
from rnnviz.settings import DIGITS_MNIST, DIGITS_SAMPLE, DigitsSettings
from rnnviz.ui import live, share
from rnnviz.ui.controls import control, controls, page_links
from rnnviz.ui.i18n import t
from rnnviz.ui.sidebar import seed_choice
from rnnviz.ui.views import kept, scrub
from rnnviz.ui.views.common import start_one
from rnnviz.ui.views.digits import (
    DigitsRun,
    inspect,
    render_live,
    show_examples,
    show_images,
    uploaded_images,
)

PAGE = "digits"
BUNDLED = {DIGITS_SAMPLE: DIGITS_PATH, DIGITS_MNIST: MNIST_PATH}  # a source -> its file in assets/


@st.cache_resource(show_spinner=False)
def sample_images(source: str):
    images, labels = load_digits(BUNDLED[source])
    return images, labels, [str(d) for d in range(10)]


def choose_images():
    """(the source chosen, and (images (N, R, P), labels (N,), class names, file name) or None
    with a message shown)."""
    page_links(DigitsSettings)
    source = control(DigitsSettings, "source", horizontal=True, format_func=t)
    if source in BUNDLED:
        images, labels, names = sample_images(source)
        return source, (images, labels, names, BUNDLED[source].name)
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


def builder(images, labels, names: list[str]):
    """build(settings) for a run: the images split into parts as sequences, and an untrained
    classifier for them."""

    def build(s: DigitsSettings):
        parts = digits_as_sequences(images, labels, test_fraction=s.test, val_fraction=0.15, seed=0)
        rows, pixels = images.shape[1], images.shape[2]
        model = tasks.image_model(
            rows, pixels, len(names), s.cell, s.hidden_size, s.num_layers, seed=seed_choice()
        )
        return parts, model

    return build


def page() -> None:
    st.title(t("✍️ Digits"))
    st.caption(
        t(
            "An image read one row at a time is a sequence: 8 rows of 8 pixels are 8 time steps "
            "of 8 features, a 28x28 MNIST digit 28 steps of 28. The network reads them top to "
            "bottom and names the digit after the last row."
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
    data = None if chosen is None else f"{file} ({images.shape[1]} rows)"  # the run's source
    run = live.train_and_show(
        PAGE,
        "dg",
        settings,
        start=lambda chosen_settings: start_one(
            chosen_settings,
            builder(images, labels, names),
            tasks.image_train_data,
            DigitsRun,
            names=names,
            source=data,
        ),
        show=lambda run: live.live_view(run.job, render_live(kept.loss_overlay(PAGE, "dg"))),
        idle=t("Press Train: the loss and the validation accuracy appear here as it learns."),
        source=data,
        keep=kept.keeper(
            PAGE, "dg", more=lambda run: {"extra": {"task": "digits", "classes": run.names}}
        ),
    )
    if chosen is not None:
        show_examples(images, labels, names)
    if run is not None and scrub.inspectable(run) and run.job.epochs_done > 0:
        inspect(run)


page()

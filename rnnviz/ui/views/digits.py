"""The Digits page's views: an upload of images as rows, the images, the live run, and after
training the test accuracy, the confusion matrix and one image read row by row.

Each function draws what rnnviz computed (tasks.image_evaluation, tasks.probabilities_by_row); the
page (app_pages/digits.py) chooses the images and the settings and starts the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import streamlit as st

from ... import data, parameter_count_formula, plots, tasks
from ...cellspec import spec
from ...data.digits import guess_label_column, images_from_table
from ...errors import UserError
from .. import i18n, live, state
from ..i18n import t
from ..widgets import int_slider
from . import scrub
from .common import loss_chart, probabilities_chart

__all__ = [
    "DigitsRun",
    "uploaded_images",
    "show_images",
    "show_model",
    "show_examples",
    "render_live",
    "inspect",
]


@dataclass(eq=False)
class DigitsRun(state.Run):
    """A Digits run: state.Run, its dataset the train/val/test parts of the images as sequences
    ({"train": (x (N, R, P), y (N,)), ...}), and the class names in label order."""

    names: list[str] = field(default_factory=list)


def uploaded_table(content: bytes, name: str, max_bytes: int, max_rows: int) -> pd.DataFrame:
    """Parse an upload; the page keeps the table in its session (state.parsed_upload), never in a
    shared cache."""
    side = live.limits().image_side
    df = data.read_csv(
        content, max_bytes=max_bytes, max_rows=max_rows, max_columns=side * side + 1
    )  # a label and side x side pixels
    df.attrs["source"] = name
    return df


def uploaded_images(lim):
    """The user's CSV of images as rows: (images (N, R, P), labels (N,), class names, file name),
    or None with a message shown."""
    uploaded = st.file_uploader(
        t(
            "CSV with one image per row: a label column and side x side pixel columns "
            "(64 for 8x8, 784 for a 28x28 MNIST export)"
        ),
        type=["csv", "txt"],
        key="dg_upload",
        max_upload_size=lim.upload_mb,
    )
    if uploaded is None:
        st.info(t("Choose a CSV file, or pick the sample digits above."))
        return None
    try:
        table = state.parsed_upload(
            "dg_upload",
            uploaded.file_id,
            lambda: (  # once per session, never on disk
                uploaded_table(uploaded.getvalue(), uploaded.name, lim.upload_bytes, lim.rows)
            ),
        )
        columns = list(table.columns)
        label = st.selectbox(
            t("Label column"),
            columns,
            index=columns.index(guess_label_column(table)),
            key="dg_label",
        )
        images, labels, names = images_from_table(table.reset_index(drop=True), label)
    except UserError as e:
        state.show_error(str(e))
        return None
    return images, labels, names, uploaded.name


def show_images(images, names: list[str]) -> None:
    """How many images of what size: the input tensor's shape (N, R, P)."""
    n, rows, pixels = images.shape
    st.markdown(
        t(
            "**{n} images** of {rows}x{pixels} pixels, {classes} classes. Input tensor "
            "**(images, rows = steps, pixels = features) = ({count}, {rows}, {pixels})**.",
            n=f"{n:,}",
            rows=rows,
            pixels=pixels,
            classes=len(names),
            count=n,
        )
    )


def show_model(job) -> None:
    """The model the job trains: its layers and parameters (torch's count, part by part)."""
    c = job.model.config
    counts = [part["count"] for part in parameter_count_formula(c)]
    st.caption(
        t(
            "Model: {cell}, {layers} layer(s) of {hidden} reading {pixels} pixels at each of "
            "{rows} steps, then Linear({hidden} → {classes}): **{total} parameters** ({parts}).",
            cell=spec(c.cell).label,
            layers=c.num_layers,
            hidden=c.hidden_size,
            pixels=c.input_size,
            rows=job.data.x.shape[1],  # x: (N, R, P)
            classes=c.output_size,
            total=f"{job.model.parameter_count():,}",
            parts=" + ".join(f"{count:,}" for count in counts),
        )
    )


def show_examples(images, labels, names: list[str]) -> None:
    """The first image of each class (20 at most), labelled."""
    first = [int(np.flatnonzero(labels == c)[0]) for c in range(len(names))][:20]
    i18n.chart(
        plots.images_figure(images[first], [names[labels[j]] for j in first]),
        width="stretch",
        key="dg_examples",
    )


def render_live(overlay=None):
    """The fragment's body: the model, the loss and the validation accuracy so far, with kept
    runs' curves (`overlay`)."""

    def render(job) -> None:
        live.status_line(job)
        show_model(job)
        title, metric_name = t("Loss and validation accuracy"), t("validation accuracy")
        loss_chart(job.history, title, "val_accuracy", metric_name, "dg_loss_chart", overlay)

    return render


def inspect(run: DigitsRun) -> None:
    """After training: test accuracy, the confusion matrix, and one image read row by row, with the
    weights of the epoch the slider chose (scrub.py); each epoch's evaluation is kept."""
    epoch, model = scrub.epoch_slider(run, "dg")
    names = run.names
    x_test, y_test = run.dataset["test"]
    evaluations = run.results.setdefault("evaluation", {})  # by epoch: at most Limits.snapshots
    if epoch not in evaluations:
        evaluations[epoch] = tasks.image_evaluation(model, x_test, y_test, len(names))
    ev = evaluations[epoch]
    right = int(np.trace(ev["confusion"]))
    st.subheader(
        t(
            "Test accuracy: {accuracy} ({right} of {total} images never seen in training)",
            accuracy=f"{ev['accuracy']:.1%}",
            right=right,
            total=len(y_test),
        )
    )
    i18n.chart(
        plots.confusion_figure(ev["confusion"], names, t("Confusion matrix on the test images")),
        width="stretch",
        key="dg_confusion",
    )
    st.subheader(t("One image, row by row"))
    i = _pick_test_image(run, ev["predicted"], y_test)
    _rows_fed(run, model, x_test[i], names[int(y_test[i])])


def _pick_test_image(run: DigitsRun, predicted, y_test) -> int:
    """The index of the test image the user picks, among the wrong ones if they ask."""
    names = run.names
    wrong = np.flatnonzero(predicted != y_test.numpy())
    only_wrong = st.toggle(
        t("Only the {count} images it gets wrong", count=len(wrong)),
        key=f"dg_wrong_{run.id}",
        disabled=len(wrong) == 0,
    )
    choices = wrong if only_wrong and len(wrong) else np.arange(len(y_test))
    return int(
        st.selectbox(
            t("Test image"),
            choices,
            key=f"dg_image_{run.id}",
            format_func=lambda k: t(
                "#{index}: a {label}, model says {guess}",
                index=k,
                label=names[int(y_test[k])],
                guess=names[int(predicted[k])],
            ),
        )
    )


def _rows_fed(run: DigitsRun, model, image, answer: str) -> None:
    """One image (R, P) fed k rows at a time: the model's class probabilities after each row."""
    names = run.names
    rows = image.shape[0]
    k = int_slider(t("Rows fed so far"), 1, rows, rows, key=f"dg_rows_{run.id}")
    probs = tasks.probabilities_by_row(model, image).numpy()  # (R, classes)
    top = int(probs[k - 1].argmax())
    st.markdown(
        t(
            "After **{k} of {rows} rows** the model says **{guess}** with probability **{p}** "
            "(the answer is {answer}).",
            k=k,
            rows=rows,
            guess=state.plain(names[top]),
            p=f"{probs[k - 1, top]:.2f}",
            answer=state.plain(answer),
        )
    )
    c1, c2 = st.columns([1, 2])
    with c1:
        i18n.chart(
            plots.image_figure(image.numpy(), t("The image: rows 1-{k} fed", k=k), fed_rows=k),
            width="stretch",
            key="dg_image_fig",
        )
    with c2:
        i18n.chart(
            plots.bars_figure(
                names, probs[k - 1], t("Class probabilities after row {k}", k=k), t("probability")
            ),
            width="stretch",
            key="dg_probs_now",
        )
    probabilities_chart(
        probs,
        t("How sure it is after each row (probability of each class)"),
        (t("rows fed"), t("class")),
        (list(range(1, rows + 1)), names),
        "dg_probs_rows",
        highlight=k - 1,
        show_values=len(names) <= 12 and rows <= 16,
    )

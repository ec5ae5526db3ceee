"""Digits: an image read row by row is a sequence; a many-to-one classifier names it.

Widgets -> images (data.digits) -> image_model / TrainConfig -> rnnviz -> figures. No maths here.
"""

import numpy as np
import pandas as pd
import streamlit as st

from rnnviz import TrainConfig, data, plots, tasks
from rnnviz.cellspec import spec
from rnnviz.data.digits import (
    digits_as_sequences,
    guess_label_column,
    images_from_table,
    load_digits,
)
from rnnviz.errors import UserError
from rnnviz.ui import live, share, state
from rnnviz.ui.i18n import t
from rnnviz.ui.sidebar import device_choice, seed_choice
from rnnviz.ui.widgets import int_slider, option_slider, up_to

PAGE = "digits"
SAMPLE = "8x8 handwritten digits (UCI / scikit-learn, 1,797 images)"
UPLOAD = "Upload images as rows (CSV)"
LEARNING_RATES = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0]


@st.cache_resource(show_spinner=False)
def sample_images():
    images, labels = load_digits()
    return images, labels, [str(d) for d in range(10)]


def uploaded_table(content: bytes, name: str, max_bytes: int, max_rows: int) -> pd.DataFrame:
    """Parse an upload; the page keeps the table in its session (state.parsed_upload), never in a shared cache."""
    side = live.limits().image_side
    df = data.read_csv(
        content, max_bytes=max_bytes, max_rows=max_rows, max_columns=side * side + 1
    )  # a label and side x side pixels
    df.attrs["source"] = name
    return df


def choose_images():
    """(images (N, R, P), labels (N,), class names, source name) or None with a message shown."""
    lim = live.limits()
    share.param("dg_source", options=[SAMPLE, UPLOAD])
    source = st.radio(
        t("Images"), [SAMPLE, UPLOAD], key="dg_source", horizontal=True, format_func=t
    )
    if source == SAMPLE:
        images, labels, names = sample_images()
        return images, labels, names, "digits.csv.gz"
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


def choose_settings(rows: int) -> dict:
    lim = live.limits()
    c1, c2, c3 = st.columns(3)
    with c1:
        share.param("dg_cell", options=["lstm", "gru", "rnn"])
        cell = st.selectbox(
            t("Cell"), ["lstm", "gru", "rnn"], key="dg_cell", format_func=lambda c: spec(c).choice
        )
        hidden_options = up_to((4, 8, 16, 32, 64, 128, 256), lim.hidden)
        share.param("dg_hidden", "int", options=hidden_options)
        hidden = option_slider(
            t("Hidden units"), hidden_options, live.at_most(32, hidden_options), key="dg_hidden"
        )
        share.param("dg_layers", "int", lo=1, hi=lim.layers)
        layers = int_slider(t("Layers"), 1, lim.layers, 1, key="dg_layers")
    with c2:
        share.param("dg_optimizer", options=["adam", "sgd"])
        optimizer = st.selectbox(t("Optimizer"), ["adam", "sgd"], key="dg_optimizer")
        share.param("dg_lr", "float", options=LEARNING_RATES)
        lr = st.select_slider(
            t("Learning rate"), LEARNING_RATES, 1e-2, key="dg_lr", format_func=lambda v: f"{v:g}"
        )
        share.param("dg_batch", "int", options=[8, 16, 32, 64, 128, 256])
        batch = st.select_slider(t("Batch size"), [8, 16, 32, 64, 128, 256], 32, key="dg_batch")
    with c3:
        share.param("dg_epochs", "int", lo=1, hi=lim.epochs)
        epochs = st.number_input(t("Epochs"), 1, lim.epochs, min(20, lim.epochs), key="dg_epochs")
        share.param("dg_test", "float", lo=0.1, hi=0.5)
        test = st.slider(
            t("Test part"),
            0.1,
            0.5,
            0.25,
            0.05,
            key="dg_test",
            help=t("Images kept aside: never trained on, used for the confusion matrix."),
        )
    return dict(
        cell=cell,
        hidden=int(hidden),
        layers=int(layers),
        optimizer=optimizer,
        lr=float(lr),
        batch=int(batch),
        epochs=int(epochs),
        test=float(test),
        rows=rows,
    )


def start_training(images, labels, names, source: str, s: dict) -> bool:
    try:
        live.limits().check(hidden=s["hidden"], layers=s["layers"], epochs=s["epochs"])
        parts = digits_as_sequences(
            images, labels, test_fraction=s["test"], val_fraction=0.15, seed=0
        )
        model = tasks.image_model(
            images.shape[1],
            images.shape[2],
            len(names),
            s["cell"],
            s["hidden"],
            s["layers"],
            seed=seed_choice(),
        )
        cfg = TrainConfig(
            epochs=s["epochs"],
            batch_size=s["batch"],
            lr=s["lr"],
            optimizer=s["optimizer"],
            seed=seed_choice(),
            device=device_choice(),
        )
        job = live.start_job(model, tasks.image_train_data(parts), cfg)
    except UserError as e:
        state.show_error(str(e))
        return False
    state.set_run(
        PAGE, {"job": job, "parts": parts, "names": names, "settings": s, "source": source}
    )
    return True


def render_live(job) -> None:
    live.status_line(job)
    if job.history:
        st.plotly_chart(
            plots.loss_figure(
                job.history,
                t("Loss and validation accuracy"),
                metric="val_accuracy",
                metric_name=t("validation accuracy"),
            ),
            width="stretch",
            key="dg_loss_chart",
        )


def inspect(run: dict) -> None:
    """After training: test accuracy, the confusion matrix, and one image read row by row."""
    model = run["job"].snapshot_model()
    names = run["names"]
    x_test, y_test = run["parts"]["test"]
    if run.get("evaluation") is None:
        run["evaluation"] = tasks.image_evaluation(model, x_test, y_test, len(names))
    ev = run["evaluation"]
    right = int(np.trace(ev["confusion"]))
    st.subheader(
        t(
            "Test accuracy: {accuracy} ({right} of {total} images never seen in training)",
            accuracy=f"{ev['accuracy']:.1%}",
            right=right,
            total=len(y_test),
        )
    )
    st.plotly_chart(
        plots.confusion_figure(ev["confusion"], names, t("Confusion matrix on the test images")),
        width="stretch",
        key="dg_confusion",
    )
    st.subheader(t("One image, row by row"))
    wrong = np.flatnonzero(ev["predicted"] != y_test.numpy())
    only_wrong = st.toggle(
        t("Only the {count} images it gets wrong", count=len(wrong)),
        key=f"dg_wrong_{run['id']}",
        disabled=len(wrong) == 0,
    )
    choices = wrong if only_wrong and len(wrong) else np.arange(len(y_test))
    i = int(
        st.selectbox(
            t("Test image"),
            choices,
            key=f"dg_image_{run['id']}",
            format_func=lambda k: t(
                "#{index}: a {label}, model says {guess}",
                index=k,
                label=names[int(y_test[k])],
                guess=names[int(ev["predicted"][k])],
            ),
        )
    )
    rows = x_test.shape[1]
    k = int_slider(t("Rows fed so far"), 1, rows, rows, key=f"dg_rows_{run['id']}")
    probs = tasks.probabilities_by_row(model, x_test[i]).numpy()  # (R, classes)
    top = int(probs[k - 1].argmax())
    st.markdown(
        t(
            "After **{k} of {rows} rows** the model says **{guess}** with probability **{p}** "
            "(the answer is {answer}).",
            k=k,
            rows=rows,
            guess=state.plain(names[top]),
            p=f"{probs[k - 1, top]:.2f}",
            answer=state.plain(names[int(y_test[i])]),
        )
    )
    c1, c2 = st.columns([1, 2])
    with c1:
        st.plotly_chart(
            plots.image_figure(x_test[i].numpy(), t("The image: rows 1-{k} fed", k=k), fed_rows=k),
            width="stretch",
            key="dg_image_fig",
        )
    with c2:
        st.plotly_chart(
            plots.bars_figure(
                names, probs[k - 1], t("Class probabilities after row {k}", k=k), t("probability")
            ),
            width="stretch",
            key="dg_probs_now",
        )
    st.plotly_chart(
        plots.heatmap_figure(
            probs,
            t("How sure it is after each row (probability of each class)"),
            x_label=t("rows fed"),
            y_label=t("class"),
            x_ticks=list(range(1, rows + 1)),
            y_ticks=names,
            zmid=None,
            colorscale="Blues",
            highlight=k - 1,
            show_values=len(names) <= 12 and rows <= 16,
        ),
        width="stretch",
        key="dg_probs_rows",
    )


def page() -> None:
    st.title(t("✍️ Digits"))
    st.caption(
        t(
            "An image read one row at a time is a sequence: 8 rows of 8 pixels are 8 time steps of 8 features. "
            "The network reads them top to bottom and names the digit after the last row."
        )
    )
    chosen = choose_images()
    if chosen is not None:
        images, labels, names, source = chosen
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
        settings = choose_settings(rows)
    else:
        settings = None
    share.publish("dg")
    # Train right below the settings (a 1366 x 768 screen shows it without scrolling), the examples after
    train, run = live.run_controls(PAGE, "dg", can_train=settings is not None)
    if train and settings is not None and start_training(images, labels, names, source, settings):
        st.rerun()
    if run is None:
        st.info(t("Press Train: the loss and the validation accuracy appear here as it learns."))
    else:
        if settings is not None and (settings != run["settings"] or source != run["source"]):
            st.caption(t("The settings above changed since this run; press Train to use them."))
        live.live_view(run["job"], render_live)
    if chosen is not None:
        first = [int(np.flatnonzero(labels == c)[0]) for c in range(len(names))][:20]
        st.plotly_chart(
            plots.images_figure(images[first], [names[labels[j]] for j in first]),
            width="stretch",
            key="dg_examples",
        )
    if run is not None and not run["job"].running and run["job"].epochs_done > 0:
        inspect(run)


page()

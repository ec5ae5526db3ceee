"""Images as sequences: the bundled digits, uploaded images-as-rows tables, the per-row
probabilities."""

import numpy as np
import pandas as pd
import pytest
import torch

from rnnviz import metrics, predict, tasks
from rnnviz.data import DataError
from rnnviz.data.digits import (
    digits_as_sequences,
    guess_label_column,
    images_from_table,
)


def test_bundled_digits_are_the_uci_set(digits):
    images, labels = digits
    assert images.shape == (1797, 8, 8) and labels.shape == (1797,)
    assert images.min() == 0 and images.max() == 16
    assert np.bincount(labels).tolist() == [
        178,
        182,
        177,
        183,
        181,
        182,
        181,
        179,
        174,
        180,
    ]  # sklearn's counts


def test_split_keeps_every_image_once(digits):
    images, labels = digits
    parts = digits_as_sequences(images, labels, test_fraction=0.25, val_fraction=0.15, seed=0)
    sizes = {k: len(v[1]) for k, v in parts.items()}
    assert sizes == {"test": 449, "val": 270, "train": 1078}
    assert parts["train"][0].shape[1:] == (8, 8) and float(parts["train"][0].max()) == 1.0
    all_y = torch.cat([parts[k][1] for k in ("train", "val", "test")])
    assert np.bincount(all_y.numpy()).tolist() == np.bincount(labels).tolist()


def _mnist_like(n=6, side=4, label="label"):
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(n, side * side))
    df = pd.DataFrame(pixels, columns=[f"pixel{i}" for i in range(side * side)])
    df.insert(0, label, [7, 2, 7, 1, 2, 1][:n])
    return df, pixels


def test_an_images_as_rows_table_becomes_square_images():
    df, pixels = _mnist_like()
    assert guess_label_column(df) == "label"
    images, labels, names = images_from_table(df, "label")
    assert images.shape == (6, 4, 4) and names == ["1", "2", "7"]
    assert labels.tolist() == [2, 1, 2, 0, 1, 0]
    # row-major: pixel k at (k // 4, k % 4)
    np.testing.assert_array_equal(images[3], pixels[3].reshape(4, 4))


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda df: df.drop(columns=["pixel15"]), "square number"),
        (
            lambda df: df.assign(pixel3=df["pixel3"].astype(object).where(df.index != 2, "x")),
            r"Row 3, column 'pixel3' is not a finite number \(x\)\.",
        ),
        # issue 12 audit: an empty pixel (NaN after read_csv) was named as np.float64(nan)
        (
            lambda df: df.assign(pixel3=df["pixel3"].where(df.index != 2, np.nan)),
            r"Row 3, column 'pixel3' is empty\. Every pixel must be a number\.$",
        ),
        (
            lambda df: df.assign(pixel3=df["pixel3"].where(df.index != 2, np.inf)),
            r"Row 3, column 'pixel3' is not a finite number \(inf\)\.",
        ),
        (lambda df: df.assign(label=7), "only one label"),
    ],
)
def test_bad_image_tables_say_what_is_wrong(change, words):
    df, _ = _mnist_like()
    with pytest.raises(DataError, match=words):
        images_from_table(change(df), "label")


def test_probabilities_after_the_last_row_are_the_models_answer(digits):
    images, labels = digits
    parts = digits_as_sequences(images[:40], labels[:40])
    model = tasks.image_model(8, 8, 10, "gru", 8, 2, seed=0)
    x = parts["test"][0]
    by_row = tasks.probabilities_by_row(model, x[0])
    assert by_row.shape == (8, 10)
    torch.testing.assert_close(
        by_row[-1], torch.softmax(predict(model, x[:1])[0], -1), atol=1e-6, rtol=0
    )
    torch.testing.assert_close(by_row.sum(-1), torch.ones(8))


def test_evaluation_counts_match_the_predictions(digits):
    images, labels = digits
    parts = digits_as_sequences(images[:100], labels[:100])
    model = tasks.image_model(8, 8, 10, "lstm", 8, seed=1)
    ev = tasks.image_evaluation(model, *parts["test"], 10)
    truth = parts["test"][1].numpy()
    assert ev["confusion"].sum() == len(truth)
    assert np.trace(ev["confusion"]) == int((ev["predicted"] == truth).sum())
    assert ev["accuracy"] == metrics.accuracy(truth, ev["predicted"])

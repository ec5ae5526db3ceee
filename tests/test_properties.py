"""Property tests: for arbitrary tables and text, the data builders either give consistent shapes
(windows, exact inverse scaling) or raise DataError; never any other exception."""

import string

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnnviz.data import (
    DataError,
    ForecastConfig,
    make_char_dataset,
    make_forecast_dataset,
    numeric_columns,
    read_csv,
)
from rnnviz.data.digits import images_from_table
from rnnviz.seq2seq import make_pair_dataset

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

cells = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.integers(-(10**9), 10**9),
    st.text(alphabet=string.ascii_letters + "가나다 ,;\"'-.:/", max_size=8),
    st.just(""),
    st.dates().map(lambda d: d.isoformat()),
)


@st.composite
def csv_files(draw):
    n_cols = draw(st.integers(1, 5))
    n_rows = draw(st.integers(0, 30))
    names = draw(
        st.lists(
            st.text(alphabet=string.ascii_letters + "_ 가", min_size=0, max_size=6),
            min_size=n_cols,
            max_size=n_cols,
        )
    )
    rows = [[draw(cells) for _ in range(n_cols)] for _ in range(n_rows)]
    sep = draw(st.sampled_from([",", ";", "\t"]))
    text = pd.DataFrame(rows, columns=range(n_cols)).to_csv(sep=sep, index=False, header=names)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp949"]))
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode("utf-8")


@SETTINGS
@given(csv_files())
def test_read_csv_gives_a_table_or_a_data_error(content):
    try:
        df = read_csv(content)
    except DataError as e:
        assert str(e)  # a message for the user
        return
    assert isinstance(df, pd.DataFrame) and len(df) >= 2
    for col in numeric_columns(df):
        assert df[col].dtype.kind == "f"
    if df.attrs["date_column"]:
        assert df.index.is_monotonic_increasing


@st.composite
def numeric_tables(draw, max_columns=3):
    n = draw(st.integers(2, 80))
    k = draw(st.integers(1, max_columns))
    values = draw(
        st.lists(st.floats(-1e6, 1e6, allow_nan=False, width=32), min_size=n * k, max_size=n * k)
    )
    df = pd.DataFrame(
        np.asarray(values, dtype=np.float64).reshape(n, k), columns=[f"c{i}" for i in range(k)]
    )
    return df


@SETTINGS
@given(
    numeric_tables(),
    st.integers(1, 40),
    st.integers(1, 5),
    st.sampled_from([(0.7, 0.15, 0.15), (0.5, 0.0, 0.5), (0.9, 0.1, 0.0), (0.34, 0.33, 0.33)]),
    st.sampled_from(["minmax", "standard", "none"]),
    st.booleans(),
)
def test_forecast_windows_are_consistent_or_refused(
    df, window, horizon, split, scaler, predict_change
):
    cfg = ForecastConfig(
        target="c0",
        features=list(df.columns),
        window=window,
        horizon=horizon,
        split=split,
        scaler=scaler,
        predict_change=predict_change,
    )
    try:
        ds = make_forecast_dataset(df, cfg)
    except DataError as e:
        assert str(e)
        return
    n = len(df) - window - horizon + 1
    assert ds.x.shape == (n, window, df.shape[1]) and ds.y.shape == (n, 1)
    assert sum(s.stop - s.start for s in ds.parts.values()) == n
    # the last row of window i is table row i + window - 1, the target row i + window - 1 + horizon
    np.testing.assert_allclose(
        ds.actual, df["c0"].to_numpy()[window - 1 + horizon :], rtol=0, atol=0
    )
    # the scaler's exact inverse (plus the last value, for a change), in the data's units
    back = ds.inverse(ds.y)
    scale = max(1.0, float(np.abs(ds.actual).max()))
    np.testing.assert_allclose(back, ds.actual, rtol=0, atol=1e-5 * scale)


@SETTINGS
@given(st.text(max_size=120), st.sampled_from(["last", "next"]))
def test_char_datasets_are_consistent_or_refused(text, mode):
    try:
        ds = make_char_dataset(text, mode=mode)
    except DataError as e:
        assert str(e)
        return
    n, length = ds.x.shape
    assert n == len(ds.words) == len(ds.lengths) and int(ds.lengths.max()) == length
    for i, word in enumerate(ds.inputs):
        assert ds.decode(ds.x[i, : int(ds.lengths[i])]) == word


@SETTINGS
@given(st.text(max_size=200), st.sampled_from(["word", "char"]))
def test_pair_datasets_are_consistent_or_refused(text, level):
    try:
        ds = make_pair_dataset(text, level)
    except DataError as e:
        assert str(e)
        return
    assert ds.x.shape[0] == ds.y.shape[0] == len(ds.sources) == len(ds.targets)
    for i, target in enumerate(ds.targets):
        assert [ds.vocab[int(k)] for k in ds.y[i, : len(target)]] == target
        assert ds.vocab[int(ds.y[i, len(target)])] == "<eos>"


@SETTINGS
@given(numeric_tables(max_columns=10))
def test_image_tables_are_consistent_or_refused(df):
    try:
        images, labels, names = images_from_table(df, "c0")
    except DataError as e:
        assert str(e)
        return
    side = images.shape[1]
    assert images.shape == (len(df), side, side) and side * side == df.shape[1] - 1
    assert labels.max() < len(names)

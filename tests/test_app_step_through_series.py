"""Step through on a batch of a real series under AppTest (issue 15, seeds 003 and 004): what the
page draws is checked against torch (transpose, pack_padded_sequence, the module run one series at
a time) and against the trace of the numbers the page trained."""

import json
import math
from pathlib import Path
from urllib.parse import parse_qsl

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest
from torch.nn.utils.rnn import pack_padded_sequence

from rnnviz import tasks, trace
from rnnviz.data import batches
from rnnviz.equations import step_equations
from rnnviz.ui.views.step_through import TRAINED

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGE = "app_pages/step_through.py"


@pytest.fixture(scope="module")
def series():
    return batches.series_windows(4)


def _series_page(cell="lstm", hidden=2) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(PAGE).run()
    at.button(key="st_series").click().run()
    at.selectbox(key="st_cell").set_value(cell)
    at.number_input(key="st_hidden_size").set_value(hidden).run()
    assert not at.exception, at.exception
    return at


def _table(at, index_names):
    found = [d.value for d in at.dataframe if list(d.value.index.names) == index_names]
    assert len(found) == 1, index_names
    return found[0]


def _chart(at, title_start: str) -> dict:
    for c in at.get("plotly_chart"):
        spec = json.loads(c.proto.spec)
        if spec["layout"]["title"]["text"].startswith(title_start):
            return spec
    raise AssertionError(f"no chart titled {title_start!r}")


def _shown_values(at) -> list[str]:
    """The right-hand end of every numeric equation on the page: '= 0.1234'."""
    return [lt.value.strip("$\n ").rsplit("=", 1)[1].strip() for lt in at.latex[1::2]]


def test_series_button_fills_the_inputs_and_draws_both_layouts(series):
    at = _series_page()
    assert [at.number_input(key=k).value for k in ("st_inputs", "st_steps")] == [4, 4]
    # `numbers` has no widget but is a setting like the others: the link carries it
    assert at.query_params["numbers"] == "series"
    x_table = [d.value for d in at.dataframe if "t=0" in d.value.index][0]
    assert list(x_table.columns) == list(batches.SERIES_COLUMNS)
    assert np.allclose(x_table.to_numpy(), series.x[0].numpy(), atol=1e-6)
    x = series.x[:3]  # (N, L, F)
    first = _table(at, ["n", "t"]).to_numpy().reshape(3, 4, 4)
    seq = _table(at, ["t", "n"]).to_numpy().reshape(4, 3, 4)
    assert np.array_equal(first, x.numpy())
    assert np.array_equal(seq, x.transpose(0, 1).numpy())
    assert any("(L, N, F) = (4, 3, 4)" in m.value for m in at.markdown)


def test_the_packed_view_draws_what_torch_packs(series):
    at = _series_page(cell="gru")
    lengths = [4, 2, 3]
    padded = batches.padded_batch(series.x[:3], lengths)
    ref = pack_padded_sequence(padded, torch.tensor(lengths), True, enforce_sorted=False)
    sizes = _table(at, ["t"])
    assert sizes["batch_sizes"].tolist() == ref.batch_sizes.tolist() == [3, 3, 2, 1]
    packed = _chart(at, "PackedSequence.data")
    assert np.allclose(np.array(packed["data"][0]["z"]), ref.data.numpy(), atol=1e-7)
    figure = _chart(at, "Padded batch")
    pads = next(tr for tr in figure["data"] if tr["name"] == "pad")
    marked = {(r // 4, t) for r, row in enumerate(pads["z"]) for t, v in enumerate(row) if v == 1}
    assert marked == {(1, 2), (1, 3), (2, 3)}
    # the check: packed final states equal each series run alone through torch's module
    check = [d.value for d in at.dataframe if "|packed - alone|" in d.value.index][0]
    assert list(check.columns) == ["n=0", "n=1", "n=2"]
    assert check.loc["length"].tolist() == ["4", "2", "3"]
    assert all(float(v) <= 1e-6 for v in check.loc["|packed - alone|"])
    # the short ones read the pads
    assert all(float(v) > 1e-3 for v in check.loc["|padded - alone|"].iloc[1:])
    numbers = tasks.random_cell_numbers("gru", 4, 2, 4, seed=0)
    model, _ = tasks.cell_from_numbers(numbers)
    with torch.no_grad():
        for n, k in enumerate(lengths):
            out, _ = model.rnn(series.x[n : n + 1, :k])
            shown = [float(v) for v in check.loc["h packed"].iloc[n].split(", ")]
            assert np.allclose(shown, out[0, -1].numpy(), atol=1e-4), n  # shown with 4 decimals


def test_training_on_the_page_changes_the_equations_which_still_hold(series):
    at = _series_page(cell="lstm")
    before = _shown_values(at)
    at.button(key="st_train_series").click().run()
    assert not at.exception, at.exception
    training = at.session_state[TRAINED]["training"]
    assert training.final_loss < 0.5 * training.losses[0]
    # the page now shows the trained cell: its tables, and its equations' values
    w_ih = at.dataframe[0].value.to_numpy()
    assert np.allclose(w_ih, np.array(training.numbers.weight_ih), atol=1e-6)
    model, x = tasks.cell_from_numbers(training.numbers)
    with torch.no_grad():
        fused, _ = model.rnn(x[None])  # (1, L, H)
    expected = step_equations(trace(model, x), 0, 0, 0)
    after = _shown_values(at)
    assert after == [f"{eq.value:.4f}" for eq in expected]
    assert math.isclose(expected[-1].value, float(fused[0, 0, 0]), abs_tol=1e-5)
    assert after != before
    # the loss and the errors in °C, as computed
    said = [m.value for m in at.markdown if m.value.startswith("Trained ")][0]
    assert said.startswith(f"Trained {len(training.losses)} of 300 steps in ")
    assert f"{training.start_loss:.4f} before, {training.final_loss:.4f} after" in said
    assert f"{series.rmse_in_units(training.final_loss):.2f} °C" in said
    assert f"gives {series.persistence_rmse():.2f} °C" in said
    # and back to the untrained numbers
    at.button(key="st_untrain").click().run()
    assert _shown_values(at) == before


@pytest.mark.parametrize("lesson", ["003: OHLC window of 4", "004: PackedSequence"])
def test_the_seed_presets_open_the_series(lesson):
    import csv

    with (ROOT / "assets" / "presets" / "presets.csv").open(encoding="utf-8") as f:
        preset = next(p for p in csv.DictReader(f) if p["lesson"] == lesson)
    at = AppTest.from_file(APP, default_timeout=60)
    for name, value in parse_qsl(preset["query"]):
        at.query_params[name] = value
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert at.number_input(key="st_inputs").value == 4
    assert _table(at, ["t", "n"]).shape == (12, 4)
    assert _chart(at, "Padded batch")

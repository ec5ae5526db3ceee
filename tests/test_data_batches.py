"""rnnviz.data.batches and what Step through builds on it (seeds 003 and 004): windows of the
Seattle sample's four columns, the (seq, batch, dim) layout, the tiny task the cell trains on,
padding and packing. References: pandas on the raw CSV, torch's own transpose, pack_padded_sequence
and modules run one sequence at a time, hand-computed numbers."""

import math

import numpy as np
import pandas as pd
import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence

from rnnviz import plots, tasks, trace
from rnnviz.data import batches
from rnnviz.equations import evaluate, step_equations

ROOT_CSV = batches.SERIES_FILE


@pytest.fixture(scope="module")
def series():
    return batches.series_windows(4)


def _raw_days(days=batches.SERIES_DAYS) -> np.ndarray:
    """The four columns of the first `days` rows straight from the CSV, with pandas: (T, F)."""
    return pd.read_csv(ROOT_CSV).iloc[:days][list(batches.SERIES_COLUMNS)].to_numpy(float)


def _cell(cell: str, hidden: int, series) -> tasks.CellNumbers:
    start = tasks.random_cell_numbers(cell, 4, hidden, 4, seed=0)
    return tasks.CellNumbers(
        cell, start.weight_ih, start.weight_hh, start.bias_ih, start.bias_hh, series.x[0].tolist()
    )


class TestSeriesWindows:
    def test_windows_are_the_csv_days_scaled_to_0_1(self, series):
        raw = _raw_days()
        scaled = (raw - raw.min(0)) / (raw.max(0) - raw.min(0))
        assert series.x.shape == (batches.SERIES_DAYS - 4, 4, 4)
        for n in (0, 1, 57, len(series.x) - 1):
            assert np.allclose(series.x[n].numpy(), scaled[n : n + 4], atol=1e-6), n
            assert math.isclose(float(series.y[n, 0]), scaled[n + 4, 1], abs_tol=1e-6), n
        assert series.dates[:2] == ["2012-01-01", "2012-01-02"]

    def test_errors_in_degrees(self, series):
        raw = _raw_days()
        # persistence by hand: tomorrow's temp_max guessed as today's, over windows of 4
        expected = np.sqrt(np.mean((raw[4:, 1] - raw[3:-1, 1]) ** 2))
        assert math.isclose(series.persistence_rmse(), expected, rel_tol=1e-6)  # float32
        span = raw[:, 1].max() - raw[:, 1].min()  # °C per scaled unit
        assert math.isclose(series.rmse_in_units(0.01), 0.1 * span, rel_tol=1e-9)


class TestLayout:
    def test_seq_first_table_is_the_transpose(self, series):
        x = series.x[:3]  # (N, L, F)
        first = batches.layout_frame(x, ("n", "t"), batches.SERIES_COLUMNS)
        seq = batches.layout_frame(x.transpose(0, 1), ("t", "n"), batches.SERIES_COLUMNS)
        for n in range(3):
            for t in range(4):
                assert first.loc[(n, t)].tolist() == x[n, t].tolist(), (n, t)
                assert seq.loc[(t, n)].tolist() == x[n, t].tolist(), (n, t)
        assert list(seq.index.names) == ["t", "n"] and len(seq) == 12


class TestPacking:
    def test_cut_lengths(self):
        assert batches.cut_lengths(4) == [4, 2, 3]
        assert batches.cut_lengths(2) == [2, 1, 1]
        assert batches.cut_lengths(6, 4) == [6, 4, 5, 3]

    def test_padded_batch_zeroes_only_the_steps_past_each_length(self, series):
        x = series.x[:3]
        padded = batches.padded_batch(x, [4, 2, 3])
        assert torch.equal(padded[0], x[0])
        assert torch.equal(padded[1, :2], x[1, :2]) and not padded[1, 2:].any()
        assert torch.equal(padded[2, :3], x[2, :3]) and not padded[2, 3:].any()

    def test_packed_layout_is_torchs(self, series):
        padded = batches.padded_batch(series.x[:3], [4, 2, 3])
        layout = batches.packed_layout(padded, [4, 2, 3])
        ref = pack_padded_sequence(padded, torch.tensor([4, 2, 3]), True, enforce_sorted=False)
        assert torch.equal(layout.data, ref.data)
        assert layout.batch_sizes == ref.batch_sizes.tolist() == [3, 3, 2, 1]
        assert layout.sorted_indices == [0, 2, 1]
        # by hand: each packed row is day t of sequence n
        for row, (t, n) in zip(layout.data, layout.rows):
            assert torch.equal(row, padded[n, t]), (t, n)

    @pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
    def test_packed_final_states_equal_each_series_run_alone(self, series, cell):
        model, _ = tasks.cell_from_numbers(_cell(cell, 3, series))
        lengths = [4, 2, 3]
        padded = batches.padded_batch(series.x[:3], lengths)
        check = tasks.packed_vs_alone(model, padded, lengths)
        for n, k in enumerate(lengths):
            with torch.no_grad():
                out, _ = model.rnn(series.x[n : n + 1, :k])  # torch's module, one series
            assert torch.allclose(check.packed[n], out[0, -1], atol=1e-6), (cell, n)
            assert torch.allclose(check.alone[n], out[0, -1], atol=1e-6), (cell, n)
            explicit = trace(model, series.x[n, :k]).hidden[0][-1]  # the explicit cells
            assert torch.allclose(check.packed[n], explicit, atol=1e-5), (cell, n)
        # without packing the short ones read the pads: their states differ, the full one not
        assert torch.allclose(check.padded[0], check.alone[0], atol=1e-6)
        for n in (1, 2):
            assert (check.padded[n] - check.alone[n]).abs().max() > 1e-3, (cell, n)


class TestFigures:
    def test_padded_figure_marks_exactly_the_pad_cells(self, series):
        lengths = [4, 2, 3]
        padded = batches.padded_batch(series.x[:3], lengths).numpy()
        fig = plots.padded_figure(
            padded, lengths, batches.SERIES_COLUMNS, "padded"
        ).to_plotly_json()
        values = next(tr for tr in fig["data"] if tr["name"] == "values")
        pads = next(tr for tr in fig["data"] if tr["name"] == plots.PAD)
        assert len(values["y"]) == 12 and values["y"][1] == "n=0 · temp_max"
        for n in range(3):
            for j in range(4):
                r = n * 4 + j
                for t in range(4):
                    is_pad = t >= lengths[n]
                    assert (pads["z"][r][t] == 1) is is_pad, (n, j, t)
                    assert (pads["text"][r][t] == "pad") is is_pad, (n, j, t)
                    if is_pad:
                        assert values["z"][r][t] is None, (n, j, t)
                    else:
                        assert math.isclose(values["z"][r][t], padded[n, t, j], abs_tol=1e-7)
        # 3 x 4 columns x (0 + 2 + 1) pad steps
        assert sum(v == 1 for row in pads["z"] for v in row) == 4 * 3

    def test_packed_figure_draws_the_data_row_by_row(self, series):
        padded = batches.padded_batch(series.x[:3], [4, 2, 3])
        layout = batches.packed_layout(padded, [4, 2, 3])
        fig = plots.packed_figure(layout.data.numpy(), layout.rows, ["a", "b", "c", "d"], "p")
        z = np.asarray(fig.to_plotly_json()["data"][0]["z"], dtype=float)
        assert np.array_equal(z, layout.data.numpy().astype(float))
        assert list(fig.data[0].y[:4]) == [
            "0: t=0, n=0",
            "1: t=0, n=2",
            "2: t=0, n=1",
            "3: t=1, n=0",
        ]


class TestTraining:
    @pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
    def test_training_changes_the_equations_which_still_hold(self, series, cell):
        before = _cell(cell, 2, series)
        training = tasks.train_cell_numbers(before, series.x, series.y, steps=200)
        assert training.status == "done" and len(training.losses) == 200
        # the loss went down; losses[0] is the starting weights' MSE, computed here by hand
        model, x = tasks.cell_from_numbers(before)
        assert training.final_loss < 0.5 * training.losses[0], (cell, training.losses[0])
        after = training.numbers
        assert after.inputs == before.inputs
        changed = np.abs(np.array(after.weight_ih) - np.array(before.weight_ih)).max()
        assert changed > 0.01, cell
        old = trace(model, x)
        trained, _ = tasks.cell_from_numbers(after)
        new = trace(trained, x)
        with torch.no_grad():
            fused, _ = trained.rnn(x[None])  # (1, L, H): torch's own module
        assert torch.allclose(new.hidden[0], fused[0], atol=1e-5), cell
        for t in range(4):
            for unit in range(2):
                eqs = step_equations(new, 0, t, unit)
                old_eqs = step_equations(old, 0, t, unit)
                h = eqs[-1]  # h_t: the last line of every cell
                assert math.isclose(h.value, float(fused[0, t, unit]), abs_tol=1e-5), (t, unit)
                for eq in eqs:  # what is on screen evaluates to the number beside it
                    assert math.isclose(evaluate(eq.python), eq.value, abs_tol=2e-3), eq.name
                assert abs(h.value - old_eqs[-1].value) > 1e-4, (cell, t, unit)

    def test_out_of_time_keeps_the_starting_numbers_and_says_so(self, series):
        numbers = _cell("lstm", 2, series)
        training = tasks.train_cell_numbers(numbers, series.x, series.y, max_seconds=0)
        assert training.status == "stopped" and training.losses == []
        assert training.numbers.weight_ih == numbers.weight_ih
        assert training.final_loss == training.start_loss

    def test_the_loss_is_the_head_on_the_cell(self, series):
        """losses[0] equals the MSE of the starting cell under the seeded head, by hand."""
        numbers = _cell("gru", 2, series)
        training = tasks.train_cell_numbers(numbers, series.x, series.y, steps=2, seed=3)
        model, _ = tasks.cell_from_numbers(numbers)
        w = torch.empty(1, 2)
        torch.nn.init.uniform_(w, -0.5, 0.5, torch.Generator().manual_seed(3))
        with torch.no_grad():
            out, _ = model.rnn(series.x)
            guess = out[:, -1] @ w.T  # (N, 1), the head's bias starts at 0
        mse = float(((guess - series.y) ** 2).mean())
        assert math.isclose(training.start_loss, mse, rel_tol=1e-5)
        assert math.isclose(training.losses[0], mse, rel_tol=1e-5)

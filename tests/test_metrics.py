"""Metrics against hand-computed numbers."""

import math

import numpy as np

from rnnviz import metrics


def test_hand_computed_errors():
    actual, predicted = [1.0, 2.0, 4.0], [2.0, 2.0, 1.0]
    assert metrics.rmse(actual, predicted) == math.sqrt((1 + 0 + 9) / 3)
    assert metrics.mae(actual, predicted) == (1 + 0 + 3) / 3
    assert math.isclose(metrics.mape(actual, predicted), 100 * (1 / 1 + 0 + 3 / 4) / 3)


def test_mape_is_safe_at_zero():
    assert math.isclose(metrics.mape([0.0, 2.0], [5.0, 1.0]), 50.0)
    assert math.isnan(metrics.mape([0.0, 0.0], [1.0, 1.0]))


def test_persistence_baseline_is_next_equals_last():
    series = np.array([10.0, 11.0, 13.0, 12.0, 15.0])
    persistence = metrics.persistence_baseline(series, window=2).tolist()
    assert persistence == [11.0, 13.0, 12.0]  # targets 13, 12, 15
    assert metrics.persistence_baseline(series, window=2, horizon=2).tolist() == [11.0, 13.0]


def test_accuracy_and_comparison_table():
    assert metrics.accuracy([1, 2, 3, 4], [1, 2, 0, 4]) == 0.75
    rows = metrics.compare_to_baseline([1.0, 2.0], [1.0, 2.5], [0.0, 0.0])
    assert [r["metric"] for r in rows] == ["RMSE", "MAE", "MAPE %"]
    assert rows[1]["model"] == 0.25 and rows[1]["baseline"] == 1.5 and rows[1]["better"] == "model"


def test_non_finite_forecast_is_an_error_in_words_not_a_metric():
    import pytest

    with pytest.raises(metrics.MetricError, match="model's forecast at row 2 of 3 is nan"):
        metrics.compare_to_baseline([1.0, 2.0, 3.0], [1.0, float("nan"), 3.0], [1.0, 1.0, 2.0])
    with pytest.raises(metrics.MetricError, match="RMSE of the forecast overflows"):
        # (1e200)^2 overflows float64
        metrics.compare_to_baseline([1.0, 2.0], [1e200, -1e200], [1.0, 1.0])


def test_mape_is_left_out_when_every_actual_is_zero():
    rows = metrics.compare_to_baseline([0.0, 0.0], [1.0, 3.0], [0.0, 1.0])
    assert [r["metric"] for r in rows] == ["RMSE", "MAE"]
    assert rows[0]["model"] == math.sqrt((1 + 9) / 2) and rows[1]["baseline"] == 0.5
    assert all(math.isfinite(r["model"]) and math.isfinite(r["baseline"]) for r in rows)

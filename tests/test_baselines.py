"""The baseline ladder against independent references: hand-computed seasonal naive, statsmodels'
AutoReg and OLS for the linear autoregression, statsmodels' own ETS fit and forecasts, the ranking
and the sentence; the extrapolation warning against hand-computed ranges."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.tsa.ar_model import AutoReg
from statsmodels.tsa.statespace.exponential_smoothing import ExponentialSmoothing

from rnnviz import baselines as B
from rnnviz.data import ForecastConfig, make_forecast_dataset
from rnnviz.metrics import MetricError


def _table(values, start="2015-01-01", freq="MS", **more) -> pd.DataFrame:
    index = (
        pd.date_range(start, periods=len(values), freq=freq, name="date")
        if freq
        else pd.RangeIndex(len(values))
    )
    df = pd.DataFrame({"v": np.asarray(values, dtype=float), **more}, index=index)
    df.attrs.update(notes=[], problems={})
    return df


def _seasonal_trend(n=160, period=12, seed=0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 50 + 0.3 * t + 5 * np.sin(2 * np.pi * t / period) + rng.normal(0, 1, n)


class TestSeason:
    @pytest.mark.parametrize(
        "freq, period, what",
        [
            ("MS", 12, "monthly"),
            ("QS", 4, "quarterly"),
            ("D", 7, "daily"),
            ("W-SUN", 52, "weekly"),
            ("h", 24, "hourly"),
        ],
    )
    def test_from_the_dates(self, freq, period, what):
        s = B.find_season(pd.date_range("2001-01-01", periods=60, freq=freq), np.zeros(60))
        assert (s.period, s.source) == (period, "dates"), freq
        assert what in s.describe(), freq

    def test_from_the_autocorrelation_when_the_dates_say_nothing(self):
        values = _seasonal_trend(200, period=11)  # a cycle of 11 rows under a trend, no dates
        s = B.find_season(pd.RangeIndex(200), values)
        assert (s.period, s.source) == (11, "autocorrelation"), s
        # yearly dates: no season
        yearly = B.find_season(pd.date_range("1800", periods=200, freq="YS"), values)
        assert yearly.period == 11 and yearly.source == "autocorrelation"

    def test_none_in_noise_or_a_random_walk(self):
        rng = np.random.default_rng(3)
        for values in (rng.normal(size=300), rng.normal(size=300).cumsum()):
            assert B.find_season(None, values).period is None

    def test_set_by_the_user_wins_and_must_be_at_least_two(self):
        s = B.find_season(
            pd.date_range("2001-01-01", periods=60, freq="MS"), np.zeros(60), season=5
        )
        assert (s.period, s.source) == (5, "set") and "set by you" in s.describe()
        with pytest.raises(ValueError, match="at least 2"):
            B.find_season(None, np.zeros(60), season=1)

    def test_only_the_training_part_is_looked_at(self):
        values = _seasonal_trend(200, period=11)
        ds = make_forecast_dataset(_table(values, freq=None), ForecastConfig(target="v", window=5))
        spoiled = values.copy()
        spoiled[ds.train_rows :] = np.random.default_rng(0).normal(size=200 - ds.train_rows) * 100
        ds2 = make_forecast_dataset(
            _table(spoiled, freq=None), ForecastConfig(target="v", window=5)
        )
        assert B.baseline_forecasts(ds).season == B.baseline_forecasts(ds2).season


class TestSeasonalNaive:
    def test_hand_computed(self):
        series = np.array([10.0, 11, 12, 13, 14, 15, 16, 17])
        # window 2, horizon 1: targets are rows 2..7; a season of 3 looks back 3 rows; row 2 has
        # none
        got = B.seasonal_naive(series, first_target=2, n=6, horizon=1, period=3)
        assert np.isnan(got[0]) and got[1:].tolist() == [10.0, 11, 12, 13, 14]

    def test_horizon_longer_than_the_season_goes_back_whole_seasons(self):
        series = np.arange(20.0)
        # horizon 5, season 3: ceil(5/3) = 2 seasons back = 6 rows, the latest value of that phase
        # known at the origin
        got = B.seasonal_naive(series, first_target=10, n=4, horizon=5, period=3)
        assert got.tolist() == [4.0, 5.0, 6.0, 7.0]

    def test_on_a_dataset_it_is_the_value_a_season_before_each_target(self):
        values = _seasonal_trend()
        ds = make_forecast_dataset(_table(values), ForecastConfig(target="v", window=6, horizon=2))
        bf = B.baseline_forecasts(ds)
        assert bf.season.period == 12
        test = ds.parts["test"]
        target_rows = np.arange(len(values))[6 - 1 + 2 :][test]
        assert np.array_equal(bf.forecasts["seasonal naive"][test], values[target_rows - 12])


class TestLinearAutoregression:
    @pytest.mark.parametrize("scaler", ["minmax", "standard", "none"])
    def test_target_alone_equals_statsmodels_autoreg(self, scaler):
        values = _seasonal_trend(150)
        window = 4
        ds = make_forecast_dataset(
            _table(values), ForecastConfig(target="v", window=window, scaler=scaler)
        )
        got, _ = B.linear_autoregression(ds)
        # AutoReg on the raw training rows: the same samples (targets at rows window ..
        # train_rows-1), lags 1..window
        fit = AutoReg(values[: ds.train_rows], lags=window, trend="c").fit()
        c, phi = fit.params[0], fit.params[1:]  # phi[k] multiplies y[t-1-k]
        expect = np.array(
            [c + phi @ values[t - 1 :: -1][:window] for t in range(window, len(values))]
        )
        assert np.allclose(got, expect, rtol=0, atol=1e-6 * np.abs(values).max()), scaler

    @pytest.mark.parametrize("predict_change", [False, True])
    def test_several_inputs_and_horizon_equal_ols_on_raw_windows(self, predict_change):
        rng = np.random.default_rng(1)
        other = rng.normal(size=140).cumsum()
        values = _seasonal_trend(140) + 0.5 * np.roll(other, 2)
        df = _table(values, other=other)
        cfg = ForecastConfig(
            target="v", features=["v", "other"], window=5, horizon=3, predict_change=predict_change
        )
        ds = make_forecast_dataset(df, cfg)
        got, _ = B.linear_autoregression(ds)
        raw = df[["v", "other"]].to_numpy()
        if predict_change:  # the model reads each input's step changes then (0 on the first row)
            raw = np.vstack([np.zeros((1, 2)), np.diff(raw, axis=0)])
        n = len(ds.actual)
        windows = np.stack([raw[i : i + 5].reshape(-1) for i in range(n)])  # (N, 10) unscaled
        learnt = ds.actual - ds.baseline if predict_change else ds.actual
        n_train = ds.parts["train"].stop
        fit = sm.OLS(learnt[:n_train], sm.add_constant(windows[:n_train])).fit()
        expect = fit.predict(sm.add_constant(windows)) + (ds.baseline if predict_change else 0)
        assert np.allclose(got, expect, rtol=0, atol=1e-6 * np.abs(values).max()), predict_change


class TestExponentialSmoothing:
    def _fit_like_rnnviz(self, train, period):
        best = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for trend in (False, True):
                r = ExponentialSmoothing(
                    train,
                    trend=trend,
                    damped_trend=trend,
                    seasonal=period,
                    initialization_method="concentrated",
                ).fit(disp=False)
                if best is None or r.aic < best.aic:
                    best = r
        return best

    @pytest.mark.parametrize("horizon", [1, 3])
    def test_matches_statsmodels_own_fit_and_forecast(self, horizon):
        values = _seasonal_trend(120)
        train_rows = 90
        got, note = B.exponential_smoothing(
            values, train_rows, first_target=5, n=120 - 5, horizon=horizon, period=12
        )
        fitted = self._fit_like_rnnviz(values[:train_rows], 12)
        assert "season 12" in note
        rows = np.arange(5, 120)
        # the one-step forecasts over the training rows are statsmodels' fitted values
        if horizon == 1:
            inside = (rows >= 1) & (rows < train_rows)
            assert np.allclose(got[inside], fitted.fittedvalues[rows[inside]], rtol=0, atol=1e-8)
        # from the last training row, the h-step forecast is statsmodels' forecast(h)
        r = train_rows - 1 + horizon
        assert got[r - 5] == pytest.approx(fitted.forecast(horizon)[-1], abs=1e-8), horizon

    def test_later_origins_equal_a_rerun_with_the_training_parameters_held(self):
        values = _seasonal_trend(110)
        train_rows, horizon = 80, 2
        got, _ = B.exponential_smoothing(
            values, train_rows, first_target=5, n=105, horizon=horizon, period=12
        )
        fitted = self._fit_like_rnnviz(values[:train_rows], 12)
        init = np.asarray(fitted.initial_state).reshape(-1)
        known = dict(initial_level=init[0], initial_seasonal=init[1 + fitted.model.trend :])
        if fitted.model.trend:
            known["initial_trend"] = init[1]
        for origin in (85, 96, 107):  # statsmodels' own h-step forecast from data up to the origin
            rerun = ExponentialSmoothing(
                values[: origin + 1],
                trend=fitted.model.trend,
                damped_trend=fitted.model.damped_trend,
                seasonal=12,
                initialization_method="known",
                **known,
            ).filter(fitted.params)
            assert got[origin + horizon - 5] == pytest.approx(
                rerun.forecast(horizon)[-1], abs=1e-8
            ), origin

    def test_later_values_change_nothing_fitted(self):
        values = _seasonal_trend(110)
        got, _ = B.exponential_smoothing(values, 80, first_target=5, n=105, horizon=1, period=12)
        changed = values.copy()
        changed[95:] += 1000.0
        again, _ = B.exponential_smoothing(changed, 80, first_target=5, n=105, horizon=1, period=12)
        # rows up to 95 forecast from origins < 95
        assert np.array_equal(got[: 95 - 5 + 1], again[: 95 - 5 + 1])

    def test_a_season_too_long_for_ets_is_left_out_and_said(self):
        values = _seasonal_trend(200, period=30)
        _, note = B.exponential_smoothing(values, 150, first_target=3, n=197, horizon=1, period=30)
        assert "no season" in note


class TestLadder:
    def _ds(self, **cfg):
        return make_forecast_dataset(
            _table(_seasonal_trend(160)), ForecastConfig(target="v", window=6, **cfg)
        )

    def test_rows_are_ranked_by_rmse_with_errors_computed_by_hand(self):
        ds = self._ds()
        bf = B.baseline_forecasts(ds)
        test = ds.parts["test"]
        actual = ds.actual[test]
        model = actual + np.linspace(-0.3, 0.3, len(actual))  # a very good model
        lad = B.ladder(ds, bf, model, "test", model_name="LSTM")
        assert [r.name for r in lad.rows][0] == "LSTM" and lad.winner == "LSTM"
        assert [r.rmse for r in lad.rows] == sorted(r.rmse for r in lad.rows)
        assert {r.name for r in lad.baselines} == {
            "persistence",
            "seasonal naive",
            "linear autoregression",
            "exponential smoothing",
        }
        for r in lad.rows:
            forecast = model if r.is_model else bf.forecasts[r.name][test]
            assert r.rmse == pytest.approx(
                math.sqrt(np.mean((actual - forecast) ** 2)), rel=1e-12
            ), r.name
            assert r.mae == pytest.approx(np.mean(np.abs(actual - forecast)), rel=1e-12), r.name
            assert r.mape == pytest.approx(
                100 * np.mean(np.abs((actual - forecast) / actual)), rel=1e-12
            ), r.name
        persistence = next(r for r in lad.rows if r.name == "persistence")
        assert persistence.rmse == pytest.approx(
            math.sqrt(np.mean((actual - ds.baseline[test]) ** 2))
        )

    def test_the_sentence_says_who_wins_and_by_how_much(self):
        ds = self._ds()
        bf = B.baseline_forecasts(ds)
        test = ds.parts["test"]
        best = min(B.ladder(ds, bf, ds.actual[test] + 100, "test").baselines, key=lambda r: r.rmse)
        lad = B.ladder(ds, bf, ds.actual[test] + 1.0, "test", model_name="GRU")  # RMSE exactly 1
        if best.rmse > 1:
            gap = best.rmse - 1.0
            assert lad.verdict == (
                f"The GRU wins: its RMSE 1 is {gap:.4g} ({gap / best.rmse:.1%}) lower than the "
                f"best baseline, {best.name} ({best.rmse:.4g})."
            )
        # RMSE 2 x best
        worse = B.ladder(ds, bf, ds.actual[test] + 2 * best.rmse, "test", model_name="GRU")
        gap = best.rmse
        assert worse.winner == best.name
        assert worse.verdict == (
            f"{best.name[0].upper() + best.name[1:]} wins: its RMSE {best.rmse:.4g} is "
            f"{gap:.4g} (50.0%) lower than the GRU's {2 * best.rmse:.4g}."
        )

    def test_a_gap_inside_the_seed_spread_is_a_tie(self):
        ds = self._ds()
        bf = B.baseline_forecasts(ds)
        test = ds.parts["test"]
        best = min(B.ladder(ds, bf, ds.actual[test] + 100, "test").baselines, key=lambda r: r.rmse)
        model = ds.actual[test] + 1.1 * best.rmse  # RMSE 10% above the best baseline's
        gap = 0.1 * best.rmse
        assert B.ladder(ds, bf, model, "test", spread=0.5 * gap).winner == best.name
        tie = B.ladder(ds, bf, model, "test", spread=2 * gap)
        assert tie.winner == "tie" and tie.verdict.startswith("A tie: ")
        assert f"sd {2 * gap:.4g}" in tie.verdict and best.name in tie.verdict

    def test_a_forecast_that_is_not_finite_raises_metric_error(self):
        ds = self._ds()
        bf = B.baseline_forecasts(ds)
        test = ds.parts["test"]
        model = ds.actual[test].copy()
        model[3] = np.nan
        with pytest.raises(MetricError, match="row 4 of"):
            B.ladder(ds, bf, model, "test")
        with pytest.raises(MetricError, match="overflow"):
            B.ladder(ds, bf, np.full(len(model), 1e300), "test")

    def test_validation_part_and_differencing_use_the_same_rows(self):
        ds = self._ds(predict_change=True)
        bf = B.baseline_forecasts(ds)
        val = ds.parts["val"]
        lad = B.ladder(ds, bf, ds.baseline[val], "val")
        persistence = next(r for r in lad.rows if r.name == "persistence")
        assert persistence.rmse == pytest.approx(lad.model.rmse, rel=1e-12)
        assert lad.part == "val" and len(lad.rows) == 5

    def test_mape_is_none_when_every_actual_is_zero(self):
        values = np.r_[np.random.default_rng(0).normal(size=100), np.zeros(60)]
        ds = make_forecast_dataset(
            _table(values, freq=None), ForecastConfig(target="v", window=3, split=(0.7, 0.0, 0.3))
        )
        test = ds.parts["test"]
        lad = B.ladder(ds, B.baseline_forecasts(ds), np.zeros(test.stop - test.start) + 0.1, "test")
        assert all(r.mape is None for r in lad.rows)
        assert all(math.isfinite(r.rmse) and math.isfinite(r.mae) for r in lad.rows)


class TestExtrapolation:
    def test_a_trend_fires_with_how_far_out_by_hand(self):
        values = np.arange(100.0)
        cfg = ForecastConfig(target="sales", window=5)
        e = B.extrapolation(values, cfg)
        n = 100 - 5
        n_train = round(0.7 * n)
        train_rows = n_train + 5  # horizon 1
        assert (e.train_low, e.train_high) == (0.0, train_rows - 1.0)
        # validation ends 21% out: within 30%
        assert e.reached == 99.0 and e.side == "above" and e.parts == ["test"]
        assert e.beyond == 99.0 - (train_rows - 1)
        assert e.percent == pytest.approx(100 * e.beyond / (train_rows - 1))
        text = e.message()
        assert (
            f"{e.beyond:.4g} above its highest value {train_rows - 1}" in text
            and "'predict the change'" in text
        )
        assert "--difference" in e.message(cure="--difference")
        assert "is on" in e.message(predict_change=True)

    def test_a_stationary_series_and_a_small_record_stay_quiet(self):
        t = np.arange(400)
        assert (
            B.extrapolation(np.sin(2 * np.pi * t / 12), ForecastConfig(target="v", window=12))
            is None
        )
        values = np.sin(2 * np.pi * t / 12)
        # a record 23% of the range (2) above the training maximum (sunspots' 1957 peak)
        values[-1] = 1.0 + 0.23 * 2
        assert B.extrapolation(values, ForecastConfig(target="v", window=12)) is None
        values[-1] = 1.0 + 0.32 * 2  # 32%: said, for the test part only
        e = B.extrapolation(values, ForecastConfig(target="v", window=12))
        assert e.parts == ["test"] and e.percent == pytest.approx(32.0)

    def test_below_the_range_too(self):
        values = np.r_[np.full(80, 10.0) + np.sin(np.arange(80)), np.linspace(9, 0, 20)]
        e = B.extrapolation(values, ForecastConfig(target="v", window=4))
        assert e.side == "below" and e.reached == 0.0
        assert "lowest value" in e.message()

    def test_a_training_part_of_one_value_is_left_by_any_other(self):
        values = np.r_[np.full(70, 3.0), np.linspace(3, 5, 30)]
        e = B.extrapolation(values, ForecastConfig(target="v", window=4))
        assert e.percent == math.inf and e.beyond == 2.0
        assert "(the training part holds that one value only)" in e.message()

    def test_a_split_that_does_not_fit_says_nothing(self):
        assert B.extrapolation(np.arange(5.0), ForecastConfig(target="v", window=10)) is None

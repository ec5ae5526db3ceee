"""The ladder of baselines a forecast stands beside, and the warning that a split asks the model
to extrapolate.

Every rung forecasts the same target rows as the model, in the data's units, from what was known at
each forecast's origin (the window's last row), with anything it fits fit on the training part only:

    persistence              next = last (the dataset's own baseline)
    seasonal naive           the value one season before the target row
    linear autoregression    least squares on the model's own windows and inputs, in the model's
                             scaled space (its change, with predict_change), inverted like the
                             model's output: is the recurrence needed at all?
    exponential smoothing    statsmodels' ETS on the target alone, fit on the training rows, then
                             run over the later rows with those parameters (never refit on them)

`baseline_forecasts` computes every rung once for all windows (the costly part: ETS); `ladder` ranks
them with the model's forecasts on one part and says in one sentence who wins and by how much.
`extrapolation` says, before any training, whether the validation or test targets leave the
training part's range. Plain numpy and statsmodels: no torch training, no streamlit, no printing.
Shapes: T rows, N windows, L window length, F features.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import metrics
from .data.forecast import ForecastConfig, ForecastDataset, split_counts
from .data.windows import window_count

__all__ = [
    "Season",
    "find_season",
    "seasonal_naive",
    "linear_autoregression",
    "exponential_smoothing",
    "BaselineForecasts",
    "baseline_forecasts",
    "Rung",
    "Ladder",
    "ladder",
    "Extrapolation",
    "extrapolation",
    "EXTRAPOLATION_MARGIN",
]

# warn when later targets leave the training range by more than 30% of it: see extrapolation()
EXTRAPOLATION_MARGIN = 0.30
# longer seasons make the state-space ETS fit take seconds to minutes (52 weekly: 10-85 s)
ETS_MAX_SEASON = 24
# ETS is fit on at most the last this-many training rows, so its time stays bounded
ETS_FIT_ROWS = 1_000
AR_FIT_VALUES = 8_000_000  # the AR's design matrix holds at most this many float64 values (64 MB)
PERIODS = {
    "D": 7,
    "B": 5,
    "W": 52,
    "M": 12,
    "Q": 4,
    "h": 24,
}  # dates' frequency -> rows per season (by statsmodels)


# -- the season ------------------------------------------------------------------------------------
@dataclass
class Season:
    """How many rows one seasonal cycle spans, and where that number came from."""

    period: int | None  # rows per cycle; None = no season
    source: str  # "set", "dates" or "autocorrelation" ("none" when no season was found)
    detail: str = ""  # the dates' frequency, or the autocorrelation at that lag

    def describe(self) -> str:
        if self.period is None:
            return f"no season ({self.detail})" if self.detail else "no season"
        how = {
            "set": "set by you",
            "dates": f"from the dates ({self.detail})",
            "autocorrelation": f"from the training part's autocorrelation ({self.detail})",
        }[self.source]
        return f"season of {self.period} rows, {how}"


def _period_from_dates(dates) -> tuple[int | None, str]:
    """Rows per season from a date index's frequency: daily 7, business days 5, weekly 52,
    monthly 12, quarterly 4, hourly 24 (statsmodels' freq_to_period); yearly or irregular dates
    give None."""
    if not isinstance(dates, pd.DatetimeIndex) or len(dates) < 3:
        return None, ""
    with warnings.catch_warnings():
        # pandas 3 announces an offset instead of a string: both are read
        warnings.simplefilter("ignore")
        freq = pd.infer_freq(dates[: min(len(dates), 1_000)])
    if freq is None:
        return None, "dates not evenly spaced"
    freq = getattr(freq, "freqstr", freq)
    from statsmodels.tsa.tsatools import freq_to_period

    try:
        period = freq_to_period(freq)
    except ValueError:
        return None, f"dates every {freq}"
    return (period if period > 1 else None), {
        5: "business days",
        7: "daily",
        12: "monthly",
        4: "quarterly",
        52: "weekly",
        24: "hourly",
    }.get(period, f"frequency {freq}")


def _period_from_autocorrelation(train_values: np.ndarray) -> tuple[int | None, float]:
    """The first clear peak of the autocorrelation of the training part, a straight-line trend taken
    out first: the smallest lag from 2 to n/3 (three cycles seen at least) that is a local maximum,
    at least 0.2 and above white noise's 95% band (2/sqrt(n)), at least 0.3 above the lowest
    autocorrelation at any shorter lag (a cycle dips before it comes back), and that the step
    changes confirm: their autocorrelation at that lag (+-1) is above the band too. The last test is
    what tells a cycle from a random walk, whose detrended values wander in slow spurious waves."""
    from statsmodels.tsa.stattools import acf
    from statsmodels.tsa.tsatools import detrend

    values = np.asarray(train_values, dtype=np.float64)
    n = len(values)
    if n < 12 or np.ptp(values) == 0:
        return None, 0.0
    lags = n // 3
    r = acf(detrend(values, order=1), nlags=lags, fft=True)  # (lags + 1,)
    steps = acf(np.diff(values), nlags=lags + 1, fft=True)  # (lags + 2,)
    band = 2 / math.sqrt(n)
    for lag in range(2, lags):
        if (
            r[lag] > r[lag - 1]
            and r[lag] >= r[lag + 1]
            and r[lag] >= max(0.2, band)
            and r[lag] - r[1:lag].min() >= 0.3
            and steps[lag - 1 : lag + 2].max() >= band
        ):
            return lag, float(r[lag])
    return None, 0.0


def find_season(dates, train_values, season: int | None = None) -> Season:
    """The season: `season` when given (>= 2), else from the dates' frequency, else from the
    autocorrelation of the training part's values (never from later rows).

    >>> find_season(pd.date_range("2020-01-01", periods=36, freq="MS"), np.arange(36.0)).describe()
    'season of 12 rows, from the dates (monthly)'
    """
    if season is not None:
        if season < 2:
            raise ValueError(
                f"A season must be at least 2 rows (got {season}); leave it empty to find one."
            )
        return Season(int(season), "set")
    period, what = _period_from_dates(dates)
    if period is not None:
        return Season(period, "dates", what)
    lag, r = _period_from_autocorrelation(train_values)
    if lag is not None:
        return Season(lag, "autocorrelation", f"{r:.2f} at lag {lag}")
    return Season(None, "none", "none in the dates or the training part's autocorrelation")


# -- the rungs -------------------------------------------------------------------------------------
def seasonal_naive(series, first_target: int, n: int, horizon: int, period: int) -> np.ndarray:
    """The value one season before each target row, as known at the forecast's origin: for the
    target row r (= first_target + i) the value at r - period * ceil(horizon / period). NaN where
    that row would be before the first. (N,)

    >>> seasonal_naive(np.arange(10.0), first_target=4, n=6, horizon=1, period=3).tolist()
    [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    """
    s = np.asarray(series, dtype=np.float64).reshape(-1)
    back = period * math.ceil(horizon / period)  # whole seasons, at least the horizon
    rows = np.arange(first_target, first_target + n) - back  # (N,)
    out = np.full(n, np.nan)
    ok = rows >= 0
    out[ok] = s[rows[ok]]
    return out


def _design(x: np.ndarray) -> np.ndarray:
    """(N, L, F) windows -> (N, L*F + 1) rows of a least-squares design, a column of ones last."""
    flat = x.reshape(len(x), -1).astype(np.float64)  # (N, L*F)
    return np.hstack([flat, np.ones((len(x), 1))])


def linear_autoregression(ds: ForecastDataset) -> tuple[np.ndarray, str]:
    """Least squares y = [window, 1] @ w on the training windows, in the scaled space the model
    sees (its scaled target, or scaled change with predict_change), predicted for every window and
    inverted like the model's output. Returns ((N,) in the data's units, a note)."""
    n_train = ds.parts["train"].stop
    width = ds.x.shape[1] * ds.x.shape[2] + 1
    # the latest ones when memory caps them
    fit_windows = max(1, min(n_train, AR_FIT_VALUES // width))
    x = ds.x.numpy()  # (N, L, F) float32 view
    design = _design(x[n_train - fit_windows : n_train])  # (n_fit, L*F + 1)
    target = ds.y.numpy()[n_train - fit_windows : n_train, 0].astype(np.float64)  # (n_fit,)
    weights, *_ = np.linalg.lstsq(design, target, rcond=None)  # (L*F + 1,)
    chunk = max(1, AR_FIT_VALUES // width)
    # (N,)
    scaled = np.concatenate([_design(x[i : i + chunk]) @ weights for i in range(0, len(x), chunk)])
    note = "least squares on the model's windows and inputs"
    if fit_windows < n_train:
        note = (
            "least squares on the model's windows and inputs "
            f"(fit on the last {fit_windows:,} training windows)"
        )
    return ds.inverse(scaled), note


def _ets_fit(values: np.ndarray, period: int | None):
    """statsmodels' linear ETS on the training values: no trend and a damped additive trend, with
    the additive season when there is one, the lower AIC kept. The initial states are concentrated
    out of the likelihood (fast); they and the smoothing parameters are then held fixed."""
    from statsmodels.tsa.statespace.exponential_smoothing import ExponentialSmoothing

    best = None
    for trend in (False, True):
        model = ExponentialSmoothing(
            values,
            trend=trend,
            damped_trend=trend,
            seasonal=period,
            initialization_method="concentrated",
        )
        result = model.fit(disp=False)
        if np.isfinite(result.aic) and (best is None or result.aic < best.aic):
            best = result
    return best


def exponential_smoothing(
    series, train_rows: int, first_target: int, n: int, horizon: int, period: int | None
) -> tuple[np.ndarray, str]:
    """ETS fit on the training rows (at most the last ETS_FIT_ROWS of them), then filtered over
    every later row with the fitted parameters and initial states held fixed (statsmodels' "known"
    initialisation: the later rows change nothing fitted). The forecast for target row r is the
    horizon-step forecast from the origin r - horizon: Z T^(horizon-1) a(r-horizon+1 | r-horizon) +
    d, from the filter's one-step predicted states and the model's own system matrices. Returns
    ((N,) with NaN before the fit's first rows, the model's description)."""
    from statsmodels.tsa.statespace.exponential_smoothing import ExponentialSmoothing

    s = np.asarray(series, dtype=np.float64).reshape(-1)
    start = max(0, train_rows - ETS_FIT_ROWS)
    if period is not None and (period > ETS_MAX_SEASON or 2 * period > train_rows - start):
        period = None  # too long to fit here, or fewer than two cycles to learn it from
    with warnings.catch_warnings():
        # convergence chatter: the AIC and the metrics judge the fit
        warnings.simplefilter("ignore")
        fitted = _ets_fit(s[start:train_rows], period)
        model = fitted.model
        # level[, trend][, season...]
        init = np.asarray(fitted.initial_state, dtype=np.float64).reshape(-1)
        known = {"initial_level": init[0]}
        if model.trend:
            known["initial_trend"] = init[1]
        if model.seasonal:
            known["initial_seasonal"] = init[1 + model.trend :]
        rerun = ExponentialSmoothing(
            s[start:],
            trend=model.trend,
            damped_trend=model.damped_trend,
            seasonal=model.seasonal_periods,
            initialization_method="known",
            **known,
        )
        result = rerun.filter(fitted.params)
    ssm = result.model.ssm
    # (1, S): time-invariant, stored without a time axis
    design = np.asarray(ssm["design"]).reshape(1, -1)
    transition = np.asarray(ssm["transition"]).reshape(design.shape[1], -1)  # (S, S)
    reach = design @ np.linalg.matrix_power(transition, horizon - 1)  # (1, S): h-step read-out
    # (S, T - start + 1): a(t+1 | t) in column t + 1
    predicted = result.filter_results.predicted_state
    rows = np.arange(first_target, first_target + n)  # (N,) target rows
    origin_column = rows - horizon + 1 - start  # column of a(origin + 1 | origin)
    out = np.full(n, np.nan)
    ok = origin_column >= 1  # the origin itself is one of the rows filtered
    out[ok] = (reach @ predicted[:, origin_column[ok]])[0] + float(
        np.asarray(ssm["obs_intercept"]).reshape(-1)[0]
    )
    trend = "damped trend" if model.trend else "no trend"
    kind = f"{trend}, season {model.seasonal_periods}" if model.seasonal else f"{trend}, no season"
    if start:
        note = (
            f"statsmodels ETS ({kind}), fit on the training part's last {train_rows - start:,} rows"
        )
    else:
        note = f"statsmodels ETS ({kind}), fit on the training part's {train_rows:,} rows"
    return out, note


# -- all rungs at once -----------------------------------------------------------------------------
@dataclass
class BaselineForecasts:
    """Every rung's forecast for every window of one dataset, in the data's units. (N,) each."""

    forecasts: dict[str, np.ndarray]  # rung name -> (N,), NaN where a rung cannot forecast
    notes: dict[str, str]  # rung name -> how it forecasts
    season: Season
    left_out: list[str] = field(default_factory=list)  # rungs that could not be computed, and why


def baseline_forecasts(ds: ForecastDataset, season: int | None = None) -> BaselineForecasts:
    """Persistence, seasonal naive, the linear autoregression and ETS for every window of `ds`.
    `season` overrides the season found from the dates or the training part. A rung that cannot be
    computed (too few rows for a season, a failed ETS fit) is left out and said why."""
    c = ds.config
    n, train_rows = len(ds.actual), ds.train_rows
    first_target = c.window - 1 + c.horizon
    found = find_season(ds.dates, ds.series[:train_rows], season)
    forecasts = {"persistence": ds.baseline}
    notes = {"persistence": "next = last: the window's last value"}
    left_out = []
    # 1. seasonal naive: needs one whole season of rows before the first target it forecasts
    if found.period is None:
        left_out.append(f"seasonal naive: {found.describe()}")
    elif found.period >= train_rows:
        left_out.append(
            f"seasonal naive: a season of {found.period} rows is longer than the training part "
            f"({train_rows} rows)"
        )
    else:
        forecasts["seasonal naive"] = seasonal_naive(
            ds.series, first_target, n, c.horizon, found.period
        )
        notes["seasonal naive"] = f"the value one season earlier ({found.describe()})"
    # 2. the linear autoregression on the model's own inputs
    forecasts["linear autoregression"], notes["linear autoregression"] = linear_autoregression(ds)
    # 3. exponential smoothing on the target alone
    try:
        forecasts["exponential smoothing"], notes["exponential smoothing"] = exponential_smoothing(
            ds.series, train_rows, first_target, n, c.horizon, found.period
        )
    except Exception as e:  # noqa: BLE001 - any failure inside statsmodels' fit leaves this one rung out, said
        left_out.append(
            f"exponential smoothing: statsmodels could not fit it ({type(e).__name__}: {e})"
        )
    return BaselineForecasts(forecasts, notes, found, left_out)


# -- the ladder ------------------------------------------------------------------------------------
@dataclass
class Rung:
    """One row of the ladder: errors on one part, in the data's units."""

    name: str
    rmse: float
    mae: float
    mape: float | None  # percent; None when every actual value is zero
    is_model: bool = False
    note: str = ""

    def to_dict(self) -> dict:
        return {"name": self.name, "rmse": self.rmse, "mae": self.mae, "mape": self.mape}


@dataclass
class Ladder:
    part: str  # "val" or "test"
    rows: list[Rung]  # best (lowest RMSE) first, the model among them
    # the best row's name, or "tie" when the model and the best baseline are within the spread
    winner: str
    verdict: str  # one sentence: who wins, by how much
    season: Season
    left_out: list[str]  # rungs not on the ladder, and why

    @property
    def model(self) -> Rung:
        return next(r for r in self.rows if r.is_model)

    @property
    def baselines(self) -> list[Rung]:
        return [r for r in self.rows if not r.is_model]

    def records(self) -> list[dict]:
        """Rows for a table: rank, name, RMSE, MAE, MAPE %, what it is (the model's row marked)."""
        return [
            {
                "rank": i + 1,
                "forecast": ("▶ " if r.is_model else "") + r.name,
                "RMSE": r.rmse,
                "MAE": r.mae,
                "MAPE %": r.mape,
                "how": r.note,
            }
            for i, r in enumerate(self.rows)
        ]


def _rung(name: str, actual: np.ndarray, predicted: np.ndarray, is_model: bool, note: str) -> Rung:
    with np.errstate(over="ignore", invalid="ignore"):
        rmse, mae, mape = (
            metrics.rmse(actual, predicted),
            metrics.mae(actual, predicted),
            metrics.mape(actual, predicted),
        )
    if not (math.isfinite(rmse) and math.isfinite(mae)) or (
        not math.isnan(mape) and not math.isfinite(mape)
    ):
        raise metrics.MetricError(
            f"The errors of {name} overflow (RMSE {rmse:g}): too large to measure. "
            + (
                "Training probably diverged: lower the learning rate and train again."
                if is_model
                else "Check the data."
            )
        )
    return Rung(name, rmse, mae, None if math.isnan(mape) else mape, is_model, note)


def _verdict(rows: list[Rung], spread: float | None) -> tuple[str, str]:
    """(winner, one sentence) from ranked rows: the model against the best baseline."""
    model = next(r for r in rows if r.is_model)
    best = next((r for r in rows if not r.is_model), None)
    if best is None:
        return (
            model.name,
            f"The {model.name} has RMSE {model.rmse:.4g}; no baseline could be computed.",
        )
    gap = model.rmse - best.rmse  # > 0: the baseline is better
    if abs(gap) <= (spread or 0.0):
        within = (
            f"within the model's spread over seeds (sd {spread:.4g})" if spread else "exactly equal"
        )
        return "tie", (
            f"A tie: the {model.name}'s RMSE {model.rmse:.4g} and {best.name}'s {best.rmse:.4g} "
            f"differ by {abs(gap):.4g}, {within}."
        )
    if gap < 0:
        return model.name, (
            f"The {model.name} wins: its RMSE {model.rmse:.4g} is {-gap:.4g} "
            f"({-gap / best.rmse:.1%}) lower than the best baseline, {best.name} ({best.rmse:.4g})."
        )
    spread_note = f", more than the model's spread over seeds (sd {spread:.4g})" if spread else ""
    return best.name, (
        f"{best.name[0].upper() + best.name[1:]} wins: its RMSE {best.rmse:.4g} is {gap:.4g} "
        f"({gap / model.rmse:.1%}) lower than the {model.name}'s {model.rmse:.4g}{spread_note}."
    )


def ladder(
    ds: ForecastDataset,
    baselines: BaselineForecasts,
    predicted,
    part: str = "test",
    spread: float | None = None,
    model_name: str = "model",
) -> Ladder:
    """The model's forecasts on `part` ((N_part,), data units) ranked by RMSE with every baseline
    on the same rows. `spread`: the sd of the model's RMSE over seeds; a gap to the best baseline no
    larger than it is called a tie. A model forecast that is not finite raises MetricError."""
    s = ds.parts[part]
    actual = ds.actual[s]
    predicted = np.asarray(predicted, dtype=np.float64).reshape(-1)
    if predicted.shape != actual.shape:
        raise ValueError(
            f"{predicted.size} forecasts for the {actual.size} rows of the {part} part"
        )
    bad = np.flatnonzero(~np.isfinite(predicted))
    if len(bad):
        raise metrics.MetricError(
            f"The model's forecast at row {bad[0] + 1} of {len(actual)} is {predicted[bad[0]]}, "
            "not a finite number, so no error can be measured. Training probably diverged: "
            "lower the learning rate (or check the data) and train again."
        )
    rows = [_rung(model_name, actual, predicted, True, "the trained network")]
    left_out = list(baselines.left_out)
    for name, forecast in baselines.forecasts.items():
        values = forecast[s]
        if not np.isfinite(values).all():
            left_out.append(f"{name}: no forecast for some rows of the {part} part")
            continue
        try:
            rows.append(_rung(name, actual, values, False, baselines.notes[name]))
        except metrics.MetricError as e:
            left_out.append(f"{name}: {e}")
    rows.sort(key=lambda r: (r.rmse, not r.is_model))
    winner, verdict = _verdict(rows, spread)
    return Ladder(part, rows, winner, verdict, baselines.season, left_out)


# -- extrapolation ---------------------------------------------------------------------------------
@dataclass
class Extrapolation:
    """How far the validation and test targets go outside the training part's range."""

    target: str
    train_low: float
    train_high: float
    # data units past the nearer training extreme (the larger overshoot, above or below)
    beyond: float
    reached: float  # the later value that goes farthest out
    side: str  # "above" or "below"
    # "validation" and/or "test": the parts that leave the range by more than the margin
    parts: list[str]

    @property
    def percent(self) -> float:
        span = self.train_high - self.train_low
        return 100.0 * self.beyond / span if span > 0 else math.inf

    def message(self, cure: str = "'predict the change'", predict_change: bool = False) -> str:
        extreme = self.train_high if self.side == "above" else self.train_low
        word = "highest" if self.side == "above" else "lowest"
        how_far = (
            f"{self.percent:.0f}% of the training range {self.train_low:.6g} to "
            f"{self.train_high:.6g}"
            if math.isfinite(self.percent)
            else "the training part holds that one value only"
        )
        said = (
            f"The {' and '.join(self.parts)} values of '{self.target}' leave the training part's "
            f"range: they reach {self.reached:.6g}, {self.beyond:.4g} {self.side} its {word} value "
            f"{extreme:.6g} ({how_far}). "
        )
        if predict_change:
            return said + (
                f"The model predicts the change from the last value ({cure} is on), so its "
                "forecast can follow the level there."
            )
        return said + (
            "A model scaled on the training part has never seen such values and tends to level "
            f"off near its edge: try {cure}."
        )


def extrapolation(
    series, config: ForecastConfig, margin: float = EXTRAPOLATION_MARGIN
) -> Extrapolation | None:
    """Whether the validation or test targets of `config`'s split leave the range of the rows the
    training windows touch by more than `margin` times that range; None if they do not (or the
    split does not fit the rows: the dataset itself says why).

    Why 30%: a stationary series keeps setting records that a model handles (the later part of 730
    monthly El Nino temperatures tops the earlier maximum by 3.9% of its range; sunspots' 1957 peak
    and US inflation's 2008 low by 23%, and the model still beat persistence and most of the ladder
    there); a trend leaves the range by about half of it or more (US real GDP 65%, employment 54%,
    CO2 47%: bench table 10), where a model of the level loses to persistence. A linear trend split
    70/15/15 ends 43% out.

    >>> extrapolation(np.arange(100.0), ForecastConfig(target="v", window=5)).percent > 40
    True
    """
    values = np.asarray(series, dtype=np.float64).reshape(-1)
    c = config
    n = window_count(len(values), c.window, c.horizon)
    n_train, n_val, n_test = split_counts(n, c.split) if n > 0 else (0, 0, 0)
    if n_train < 1 or n_test < 1 or not np.isfinite(values).all():
        return None
    train_rows = n_train + c.window + c.horizon - 1
    low, high = float(values[:train_rows].min()), float(values[:train_rows].max())
    span = high - low  # 0: a training part of one value, which any other later value leaves
    worst, parts = None, []
    for name, rows in (
        ("validation", values[train_rows : train_rows + n_val]),
        ("test", values[train_rows + n_val :]),
    ):
        if not len(rows):
            continue
        above, below = float(rows.max()) - high, low - float(rows.min())
        beyond, side, reached = max(
            (above, "above", float(rows.max())), (below, "below", float(rows.min()))
        )
        if beyond > margin * span:
            parts.append(name)
            if worst is None or beyond > worst[0]:
                worst = (beyond, side, reached)
    if worst is None:
        return None
    return Extrapolation(str(c.target), low, high, worst[0], worst[2], worst[1], parts)

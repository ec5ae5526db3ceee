"""Data in, tensors out: CSV tables, forecasting windows, typed words, digits.

Nothing here trains or draws; every user-facing problem is raised as `DataError`.
"""

from .digits import digits_as_sequences, load_digits
from .forecast import (
    ForecastConfig,
    ForecastDataset,
    largest_window,
    make_forecast_dataset,
    split_counts,
    suggest_target,
)
from .scaling import Scaler
from .tables import MAX_ABS_VALUE, DataError, numeric_columns, read_csv
from .text import IGNORE_INDEX, CharDataset, make_char_dataset
from .windows import sliding_windows, window_count

__all__ = [
    "DataError",
    "read_csv",
    "numeric_columns",
    "MAX_ABS_VALUE",
    "Scaler",
    "sliding_windows",
    "window_count",
    "ForecastConfig",
    "ForecastDataset",
    "make_forecast_dataset",
    "split_counts",
    "largest_window",
    "suggest_target",
    "CharDataset",
    "make_char_dataset",
    "IGNORE_INDEX",
    "load_digits",
    "digits_as_sequences",
]

"""A page's settings as one frozen dataclass: one field per setting, one name from widget to module.

Each field carries a `Setting` in its metadata (made by `setting(...)`): what kind of value it
is, its label and help (English; pages translate them), its bounds or options (numbers, or
callables of a `Limits`, so they follow the server's RNNVIZ_* limits), the `Limits` field it is
checked against, and the names it had before (`aliases`: old share links and CLI flags).

Everything that needs a setting's name, bounds or default reads it here:
- the widgets and the share link (rnnviz.ui.controls: the link parameter is the field's name),
- the limit check (`check`),
- the model and training configs (`ForecastSettings.model_config` / `train_config`),
- the command line (`add_arguments` / `from_arguments`, used by rnnviz.cli).

This module imports no streamlit and nothing heavy (torch is imported inside the methods that
build configs). Widgets are drawn by rnnviz.ui.controls; nothing here draws.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .errors import UserError
from .limits import Limits

__all__ = [
    "Setting",
    "setting",
    "settings_fields",
    "aliases",
    "canonical",
    "bounds",
    "options",
    "default",
    "check",
    "add_arguments",
    "from_arguments",
    "SettingError",
    "ForecastSource",
    "ForecastSettings",
    "LEARNING_RATES",
    "HIDDEN_SIZES",
    "OUTPUT_ACTIVATIONS",
    "RUNS",
    "SAMPLES",
    "UPLOAD",
    "iter_values",
    "percent",
]

Bound = int | float | Callable[[Limits], int | float] | None


class SettingError(UserError):
    """A setting's value outside its bounds or options; the message names the setting."""


@dataclass(frozen=True)
class Setting:
    """What a settings field is, beyond its name and default (kept in the field's metadata)."""

    kind: str  # "int", "float", "choice", "bool", "text" or "list" (the share link's kinds)
    label: str  # the widget's label, in English
    widget: str  # "number", "slider", "select_slider", "select", "radio", "checkbox", ...
    lo: Bound = None  # lowest value (numbers), or a function of the server's Limits
    hi: Bound = None  # highest value, likewise
    step: int | float | None = None  # a slider's step
    options: Sequence | Callable[[Limits], Sequence] | None = None  # the allowed values
    help: str | None = None  # the widget's help text, in English
    limit: str | None = None  # the Limits field the value is checked against (`check`)
    aliases: tuple[str, ...] = ()  # names this setting had before, in links and CLI flags
    cli: bool = True  # False: the page's setting has no `rnnviz fit` flag
    cli_help: str | None = None  # the flag's help, when it differs from the label


def setting(value: Any, kind: str, label: str, widget: str, **spec: Any) -> Any:
    """A dataclass field whose default is `value`, described by Setting(kind, label, ...)."""
    return field(default=value, metadata={"setting": Setting(kind, label, widget, **spec)})


def settings_fields(cls) -> dict[str, tuple[dataclasses.Field, Setting]]:
    """name -> (field, Setting) of every setting of a settings class, in declaration order."""
    return {f.name: (f, f.metadata["setting"]) for f in dataclasses.fields(cls) if f.metadata}


def aliases(cls) -> dict[str, str]:
    """Old name -> field name, for links and CLI flags made before a setting was renamed."""
    return {old: name for name, (_, s) in settings_fields(cls).items() for old in s.aliases}


def canonical(cls, values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` with every old name replaced by its field's name (a current name wins over an
    old one)."""
    renamed = aliases(cls)
    out = {k: v for k, v in values.items() if k not in renamed}
    for old, new in renamed.items():
        if old in values:
            out.setdefault(new, values[old])
    return out


def _resolve(bound, limits: Limits):
    return bound(limits) if callable(bound) else bound


def bounds(cls, name: str, limits: Limits) -> tuple[Any, Any]:
    """(lo, hi) of a number setting on a server with `limits` (None where it has no bound)."""
    s = settings_fields(cls)[name][1]
    return _resolve(s.lo, limits), _resolve(s.hi, limits)


def options(cls, name: str, limits: Limits) -> list | None:
    """The values a choice setting offers on a server with `limits`, or None."""
    s = settings_fields(cls)[name][1]
    found = _resolve(s.options, limits)
    return None if found is None else list(found)


def default(cls, name: str, limits: Limits) -> Any:
    """The field's default, brought within what this server offers: into lo..hi for a number, or
    the largest option at most the default (a server limited to 8 hidden units offers no 16)."""
    f, s = settings_fields(cls)[name]
    value = f.default
    offered = options(cls, name, limits)
    if offered is not None and s.kind in ("int", "float") and value not in offered:
        below = [o for o in offered if o <= value]
        return max(below) if below else offered[0]
    lo, hi = bounds(cls, name, limits)
    if s.kind in ("int", "float") and value is not None:
        value = value if lo is None else max(value, lo)
        value = value if hi is None else min(value, hi)
    return value


def _problem(cls, name: str, value: Any, limits: Limits) -> str | None:
    """Why `value` does not fit setting `name`'s bounds or options (None if it does)."""
    s = settings_fields(cls)[name][1]
    if s.kind in ("int", "float") and value is not None:
        lo, hi = bounds(cls, name, limits)
        if not math.isfinite(value) or (lo is not None and value < lo):
            return f"{s.label} must be at least {lo} (got {value:g})"
        if hi is not None and value > hi and s.limit is None:  # a limit says it in its own words
            return f"{s.label} must be at most {hi} (got {value:g})"
    offered = options(cls, name, limits)  # a number's options are a widget's stops, not a rule
    if offered is not None and s.kind == "choice" and value not in offered:
        return f"{s.label} must be one of {', '.join(map(str, offered))} (got {value})"
    return None


def check(settings, limits: Limits) -> None:
    """Raise LimitError for a setting above this server's limit (Limits.check), or SettingError for
    one outside its bounds or options, naming it."""
    named = settings_fields(type(settings))
    limits.check(**{s.limit: getattr(settings, name) for name, (_, s) in named.items() if s.limit})
    for name in named:
        problem = _problem(type(settings), name, getattr(settings, name), limits)
        if problem:
            raise SettingError(problem + ".")


# -- the command line ---------------------------------------------------------------------------
def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _arg_type(s: Setting) -> Callable[[str], Any]:
    """argparse's type for a number setting: the number, with its static lower bound checked (a
    server's upper limits are checked with the others by `check`, in the same words as the page)."""
    convert = int if s.kind == "int" else float
    lo = s.lo if not callable(s.lo) else None

    def parse(text: str):
        value = convert(text)
        if lo is not None and value < lo:
            raise argparse.ArgumentTypeError(f"{s.label} must be at least {lo} (got {text})")
        return value

    parse.__name__ = s.kind  # argparse names the type in its message ("invalid int value")
    return parse


def add_arguments(
    parser: argparse.ArgumentParser,
    cls,
    optional: Sequence[str] = (),
    required: Sequence[str] = (),
    limits: Limits | None = None,
) -> None:
    """Add a flag per setting of `cls` (not those with cli=False): --hidden-size for hidden_size,
    its old names (--hidden) as aliases, the field's default, its options as choices. `optional`
    names settings whose flag defaults to None (not given: the command decides); `required`, flags
    that must be given."""
    limits = limits or Limits.from_env()
    for name, (f, s) in settings_fields(cls).items():
        if not s.cli:
            continue
        flags = [_flag(name), *(_flag(old) for old in s.aliases)]
        plain = name in optional or name in required or f.default in (None, "")
        shown = "" if plain else f" (default: {f.default})"
        kw: dict[str, Any] = {
            "dest": name,
            "help": (s.cli_help or s.label) + (shown if s.kind != "bool" else ""),
            "default": None if name in optional else f.default,
        }
        if name in required:
            kw["required"] = True
        if s.kind == "bool":
            kw["action"] = "store_true"
        elif s.kind == "list":
            kw["nargs"] = "+"
        elif s.kind == "choice":
            kw["choices"] = options(cls, name, limits)
        elif s.kind in ("int", "float"):
            kw["type"] = _arg_type(s)
        parser.add_argument(*flags, **kw)


def from_arguments(cls, args: argparse.Namespace, **given: Any):
    """The settings object from parsed flags (`given` wins; a None flag keeps the field's
    default)."""
    values = {}
    for name, (f, s) in settings_fields(cls).items():
        value = given.get(name, getattr(args, name, None))
        values[name] = f.default if value is None else value
    return cls(**values)


def iter_values(settings) -> Iterator[tuple[str, Any]]:
    """(name, value) of every setting of a settings object, in declaration order."""
    for name in settings_fields(type(settings)):
        yield name, getattr(settings, name)


# -- the Forecast page ---------------------------------------------------------------------------
LEARNING_RATES = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0)
HIDDEN_SIZES = (2, 4, 8, 16, 32, 64, 128, 256)  # offered up to Limits.hidden
OUTPUT_ACTIVATIONS = ("none", "sigmoid")  # the Forecast head's output: as is, or squashed to 0..1
RUNS = {
    "one": "One run",
    "seeds": "Train 5 seeds (seed s to s+4): the spread",
    "folds": "Rolling origin: k folds, each trained on everything before its origin",
}
SAMPLES = {  # a bundled sample's label -> (file in assets/, its target, its input columns)
    "Seattle weather, daily 2012-2015 (NOAA)": (
        "seattle-weather.csv",
        "temp_max",
        ("temp_max", "temp_min", "wind"),
    ),
    "US employment, monthly 2006-2015 (BLS)": ("us-employment.csv", "nonfarm", ("nonfarm",)),
    # the KOSPI tutorial's columns: open, high, low and volume in, the close out
    "S&P 500, daily 2000-2020 (Yahoo Finance via vega-datasets)": (
        "sp500-2000.csv",
        "close",
        ("open", "high", "low", "volume"),
    ),
}
UPLOAD = "Upload a CSV"


def _up_to(values: Sequence[int], limit: int) -> tuple[int, ...]:
    """The values a server's limit allows; the limit itself when it is below all of them."""
    return tuple(v for v in values if v <= limit) or (limit,)


def _min_folds(lim: Limits) -> int:
    """MIN_FOLDS, or the server's limit when it is lower (RNNVIZ_FOLDS=1): the folds widget then
    holds one value instead of a range that is empty, and rolling origin says why it cannot run."""
    from .runs import MIN_FOLDS  # numpy and pandas: imported when a bound is asked for

    return min(MIN_FOLDS, lim.folds)


def percent(fraction: Any) -> Any:
    """A split's fraction as a percentage: 0.7 -> 70 (a whole number stays an int)."""
    if not isinstance(fraction, (int, float)) or isinstance(fraction, bool):
        return None
    value = round(fraction * 100, 10)
    return int(value) if float(value).is_integer() else value


def _finite(value: int | float) -> bool:
    """A finite number a float can hold (a file's 1e400, written as an integer, is not)."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _fits(s: Setting, value: Any) -> bool:
    """Whether `value` is of the setting's kind (a checkpoint's value, before it is used)."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool) and _finite(value)
    if s.kind == "int":
        return number and float(value).is_integer()
    if s.kind == "float":
        return number
    if s.kind == "bool":
        return isinstance(value, bool)
    if s.kind == "list":
        return value is None or (
            isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)
        )
    fixed = None if callable(s.options) else s.options
    return isinstance(value, str) and (fixed is None or value in fixed)


def _part(value: int, label: str, lo: int, hi: int) -> Any:
    """A part of the split in percent: a slider in steps of 5 (the CLI has --split instead)."""
    return setting(
        value, "int", label, "slider", lo=lo, hi=hi, step=5, options=range(lo, hi + 1, 5), cli=False
    )


@dataclass(frozen=True)
class ForecastSource:
    """Where the Forecast page's table comes from (drawn above the other settings)."""

    prefix: ClassVar[str] = "fc"  # widget keys fc_<name>; the link parameter is <name>

    source: str = setting(
        next(iter(SAMPLES)), "choice", "Data", "radio", options=(*SAMPLES, UPLOAD), cli=False
    )
    fill: bool = setting(
        False,
        "bool",
        "Fill missing values forward (from the row above)",
        "checkbox",
        cli_help="fill missing values from the row above",
    )


@dataclass(frozen=True)
class ForecastSettings:
    """Everything one Forecast run is made of, as the page's widgets and `rnnviz fit` set it.

    Data: which columns, how long a window, how far ahead, the split, scaling, differencing and the
    baselines' season. Model: ModelConfig's names (cell, nonlinearity, hidden_size, num_layers,
    head). Training: TrainConfig's (optimizer, lr, epochs, batch_size), and how many runs.
    """

    prefix: ClassVar[str] = "fc"

    # -- data
    target: str = setting(
        "", "choice", "Target (the column to forecast)", "select", cli_help="column to forecast"
    )
    features: tuple[str, ...] | None = setting(
        None,
        "list",
        "Input columns",
        "multiselect",
        cli_help="input columns (default: the target alone)",
    )
    window: int = setting(
        20,
        "int",
        "Window (steps of history)",
        "number",
        lo=1,
        hi=lambda lim: lim.window,
        limit="window",
        cli_help="steps of history (default: 20, or less to fit)",
    )
    horizon: int = setting(
        1,
        "int",
        "Horizon (rows ahead)",
        "number",
        lo=1,
        hi=100,
        cli_help="how many rows ahead to predict",
    )
    train_pct: int = _part(70, "Training part %", 10, 90)
    val_pct: int = _part(15, "Validation part %", 0, 40)
    scaler: str = setting(
        "minmax",
        "choice",
        "Scaling (fit on the training part only)",
        "select",
        options=("minmax", "standard", "none"),
        cli_help="how the columns are scaled (fit on the training part); standard reaches "
        "further beyond it",
        help="minmax maps the training part to 0..1; standard to mean 0, sd 1, which leaves "
        "more room for values beyond the training part's range.",
    )
    predict_change: bool = setting(
        False,
        "bool",
        "Predict the change (differencing)",
        "checkbox",
        aliases=("change", "difference"),
        cli_help="differencing: read each input's step changes and predict the change from the "
        "last value instead of the value itself (for trending series)",
        help="The model reads each input's step changes and learns the change from "
        "the window's last value; the plots and metrics add it back to that "
        "value. It can follow a trend beyond the training part's range.",
    )
    season: int = setting(
        0,
        "int",
        "Season for the baselines (rows per cycle; 0 = find it)",
        "number",
        lo=0,
        hi=lambda lim: lim.rows,
        cli_help="rows per seasonal cycle for the seasonal baselines (default: from the dates or "
        "the training part's autocorrelation)",
        help="0 finds it from the dates (daily 7, monthly 12, quarterly 4) or from the "
        "training part's autocorrelation.",
    )
    # -- model (ModelConfig's names)
    cell: str = setting(
        "lstm", "choice", "Cell", "select", options=("lstm", "gru", "rnn"), cli_help="cell type"
    )
    nonlinearity: str = setting(
        "tanh",
        "choice",
        "RNN nonlinearity",
        "select",
        options=("tanh", "relu"),
        cli_help="plain RNN only",
    )
    hidden_size: int = setting(
        16,
        "int",
        "Hidden units",
        "select_slider",
        options=lambda lim: _up_to(HIDDEN_SIZES, lim.hidden),
        limit="hidden",
        aliases=("hidden",),
        cli_help="hidden units per layer",
    )
    num_layers: int = setting(
        1,
        "int",
        "Layers",
        "slider",
        lo=1,
        hi=lambda lim: lim.layers,
        limit="layers",
        aliases=("layers",),
    )
    head: str = setting(
        "last",
        "choice",
        "Head",
        "radio",
        options=("last", "flatten"),
        help="last: the last hidden state predicts (many-to-one). flatten: every step's hidden "
        "state goes into the head, as in the KOSPI tutorial.",
    )
    output_activation: str = setting(
        "none",
        "choice",
        "Output",
        "radio",
        options=OUTPUT_ACTIVATIONS,
        cli_help="the head's output: none (as is) or sigmoid (squashed to 0..1)",
        help="none: the head's number as it is. sigmoid: squashed to 0..1, as in the KOSPI "
        "tutorial; with the minmax scaler it can never go beyond the training part's range.",
    )
    # -- training (TrainConfig's names)
    optimizer: str = setting("adam", "choice", "Optimizer", "select", options=("adam", "sgd"))
    lr: float = setting(
        1e-2,
        "float",
        "Learning rate",
        "select_slider",
        options=LEARNING_RATES,
        cli_help="learning rate",
    )
    epochs: int = setting(
        30, "int", "Epochs", "number", lo=1, hi=lambda lim: lim.epochs, limit="epochs"
    )
    batch_size: int = setting(
        32,
        "int",
        "Batch size (0 = all)",
        "number",
        lo=0,
        hi=lambda lim: lim.rows,  # no more windows than rows: a larger batch is the full batch
        aliases=("batch",),
        cli_help="0 = all samples at once",
        help="Training windows per step of the optimizer; 0 puts every training window in one "
        "batch.",
    )
    runs: str = setting(
        "one",
        "choice",
        "Runs",
        "radio",
        options=tuple(RUNS),
        cli=False,
        help="5 seeds: five runs that differ only in their seed, side by side; the errors "
        "are given as mean ± standard deviation. Rolling origin: k successive test "
        "blocks over the test part, for short series where one split decides too much.",
    )
    folds: int = setting(
        5,
        "int",
        "Folds (k)",
        "number",
        lo=_min_folds,
        hi=lambda lim: lim.folds,
        limit="folds",
        cli_help="rolling-origin evaluation: K folds over the test part, each trained on "
        "everything before it",
    )

    def __post_init__(self):
        # a list of columns (a multiselect's, argparse's) kept as a tuple: the object stays frozen
        if self.features is not None and not isinstance(self.features, tuple):
            object.__setattr__(self, "features", tuple(self.features))

    @property
    def split(self) -> tuple[float, float, float]:
        """(train, validation, test) fractions of the windows."""
        train, val = self.train_pct / 100, self.val_pct / 100
        return (train, val, round(1 - train - val, 10))

    @property
    def season_rows(self) -> int | None:
        """The baselines' season in rows; None = found from the data (the setting's 0)."""
        return self.season or None

    def forecast_config(self, split: tuple[float, float, float] | None = None):
        """The data part as rnnviz.data.ForecastConfig (`split` overrides the percentages)."""
        from .data.forecast import ForecastConfig

        return ForecastConfig(
            target=self.target,
            features=list(self.features) if self.features is not None else None,
            window=self.window,
            horizon=self.horizon,
            split=split or self.split,
            scaler=self.scaler,
            predict_change=self.predict_change,
        )

    def model_config(self, input_size: int, window: int | None = None):
        """The model part as rnnviz.models.ModelConfig: one number per step out, `input_size`
        features per step in; `window` for the flatten head (default: this window)."""
        from .models import ModelConfig

        return ModelConfig(
            cell=self.cell,
            hidden_size=self.hidden_size,
            num_layers=self.num_layers,
            input_size=input_size,
            nonlinearity=self.nonlinearity,
            head=self.head,
            window=window or self.window,
            output_size=1,
            output_activation=None if self.output_activation == "none" else "sigmoid",
        )

    def saved(self) -> dict[str, Any]:
        """The settings a checkpoint keeps beside the weights (tasks.forecast_extra), as plain
        JSON values under the fields' names; `from_saved` reads them back."""
        return {
            **{name: getattr(self, name) for name in _SAVED},
            "features": None if self.features is None else list(self.features),
            "split": self.split,
            "season": self.season_rows,
        }

    @classmethod
    def from_saved(cls, saved: Mapping[str, Any]) -> ForecastSettings:
        """The settings of a checkpoint (`saved`, or an older file's with the old names: hidden,
        layers, batch): the split as the two percentages, a value of the wrong kind (a damaged
        file) replaced by the field's default."""
        values = canonical(cls, saved)
        split = values.pop("split", None)
        if isinstance(split, (list, tuple)) and len(split) == 3:
            values["train_pct"], values["val_pct"] = (percent(split[0]), percent(split[1]))
        values["season"] = values.get("season") or 0
        named = settings_fields(cls)
        return cls(**{k: v for k, v in values.items() if k in named and _fits(named[k][1], v)})

    def train_config(self, seed: int = 0, device: str = "auto"):
        """The training part as rnnviz.train.TrainConfig."""
        from .train import TrainConfig

        return TrainConfig(
            epochs=self.epochs,
            batch_size=self.batch_size,
            lr=self.lr,
            optimizer=self.optimizer,
            seed=seed,
            device=device,
        )


# what a checkpoint keeps (ForecastSettings.saved): the run's settings, not how many runs were made
_SAVED = (
    "target",
    "window",
    "horizon",
    "scaler",
    "predict_change",
    "cell",
    "nonlinearity",
    "hidden_size",
    "num_layers",
    "head",
    "output_activation",
    "optimizer",
    "lr",
    "epochs",
    "batch_size",
)


# -- the other lessons: Next letter, Digits, Seq2seq, Compare, Step through ----------------------
# Model settings carry the modules' names (hidden_size, num_layers, embedding_dim,
# teacher_forcing, batch_size); their old link names (hidden, layers, embedding, forcing, batch)
# are aliases. Labels and help are the widgets' English text.
CELL_CHOICES = ("rnn", "lstm", "gru")  # rnnviz.cellspec.CELLS' order
DEFAULT_WORDS = "hello apple lobby daddy bobby"
MEMORY = "Long memory: repeat the first letter after N distractors"
SERIES = "Sample series: Seattle daily max temperature"
WORDS = "Typed words: the last letter"
DIGITS_SAMPLE = "8x8 handwritten digits (UCI / scikit-learn, 1,797 images)"
DIGITS_MNIST = "MNIST 28x28 handwritten digits (LeCun, Cortes, Burges; 10,000 images)"
DIGITS_UPLOAD = "Upload images as rows (CSV)"


def _hidden(value: int, sizes: tuple[int, ...]) -> Any:
    """Hidden units per layer: Forecast's hidden_size setting with this page's default and
    `sizes` (a select slider up to the server's limit; old links' `hidden`)."""
    hidden = settings_fields(ForecastSettings)["hidden_size"][1]
    spec = dataclasses.replace(hidden, options=lambda lim: _up_to(sizes, lim.hidden))
    return field(default=value, metadata={"setting": spec})


def _as_forecast(name: str) -> Any:
    """The same setting as Forecast's `name`: its default, bounds, label and old names."""
    same = settings_fields(ForecastSettings)[name][0]
    return field(default=same.default, metadata=same.metadata)


def _layers() -> Any:
    """Stacked layers: the same setting as Forecast's num_layers (a slider from 1 to the server's
    limit; old links' `layers`)."""
    return _as_forecast("num_layers")


def _epochs(value: int, label: str = "Epochs") -> Any:
    return setting(value, "int", label, "number", lo=1, hi=lambda lim: lim.epochs, limit="epochs")


def _rates(rates: tuple[float, ...]) -> Any:
    """The learning rate: a select slider over `rates`, 0.01 to start."""
    return setting(1e-2, "float", "Learning rate", "select_slider", options=rates)


def _optimizer() -> Any:
    return setting("adam", "choice", "Optimizer", "select", options=("adam", "sgd"))


def _lesson_train_config(s, batch_size: int, clip_norm: float | None, seed: int, device: str):
    """A lesson's TrainConfig: its epochs, learning rate and optimizer (adam where it has none)."""
    from .train import TrainConfig

    optimizer = getattr(s, "optimizer", "adam")
    return TrainConfig(
        epochs=s.epochs,
        batch_size=batch_size,
        lr=s.lr,
        optimizer=optimizer,
        seed=seed,
        device=device,
        clip_norm=clip_norm,
    )


@dataclass(frozen=True)
class NextLetterSettings:
    """A char-level run on typed words: what it predicts, how letters go in, the model, training."""

    prefix: ClassVar[str] = "nl"

    text: str = setting(
        DEFAULT_WORDS,
        "text",
        "Words (separated by spaces; any language: try 사과 바나나 포도)",
        "text_area",
        cli=False,  # `rnnviz words "..."` takes the words as its argument
    )
    mode: str = setting("last", "choice", "Predict", "radio", options=("last", "next"))
    encoding: str = setting(
        "one-hot", "choice", "Letters go in as", "radio", options=("one-hot", "embedding")
    )
    # 2 to 32, or the server's limit when it is below 2: the range is never empty
    embedding_dim: int = setting(
        4,
        "int",
        "Embedding size",
        "slider",
        lo=lambda lim: min(2, lim.embedding),
        hi=lambda lim: min(32, lim.embedding),
    )
    cell: str = setting("rnn", "choice", "Cell", "select", options=CELL_CHOICES)
    nonlinearity: str = _as_forecast("nonlinearity")  # tanh or relu, the plain RNN's only
    hidden_size: int = _hidden(8, (2, 4, 8, 16, 32, 64, 128))
    num_layers: int = _layers()
    optimizer: str = _optimizer()
    lr: float = _rates((1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0))
    epochs: int = _epochs(200)

    def train_config(self, seed: int = 0, device: str = "auto"):
        """Every word in one batch, gradients clipped at norm 5."""
        return _lesson_train_config(self, 0, 5.0, seed, device)


@dataclass(frozen=True)
class DigitsSettings:
    """A row-by-row image classifier: where the images come from, the model, training and the
    test part."""

    prefix: ClassVar[str] = "dg"

    source: str = setting(
        DIGITS_SAMPLE,
        "choice",
        "Images",
        "radio",
        options=(DIGITS_SAMPLE, DIGITS_MNIST, DIGITS_UPLOAD),
    )
    cell: str = setting("lstm", "choice", "Cell", "select", options=("lstm", "gru", "rnn"))
    hidden_size: int = _hidden(32, (4, 8, 16, 32, 64, 128, 256))
    num_layers: int = _layers()
    optimizer: str = _optimizer()
    lr: float = _rates((1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0))
    batch_size: int = setting(
        32,
        "int",
        "Batch size",
        "select_slider",
        options=(8, 16, 32, 64, 128, 256),
        aliases=("batch",),
    )
    epochs: int = _epochs(20)
    test: float = setting(
        0.25,
        "float",
        "Test part",
        "slider",
        lo=0.1,
        hi=0.5,
        step=0.05,
        help="Images kept aside: never trained on, used for the confusion matrix.",
    )

    def train_config(self, seed: int = 0, device: str = "auto"):
        """Batches of `batch_size` images, gradients clipped at norm 1 (TrainConfig's default)."""
        return _lesson_train_config(self, self.batch_size, 1.0, seed, device)


def _pair_presets(_: Limits) -> tuple[str, ...]:
    from .seq2seq import DEFAULT_PAIRS  # torch: imported when the options are asked for

    return tuple(DEFAULT_PAIRS)


@dataclass(frozen=True)
class Seq2SeqSettings:
    """An encoder-decoder run on typed pairs: the pairs, the model, teacher forcing, training."""

    prefix: ClassVar[str] = "s2"

    preset: str = setting("", "choice", "Example pairs", "select", options=_pair_presets)
    pairs: str = setting("", "text", "Pairs, one per line: source -> target", "text_area")
    level: str = setting("word", "choice", "Tokens are", "radio", options=("word", "char"))
    cell: str = setting("gru", "choice", "Cell", "select", options=("gru", "lstm"))
    hidden_size: int = _hidden(32, (8, 16, 32, 64, 128))
    embedding_dim: int = setting(
        16,
        "int",
        "Embedding size",
        "select_slider",
        aliases=("embedding",),
        options=lambda lim: _up_to((4, 8, 16, 32), lim.embedding),
    )
    teacher_forcing: float = setting(
        0.5,
        "float",
        "Teacher forcing ratio",
        "slider",
        lo=0.0,
        hi=1.0,
        step=0.05,
        aliases=("forcing",),
        help="While training, the chance that a decoder step is fed the true previous token "
        "instead of its own guess. 1 = always the truth, 0 = always its own guess.",
    )
    lr: float = _rates((1e-3, 3e-3, 1e-2, 3e-2, 0.1))
    attention: bool = setting(
        False,
        "bool",
        "Attention (dot-product)",
        "checkbox",
        help="At every step the decoder also looks at all of the encoder's states, weighted "
        "by how well each matches its own state, instead of the context vector alone.",
    )
    epochs: int = _epochs(150)

    def train_config(self, seed: int = 0, device: str = "auto"):
        """Every pair in one batch, adam, gradients clipped at norm 5."""
        return _lesson_train_config(self, 0, 5.0, seed, device)


@dataclass(frozen=True)
class CompareSettings:
    """RNN, LSTM and GRU on one task: the task and its input, the model, the budget."""

    prefix: ClassVar[str] = "cp"

    task: str = setting(MEMORY, "choice", "Task", "radio", options=(MEMORY, SERIES, WORDS))
    distractors: int = setting(
        20,
        "int",
        "N distractors",
        "slider",
        lo=1,
        hi=lambda lim: lim.distractors,
        help="Steps between the letter to remember and the answer.",
    )
    anywhere: bool = setting(
        False,
        "bool",
        "Letter anywhere",
        "checkbox",
        help="The capital letter to remember stands at a random step among the N + 1, with "
        "distractors before it too: the model must notice it when it comes and keep it from "
        "then on.",
    )
    sequences: int = setting(
        512,
        "int",
        "Training sequences",
        "select_slider",
        options=(256, 512, 1024, 2048),
        help="How many random sequences the models train on (each epoch reads them all); "
        "the validation part is 128 others.",
    )
    words: str = setting(DEFAULT_WORDS, "text", "Words", "text")
    hidden_size: int = _hidden(16, (4, 8, 16, 32, 64))
    lr: float = _rates((1e-3, 3e-3, 5e-3, 1e-2, 3e-2, 0.1))
    epochs: int = _epochs(30, "Epochs (the same budget for all three)")
    forget_bias: bool = setting(
        False,
        "bool",
        "+ LSTM, forget bias 1",
        "checkbox",
        help="b_if + b_hf start at 1 instead of near 0, so the forget gate starts near "
        "sigmoid(1) = 0.73: the cell keeps more of its state from the start.",
    )

    def __post_init__(self):
        # the forget-bias run belongs to the long-memory task only
        if self.forget_bias and self.task != MEMORY:
            object.__setattr__(self, "forget_bias", False)

    def train_config(self, batch_size: int, seed: int = 0, device: str = "auto"):
        """The same budget for every cell; gradients clipped at norm 1."""
        return _lesson_train_config(self, batch_size, 1.0, seed, device)


# Compare's "LSTM story" preset, found by experiment over seeds 0-2 (the numbers are in
# tests/test_compare_preset.py): a capital letter anywhere among 101 letters, 2,048 training
# sequences, 20 epochs at lr 0.005. The RNN cannot tell the four letters apart (it stays near
# chance, or learns which pair the letter was from: 50%); the LSTM and the GRU reach 100%. What
# defeats the RNN: its state must hold the letter across up to 100 steps of distractors while
# the gradient that would teach it to do so shrinks at every step back; the gates can learn to
# write the letter when it comes and to keep it.
LSTM_STORY = CompareSettings(
    task=MEMORY,
    distractors=100,
    anywhere=True,
    sequences=2048,
    hidden_size=32,
    lr=5e-3,
    epochs=20,
    forget_bias=True,
)


@dataclass(frozen=True)
class StepThroughSettings:
    """One cell with numbers the user types: its kind, its sizes, and where the numbers start
    (the one-neuron preset, small random ones, or random weights reading windows of the Seattle
    sample's 4 columns; `numbers` has no widget, the buttons set it)."""

    prefix: ClassVar[str] = "st"

    cell: str = setting("rnn", "choice", "Cell", "select", options=CELL_CHOICES)
    inputs: int = setting(
        1, "int", "Inputs per step", "number", lo=1, hi=lambda lim: lim.typed_inputs
    )
    hidden_size: int = setting(
        1,
        "int",
        "Hidden units",
        "number",
        lo=1,
        hi=lambda lim: lim.typed_hidden,
        aliases=("hidden",),
    )
    steps: int = setting(2, "int", "Steps", "number", lo=1, hi=lambda lim: lim.typed_steps)
    numbers: str = setting(
        "preset", "choice", "Numbers", "none", options=("preset", "random", "series")
    )


__all__ += [
    "CELL_CHOICES",
    "DEFAULT_WORDS",
    "MEMORY",
    "SERIES",
    "WORDS",
    "DIGITS_SAMPLE",
    "DIGITS_MNIST",
    "DIGITS_UPLOAD",
    "NextLetterSettings",
    "DigitsSettings",
    "Seq2SeqSettings",
    "CompareSettings",
    "LSTM_STORY",
    "StepThroughSettings",
]

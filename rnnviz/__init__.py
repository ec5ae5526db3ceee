"""rnnviz: train small RNN/LSTM/GRU models and look inside them.

The package a page (or a notebook) calls. It never imports streamlit: rnnviz.ui is the one
place that does, and it is not imported here.

    >>> import rnnviz
    >>> ds = rnnviz.data.make_char_dataset("hello apple lobby daddy bobby")
    >>> model = rnnviz.tasks.char_model(ds, cell="rnn", hidden_size=8, seed=0)
    >>> model.parameter_count()
    233
"""

from . import cells, checkpoint, data, metrics, tasks
from .data import DataError
from .errors import UserError
from .limits import LimitError
from .metrics import MetricError
from .models import ModelConfig, SequenceModel, parameter_count_formula
from .trace import Trace, gradient_norms, trace
from .train import Callback, JobGate, TrainConfig, TrainData, TrainingJob, predict, resolve_device

__version__ = "0.1.0"

__all__ = [
    "cells",
    "checkpoint",
    "data",
    "metrics",
    "tasks",
    "UserError",
    "DataError",
    "LimitError",
    "MetricError",
    "ModelConfig",
    "SequenceModel",
    "parameter_count_formula",
    "Trace",
    "trace",
    "gradient_norms",
    "TrainConfig",
    "TrainData",
    "TrainingJob",
    "Callback",
    "JobGate",
    "predict",
    "resolve_device",
]

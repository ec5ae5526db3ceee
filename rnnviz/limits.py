"""The limits a shared server enforces, in one place.

A classroom server is shared by many people at once; these caps keep one upload or one setting
from taking it over. Every limit met is reported to the user with its name and value
(`Limits.check`), never as a crash. Override with environment variables RNNVIZ_<NAME>
(for example RNNVIZ_MAX_JOBS=8) when starting the app.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

from .errors import UserError

__all__ = ["Limits", "LimitError"]


class LimitError(UserError):
    """A setting above a server limit; the message names the limit and its value."""


@dataclass(frozen=True)
class Limits:
    # largest CSV or model file accepted, in Streamlit's MB (1024 x 1024 bytes)
    upload_mb: int = 10
    # largest model file rnnviz.checkpoint reads from a path or bytes (CLI, notebooks)
    checkpoint_mb: int = 200
    rows: int = 200_000  # rows of a CSV
    columns: int = 50  # columns of a CSV
    window: int = 400  # steps per window
    hidden: int = 256  # hidden units per layer
    layers: int = 4  # stacked layers
    features: int = 1_000  # input features per step (columns, or pixels of an image row)
    # distinct characters (or seq2seq tokens) of a text model: one-hot inputs grow with it
    vocabulary: int = 2_000
    embedding: int = 256  # embedding dimensions per character
    outputs: int = 10_000  # outputs of a model's head (a class or a character each)
    epochs: int = 2_000  # epochs per training run
    folds: int = 10  # rolling-origin folds of one evaluation (each trains a model)
    words: int = 200  # words typed on Next letter and Compare
    word_letters: int = 40  # letters in one typed word
    pairs: int = 100  # source -> target pairs on Seq2seq
    pair_tokens: int = 30  # words (or letters) on one side of a pair
    letters_to_write: int = 30  # letters Next letter's model writes after a prefix
    # N of the long-memory task (Compare): each is one more step of every sequence
    distractors: int = 100
    image_side: int = 32  # an uploaded image (Digits) has at most side x side pixel columns
    # Step through with typed numbers: inputs per step, hidden units and steps, small enough that
    # every number of every step fits on the screen; 4 inputs: a day of the Seattle sample's four
    # numeric columns (seed 003)
    typed_inputs: int = 4
    typed_hidden: int = 4
    typed_steps: int = 6
    # training jobs running at once (the rest queue); 0 = one per core this server may use
    max_jobs: int = 0
    job_seconds: int = 600  # longest training run
    # address space one job (or view) may add to its worker (torch imported): a batch of 256
    # windows of 400 steps through 4 LSTM layers of 256 units keeps about 1.6 GB of activations
    # for backward
    job_memory_mb: int = 2048
    heartbeat_seconds: int = 30  # a job nobody watches for this long stops itself
    kept_runs: int = 10  # ended runs a session keeps per page (settings, curves, last weights)
    # MB of weights one session's kept runs may hold (fewer runs are kept of a big model)
    kept_mb: int = 64
    # weight snapshots one run keeps to scrub back through training (thinned evenly as it goes on)
    snapshots: int = 50
    snapshot_mb: int = 64  # memory one run's snapshots may take: a big model keeps fewer of them
    # The heavy views after training run in a worker process, each bounded by these, not by the
    # data.
    # most windows the hidden-state path (PCA) computes, evenly spaced over the series
    view_windows: int = 500
    # work one view may do (~1 s on one busy core): fewer windows when big
    view_multiply_adds: int = 8_000_000_000
    view_batch_mb: int = 64  # memory one batch of windows may take while a view computes it
    # the unrolled network (Next letter, Forecast): the last steps drawn, units drawn per box
    # (more: one edge per pair of boxes), the strongest unit-to-unit edges drawn per pair of
    # boxes, words in a hover label
    unrolled_steps: int = 12  # 12 steps of 16 units still read at 800 px wide; 20 did not
    unrolled_units: int = 16
    unrolled_box_edges: int = 24
    unrolled_words: int = 8

    @property
    def upload_bytes(self) -> int:
        """The upload cap in bytes, counted as Streamlit counts server.maxUploadSize and
        st.file_uploader(max_upload_size=...): 1 MB = 1024 x 1024 bytes."""
        return self.upload_mb * 1024 * 1024

    @classmethod
    def from_env(cls) -> "Limits":
        values = {}
        for f in fields(cls):
            raw = os.environ.get(f"RNNVIZ_{f.name.upper()}")
            if raw:
                values[f.name] = int(raw)
        return cls(**values)

    def check(self, **settings: int) -> None:
        """Raise LimitError for the first setting above its limit: check(hidden=512)."""
        labels = {
            "window": "window length",
            "hidden": "hidden units",
            "layers": "layers",
            "epochs": "epochs",
            "rows": "rows",
            "columns": "columns",
            "features": "input features",
            "vocabulary": "characters",
            "embedding": "embedding dimensions",
            "outputs": "outputs",
            "distractors": "distractors",
            "folds": "folds",
        }
        for name, value in settings.items():
            limit = getattr(self, name)
            if value is not None and value > limit:
                raise LimitError(
                    f"{value} {labels.get(name, name)} is above this server's limit of {limit}. "
                    f"Use {limit} or fewer."
                )

"""Runs a session keeps after they end: to compare, overlay, restore, download or delete.

A `KeptRun` is what is left of one ended run of a page: its settings (the page's frozen settings
dataclass, rnnviz.settings), its history rows, its final metrics, how it ended, and the weights
of its last epoch as a CPU state_dict with what rebuilds the model (its class and config) and
what its checkpoint keeps beside the weights (`extra`, rnnviz.checkpoint). A forecast page also
keeps the forecast it drew (dates and values in the data's units), to overlay it later.

`KeptRuns` is one session's list: runs are numbered in the order they were kept (1, 2, ...), and
each page keeps at most `limit` of them (Limits.kept_runs), the oldest dropped first.

Nothing here trains, draws or knows of streamlit: the page keeps a run when its job has ended
(rnnviz.ui.views.kept), and rnnviz.plots overlays the curves.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from safetensors.torch import save as safetensors_save
from torch import nn

from . import checkpoint
from .models import SequenceModel

__all__ = [
    "KEPT_STATUSES",
    "KeptRun",
    "KeptRuns",
    "keepable",
    "final_metrics",
    "keep_job",
    "settings_summary",
]

KEPT_STATUSES = ("done", "stopped", "diverged")  # a failed or unfinished run is not kept
# history columns shown as a kept run's final metrics (val_rmse is in scaled units: a page that
# has the data's units adds its own errors instead)
FINAL_COLUMNS = ("train_loss", "val_loss", "train_accuracy", "val_accuracy")
# settings every summary names (those the page has), before the ones that differ between runs
SUMMARY_FIELDS = ("cell", "hidden_size", "num_layers", "lr", "epochs")
SUMMARY_TEXT = 24  # characters of a long value (typed words, pairs) shown in a summary


@dataclass(frozen=True, eq=False)
class KeptRun:
    """One ended run, kept: enough to list it, overlay it, restore it and rebuild its model."""

    page: str  # the page that trained it ("forecast", "next_letter", ...)
    settings: Any  # the page's frozen settings object, as the run was started
    status: str  # "done", "stopped" or "diverged" (one of KEPT_STATUSES)
    history: tuple[dict, ...]  # one row per finished epoch (rnnviz.train.HISTORY_COLUMNS)
    metrics: dict[str, float]  # final metrics by name, in the order shown
    weights: dict[str, torch.Tensor]  # the last epoch's state_dict, on the CPU
    model_class: type  # SequenceModel, or Seq2Seq: model_class(config) rebuilds it
    config: Any  # the model's config (ModelConfig, Seq2SeqConfig)
    extra: dict = field(default_factory=dict)  # what its checkpoint keeps beside the weights
    source: str | None = None  # the data's name
    seed: int | None = None  # the seed it trained with (the sidebar's, not a page setting)
    forecast: dict | None = None  # {"dates": (N,), "predicted": (N,)} in data units, or None
    number: int = 0  # its number in the session (KeptRuns.add sets it)

    @property
    def epochs(self) -> int:
        return len(self.history)

    def model(self) -> nn.Module:
        """The model as it ended: a new model_class(config) with the kept weights loaded."""
        model = self.model_class(self.config)
        model.load_state_dict(self.weights)
        return model.eval()

    @property
    def reopenable(self) -> bool:
        """Can rnnviz.checkpoint open its model again? Only a SequenceModel's."""
        return issubclass(self.model_class, SequenceModel)

    def checkpoint(self) -> bytes:
        """Its model as a file to download. A SequenceModel's is an rnnviz checkpoint
        (checkpoint.to_bytes with `extra`: the same weights and metadata the page's own download
        gives, which the pages open again). Any other model's (Seq2Seq) is its weights in
        safetensors with, as metadata "rnnviz", its class, its config and `extra` (the seq2seq
        page's vocabulary): torch can rebuild it (model_class(config), load_state_dict), the pages
        cannot open it."""
        if self.reopenable:
            return checkpoint.to_bytes(self.model(), self.extra)
        meta = {"model": self.model_class.__name__, "config": dataclasses.asdict(self.config)}
        meta.update(self.extra)
        weights = {k: v.contiguous() for k, v in self.weights.items()}
        return safetensors_save(weights, metadata={"rnnviz": json.dumps(meta)})


def keepable(status: str, epochs_done: int) -> bool:
    """Is a run that ended this way worth keeping? Done or diverged, or stopped after at least
    one epoch (a run stopped before its first epoch has no curve and no trained weights)."""
    if status == "stopped":
        return epochs_done >= 1
    return status in ("done", "diverged")


def final_metrics(history: Sequence[Mapping]) -> dict[str, float]:
    """The last epoch's losses and accuracies (those that apply: not None)."""
    if not history:
        return {}
    last = history[-1]
    return {k: float(last[k]) for k in FINAL_COLUMNS if last.get(k) is not None}


def keep_job(page: str, settings: Any, job, **more: Any) -> KeptRun:
    """A KeptRun of an ended job: its status, a copy of its history, its final metrics (the
    history's, then any `metrics` in `more`), its seed and its last weights copied to the CPU.
    `more`: extra, source, forecast, metrics."""
    model = job.snapshot_model()
    history = tuple(dict(row) for row in job.history)
    metrics = {**final_metrics(history), **more.pop("metrics", {})}
    weights = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
    return KeptRun(
        page=page,
        settings=settings,
        status=job.status,
        history=history,
        metrics=metrics,
        weights=weights,
        model_class=type(model),
        config=model.config,
        seed=getattr(job.config, "seed", None),
        **more,
    )


@dataclass
class KeptRuns:
    """One session's kept runs, each page's last `limit`, numbered in the order kept."""

    limit: int = 10  # per page (Limits.kept_runs)
    runs: list[KeptRun] = field(default_factory=list)  # oldest first
    counted: int = 0  # runs kept so far in the session: the last number given
    mb: float | None = None  # the weights all pages' runs may hold together (Limits.kept_mb)

    def add(self, run: KeptRun) -> KeptRun:
        """Keep `run` under the next number; the page's oldest go beyond `limit`, then the
        session's oldest while the weights kept take more than `mb` (never the run just kept)."""
        # 1. number it
        self.counted += 1
        run = dataclasses.replace(run, number=self.counted)
        self.runs.append(run)
        # 2. drop the page's oldest beyond the limit
        page_runs = self.for_page(run.page)
        for old in page_runs[: max(len(page_runs) - self.limit, 0)]:
            self.runs.remove(old)
        # 3. drop the session's oldest beyond the memory budget: a session of big models keeps
        # fewer runs instead of holding hundreds of MB in the server
        while self.mb is not None and len(self.runs) > 1 and self.megabytes > self.mb:
            self.runs.pop(0)
        return run

    @property
    def megabytes(self) -> float:
        """The memory the kept weights take, in MB (2**20 bytes)."""
        size = sum(t.numel() * t.element_size() for r in self.runs for t in r.weights.values())
        return size / 2**20

    def for_page(self, page: str) -> list[KeptRun]:
        """The page's kept runs, oldest first."""
        return [r for r in self.runs if r.page == page]

    def get(self, page: str, number: int) -> KeptRun | None:
        return next((r for r in self.for_page(page) if r.number == number), None)

    def delete(self, page: str, number: int) -> bool:
        """Forget run `number` of `page`; False if it was not kept (any more)."""
        run = self.get(page, number)
        if run is not None:
            self.runs.remove(run)
        return run is not None


def _short(value: Any) -> str:
    text = ",".join(map(str, value)) if isinstance(value, (tuple, list)) else str(value)
    text = " ".join(text.split())  # typed lines on one line
    return text if len(text) <= SUMMARY_TEXT else text[: SUMMARY_TEXT - 1].rstrip() + "…"


def settings_summary(
    settings: Any, others: Sequence[Any] = (), name: Callable[[str], str] = str
) -> str:
    """One line that tells a kept run's settings apart: the SUMMARY_FIELDS it has, then every
    other setting whose value is not the same in all of `others` (the page's other kept runs'
    settings), as "name=value" joined by " · "; long values cut to SUMMARY_TEXT characters.
    `name(field)`: how a setting is named (the field's own name by default; a page passes its
    label in the session's language).

    >>> from rnnviz.settings import NextLetterSettings as S
    >>> settings_summary(S(cell="gru", lr=0.1), [S(cell="gru", lr=0.1, mode="next")])
    'cell=gru · hidden_size=8 · num_layers=1 · lr=0.1 · epochs=200 · mode=last'
    """
    names = [f.name for f in dataclasses.fields(settings)]
    differ = [
        n
        for n in names
        if n not in SUMMARY_FIELDS
        and any(getattr(o, n, None) != getattr(settings, n) for o in others)
    ]
    shown = [n for n in SUMMARY_FIELDS if n in names] + differ
    return " · ".join(f"{name(n)}={_short(getattr(settings, n))}" for n in shown)

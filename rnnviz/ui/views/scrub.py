"""The epoch slider: go back through a finished run's training and look inside the model as it was.

A run's job keeps weight snapshots at some epochs (rnnviz.snapshots: at most Limits.snapshots,
thinned evenly, always the untrained model and the last epoch). `epoch_slider` draws a slider over
them and returns the model with the chosen epoch's weights; the inside views then compute from that
model. `chosen` gives the same choice without drawing, for a view drawn above the slider, and
`model_at` its model.

The slider starts at the weights the run ended with: the last epoch's, or on divergence the best
epoch's when that one was kept. A run that is still training, a model opened from a file and a run
of several jobs have no slider: their views use `run.current_model()` as before.
"""

from __future__ import annotations

import streamlit as st
import torch

from ..i18n import t
from ..widgets import option_slider

__all__ = ["epoch_slider", "chosen", "model_at", "epochs_of"]


def epochs_of(run) -> list[int]:
    """The epochs a slider offers: the one job's kept epochs once it has ended, else none."""
    job = run.job
    if job is None or job.running or not hasattr(job, "snapshot_epochs"):
        return []
    return job.snapshot_epochs


def _ended_at(run, epochs: list[int]) -> int:
    """The newest kept epoch whose weights are the model's the run ended with (its last epoch, or
    the best one after a divergence), else the last kept; computed once per run."""
    if "scrub_end" not in run.results:
        final = run.current_model().state_dict()
        kept = run.job.snapshots()
        same = [
            e for e in epochs if all(torch.equal(kept[e][k], v.cpu()) for k, v in final.items())
        ]
        run.results["scrub_end"] = same[-1] if same else epochs[-1]
    return run.results["scrub_end"]


def model_at(run, epoch: int | None):
    """The model with `epoch`'s weights: the run's own at the epoch it ended with (and for None),
    else a copy (the last one made is kept, so a rerun of the page does not copy it again)."""
    if epoch is None or epoch == _ended_at(run, epochs_of(run)):
        return run.current_model()
    made = run.results.get("scrub_model")
    if made is None or made[0] != epoch:
        made = run.results["scrub_model"] = (epoch, run.job.snapshot_at(epoch))
    return made[1]


def _key(run, prefix: str) -> str:
    return f"{prefix}_epoch_{run.id}"


def _label(epoch: int) -> str:
    return t("{epoch} (untrained)", epoch=epoch) if epoch == 0 else str(epoch)


def chosen(run, prefix: str) -> int | None:
    """The epoch the slider chose, without drawing it (for a view above it; `model_at` gives its
    model); None for the weights the run ended with, and while there is no slider or it has not
    been drawn yet."""
    epochs = epochs_of(run)
    epoch = st.session_state.get(_key(run, prefix))
    if not epochs or epoch not in epochs or epoch == _ended_at(run, epochs):
        return None
    return epoch


def epoch_slider(run, prefix: str) -> tuple[int | None, object]:
    """Draw the slider over the run's kept epochs; (the chosen epoch, the model with its weights).
    (None, the current model) for a run without snapshots to choose from."""
    epochs = epochs_of(run)
    if not epochs:
        return None, run.current_model()
    epoch = option_slider(
        t("Weights after epoch"),
        epochs,
        _ended_at(run, epochs),
        key=_key(run, prefix),
        format_func=_label,
        help=t(
            "Go back through training: every view below is computed from the weights kept "
            "after that epoch ({kept} kept, thinned evenly as training went on).",
            kept=len(epochs),
        ),
    )
    return epoch, model_at(run, epoch)

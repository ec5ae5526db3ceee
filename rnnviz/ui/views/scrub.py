"""The epoch slider: go back through a finished run's training and look inside the model as it was.

A run's job keeps weight snapshots at some epochs (rnnviz.snapshots: at most Limits.snapshots,
thinned evenly, always the untrained model and the last epoch). `epoch_slider` draws a slider over
them and returns the model with the chosen epoch's weights; the inside views then compute from that
model. `chosen` gives the same choice without drawing, for a view drawn above the slider, and
`model_at` its model.

The slider starts at the weights the run ended with: the last epoch's, or on divergence the best
epoch's when that one was kept. A paused run is drawn like an ended one (`inspectable`), its held
epoch the latest snapshot ("Step one epoch" adds one); its every model, the held epoch's too, is
read from the snapshots, whose weights never change, so a page drawn as training goes on again
never mixes two epochs. A run that is training, a model opened from a file and a run of several
jobs have no slider: their views use `run.current_model()` as before.
"""

from __future__ import annotations

import streamlit as st
import torch

from ..i18n import t
from ..widgets import option_slider

__all__ = ["epoch_slider", "chosen", "model_at", "epochs_of", "inspectable", "held", "epoch_label"]


def held(run) -> bool:
    """Whether the run is one job, paused now (Pause, or Step's epoch done)."""
    job = run.job
    return job is not None and job.running and job.paused


def inspectable(run) -> bool:
    """Whether a page draws the run's inside views now: it has ended (or is a model opened from
    a file), or its one job is paused. While it trains, only the live view is drawn."""
    return not run.running or held(run)


def epochs_of(run) -> list[int]:
    """The epochs a slider offers: the one job's kept epochs once it has ended or while it is
    paused (the held epoch last), else none."""
    job = run.job
    if job is None or not hasattr(job, "snapshot_epochs") or (job.running and not held(run)):
        return []
    return job.snapshot_epochs


def _ended_at(run, epochs: list[int]) -> int:
    """The newest kept epoch whose weights are the model's the run ended with (its last epoch, or
    the best one after a divergence), else the last kept; computed once per run. While paused:
    the held epoch, the last kept (a paused run has not diverged)."""
    if run.running:
        return epochs[-1]
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
    else a copy (the last one made is kept, so a rerun of the page does not copy it again). While
    paused, a copy of the held epoch's snapshot for None too; while it trains, the latest."""
    if run.running:  # paused: a copy of a snapshot (they never change), the held epoch's too
        if epoch is None and not held(run):
            return run.current_model()
        epoch = run.job.snapshot_epochs[-1] if epoch is None else epoch
    elif epoch is None or epoch == _ended_at(run, epochs_of(run)):
        return run.current_model()
    made = run.results.get("scrub_model")
    if made is None or made[0] != epoch:
        made = run.results["scrub_model"] = (epoch, run.job.snapshot_at(epoch))
    return made[1]


def _key(run, prefix: str) -> str:
    return f"{prefix}_epoch_{run.id}"


def epoch_label(epoch: int) -> str:
    """A slider's label for an epoch: "0 (untrained)", "1", "2", ..."""
    return t("{epoch} (untrained)", epoch=epoch) if epoch == 0 else str(epoch)


def _moved(run, prefix: str, end: int) -> bool:
    """Whether the epoch the run ended (or is held) at has moved since its slider was last drawn
    (Step, or Resume to the end): the slider then goes back to it, the newest weights first."""
    return run.results.get("scrub_seen", {}).get(prefix, end) != end


def chosen(run, prefix: str) -> int | None:
    """The epoch the slider chose, without drawing it (for a view above it; `model_at` gives its
    model); None for the weights the run ended with, and while there is no slider or it has not
    been drawn yet."""
    epochs = epochs_of(run)
    if not epochs:
        return None
    end = _ended_at(run, epochs)
    if _moved(run, prefix, end):  # the slider, when drawn, goes back to the end
        return None
    epoch = st.session_state.get(_key(run, prefix))
    return None if epoch not in epochs or epoch == end else epoch


def epoch_slider(run, prefix: str) -> tuple[int | None, object]:
    """Draw the slider over the run's kept epochs; (the chosen epoch, the model with its weights).
    (None, the current model) for a run without snapshots to choose from."""
    epochs = epochs_of(run)
    if not epochs:
        return None, run.current_model()
    end = _ended_at(run, epochs)
    if _moved(run, prefix, end):
        # set, not dropped: a slider drawn again with the same key keeps the browser's position
        # (the epoch chosen before Step) unless the server sets its value
        st.session_state[_key(run, prefix)] = end
    run.results.setdefault("scrub_seen", {})[prefix] = end
    epoch = option_slider(
        t("Weights after epoch"),
        epochs,
        end,
        key=_key(run, prefix),
        format_func=epoch_label,
        help=t(
            "Go back through training: every view below is computed from the weights kept "
            "after that epoch ({kept} kept, thinned evenly as training went on).",
            kept=len(epochs),
        ),
    )
    if held(run):
        st.caption(
            t(
                "Paused after epoch {epoch}: the slider goes back through the epochs kept so far. "
                "Step one epoch adds the next; Resume trains on to the end.",
                epoch=epochs[-1],
            )
        )
    return epoch, model_at(run, epoch)

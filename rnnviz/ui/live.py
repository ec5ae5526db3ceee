"""Live training in a page, as DESIGN.md says.

- One TrainingJob per run, kept in st.session_state; it trains in its own thread and never
  touches streamlit.
- A process-wide JobGate (st.cache_resource) caps how many jobs train at once; a waiting user
  sees how many are ahead.
- The Stop button lives outside any fragment and only sets the job's stop Event.
- `live_view` draws the progress inside an st.fragment that reruns about once a second while
  the job runs; each rerun is also the job's heartbeat, so a job whose page was closed stops
  itself. When the job ends the fragment asks for one full rerun so the whole page updates.
"""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st
import torch

from ..limits import Limits
from ..models import SequenceModel
from ..train import JobGate, TrainConfig, TrainData, TrainingJob

__all__ = ["warm_up", "limits", "shared_gate", "start_job", "stop_button", "live_view", "status_line", "REFRESH_SECONDS"]

REFRESH_SECONDS = 1.0


@st.cache_resource
def warm_up() -> bool:
    """Once per server process: the first optimizer torch builds imports its compiler stack
    (torch._dynamo, sympy: seconds of imports). Done here at start, not inside the first user's
    job, where busy sessions starving the import lock froze every job for minutes."""
    torch.optim.Adam([torch.zeros(1, requires_grad=True)])
    return True


@st.cache_resource
def limits() -> Limits:
    return Limits.from_env()


@st.cache_resource
def shared_gate(slots: int) -> JobGate:
    """One gate for the whole server process, shared by every session."""
    return JobGate(slots)


def start_job(model: SequenceModel, data: TrainData, config: TrainConfig) -> TrainingJob:
    lim = limits()
    config.heartbeat_timeout = float(lim.heartbeat_seconds)
    config.max_seconds = float(lim.job_seconds)
    job = TrainingJob(model, data, config, gate=shared_gate(lim.max_jobs))
    return job.start()


def stop_button(job: TrainingJob | None, key: str) -> None:
    """Stop, outside any fragment: it only sets the job's Event, the loop stops within one batch."""
    if job is not None and job.running:
        st.button("Stop", key=key, on_click=job.stop, type="secondary", icon="⏹")


def status_line(job: TrainingJob) -> None:
    """Progress bar with epoch and ETA while running; the ending in words after."""
    total = job.config.epochs
    done = job.epochs_done
    status = job.status
    if status == "queued":
        ahead = job.queue_position
        st.info(f"The server is busy: {ahead} run{'s' * (ahead != 1)} ahead of you. "
                "Training starts by itself when a place frees up.", icon="⏳")
        return
    eta = job.eta_seconds
    eta_text = f" · about {eta:.0f} s left" if eta is not None and status == "running" else ""
    st.progress(min(done / total, 1.0), text=f"Epoch {done}/{total}{eta_text} · status: {status}")
    if status == "diverged":
        st.warning(job.message, icon="📈")
    elif status == "failed":
        st.error(job.message, icon="⚠️")
    elif status == "stopped":
        st.info(job.message, icon="⏹")


def live_view(job: TrainingJob, render: Callable[[TrainingJob], None]) -> None:
    """Draw `render(job)` now, and again about every second while the job runs."""
    running = job.running

    @st.fragment(run_every=REFRESH_SECONDS if running else None)
    def _live():
        job.heartbeat()
        render(job)
        if running and not job.running:
            st.rerun()  # the job just ended: refresh the whole page once (buttons, inspection)

    _live()

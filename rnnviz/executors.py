"""Where a training job runs: one interface, several places.

A page (or a notebook, or the CLI) describes a job as a `JobSpec` (model, data, config) and hands it
to an executor; `submit(spec)` returns a handle at once. Every handle has the same surface, the one
`TrainingJob` has always had, so a page never knows where its job trains:

    status            "queued", "running", "done", "stopped", "diverged" or "failed"
    message           the ending in words (what to do about it)
    history           one dict per finished epoch, streamed while the job runs
    epochs_done, eta_seconds, queue_position (runs that must end before this one starts), running
    stop()            honoured before the next batch; the weights so far are kept
    pause()           hold after the epoch in progress; stop, the heartbeat and the time limit
                      (which counts paused time: a paused job keeps its slot) still end it
    step()            one more epoch, then hold again;  resume(): go on to the end
    paused            the loop holds now;  pause_asked: Pause or Step pressed, Resume not since
    join(timeout)     wait for the end; returns the handle
    heartbeat()       "somebody still watches"; a job nobody watches stops itself
    wait_for_first_epoch(timeout)
    snapshot_model()  a CPU copy of the latest good weights, while it runs or after
    snapshot_epochs   the epochs whose weights are kept (0 = untrained; at most config.snapshots,
                      fewer for a model too big for config.snapshot_mb; thinned evenly:
                      rnnviz.snapshots), streamed back like the history
    snapshots()       {epoch: CPU state dict};  snapshot_at(epoch): a CPU model with those weights
    model             after the job ended: the model with the weights it ended with (best epoch
                      on divergence)
    config, data, id

The executors:
    ThreadExecutor    a thread in this process (notebooks, tests, the CLI): `TrainingJob` itself
    ProcessExecutor   a pool of warm worker processes sized by the cores this process may use (the
                      app's default)
    RayExecutor       a Ray cluster (RAY_ADDRESS, or RNNVIZ_EXECUTOR=ray): each job an actor asking
                      1 CPU, or a fraction of a GPU (RNNVIZ_GPU_FRACTION, default 0.25)

`executor_from_env()` picks one from the environment. The same seed on the CPU gives the same
history whichever executor runs it; tests/test_executors.py holds every executor to that and to the
rest of this contract.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from torch import nn

from .train import JobGate, TrainConfig, TrainData, TrainingJob

__all__ = ["JobSpec", "JobHandle", "Executor", "ThreadExecutor", "executor_from_env", "EXECUTORS"]

EXECUTORS = ("thread", "process", "ray")


@dataclass
class JobSpec:
    """One training run: what to train, on what, how."""

    model: nn.Module  # a SequenceModel or a Seq2Seq, on the CPU, untrained or not
    data: TrainData  # CPU tensors
    config: TrainConfig  # heartbeat_timeout and max_seconds included


@runtime_checkable
class JobHandle(Protocol):
    """What `submit` returns; see the module docstring for each member's meaning."""

    id: int
    config: TrainConfig
    data: TrainData

    @property
    def status(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def history(self) -> list[dict]: ...
    @property
    def running(self) -> bool: ...
    @property
    def epochs_done(self) -> int: ...
    @property
    def eta_seconds(self) -> float | None: ...
    @property
    def queue_position(self) -> int: ...
    @property
    def paused(self) -> bool: ...
    @property
    def pause_asked(self) -> bool: ...
    @property
    def snapshot_epochs(self) -> list[int]: ...
    def stop(self) -> None: ...
    def pause(self) -> None: ...
    def step(self) -> None: ...
    def resume(self) -> None: ...
    def snapshots(self) -> dict[int, dict]: ...
    def snapshot_at(self, epoch: int) -> nn.Module: ...
    def join(self, timeout: float | None = None) -> "JobHandle": ...
    def heartbeat(self) -> None: ...
    def wait_for_first_epoch(self, timeout: float) -> bool: ...
    def snapshot_model(self) -> nn.Module: ...


class Executor(Protocol):
    """Runs JobSpecs somewhere; `slots` is how many train at once (the rest queue)."""

    name: str
    slots: int

    def submit(self, spec: JobSpec) -> JobHandle: ...
    def shutdown(self) -> None: ...

    # optional: run_view(fn, *args, timeout=...) -> fn(*args), computed where training runs
    # (a heavy view)


class ThreadExecutor:
    """Each job in a thread of this process, at most `slots` at once (a JobGate queues the rest).
    Threads share one interpreter lock: fine for a notebook or a test, not for a class."""

    name = "thread"

    def __init__(self, slots: int = 1):
        self.slots = int(slots)
        self._gate = JobGate(self.slots)

    def submit(self, spec: JobSpec) -> TrainingJob:
        return TrainingJob(spec.model, spec.data, spec.config, gate=self._gate).start()

    def run_view(self, fn, *args, timeout: float | None = None):
        """A heavy view, here: fn(*args) inline (limits.py bounds its work, not a clock)."""
        return fn(*args)

    def shutdown(self) -> None:
        pass


def executor_from_env(slots: int | None = None) -> Executor:
    """The executor this environment asks for: RNNVIZ_EXECUTOR (thread, process or ray), else Ray
    when RAY_ADDRESS is set, else worker processes.
    `slots` overrides the pool's size (process, thread)."""
    name = os.environ.get("RNNVIZ_EXECUTOR") or (
        "ray" if os.environ.get("RAY_ADDRESS") else "process"
    )
    if name not in EXECUTORS:
        raise ValueError(f"RNNVIZ_EXECUTOR must be one of {', '.join(EXECUTORS)} (got {name!r})")
    if name == "thread":
        return ThreadExecutor(slots or 1)
    if name == "process":
        from .workers import ProcessExecutor  # noqa: PLC0415  (spawns processes: only when asked for)

        return ProcessExecutor(slots)
    from .ray_executor import RayExecutor  # noqa: PLC0415  (imports ray: only when asked for)

    return RayExecutor()

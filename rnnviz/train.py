"""The training engine: `fit`, the loop itself, and `TrainingJob`, which runs it in a worker thread.

`fit(model, data, config, sink, should_stop)` is plain Python and torch: it knows nothing of
threads, processes or pages, so a thread (TrainingJob), a worker process or a Ray actor can run it
alike. It slices batches by index from tensors already on the device (no DataLoader: its per-batch
overhead dominates tiny models), asks `should_stop()` before every batch, gives each finished
epoch's history row to `sink` (in bursts about 20 ms apart, every one before it returns or holds:
`_Ledger`), keeps the weights of the last finished epoch and of the best one (`Weights`), and
ends "diverged" when the run has run away, keeping the best epoch's weights.
Gradient clipping keeps a runaway loss finite, so NaN is not the only sign: see `_divergence` for
the rule. The loop has no task flags: each model says how to compute a batch's loss and metrics
(`Trainable`).

A page starts a TrainingJob, reads `history` and `status` while it runs (both safe from any thread),
and calls `stop()`. Also here: `JobGate`, a bounded set of training slots with a queue, so a server
can cap how many jobs train at once and tell a waiting user how many are ahead; `predict`, batched
inference. Shapes: N samples, B batch, L steps, F features, O outputs.
"""

from __future__ import annotations

import contextlib
import copy
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import torch
from torch import Tensor, nn

from .errors import UserError
from .models import SequenceModel
from .snapshots import Snapshots, fitting, on_grid

__all__ = [
    # the loop, what it asks of a model, what it keeps and returns
    "fit",
    "Trainable",
    "TrainConfig",
    "TrainData",
    "HISTORY_COLUMNS",
    "Weights",
    "FitResult",
    # running it in a thread, with callbacks and a queue
    "TrainingJob",
    "Callback",
    "JobGate",
    "predict",
    "resolve_device",
]

STATUSES = ("idle", "queued", "running", "done", "stopped", "diverged", "failed")
# a last loss this many times above epoch 1's and the baseline's counts as diverged
LOSS_RATIO = 10.0
# typical predictions this many target ranges farther out than before training: diverged
WILD_RANGES = 1.0
# rule 3 judges the median prediction on at most this many evenly spaced windows
RULE3_WINDOWS = 1024
HOLD_POLL = 0.1  # seconds a paused job sleeps between two looks at stop, heartbeat and the clock
# finished epochs' rows reach the sink together, this many seconds apart (and at every end, stop
# or pause): while epochs are sub-millisecond, their metrics and gradient norms are computed
# together then, which costs hello-rnn's 0.4 ms epochs much less than the same ops between batches
FLUSH_SECONDS = 0.02
PENDING_BYTES = 16 * 2**20  # ... or sooner, once the outputs and targets kept would take more
GRADIENT_ROWS = 64  # epochs' gradients a run keeps for their norms until the flush (at most 4 MB)
VMAP_EPOCHS = 16  # a flush of this many one-batch epochs computes their metrics in one vmapped call


@dataclass
class TrainConfig:
    """How to train."""

    epochs: int = 50  # passes over the training data
    batch_size: int = 32  # samples per step; 0 = the whole training set at once
    lr: float = 0.01  # learning rate
    optimizer: str = "adam"  # "adam" or "sgd"
    momentum: float = 0.0  # SGD only
    clip_norm: float | None = 1.0  # clip the gradient's total norm to this; None = no clipping
    seed: int = 0  # the shuffling order; the same seed on CPU gives the identical history
    device: str = "auto"  # "auto", "cpu", "cuda" or "mps"
    threads: int | None = 1  # torch intra-op threads while this job runs; None = leave as is
    shuffle: bool = True  # reshuffle the training samples every epoch
    # stop if nobody called heartbeat() for this many seconds
    heartbeat_timeout: float | None = None
    # stop after this much time from the start; time paused counts (a paused job holds its slot)
    max_seconds: float | None = None
    snapshots: int = 50  # weight snapshots a job keeps to scrub through (rnnviz.snapshots), >= 2
    snapshot_mb: float | None = 64  # ... fewer if they would take more memory; None = no cap

    def __post_init__(self):
        if int(self.epochs) < 1:
            raise ValueError(f"epochs must be at least 1 (got {self.epochs})")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise ValueError(f"the learning rate must be a positive number (got {self.lr})")
        if self.optimizer not in ("adam", "sgd"):
            raise ValueError(f"optimizer must be adam or sgd (got {self.optimizer!r})")
        if int(self.batch_size) < 0:
            raise ValueError(f"batch size must be 0 (full batch) or more (got {self.batch_size})")
        if int(self.snapshots) < 2:
            raise ValueError(f"a job keeps at least 2 snapshots (got {self.snapshots})")


@dataclass
class TrainData:
    """Tensors to train on. y is float (N, O) for regression, int64 (N,) or (N, L) class indices
    for classification (IGNORE_INDEX marks padded steps): the model's loss and metrics follow y's
    dtype (models.target_loss), so `task` only names what y holds, for people reading it."""

    x: Tensor  # (N, L, F) or (N, L) indices
    y: Tensor
    x_val: Tensor | None = None
    y_val: Tensor | None = None
    lengths: Tensor | None = None  # (N,) real steps, for padded sequences
    lengths_val: Tensor | None = None
    # "regression" (float y) or "classification" (class indices); read by no loop
    task: str = "regression"
    # a naive forecast's loss (e.g. persistence) on the validation part
    baseline_loss: float | None = None
    # (the training part when there is none), in the same units as the loss; None = no baseline


class Callback:
    """Hooks a job calls from its worker thread; override what you need."""

    def on_train_begin(self, job: "TrainingJob") -> None: ...
    def on_batch_end(self, job: "TrainingJob", batch: int, loss: Tensor) -> None: ...
    def on_epoch_end(self, job: "TrainingJob", record: dict) -> None: ...
    def on_hold(self, job: "TrainingJob", holding: bool) -> None: ...  # paused, or going on
    def on_wait(self, job: "TrainingJob") -> None: ...  # every HOLD_POLL seconds while paused
    def on_train_end(self, job: "TrainingJob") -> None: ...


def resolve_device(name: str = "auto") -> torch.device:
    """ "auto" picks CUDA, then Apple's MPS, then the CPU. Asking for one that is absent raises."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise UserError("CUDA was asked for but this machine has no CUDA GPU; use 'auto' or 'cpu'.")
    if name == "mps" and not (
        getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()
    ):
        raise UserError("MPS was asked for but is not available here; use 'auto' or 'cpu'.")
    return torch.device(name)


class JobGate:
    """At most `slots` jobs train at once; the rest wait in arrival order.

    A job joins the line with `enqueue` when it is started (before its thread runs, so a page that
    asks at once already sees it) and leaves it when `acquire` gives it a slot or it is cancelled.
    """

    def __init__(self, slots: int):
        self.slots = int(slots)
        self._active: set[int] = set()
        self._queue: list[int] = []
        self._cond = threading.Condition()

    def enqueue(self, job_id: int) -> None:
        """Take a place at the end of the line (a no-op for a job already in it or training)."""
        with self._cond:
            if job_id not in self._queue and job_id not in self._active:
                self._queue.append(job_id)

    def acquire(self, job_id: int, cancelled: threading.Event) -> bool:
        """Wait for a slot; False if `cancelled` was set first."""
        with self._cond:
            if job_id not in self._queue:
                self._queue.append(job_id)
            try:
                while not cancelled.is_set():
                    if self._queue[0] == job_id and len(self._active) < self.slots:
                        self._active.add(job_id)
                        return True
                    self._cond.wait(0.1)
                return False
            finally:
                self._queue.remove(job_id)
                self._cond.notify_all()

    def release(self, job_id: int) -> None:
        with self._cond:
            self._active.discard(job_id)
            self._cond.notify_all()

    def ahead_of(self, job_id: int) -> int:
        """How many runs must end before a waiting job can start: its place in the line (counting
        from 1) less the slots free now, never below 0.
        With 1 slot, A training and B, C waiting: A has 0, B has 1 (A), C has 2 (A, then B).
        With 2 slots, both training and C waiting: C has 1 (either of them).
        0 for a job not waiting."""
        with self._cond:
            if job_id not in self._queue:
                return 0
            free = self.slots - len(self._active)
            return max(0, self._queue.index(job_id) + 1 - free)

    @property
    def active(self) -> int:
        with self._cond:
            return len(self._active)


def _total_norm(params: list[Tensor]) -> Tensor | float:
    """The 2-norm of all gradients together, as clip_grad_norm_ computes it (without clipping)."""
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return 0.0
    return torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))


class _Gradients:
    """Where a run's gradients live. After the first backward pass, when every trainable parameter
    got a gradient (one dtype, one device, dense), they move into one flat buffer and each
    parameter's .grad becomes a view into it: the autograd engine then adds each new gradient into
    its view, zeroing them all is one op instead of the optimizer's zero_grad, and their total norm
    is one op instead of one per tensor (on hello-rnn's 0.4 ms epochs, 25 us less per epoch). The
    values, and so the optimizer's steps, are the same. A model with a parameter outside the
    graph keeps torch's None gradients, which an optimizer skips (a zero would still move Adam's
    moments); this assumes a parameter in the first batch's graph is in every later one's, as in
    every rnnviz model."""

    def __init__(self, params: list[Tensor]):
        self.params = params
        self.flat: Tensor | None = None  # (P,) every gradient, once the first backward has run
        self._probed = False

    def zero(self, optimizer: torch.optim.Optimizer) -> None:
        """Before a backward pass: zero the flat buffer, else the optimizer's set-to-None."""
        if self.flat is not None:
            self.flat.zero_()
        else:
            optimizer.zero_grad(set_to_none=True)

    def settle(self) -> bool:
        """After the first backward pass: move the gradients into one buffer if they all fit.
        True only on the call that did."""
        if self._probed:
            return False
        self._probed = True
        grads = [p.grad for p in self.params]
        first = grads[0] if grads else None
        if first is None or any(
            g is None
            or g.layout != torch.strided
            or (g.dtype, g.device) != (first.dtype, first.device)
            for g in grads
        ):
            return False
        self.flat = torch.cat([g.reshape(-1) for g in grads])  # (P,)
        offset = 0
        for p in self.params:
            p.grad = self.flat[offset : offset + p.numel()].view_as(p)
            offset += p.numel()
        return True

    def norm(self) -> Tensor | float:
        """The 2-norm of all gradients together (before any clipping), a tensor the epoch's row
        reads later (`_Epoch`). Without clipping, fit takes the flat buffer itself instead and the
        norm at the flush (`_Ledger.keep_gradients`)."""
        if self.flat is not None:
            return torch.linalg.vector_norm(self.flat)
        return _total_norm(self.params)


def _flat_parameters(params: list[Tensor], device: torch.device) -> nn.Parameter | None:
    """On the CPU: move every parameter's values into one flat buffer, each parameter's .data a
    view into it, and return that buffer as one Parameter (P,), for an optimizer that steps them
    all at once (`_Run.settle`). Adam and SGD update each value from its own gradient and moments
    only, so one tensor of P values gets the same steps, bit for bit, as the parameters one by one
    (tests/test_train_flat.py), with one op per update rule instead of one per rule and parameter:
    hello-rnn's bare epoch of 420 us was 325 us that way. None where the parameters are not all
    dense, of one dtype and each in a storage of its own, and on a GPU, where cuDNN keeps an RNN's
    weights in a flat buffer of its own. fit gives each parameter its own storage back when it
    ends (`_own_storage`), so that the model leaves it laid out as it came in."""
    if device.type != "cpu" or not params:
        return None
    first = params[0]
    if any(p.layout != torch.strided or p.dtype != first.dtype for p in params):
        return None
    if len({p.untyped_storage().data_ptr() for p in params}) != len(params):
        return None  # tied or shared weights
    flat = nn.Parameter(torch.cat([p.detach().reshape(-1) for p in params]))  # (P,)
    offset = 0
    for p in params:
        p.data = flat.data[offset : offset + p.numel()].view_as(p)
        offset += p.numel()
    return flat


def _own_storage(params: list[Tensor]) -> None:
    """Give each parameter its values in a storage of its own again (`_flat_parameters`)."""
    for p in params:
        p.data = p.data.clone()


def _optimizer(params: list[Tensor], config: "TrainConfig") -> torch.optim.Optimizer:
    if config.optimizer == "sgd":
        return torch.optim.SGD(params, lr=config.lr, momentum=config.momentum)
    return torch.optim.Adam(params, lr=config.lr)


@torch.no_grad()
def predict(
    model: SequenceModel, x: Tensor, lengths: Tensor | None = None, batch_size: int = 4096
) -> Tensor:
    """Outputs for x in eval mode, on the CPU, batched to bound memory."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    outs = []
    for start in range(0, x.shape[0], batch_size):
        xb = x[start : start + batch_size].to(device)
        lb = lengths[start : start + batch_size] if lengths is not None else None
        outs.append(model(xb, lb).cpu())
    model.train(was_training)
    return torch.cat(outs) if outs else torch.empty(0)


# -- the loop: fit() and its named steps. Nothing here knows of threads, processes or pages. ------
# every history row has exactly these; None where a column does not apply
HISTORY_COLUMNS = (
    "epoch",
    "train_loss",
    "val_loss",
    "train_accuracy",
    "val_accuracy",
    "val_rmse",
    "seconds",
    "grad_norm",
)
VAL_BATCH = 4096  # validation runs in chunks of this many samples, to bound memory
# what fit's between_epochs hook answers to hold only once every finished epoch's row is with the
# sink: fit gives them, then asks again
FLUSH = object()


class Trainable(Protocol):
    """What `fit` asks of a model (SequenceModel and Seq2Seq implement it): the loss and the outputs
    of one batch, and the metrics of those outputs as sums that add up over an epoch."""

    def batch_loss(
        self, x: Tensor, y: Tensor, lengths: Tensor | None = None
    ) -> tuple[Tensor, Tensor]: ...
    def metrics(self, output: Tensor, y: Tensor) -> dict[str, Tensor | int]: ...


@dataclass
class FitResult:
    """How a run of `fit` ended."""

    status: str  # "done", "stopped" or "diverged"
    message: str  # the ending in words, with what to do about it
    epochs: int  # epochs finished (rows given to the sink)
    kept_epoch: int  # the epoch whose weights the model holds now (0: the starting weights)


class Weights:
    """The weights after the last finished epoch ("good", what a stop rolls back to and a snapshot
    shows) and of the epoch with the lowest loss ("best", kept on divergence). Buffers are allocated
    once; an epoch costs one fused copy, and a second only when the best epoch's weights would be
    overwritten. `lock` (any context manager) guards the buffers for readers in other threads.
    `keep(epoch)` names the epochs whose weights are also copied as they are saved, into `copies`
    (a job's snapshot grid: fit gives the epochs' rows to its sink later, `_Ledger`)."""

    def __init__(self, lock=None, keep: Callable[[int], bool] | None = None):
        self.lock = lock if lock is not None else contextlib.nullcontext()
        self.keep = keep
        self.copies: dict[int, dict[str, Tensor]] = {}  # epoch: a CPU copy of its weights
        self.good: dict[str, Tensor] | None = None
        self.good_epoch = self.best_epoch = 0
        self._good: list[Tensor] = []  # the values of `good`, for fused copies
        self._best: list[Tensor] | None = None  # made when the best weights are first about to go
        self._live: list[Tensor] = []  # the model's own tensors (or its flat one), detached

    def save(
        self,
        model: nn.Module,
        epoch: int,
        best: bool,
        extra: tuple[Tensor, Tensor] | None = None,
        flat: Tensor | None = None,
    ) -> None:
        """Keep the model's weights as epoch `epoch`'s, the best so far if `best`. `extra`
        (destination, source) is one more tensor copied in the same fused copy (fit's gradients,
        for their norm later: a copy there cost hello-rnn's epochs less than the norm itself).
        `flat` (P,), on the first call: the tensor the model's parameters are views into
        (`_flat_parameters`); the good weights are then views into one copy of it, which each
        epoch copies in one op."""
        dst, src = ([extra[0]], [extra[1]]) if extra is not None else ([], [])
        with self.lock:
            if self.good is None:  # first call: allocate
                if extra is not None:
                    extra[0].copy_(extra[1])
                self._allocate(model.state_dict(keep_vars=True), flat)
            else:
                if not best and self.best_epoch == self.good_epoch:  # the best weights would go
                    if self._best is None:
                        self._best = [t.clone() for t in self._good]
                    else:
                        torch._foreach_copy_(self._best, self._good)
                torch._foreach_copy_(self._good + dst, self._live + src)
            self.good_epoch = epoch
            if best:
                self.best_epoch = epoch
            if self.keep is not None and self.keep(epoch):
                self.copies[epoch] = self.copy()

    def _allocate(self, state: dict[str, Tensor], flat: Tensor | None) -> None:
        """The good buffers, holding `state` now, and the live tensors they copy from (detached
        views: copies record no graph): with `flat`, one copy of it for every entry that is a
        view into it, and a buffer of its own for any other (a model's buffers)."""
        live = {k: v.detach() for k, v in state.items()}
        storage = flat.untyped_storage().data_ptr() if flat is not None else None
        inside = {k for k, v in live.items() if v.untyped_storage().data_ptr() == storage}
        self._live, self._good, self.good = [], [], {}
        if inside:
            good_flat = flat.detach().clone()  # (P,)
            self._live.append(flat.detach())
            self._good.append(good_flat)
        for k, v in live.items():
            if k in inside:
                self.good[k] = good_flat.as_strided(v.shape, v.stride(), v.storage_offset())
            else:
                self.good[k] = v.clone()
                self._live.append(v)
                self._good.append(self.good[k])

    def copy(self) -> dict[str, Tensor]:
        """A CPU copy of the good weights (detached already). clone() on the CPU: a
        .to("cpu", copy=True) per tensor cost hello-rnn's 6 tensors 10 us against 6 us, on the
        half of its 200 epochs that are on the snapshot grid."""
        good = self.good
        if next(iter(good.values())).device.type == "cpu":
            return {k: v.clone() for k, v in good.items()}
        return {k: v.to("cpu", copy=True) for k, v in good.items()}

    def restore_good(self, model: nn.Module) -> int:
        """Put the good weights back in the model; returns their epoch."""
        model.load_state_dict(self.good)
        model.eval()
        return self.good_epoch

    @torch.no_grad()
    def keep_best(self, model: nn.Module) -> int:
        """Make the best epoch's weights the good ones and the model's; returns that epoch."""
        with self.lock:
            if self.best_epoch != self.good_epoch:
                torch._foreach_copy_(self._good, self._best)
                self.good_epoch = self.best_epoch
        return self.restore_good(model)

    def state(self) -> dict[str, Tensor] | None:
        with self.lock:
            return self.good


@dataclass
class _Run:
    """One run's fixed parts on the device: the tensors to slice batches from, and the optimizer."""

    model: nn.Module
    data: TrainData
    config: TrainConfig
    device: torch.device
    x: Tensor
    y: Tensor
    batch: int  # samples per step
    optimizer: torch.optim.Optimizer
    generator: torch.Generator  # the shuffling order
    params: list[Tensor]
    grads: _Gradients
    flat: nn.Parameter | None  # (P,) every parameter's values, on the CPU (`_flat_parameters`)

    @classmethod
    def prepare(
        cls, model: nn.Module, data: TrainData, config: TrainConfig, device: torch.device
    ) -> "_Run":
        n = data.x.shape[0]
        if n == 0:
            raise ValueError("there is nothing to train on")
        model = model.to(device)
        params = [p for p in model.parameters() if p.requires_grad]
        batch = n if not config.batch_size or config.batch_size >= n else int(config.batch_size)
        return cls(
            model,
            data,
            config,
            device,
            data.x.to(device),
            data.y.to(device),
            batch,
            _optimizer(params, config),
            torch.Generator().manual_seed(int(config.seed)),
            params,
            _Gradients(params),
            _flat_parameters(params, device),
        )

    def settle(self) -> None:
        """After the first backward pass, before the first step: once every gradient is in one
        buffer too, the optimizer steps the flat parameters (P,) with it instead (no step has been
        taken, so no state is lost)."""
        if self.grads.settle() and self.flat is not None:
            self.flat.grad = self.grads.flat
            self.optimizer = _optimizer([self.flat], self.config)

    @property
    def on_cpu(self) -> bool:
        return self.device.type == "cpu"

    @property
    def validates(self) -> bool:
        """Whether there is a validation part to judge each epoch on."""
        return self.data.x_val is not None and len(self.data.x_val) > 0


def fit(
    model: nn.Module,
    data: TrainData,
    config: TrainConfig,
    sink: Callable[[dict], None],
    should_stop: Callable[[], str | None],
    *,
    weights: Weights | None = None,
    on_batch_end: Callable[[int, Tensor], None] | None = None,
    device: torch.device | None = None,
    between_epochs: Callable[[int], str | None] | None = None,
) -> FitResult:
    """Train `model` (a `Trainable`) on `data` for `config.epochs` epochs; give each finished
    epoch's history row (HISTORY_COLUMNS) to `sink`. `should_stop()` is asked before every batch: a
    reason in words ends the run there, with the weights of the last finished epoch. A NaN training
    loss, or a finished run that `_divergence` judges diverged, ends with the best epoch's weights.
    `weights` keeps the good and best weights (a caller passes its own to read them while this
    runs). Rows reach the sink in bursts, FLUSH_SECONDS apart, and all of them before fit returns
    (`_Ledger`). `between_epochs(epoch)` is asked after each epoch but the last: it may wait there
    (a pause), and a reason in words ends the run as a stop does; it answers FLUSH to be asked
    again once every finished epoch's row is with the sink (a pause holds with its history whole).

    >>> from rnnviz import ModelConfig, SequenceModel
    >>> m = SequenceModel(ModelConfig(cell="gru", input_size=1, hidden_size=4), seed=0)
    >>> rows = []
    >>> data = TrainData(torch.randn(16, 5, 1), torch.randn(16, 1))
    >>> result = fit(m, data, TrainConfig(epochs=2), rows.append, lambda: None)
    >>> result.status, [r["epoch"] for r in rows]
    ('done', [1, 2])
    """
    run = _Run.prepare(model, data, config, device or resolve_device(config.device))
    weights = weights if weights is not None else Weights()
    # 1. the starting point: its weights, also kept for divergence rule 3 (float targets)
    weights.save(model, 0, best=True, flat=run.flat)
    start = _starting_weights(model, data)
    # 2. the epochs and the verdict; a failure still gives the sink the finished epochs' rows
    ledger = _Ledger(run.model, sink, run.on_cpu)
    try:
        return _epochs(run, ledger, weights, start, should_stop, on_batch_end, between_epochs)
    except BaseException:
        ledger.flush_quietly()
        raise
    finally:
        if run.flat is not None:
            _own_storage(run.params)


def _epochs(
    run: _Run, ledger: "_Ledger", weights: Weights, start, should_stop, on_batch_end, between_epochs
) -> FitResult:
    """fit's epochs: batches, then the NaN guard, validation, the epoch's record and weights, the
    pause hook; then the verdict. Every way out gives the sink the finished epochs' rows first."""
    best_loss = math.inf  # the loss the best epoch is chosen by: validation, else training
    model, epochs = run.model, int(run.config.epochs)
    model.train()  # _validate puts it back after each validation
    for epoch in range(1, epochs + 1):
        # 1. the batches; a stop ends the run at the last finished epoch
        t0 = time.perf_counter()
        stopped, loss_sum, batches, grad_norm = _train_epoch(run, should_stop, on_batch_end)
        if stopped:
            return _stopped(run, weights, ledger.flush(), start, stopped)
        # 2. the NaN guard and validation: the losses are needed now, to choose the best epoch
        train_loss = float(loss_sum) / run.x.shape[0]
        if not math.isfinite(train_loss):
            why = f"the training loss became NaN or infinite in epoch {epoch}"
            return _diverged(run, weights, why, len(ledger.flush()))
        val_loss, val_sums = _validate(run) if run.validates else (None, {})
        # 3. the record (its row made later, with others: _Ledger) and the weights
        seconds = time.perf_counter() - t0
        record = _Epoch(epoch, train_loss, batches, grad_norm, val_loss, val_sums, seconds)
        watched = train_loss if val_loss is None else val_loss
        extra = ledger.keep_gradients(record)  # (a row of the ledger's, the flat gradients)
        weights.save(model, epoch, best=watched < best_loss, extra=extra)
        best_loss = min(best_loss, watched) if math.isfinite(watched) else best_loss
        ledger.add(record, last=epoch == epochs)
        # 4. a pause holds here, once every finished epoch's row is with the sink
        why = between_epochs(epoch) if between_epochs and epoch < epochs else None
        if why is FLUSH:
            ledger.flush()
            why = between_epochs(epoch)
        if why:
            return _stopped(run, weights, ledger.flush(), start, why)
    # 5. the verdict on the finished run
    return _verdict(run, weights, ledger.flush(), start)


def _starting_weights(model: nn.Module, data: TrainData) -> dict[str, Tensor] | None:
    """A copy of the untrained weights for divergence rule 3, which only float targets use."""
    if not data.y.is_floating_point():
        return None
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _verdict(run: _Run, weights: Weights, rows: list[dict], start: dict | None) -> FitResult:
    """How a run that trained every epoch ended: done, or diverged by `_divergence`'s rules."""
    run.model.eval()
    reason = _divergence(run.model, run.data, rows, start)
    if reason:
        return _diverged(run, weights, reason, len(rows))
    done = f"Finished {run.config.epochs} epochs."
    return FitResult("done", done, len(rows), weights.good_epoch)


def _train_epoch(
    run: _Run, should_stop, on_batch_end
) -> tuple[str | None, float | Tensor, list, Tensor | None]:
    """One pass over the shuffled training data: (why it stopped early or None, the sum of batch
    losses times batch sizes, each batch's (outputs, targets) for its metrics, the gradient norm
    of the last batch or its flat gradients (`_batch_step`)). On the CPU the loss sum is a Python
    number (an item() is cheaper there than a tensor op); on a GPU it stays on the device, so the
    loop never waits for it before the epoch ends. The metrics are left to the epoch's row
    (`_Epoch`)."""
    n, batch, d = run.x.shape[0], run.batch, run.data
    # (N,)
    order = torch.randperm(n, generator=run.generator) if run.config.shuffle else torch.arange(n)
    loss_sum = 0.0 if run.on_cpu else torch.zeros((), device=run.device)
    batches: list[tuple[Tensor, Tensor]] = []
    grad_norm, last = None, (n - 1) // batch
    for b, start in enumerate(range(0, n, batch)):
        reason = should_stop()
        if reason:
            return reason, loss_sum, batches, grad_norm
        idx = order[start : start + batch]  # (B,)
        lengths = d.lengths[idx] if d.lengths is not None else None
        idx_d = idx if run.on_cpu else idx.to(run.device)
        xb, yb = run.x[idx_d], run.y[idx_d]  # (B, L, F) or (B, L), and (B, O) or (B,) or (B, L)
        loss, output, norm = _batch_step(run, xb, yb, lengths, b == last)
        grad_norm = norm if b == last else grad_norm
        if run.on_cpu:
            loss_sum += loss.item() * len(idx)
        else:
            loss_sum.add_(loss.detach(), alpha=len(idx))
        batches.append((output.detach(), yb))
        if on_batch_end is not None:
            on_batch_end(b, loss.detach())
    return None, loss_sum, batches, grad_norm


def _batch_step(run: _Run, xb: Tensor, yb: Tensor, lengths: Tensor | None, last: bool):
    """One optimizer step on one batch: (loss, outputs, the gradient norm before clipping when
    `last`, else None). Clipping computes the norm of every batch anyway; without it, the epoch's
    last batch gives the flat gradient buffer (P,) when there is one, whose norm the row takes
    later (`_Ledger.keep_gradients`), else the norm."""
    loss, output = run.model.batch_loss(xb, yb, lengths)
    run.grads.zero(run.optimizer)
    loss.backward()
    run.settle()
    norm = None
    if run.config.clip_norm:
        norm = torch.nn.utils.clip_grad_norm_(run.params, run.config.clip_norm)
    elif last:  # the flat buffer itself (P,): fit copies it for its norm later (_Ledger)
        norm = run.grads.flat if run.grads.flat is not None else run.grads.norm()
    run.optimizer.step()
    return loss, output, norm if last else None


def _add(sums: dict, metrics: dict, on_cpu: bool) -> None:
    """Add one batch's metric sums to the epoch's (Python numbers on the CPU, tensors elsewhere)."""
    for k, v in metrics.items():
        if on_cpu and isinstance(v, Tensor):
            v = v.item()
        sums[k] = sums[k] + v if k in sums else v


@torch.no_grad()
def _validate(run: _Run) -> tuple[float | None, dict]:
    """(the validation loss, its metric sums), in eval mode and chunks of VAL_BATCH samples;
    (None, {}) without a validation part. With several chunks the loss is their mean weighted by
    counted targets."""
    d, model = run.data, run.model
    if d.x_val is None or len(d.x_val) == 0:
        return None, {}
    model.eval()
    losses, sums = [], {}
    for start in range(0, d.x_val.shape[0], VAL_BATCH):
        xb = d.x_val[start : start + VAL_BATCH].to(run.device)
        yb = d.y_val[start : start + VAL_BATCH].to(run.device)
        lengths = d.lengths_val[start : start + VAL_BATCH] if d.lengths_val is not None else None
        loss, output = model.batch_loss(xb, yb, lengths)
        metrics = model.metrics(output, yb)
        losses.append((loss, int(metrics["counted"])))
        _add(sums, metrics, True)
    model.train()
    if len(losses) == 1:
        return float(losses[0][0]), sums
    return sum(float(loss) * k for loss, k in losses) / max(sum(k for _, k in losses), 1), sums


@dataclass
class _Epoch:
    """A finished epoch whose row is not made yet: its losses now, and what its metrics and
    gradient norm are computed from when the row is made (`row`)."""

    epoch: int
    train_loss: float
    batches: list[tuple[Tensor, Tensor]]  # each batch's (outputs, targets), detached
    # the last batch's gradient norm before any clipping, or its gradients (P,) to take it from
    grad_norm: Tensor | float | None
    val_loss: float | None
    val_sums: dict
    seconds: float

    @property
    def bytes(self) -> int:
        """What the kept outputs and targets take in memory."""
        return sum(output.nbytes + y.nbytes for output, y in self.batches)

    def sums(self, model: nn.Module, on_cpu: bool) -> dict:
        """The training metrics' sums over the epoch's batches (`model` in training mode, as it
        was for the batches: its metrics may differ in eval mode)."""
        sums: dict = {}
        for output, y in self.batches:
            _add(sums, model.metrics(output, y), on_cpu)
        return sums

    def row(self, sums: dict, grad_norm: float) -> dict:
        """The epoch's HISTORY_COLUMNS row, with its training metrics' `sums` and gradient norm;
        None where a column does not apply to this model or data."""
        return {
            "epoch": self.epoch,
            "train_loss": self.train_loss,
            "val_loss": self.val_loss,
            "train_accuracy": _accuracy(sums),
            "val_accuracy": _accuracy(self.val_sums),
            "val_rmse": _rmse(self.val_sums),
            "seconds": self.seconds,
            "grad_norm": grad_norm,
        }


class _Ledger:
    """The rows fit has given to its sink (`rows`), and the finished epochs not given yet.

    Rows go to the sink together, FLUSH_SECONDS apart, and at once for the first epoch (a page
    waits for its first point), the last, and whenever fit ends or holds (`flush`). Measured on
    hello-rnn, whose epoch is one 0.4 ms batch: its accuracy ops (argmax, ==, sum) cost 13-20 us
    between two batches against 4 us alone, and the gradient norm 12 us against 1 us; made 40
    epochs at a time, they come close to their cost alone."""

    def __init__(self, model: nn.Module, sink: Callable[[dict], None], on_cpu: bool):
        self.model, self.sink, self.on_cpu = model, sink, on_cpu
        self.rows: list[dict] = []
        self._pending: list[_Epoch] = []
        self._bytes = 0
        self._due = 0.0  # perf_counter time of the next flush; 0: flush the next epoch at once
        self._gradients: Tensor | None = None  # (R, P): pending epochs' gradients, in order
        self._rows: list[Tensor] = []  # its R rows, (P,) each
        self._used = 0  # rows holding a pending epoch's gradients

    def keep_gradients(self, record: _Epoch) -> tuple[Tensor, Tensor] | None:
        """For an epoch that left its flat gradients (P,) as its norm: (a free row of this
        ledger's, those gradients), for Weights.save to copy with the weights; the record then
        points at that row. None (the norm taken now) where the rows would be too big."""
        flat = record.grad_norm
        if not _is_gradients(flat):
            return None
        if self._gradients is None or self._gradients.shape[1] != flat.numel():
            rows = min(GRADIENT_ROWS, 4 * 2**20 // max(flat.nbytes, 1))
            if rows < 2:
                record.grad_norm = torch.linalg.vector_norm(flat)
                return None
            self._gradients = flat.new_empty((rows, flat.numel()))  # (R, P)
            self._rows, self._used = list(self._gradients.unbind(0)), 0
        record.grad_norm = self._rows[self._used]
        self._used += 1
        return record.grad_norm, flat

    def add(self, record: _Epoch, last: bool = False) -> None:
        """Keep a finished epoch; flush if it is due, the last, or the kept tensors are big."""
        self._pending.append(record)
        self._bytes += record.bytes
        if (
            last
            or self._bytes > PENDING_BYTES
            or (self._rows and self._used == len(self._rows))
            or time.perf_counter() >= self._due
        ):
            self.flush()

    def flush(self) -> list[dict]:
        """Make every pending epoch's row and give it to the sink, in order; returns all rows."""
        pending, self._pending, self._bytes = self._pending, [], 0
        if pending:
            training = self.model.training
            self.model.train()  # the metrics as the batches were computed
            sums = _epoch_sums(self.model, pending, self.on_cpu)
            self.model.train(training)
            for record, epoch_sums, norm in zip(pending, sums, self._norms(pending)):
                self.rows.append(record.row(epoch_sums, norm))
                self.sink(self.rows[-1])
        self._due = time.perf_counter() + FLUSH_SECONDS
        return self.rows

    def _norms(self, pending: list[_Epoch]) -> list[float]:
        """Each pending epoch's gradient norm: those whose gradients are in this ledger's rows
        (the first `_used`, in order) in one op, then the rows are free again."""
        kept = iter(())
        if self._used:
            kept = iter(torch.linalg.vector_norm(self._gradients[: self._used], dim=1).tolist())
            self._used = 0
        return [next(kept) if _is_gradients(r.grad_norm) else _float(r.grad_norm) for r in pending]

    def flush_quietly(self) -> None:
        """flush, for a run that is failing: an error here would hide the one that ended it."""
        with contextlib.suppress(Exception):
            self.flush()


def _is_gradients(norm) -> bool:
    """Whether an epoch's grad_norm holds its flat gradients (P,), not the norm itself."""
    return isinstance(norm, Tensor) and norm.dim() == 1


def _float(norm: Tensor | float | None) -> float:
    return float(norm) if norm is not None else 0.0


def _epoch_sums(model: nn.Module, pending: list[_Epoch], on_cpu: bool) -> list[dict]:
    """Each pending epoch's training metric sums. When there are VMAP_EPOCHS or more, each of one
    batch of the same shapes (full-batch training of tiny data), the model's `metrics` runs once,
    vmapped over the epochs (torch.func.vmap): 2.6 us an epoch on hello-rnn against 6.6 for a call
    per epoch. Otherwise, or if the model's metrics cannot be vmapped, a call per batch."""
    if len(pending) >= VMAP_EPOCHS and all(len(r.batches) == 1 for r in pending):
        try:  # stack fails on shapes that differ; vmap on metrics it cannot batch
            outputs = torch.stack([r.batches[0][0] for r in pending])  # (K, B, ...) K epochs
            targets = torch.stack([r.batches[0][1] for r in pending])  # (K, B, ...)
            batched = torch.func.vmap(lambda o, y: _as_tensors(model.metrics(o, y)))
            columns = {k: v.tolist() for k, v in batched(outputs, targets).items()}  # {k: (K,)}
        except Exception:  # then one call per batch
            pass
        else:
            return [{k: v[i] for k, v in columns.items()} for i in range(len(pending))]
    return [r.sums(model, on_cpu) for r in pending]


def _as_tensors(metrics: dict) -> dict[str, Tensor]:
    """A metrics dict with its ints as tensors, as vmap returns only tensors."""
    return {k: torch.as_tensor(v) for k, v in metrics.items()}


def _accuracy(sums: dict) -> float | None:
    return float(sums["right"]) / max(int(sums["counted"]), 1) if "right" in sums else None


def _rmse(sums: dict) -> float | None:
    if "squared_error" not in sums:
        return None
    mean = float(sums["squared_error"]) / max(int(sums["counted"]), 1)
    return math.sqrt(mean) if math.isfinite(mean) else mean


def _stopped(
    run: _Run, weights: Weights, rows: list[dict], start: dict | None, why: str
) -> FitResult:
    """Stopped before a batch: back to the last finished epoch's weights, judged as if finished."""
    kept = weights.restore_good(run.model)
    reason = _divergence(run.model, run.data, rows, start)
    if reason:
        return _diverged(
            run, weights, reason, len(rows), before=f"{why} By then training had diverged"
        )
    return FitResult("stopped", f"{why} Kept the weights after epoch {kept}.", len(rows), kept)


def _diverged(
    run: _Run, weights: Weights, reason: str, epochs: int, before: str = "Training diverged"
) -> FitResult:
    """Diverged: keep the best epoch's weights and say what to do."""
    kept = weights.keep_best(run.model)
    what = _judged_part(run.data)[3]
    kept_text = (
        f"The weights kept are those of epoch {kept}, the epoch with the lowest {what} loss."
        if kept
        else f"No epoch ended with a finite {what} loss, so the starting weights were kept."
    )
    return FitResult(
        "diverged",
        f"{before}: {reason}. Lower the learning rate (it is {run.config.lr:g}) "
        f"and train again. {kept_text}",
        epochs,
        kept,
    )


@torch.no_grad()
def _divergence(
    model: nn.Module, data: TrainData, rows: list[dict], start: dict | None
) -> str | None:
    """Why this run counts as diverged, in words, or None. Judged on the weights after the last
    finished epoch and its record ("the loss" is the validation loss, or the training loss when
    there is no validation part). Diverged when
      1. the loss is NaN or infinite; or
      2. the loss ended more than LOSS_RATIO (10) times above epoch 1's, and more than 10 times
         above the baseline's (`TrainData.baseline_loss`, when there is one); or
      2b. (float targets, after 3) the loss ended more than 10 times above the baseline's and
         above the untrained model's on the same part, with the training loss above that of
         always predicting the training mean (_worse_than_untrained); or
      3. (float targets) the model's typical (median) prediction on the validation windows (else the
         training ones) lies more than WILD_RANGES (1) times the targets' range (training and judged
         part together) farther outside that range than the untrained model's did: every target lies
         in that range, so such a model is off by more than the whole spread of the data. (Compared
         with the untrained model, so one that starts far off, on unscaled data, is not called
         diverged for not getting there.)
    Gradient clipping keeps a runaway loss finite, so 2 and 3 catch what 1 cannot: with Adam at
    lr 1e6 the loss is huge from epoch 1 on, and a dead ReLU network predicts one wild constant.
    """
    if not rows:
        return None
    key, what = (
        ("val_loss", "validation loss")
        if rows[-1]["val_loss"] is not None
        else ("train_loss", "training loss")
    )
    first, last, base = rows[0][key], rows[-1][key], data.baseline_loss
    if not math.isfinite(last):
        return f"the {what} became NaN or infinite by epoch {rows[-1]['epoch']}"
    if last > LOSS_RATIO * first and (base is None or last > LOSS_RATIO * base):
        against = f"epoch 1's {first:.3g}" + (
            f" and the baseline's {base:.3g}" if base is not None else ""
        )
        return f"the {what} ended at {last:.3g}, more than {LOSS_RATIO:g} times {against}"
    if not data.y.is_floating_point():
        return None
    return _wild_predictions(model, data, rows, start) or _worse_than_untrained(
        model, data, rows, start, key, what
    )


def _worse_than_untrained(
    model: nn.Module, data: TrainData, rows: list[dict], start: dict, key: str, what: str
) -> str | None:
    """Rule 2b of `_divergence` (float targets, with a baseline): the judged loss ended more than
    LOSS_RATIO times the baseline's and above the untrained model's (`start` weights) on the same
    part, and the training loss above that of always predicting the training targets' mean:
    training made the model worse and it learnt nothing of its own rows, however its loss moved
    on the way (a runaway step size that clipping keeps finite, dead ReLUs). A model that fits its
    training rows but not later ones (overfitting, a trend) has a low training loss, and one still
    learning unscaled targets has improved on where it started: both are left alone. The
    untrained model's pass is made only when the cheap conditions hold."""
    base, last, train = data.baseline_loss, rows[-1][key], rows[-1]["train_loss"]
    if base is None or not last > LOSS_RATIO * base:
        return None
    y = data.y.detach().float()
    constant = float(((y - y.mean(0)) ** 2).mean())  # always predicting the training mean
    if not train > constant:
        return None
    untrained = copy.deepcopy(model)
    untrained.load_state_dict(start)
    x, lengths, y, _ = _judged_part(data)
    y = y.detach().float().cpu()
    before = float(((predict(untrained, x, lengths).reshape(y.shape) - y) ** 2).mean())
    if not last > before:
        return None
    return (
        f"the {what} ended at {last:.3g}, more than {LOSS_RATIO:g} times the baseline's "
        f"{base:.3g} and above the untrained model's {before:.3g}, and the training loss at "
        f"{train:.3g}, above the {constant:.3g} of always predicting the training mean: "
        "training made it worse"
    )


def _judged_part(data: TrainData) -> tuple[Tensor, Tensor | None, Tensor, str]:
    """(x, lengths, y, name) of the part divergence is judged on: validation, else training."""
    if data.x_val is not None and len(data.x_val):
        return data.x_val, data.lengths_val, data.y_val, "validation"
    return data.x, data.lengths, data.y, "training"


def _target_range(data: TrainData) -> tuple[float, float, float]:
    """(lowest, highest, span) of the training targets and the judged part's together; the span is
    the range, or the largest magnitude (at least 1) when every target is the same."""
    y = _judged_part(data)[2]
    targets = torch.cat([data.y.reshape(-1), y.reshape(-1)]).float().cpu()
    lo, hi = float(targets.min()), float(targets.max())
    return lo, hi, hi - lo if hi > lo else max(abs(hi), 1.0)


def _ranges_outside(model: nn.Module, data: TrainData) -> float:
    """How far the model's median prediction on the judged part lies outside the targets' range
    (`_target_range`), in multiples of its span; inf if any prediction is NaN or infinite. One
    forward pass over the part, on the model's device; over RULE3_WINDOWS evenly spaced windows of a
    bigger part (a run with no validation part would otherwise pay a pass over all its training
    windows: 28% more time for one epoch of 10,000 windows of 100 steps)."""
    x, lengths, _, _ = _judged_part(data)
    lo, hi, span = _target_range(data)
    if x.shape[0] > RULE3_WINDOWS:  # a median, not a sum: evenly spaced windows estimate it well
        every = torch.linspace(0, x.shape[0] - 1, RULE3_WINDOWS).round().long()  # (RULE3_WINDOWS,)
        x, lengths = x[every], lengths[every] if lengths is not None else None
    predicted = predict(model, x, lengths).reshape(-1)  # (N*O,) on the CPU
    if not torch.isfinite(predicted).all():
        return math.inf
    outside = torch.clamp(lo - predicted, min=0) + torch.clamp(predicted - hi, min=0)  # (N*O,)
    return float(outside.median()) / span


def _wild_predictions(
    model: nn.Module, data: TrainData, rows: list[dict], start: dict
) -> str | None:
    """Rule 3 of `_divergence`, against where the untrained model's (`start` weights) predictions
    were. It costs no forward pass where it cannot fire, with the same verdict: (a) if the median
    prediction lay more than WILD_RANGES spans outside the targets' range, at least half the errors
    would exceed that, so the mean squared error would exceed half its square: a validation RMSE (of
    these weights, from the last row) under 0.7 x WILD_RANGES x span rules it out; (b) the
    untrained model's place is computed only when the trained one's is past WILD_RANGES (it is
    never below 0)."""
    rmse, judged = rows[-1]["val_rmse"], _judged_part(data)[3]
    if (
        rmse is not None
        and judged == "validation"
        and rmse < 0.7 * WILD_RANGES * _target_range(data)[2]
    ):
        return None
    now = _ranges_outside(model, data)
    if now <= WILD_RANGES:
        return None
    untrained = copy.deepcopy(model)
    untrained.load_state_dict(start)
    if now - _ranges_outside(untrained, data) > WILD_RANGES:
        part = _judged_part(data)[3]
        if math.isinf(now):
            return f"the model's predictions on the {part} part are NaN or infinite"
        return (
            f"the model's predictions on the {part} part lie far outside the values it learnt from "
            f"(typically {now:.3g} times their whole range beyond them)"
        )
    return None


# the latest epoch's snapshot, held in the Weights' good buffers until it is read (TrainingJob)
LATEST = object()


class JobProgress:
    """The read-only progress every job handle shows (a TrainingJob here, a worker's or a Ray
    actor's job elsewhere): kept in `_status`, `_message` and `_history` under `_lock`, with
    `config.epochs`; `_first_news` is set by the first finished epoch or by the end. Pausing:
    `_hold_asked` (Pause or Step pressed, Resume not yet) and `_holding` (the loop waits now).
    Snapshots: `_snapshots` (rnnviz.snapshots.Snapshots of CPU state dicts) and `_template`, a CPU
    copy of the model to load them into."""

    def _init_snapshots(self, model: nn.Module, config: "TrainConfig") -> None:
        """Keep the untrained weights (a CPU copy) as epoch 0's snapshot; keep config.snapshots
        of them, fewer if they would take more than config.snapshot_mb. The template is copied
        from `model` when first needed (`_template`)."""
        start = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
        self._template_of, self._template_copy = model, None
        size = sum(v.numel() * v.element_size() for v in start.values())
        budget = config.snapshot_mb * 2**20 if config.snapshot_mb is not None else None
        self._snapshots = Snapshots(fitting(config.snapshots, size, budget))
        self._snapshots.add(0, start)
        self._hold_asked = self._holding = False

    @property
    def _template(self) -> nn.Module:
        """A CPU copy of the model, whose weights are never read: snapshots are loaded into copies
        of it. Made on first use, not when the job is made: that deepcopy was 0.6 ms of
        hello-rnn's job, 0.7% of its 200-epoch run, and a run read by no page never needs it."""
        if self._template_copy is None:  # two readers at once make two: harmless
            template = copy.deepcopy(self._template_of).cpu()
            for p in template.parameters():
                p.grad = None  # a copy of a training model's gradients, not wanted
            self._template_copy = template
        return self._template_copy

    @property
    def paused(self) -> bool:
        """The loop waits now, between two epochs (Pause, or Step's epoch done)."""
        with self._lock:
            return self._holding and self._status == "running"

    @property
    def pause_asked(self) -> bool:
        """Pause or Step was pressed, and Resume not since: the loop holds at an epoch's end."""
        with self._lock:
            return self._hold_asked and self._status in ("queued", "running")

    @property
    def snapshot_limit(self) -> int:
        """How many snapshots this job keeps (config.snapshots, fewer for a big model)."""
        return self._snapshots.limit

    def _offered(self, epoch: int, state) -> bool:
        """Whether a kept snapshot can be read (under `_lock`): a LATEST one (only a TrainingJob
        keeps those) only while its good weights are still that epoch's (a divergence may have
        put the best epoch's back)."""
        return state is not LATEST or self._weights.good_epoch == epoch

    def _resolved(self, epoch: int, state):
        """A kept snapshot's state (under `_lock`): a LATEST one copied from its good weights;
        None for one that cannot be read (_offered)."""
        if not self._offered(epoch, state):
            return None
        return self._weights.copy() if state is LATEST else state

    @property
    def snapshot_epochs(self) -> list[int]:
        """The epochs whose weights are kept (0: before training), at most config.snapshots."""
        with self._lock:
            return [e for e, state in self._snapshots.items() if self._offered(e, state)]

    def snapshots(self) -> dict[int, dict]:
        """{epoch: state dict of CPU tensors}, the kept epochs in order (never written to again)."""
        with self._lock:
            states = ((e, self._resolved(e, state)) for e, state in self._snapshots.items())
            return {e: state for e, state in states if state is not None}

    def snapshot_at(self, epoch: int) -> nn.Module:
        """A CPU copy of the model with epoch `epoch`'s weights, in eval mode; KeyError (naming the
        kept epochs) for an epoch not kept."""
        with self._lock:
            state = self._resolved(int(epoch), self._snapshots.get(int(epoch)))
        if state is None:
            raise KeyError(f"no snapshot of epoch {epoch}; kept: {self.snapshot_epochs}")
        clone = copy.deepcopy(self._template)
        clone.load_state_dict(state)
        clone.eval()
        return clone

    @property
    def status(self) -> str:
        with self._lock:
            return self._status

    @property
    def message(self) -> str:
        """Why the job ended as it did, in words for the user ("" while all is well)."""
        with self._lock:
            return self._message

    @property
    def history(self) -> list[dict]:
        """A copy of the per-epoch rows, HISTORY_COLUMNS: epoch, train_loss, val_loss,
        train_accuracy and val_accuracy (class targets), val_rmse (float targets, with a validation
        part), seconds, and grad_norm (the total gradient norm of the epoch's last batch, before any
        clipping)."""
        with self._lock:
            return [dict(r) for r in self._history]

    def wait_for_first_epoch(self, timeout: float) -> bool:
        """Block up to `timeout` seconds until the first epoch is recorded or the job has ended;
        True if it has. (A live view uses it so its first drawing already has a point.)"""
        return self._first_news.wait(timeout)

    @property
    def running(self) -> bool:
        return self.status in ("queued", "running")

    @property
    def epochs_done(self) -> int:
        with self._lock:
            return len(self._history)

    @property
    def eta_seconds(self) -> float | None:
        """Seconds left at the mean epoch's pace; None before the first epoch and while paused."""
        with self._lock:
            if not self._history or self._holding:
                return None
            per_epoch = sum(r["seconds"] for r in self._history) / len(self._history)
            return per_epoch * (self.config.epochs - len(self._history))


class TrainingJob(JobProgress):
    """Train `model` on `data` with `config` in a worker thread: `fit` run where a page, a notebook
    or a test can watch it (status, streamed history, stop, pause, step, resume, snapshots).

    >>> import torch
    >>> from rnnviz import ModelConfig, SequenceModel
    >>> m = SequenceModel(ModelConfig(cell="gru", input_size=1, hidden_size=4), seed=0)
    >>> data = TrainData(torch.randn(16, 5, 1), torch.randn(16, 1))
    >>> job = TrainingJob(m, data, TrainConfig(epochs=3))
    >>> job.start().join().status, len(job.history)
    ('done', 3)
    """

    _ids = iter(range(1, 1 << 62))

    def __init__(
        self,
        model: SequenceModel,
        data: TrainData,
        config: TrainConfig,
        callbacks: list[Callback] | tuple = (),
        gate: JobGate | None = None,
    ):
        self.model, self.data, self.config = model, data, config
        self.callbacks = list(callbacks)
        self.gate = gate
        self.id = next(TrainingJob._ids)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._history: list[dict] = []
        self._status = "idle"
        self._message = ""
        # the good and best weights, kept by fit, and copies of those on the snapshot grid
        self._weights = Weights(self._lock, keep=self._keeps)
        self._last_beat = time.monotonic()
        self._started_at: float | None = None
        # set by the first finished epoch, or by the job ending
        self._first_news = threading.Event()
        self.device = resolve_device(config.device)
        # for snapshot_model and snapshot_at, made before training moves it; epoch 0's snapshot
        self._init_snapshots(model, config)
        self._hold_at: int | None = None  # hold once this many epochs are done (None: go on)
        self._wake = threading.Event()  # set by step, resume and stop: a paused loop looks again

    # -- control, from any thread --
    def start(self) -> "TrainingJob":
        if self._thread is not None:
            raise RuntimeError("this job was already started; make a new one to train again")
        if self.gate is not None:
            self.gate.enqueue(self.id)
        self._set_status("queued" if self.gate else "running")
        self._thread = threading.Thread(target=self._run, name=f"rnnviz-job-{self.id}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the job to stop; it does so before its next batch (at once when paused)."""
        self._stop.set()
        self._wake.set()

    def pause(self) -> None:
        """Hold after the epoch in progress (its weights kept, its row in the history) until
        step(), resume() or stop(). A no-op while already paused."""
        with self._lock:
            if self._hold_at is None:
                self._hold_at = len(self._history)
            self._hold_asked = True

    def step(self) -> None:
        """Train exactly one more epoch, then hold again. `paused` is False from now on until
        that epoch has ended (a page drawn now must not show the weights as held)."""
        with self._lock:
            self._hold_at, self._hold_asked = len(self._history) + 1, True
            self._holding = False
        self._wake.set()

    def resume(self) -> None:
        """Go on to the end (`paused` is False from now on)."""
        with self._lock:
            self._hold_at, self._hold_asked = None, False
            self._holding = False
        self._wake.set()

    def join(self, timeout: float | None = None) -> "TrainingJob":
        if self._thread is not None:
            self._thread.join(timeout)
        return self

    def heartbeat(self) -> None:
        """Someone is still watching: keeps a job with heartbeat_timeout alive."""
        self._last_beat = time.monotonic()

    # -- state, safe to read from any thread --
    @property
    def queue_position(self) -> int:
        return self.gate.ahead_of(self.id) if self.gate and self.status == "queued" else 0

    def snapshot_model(self) -> SequenceModel:
        """A CPU copy of the model with the weights of the last finished epoch (or the initial
        ones): safe to use for predictions and traces while the job keeps training."""
        clone = copy.deepcopy(self._template)
        with self._lock:  # the template's weights may be the training model's: load some
            state = self._weights.good if self._weights.good is not None else self._snapshots.get(0)
            clone.load_state_dict({k: v.cpu() for k, v in state.items()})
        clone.eval()
        return clone

    # -- the worker thread: fit, reporting into this job --
    def _set_status(self, status: str, message: str | None = None) -> None:
        with self._lock:
            self._status = status
            if message is not None:
                self._message = message
        if status not in ("idle", "queued", "running"):
            self._first_news.set()

    def _run(self) -> None:
        got_slot = False
        try:
            if self.gate is not None:
                got_slot = self.gate.acquire(self.id, self._stop)
                if not got_slot:
                    self._set_status("stopped", "Stopped before it started.")
                    return
                self._set_status("running")
            if self.config.threads and torch.get_num_threads() != int(self.config.threads):
                # process-wide; changing it while another thread is inside an OpenMP region can
                # hang, so a server sets it once at start (app.py) and this is then a no-op
                torch.set_num_threads(int(self.config.threads))
            self._train()
        # reported to the user through status/message, never raised in the thread
        except Exception as e:
            self._set_status("failed", f"Training failed: {type(e).__name__}: {e}")
        finally:
            self._first_news.set()
            if got_slot:
                self.gate.release(self.id)
            for cb in self.callbacks:
                try:
                    cb.on_train_end(self)
                except Exception:
                    pass

    def _train(self) -> None:
        self._started_at = time.monotonic()
        for cb in self.callbacks:
            cb.on_train_begin(self)
        hook = self._on_batch_end if self.callbacks else None
        result = fit(
            self.model,
            self.data,
            self.config,
            self._record,
            self._should_stop,
            weights=self._weights,
            on_batch_end=hook,
            device=self.device,
            between_epochs=self._hold,
        )
        self._set_status(result.status, result.message)

    def _keeps(self, epoch: int) -> bool:
        """Whether an epoch's weights are copied as fit saves them (Weights' keep): those the
        snapshot keeper will keep after later ones (on its grid)."""
        return epoch > 0 and on_grid(epoch, self._snapshots.limit)

    def _record(self, row: dict) -> None:
        """fit's sink: keep the row and the epoch's snapshot for readers in other threads, then
        tell the callbacks. An epoch on the keeper's grid was copied when fit saved its weights
        (Weights.copies); any other is kept only while it is the latest, so it stays in the good
        buffers (LATEST) and is copied only if it is read (a copy every epoch cost hello-rnn's
        0.5 ms epochs 10% more). fit gives rows in bursts (_Ledger): only the last of a burst is
        the good weights' epoch, and the others off the grid are thinned away by the next add."""
        with self._lock:
            self._history.append(row)
            epoch = row["epoch"]
            self._snapshots.add(epoch, self._weights.copies.pop(epoch, LATEST))
        if not self._first_news.is_set():
            self._first_news.set()
        for cb in self.callbacks:
            cb.on_epoch_end(self, row)

    def _hold(self, epoch: int) -> str | None:
        """fit's between-epochs hook: while paused, wait (asleep, HOLD_POLL s at a time) and still
        ask `_should_stop`, so Stop, a closed page (heartbeat) and the time limit end a paused job
        too. Paused time counts against max_seconds: a paused job keeps its training slot, and a
        shared server must get it back. Returns why to stop, or None to go on; FLUSH when it
        would hold before every finished epoch's row is in the history."""
        hold_at = self._hold_at  # one read, no lock: the common case, no pause asked
        if hold_at is None or epoch < hold_at:
            return None
        with self._lock:
            if len(self._history) < epoch:
                return FLUSH
        holding = False
        try:
            while True:
                with self._lock:
                    hold = self._hold_at is not None and epoch >= self._hold_at
                    self._holding = hold
                if hold != holding:
                    holding = hold
                    for cb in self.callbacks:
                        cb.on_hold(self, hold)
                if not hold:
                    return None
                for cb in self.callbacks:
                    cb.on_wait(self)  # a worker's relay reads the web process's buttons here
                reason = self._should_stop()
                if reason:
                    return reason
                self._wake.wait(HOLD_POLL)
                self._wake.clear()
        finally:
            with self._lock:
                self._holding = False

    def _on_batch_end(self, batch: int, loss: Tensor) -> None:
        for cb in self.callbacks:
            cb.on_batch_end(self, batch, loss)

    def _should_stop(self) -> str | None:
        """fit's stop question: why this job should stop now, in words, or None."""
        c = self.config
        now = time.monotonic()
        if c.heartbeat_timeout is not None and now - self._last_beat > c.heartbeat_timeout:
            return (
                f"Stopped: nobody was watching for {c.heartbeat_timeout:g} s (the page was closed)."
            )
        if (
            c.max_seconds is not None
            and self._started_at is not None
            and now - self._started_at > c.max_seconds
        ):
            return f"Stopped at the time limit of {c.max_seconds:g} s per training run."
        if self._stop.is_set():
            return "Stopped by you."
        return None

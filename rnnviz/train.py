"""The training engine: a TrainingJob trains one model in a worker thread.

Plain Python and torch, no streamlit: a page starts a job, reads `history` and `status` while it
runs (both safe from any thread), and calls `stop()`. The loop slices batches by index from
tensors already on the device (no DataLoader: its per-batch overhead dominates tiny models),
checks a stop Event before every batch, keeps a copy of the weights after every finished epoch
(and of the best epoch's), and ends "diverged" when the run has run away, keeping the best
epoch's weights. Gradient clipping keeps a runaway loss finite, so NaN is not the only sign:
see `TrainingJob._divergence` for the rule.

Also here: `JobGate`, a bounded set of training slots with a queue, so a server can cap how many
jobs train at once and tell a waiting user how many are ahead; `predict`, batched inference.
Shapes: N samples, L steps, F features, O outputs.
"""
from __future__ import annotations

import copy
import math
import threading
import time
from dataclasses import dataclass

import torch
from torch import Tensor

from .data.text import IGNORE_INDEX
from .models import SequenceModel

__all__ = ["TrainConfig", "TrainData", "TrainingJob", "Callback", "JobGate", "predict", "resolve_device"]

STATUSES = ("idle", "queued", "running", "done", "stopped", "diverged", "failed")
LOSS_RATIO = 10.0  # a last loss this many times above epoch 1's and the baseline's counts as diverged
WILD_RANGES = 1.0  # typical predictions this many target ranges farther out than before training: diverged


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
    heartbeat_timeout: float | None = None  # stop if nobody called heartbeat() for this many seconds
    max_seconds: float | None = None  # stop after this much training time

    def __post_init__(self):
        if int(self.epochs) < 1:
            raise ValueError(f"epochs must be at least 1 (got {self.epochs})")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise ValueError(f"the learning rate must be a positive number (got {self.lr})")
        if self.optimizer not in ("adam", "sgd"):
            raise ValueError(f"optimizer must be adam or sgd (got {self.optimizer!r})")
        if int(self.batch_size) < 0:
            raise ValueError(f"batch size must be 0 (full batch) or more (got {self.batch_size})")


@dataclass
class TrainData:
    """Tensors to train on. y is float (N, O) for regression, int64 (N,) or (N, L) class indices
    for classification (IGNORE_INDEX marks padded steps)."""

    x: Tensor  # (N, L, F) or (N, L) indices
    y: Tensor
    x_val: Tensor | None = None
    y_val: Tensor | None = None
    lengths: Tensor | None = None  # (N,) real steps, for padded sequences
    lengths_val: Tensor | None = None
    task: str = "regression"  # "regression" (MSE) or "classification" (cross-entropy)
    baseline_loss: float | None = None  # a naive forecast's loss (e.g. persistence) on the validation part
    # (the training part when there is none), in the same units as the loss; None = no baseline


class Callback:
    """Hooks a job calls from its worker thread; override what you need."""

    def on_train_begin(self, job: "TrainingJob") -> None: ...
    def on_batch_end(self, job: "TrainingJob", batch: int, loss: Tensor) -> None: ...
    def on_epoch_end(self, job: "TrainingJob", record: dict) -> None: ...
    def on_train_end(self, job: "TrainingJob") -> None: ...


def resolve_device(name: str = "auto") -> torch.device:
    """"auto" picks CUDA, then Apple's MPS, then the CPU. Asking for one that is absent raises."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("CUDA was asked for but this machine has no CUDA GPU; use 'auto' or 'cpu'.")
    if name == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise ValueError("MPS was asked for but is not available here; use 'auto' or 'cpu'.")
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
        With 2 slots, both training and C waiting: C has 1 (either of them). 0 for a job not waiting."""
        with self._cond:
            if job_id not in self._queue:
                return 0
            free = self.slots - len(self._active)
            return max(0, self._queue.index(job_id) + 1 - free)

    @property
    def active(self) -> int:
        with self._cond:
            return len(self._active)


def _loss(output: Tensor, y: Tensor, task: str) -> Tensor:
    if task == "classification":
        return torch.nn.functional.cross_entropy(
            output.reshape(-1, output.shape[-1]), y.reshape(-1), ignore_index=IGNORE_INDEX
        )
    return torch.nn.functional.mse_loss(output, y)


def _total_norm(params: list[Tensor]) -> Tensor:
    """The 2-norm of all gradients together, as clip_grad_norm_ computes it (without clipping)."""
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return torch.zeros(())
    return torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))


def _correct(output: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    """(right, counted) over non-padded targets, as tensors (no device sync)."""
    pred = output.argmax(-1)
    mask = y != IGNORE_INDEX
    return ((pred == y) & mask).sum(), mask.sum()


@torch.no_grad()
def predict(model: SequenceModel, x: Tensor, lengths: Tensor | None = None, batch_size: int = 4096) -> Tensor:
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


class TrainingJob:
    """Train `model` on `data` with `config` in a worker thread.

    >>> import torch
    >>> from rnnviz import ModelConfig, SequenceModel
    >>> m = SequenceModel(ModelConfig(cell="gru", input_size=1, hidden_size=4), seed=0)
    >>> job = TrainingJob(m, TrainData(torch.randn(16, 5, 1), torch.randn(16, 1)), TrainConfig(epochs=3))
    >>> job.start().join().status, len(job.history)
    ('done', 3)
    """

    _ids = iter(range(1, 1 << 62))

    def __init__(self, model: SequenceModel, data: TrainData, config: TrainConfig,
                 callbacks: list[Callback] | tuple = (), gate: JobGate | None = None):
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
        self._good_state: dict[str, Tensor] | None = None
        self._live_state: list[Tensor] | None = None  # the model's own tensors, set when training starts
        self._good_epoch = 0
        self._best_state: dict[str, Tensor] | None = None  # the weights of the lowest-loss epoch so far
        self._best_epoch = 0
        self._outside_at_start = 0.0  # regression: where the untrained model's predictions lie (_ranges_outside)
        self._last_beat = time.monotonic()
        self._started_at: float | None = None
        self._first_news = threading.Event()  # set by the first finished epoch, or by the job ending
        self.device = resolve_device(config.device)
        self._template = copy.deepcopy(model).cpu()  # for snapshot_model, made before training moves it

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
        """Ask the job to stop; it does so before its next batch."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> "TrainingJob":
        if self._thread is not None:
            self._thread.join(timeout)
        return self

    def wait_for_first_epoch(self, timeout: float) -> bool:
        """Block up to `timeout` seconds until the first epoch is recorded or the job has ended;
        True if it has. (A live view uses it so its first drawing already has a point.)"""
        return self._first_news.wait(timeout)

    def heartbeat(self) -> None:
        """Someone is still watching: keeps a job with heartbeat_timeout alive."""
        self._last_beat = time.monotonic()

    # -- state, safe to read from any thread --
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
        """A copy of the per-epoch records: epoch, train_loss, val_loss, metric, seconds, and grad_norm
        (the total gradient norm of the epoch's last batch, before any clipping)."""
        with self._lock:
            return [dict(r) for r in self._history]

    @property
    def running(self) -> bool:
        return self.status in ("queued", "running")

    @property
    def epochs_done(self) -> int:
        with self._lock:
            return len(self._history)

    @property
    def eta_seconds(self) -> float | None:
        with self._lock:
            if not self._history:
                return None
            per_epoch = sum(r["seconds"] for r in self._history) / len(self._history)
            return per_epoch * (self.config.epochs - len(self._history))

    @property
    def queue_position(self) -> int:
        return self.gate.ahead_of(self.id) if self.gate and self.status == "queued" else 0

    def snapshot_model(self) -> SequenceModel:
        """A CPU copy of the model with the weights of the last finished epoch (or the initial ones):
        safe to use for predictions and traces while the job keeps training."""
        with self._lock:
            state = self._good_state
        clone = copy.deepcopy(self._template)
        if state is not None:
            clone.load_state_dict({k: v.cpu() for k, v in state.items()})
        clone.eval()
        return clone

    # -- the worker --
    def _set_status(self, status: str, message: str | None = None) -> None:
        with self._lock:
            self._status = status
            if message is not None:
                self._message = message
        if status not in ("idle", "queued", "running"):
            self._first_news.set()

    @torch.no_grad()
    def _save_good(self, epoch: int, best: bool = False) -> None:
        """Copy the weights into the snapshot buffers, and into the best epoch's when `best`:
        allocated once, then one fused copy per epoch."""
        with self._lock:
            if self._live_state is None:  # first call: allocate the buffers
                state = self.model.state_dict(keep_vars=True)
                self._live_state = list(state.values())
                self._good_state = {k: v.detach().clone() for k, v in state.items()}
                self._best_state = {k: v.detach().clone() for k, v in state.items()}
            else:
                torch._foreach_copy_(list(self._good_state.values()), self._live_state)
                if best:
                    torch._foreach_copy_(list(self._best_state.values()), self._live_state)
            self._good_epoch = epoch
            if best:
                self._best_epoch = epoch

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
                # process-wide; changing it while another thread is inside an OpenMP region can hang,
                # so a server sets it once at start (app.py) and this is then a no-op
                torch.set_num_threads(int(self.config.threads))
            self._train()
        except Exception as e:  # reported to the user through status/message, never raised in the thread
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

    def _optimizer(self):
        c = self.config
        if c.optimizer == "sgd":
            return torch.optim.SGD(self.model.parameters(), lr=c.lr, momentum=c.momentum)
        return torch.optim.Adam(self.model.parameters(), lr=c.lr)

    def _train(self) -> None:
        c, d = self.config, self.data
        device = self.device
        # 1. everything onto the device once; batches are index slices of these tensors
        model = self.model.to(device)
        x, y = d.x.to(device), d.y.to(device)
        lengths = d.lengths
        has_val = d.x_val is not None and len(d.x_val) > 0
        if has_val:
            x_val, y_val = d.x_val.to(device), d.y_val.to(device)
        n = x.shape[0]
        if n == 0:
            raise ValueError("there is nothing to train on")
        batch = n if not c.batch_size or c.batch_size >= n else int(c.batch_size)
        generator = torch.Generator().manual_seed(int(c.seed))
        optimizer = self._optimizer()
        classify = d.task == "classification"
        padded_targets = classify and bool((y == IGNORE_INDEX).any())
        on_cpu = device.type == "cpu"
        clip = c.clip_norm if c.clip_norm else None
        params = [p for p in model.parameters() if p.requires_grad]
        uses_target = getattr(model, "uses_target", False)  # seq2seq: teacher forcing reads the targets
        self._save_good(0, best=True)
        if d.task == "regression":
            self._outside_at_start = self._ranges_outside()  # what divergence rule 3 measures from
        best_loss = math.inf  # the loss the best epoch is chosen by: validation, else training
        self._started_at = time.monotonic()
        for cb in self.callbacks:
            cb.on_train_begin(self)
        # 2. epochs. On the CPU the running sums are Python numbers (an item() is cheaper than a tensor
        # op there); on a GPU they stay on the device so the loop never waits for it before the epoch ends.
        model.train()  # predict() below puts back whatever mode it found
        for epoch in range(1, int(c.epochs) + 1):
            t0 = time.perf_counter()
            order = torch.randperm(n, generator=generator) if c.shuffle else torch.arange(n)
            loss_sum = 0.0 if on_cpu else torch.zeros((), device=device)
            right = 0 if on_cpu else torch.zeros((), device=device, dtype=torch.long)
            grad_norm = None
            last_batch = (n - 1) // batch
            counted = 0
            for b, start in enumerate(range(0, n, batch)):
                if self._should_stop():
                    return self._finish_stopped(epoch)
                idx = order[start : start + batch]
                lb = lengths[idx] if lengths is not None else None
                idx_d = idx if on_cpu else idx.to(device)
                xb, yb = x[idx_d], y[idx_d]
                output = model(xb, lb, target=yb) if uses_target else model(xb, lb)
                loss = _loss(output, yb, d.task)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                if clip is not None:  # clipping computes the norm of every batch anyway
                    norm = torch.nn.utils.clip_grad_norm_(params, clip)
                    if b == last_batch:
                        grad_norm = norm
                elif b == last_batch:  # the record keeps the last batch's norm, before clipping
                    grad_norm = _total_norm(params)
                optimizer.step()
                if on_cpu:
                    loss_sum += loss.item() * len(idx)
                else:
                    loss_sum.add_(loss.detach(), alpha=len(idx))
                if classify:
                    r, k = _correct(output.detach(), yb) if padded_targets else \
                        ((output.detach().argmax(-1) == yb).sum(), yb.numel())
                    right += r.item() if on_cpu else r
                    counted += int(k)
                for cb in self.callbacks:
                    cb.on_batch_end(self, b, loss.detach())
            # 3. end of epoch: one device sync, the NaN guard, validation, the record
            train_loss = float(loss_sum) / n
            if not math.isfinite(train_loss):
                return self._finish_diverged(f"the training loss became NaN or infinite in epoch {epoch}")
            record = {"epoch": epoch, "train_loss": train_loss, "val_loss": None, "metric": None,
                      "grad_norm": float(grad_norm) if grad_norm is not None else 0.0}
            if classify:
                record["metric"] = float(right) / max(int(counted), 1)  # training accuracy
            if has_val:
                val_out = predict(model, x_val, d.lengths_val).to(device)
                val_loss = float(_loss(val_out, y_val, d.task))
                record["val_loss"] = val_loss
                if classify:
                    r, k = _correct(val_out, y_val)
                    record["metric"] = float(r) / max(int(k), 1)  # validation accuracy
                else:
                    record["metric"] = math.sqrt(val_loss) if math.isfinite(val_loss) else val_loss
            elif not classify:
                record["metric"] = math.sqrt(train_loss)
            record["seconds"] = time.perf_counter() - t0
            watched = record["val_loss"] if has_val else train_loss
            self._save_good(epoch, best=watched < best_loss)
            best_loss = min(best_loss, watched) if math.isfinite(watched) else best_loss
            with self._lock:
                self._history.append(record)
            self._first_news.set()
            for cb in self.callbacks:
                cb.on_epoch_end(self, record)
        model.eval()
        reason = self._divergence()
        if reason:
            return self._finish_diverged(reason)
        self._set_status("done", f"Finished {c.epochs} epochs.")

    def _should_stop(self) -> bool:
        c = self.config
        now = time.monotonic()
        if c.heartbeat_timeout is not None and now - self._last_beat > c.heartbeat_timeout:
            self._message_on_stop = (f"Stopped: nobody was watching for {c.heartbeat_timeout:g} s "
                                     "(the page was closed).")
            return True
        if c.max_seconds is not None and self._started_at is not None and now - self._started_at > c.max_seconds:
            self._message_on_stop = f"Stopped at the time limit of {c.max_seconds:g} s per training run."
            return True
        if self._stop.is_set():
            self._message_on_stop = "Stopped by you."
            return True
        return False

    @torch.no_grad()
    def _divergence(self) -> str | None:
        """Why this run counts as diverged, in words, or None. Judged on the weights after the last
        finished epoch and its record ("the loss" is the validation loss, or the training loss when
        there is no validation part). Diverged when
          1. the loss is NaN or infinite; or
          2. the loss ended more than LOSS_RATIO (10) times above epoch 1's, and more than 10 times
             above the baseline's (`TrainData.baseline_loss`, when there is one); or
          3. (regression) the model's typical (median) prediction on the validation windows (else the
             training ones) lies more than WILD_RANGES (1) times the targets' range (training and judged
             part together) farther outside that range than the untrained model's did: every target lies
             in that range, so such a model is off by more than the whole spread of the data. (Compared
             with the untrained model, so one that starts far off, on unscaled data, is not called
             diverged for not getting there.)
        Gradient clipping keeps a runaway loss finite, so 2 and 3 catch what 1 cannot: with Adam at
        lr 1e6 the loss is huge from epoch 1 on, and a dead ReLU network predicts one wild constant.
        """
        history = self.history
        if not history:
            return None
        key, what = ("val_loss", "validation loss") if history[-1]["val_loss"] is not None else \
            ("train_loss", "training loss")
        first, last, base = history[0][key], history[-1][key], self.data.baseline_loss
        if not math.isfinite(last):
            return f"the {what} became NaN or infinite by epoch {history[-1]['epoch']}"
        if last > LOSS_RATIO * first and (base is None or last > LOSS_RATIO * base):
            against = f"epoch 1's {first:.3g}" + (f" and the baseline's {base:.3g}" if base is not None else "")
            return f"the {what} ended at {last:.3g}, more than {LOSS_RATIO:g} times {against}"
        if self.data.task == "regression":
            return self._wild_predictions()
        return None

    def _judged_part(self) -> tuple[Tensor, Tensor | None, Tensor, str]:
        """(x, lengths, y, name) of the part divergence is judged on: validation, else training."""
        d = self.data
        if d.x_val is not None and len(d.x_val):
            return d.x_val, d.lengths_val, d.y_val, "validation"
        return d.x, d.lengths, d.y, "training"

    def _ranges_outside(self) -> float:
        """How far the model's median prediction on the judged part lies outside the targets' range
        (training targets and the judged part's together), in multiples of that range; inf if any
        prediction is NaN or infinite. One forward pass over the part, on the job's device."""
        x, lengths, y, _ = self._judged_part()
        targets = torch.cat([self.data.y.reshape(-1), y.reshape(-1)]).float().cpu()
        lo, hi = float(targets.min()), float(targets.max())
        span = hi - lo if hi > lo else max(abs(hi), 1.0)
        predicted = predict(self.model, x, lengths).reshape(-1)  # (N*O,) on the CPU
        if not torch.isfinite(predicted).all():
            return math.inf
        outside = torch.clamp(lo - predicted, min=0) + torch.clamp(predicted - hi, min=0)  # (N*O,)
        return float(outside.median()) / span

    def _wild_predictions(self) -> str | None:
        """Rule 3 of `_divergence`, against where the untrained model's predictions were."""
        now = self._ranges_outside()
        if now - self._outside_at_start > WILD_RANGES:
            part = self._judged_part()[3]
            if math.isinf(now):
                return f"the model's predictions on the {part} part are NaN or infinite"
            return (f"the model's predictions on the {part} part lie far outside the values it learnt from "
                    f"(typically {now:.3g} times their whole range beyond them)")
        return None

    def _restore_good(self) -> int:
        with self._lock:
            state, epoch = self._good_state, self._good_epoch
        if state is not None:
            self.model.load_state_dict(state)
        self.model.eval()
        return epoch

    @torch.no_grad()
    def _keep_best(self) -> int:
        """Put the best epoch's weights in the model and in the snapshot; returns that epoch."""
        with self._lock:
            if self._best_state is not None:
                torch._foreach_copy_(list(self._good_state.values()), list(self._best_state.values()))
                self._good_epoch = self._best_epoch
            state, epoch = self._good_state, self._good_epoch
        if state is not None:
            self.model.load_state_dict(state)
        self.model.eval()
        return epoch

    def _finish_stopped(self, epoch: int) -> None:
        kept = self._restore_good()
        reason = self._divergence()
        if reason:
            return self._finish_diverged(reason, before=f"{self._message_on_stop} By then training had diverged")
        self._set_status("stopped", f"{self._message_on_stop} Kept the weights after epoch {kept}.")

    def _finish_diverged(self, reason: str, before: str = "Training diverged") -> None:
        kept = self._keep_best()
        what = "validation" if self.data.x_val is not None and len(self.data.x_val) else "training"
        kept_text = (f"The weights kept are those of epoch {kept}, the epoch with the lowest {what} loss."
                     if kept else f"No epoch ended with a finite {what} loss, so the starting weights were kept.")
        self._set_status("diverged", f"{before}: {reason}. Lower the learning rate (it is {self.config.lr:g}) "
                                     f"and train again. {kept_text}")

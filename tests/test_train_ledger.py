"""fit's ledger (rnnviz.train._Ledger): rows reach the sink in bursts, with the values, the
divergence, the pauses and the snapshots of a run that gave every row at once.

FLUSH_SECONDS is set far out (1e9) so that every epoch after the first waits for the end, or set to
0 so that every epoch's row goes at once; the references are plain torch replays and those runs."""

import time

import pytest
import torch

from rnnviz import Callback, TrainConfig, TrainData, TrainingJob, tasks, train
from rnnviz.data import make_char_dataset
from rnnviz.snapshots import kept_epochs
from rnnviz.train import fit

WORDS = "hello apple lobby daddy bobby"


def _hello(epochs: int, **kw):
    """hello-rnn: a char RNN on 5 words, full batch, class targets (N,)."""
    ds = make_char_dataset(WORDS)
    model = tasks.char_model(ds, cell="rnn", hidden_size=8, seed=0)
    config = TrainConfig(
        epochs=epochs, batch_size=0, lr=0.05, clip_norm=None, seed=0, device="cpu", **kw
    )
    return model, tasks.char_train_data(ds), config


def _replay(model, data, config):
    """The run in plain torch, independently of fit: per epoch (accuracy of the outputs the step
    was computed from, its loss, the gradient norm in float64 over every gradient)."""
    params = list(model.parameters())
    opt = torch.optim.Adam(params, lr=config.lr)
    g = torch.Generator().manual_seed(config.seed)
    n, out = data.x.shape[0], []
    for _ in range(config.epochs):
        idx = torch.randperm(n, generator=g)
        scores = model(data.x[idx])  # (N, V)
        loss = torch.nn.functional.cross_entropy(scores, data.y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        norm = torch.cat([p.grad.reshape(-1) for p in params]).double().norm()
        right = int((scores.argmax(-1) == data.y[idx]).sum())
        out.append((right / n, loss.item(), float(norm)))
        opt.step()
    return out


def _without_seconds(rows):
    return [{k: v for k, v in r.items() if k != "seconds"} for r in rows]


def _fit_counting(model, data, config):
    """fit, with the number of batches trained when each row reached the sink."""
    rows, batches, seen = [], [], []
    fit(
        model,
        data,
        config,
        lambda row: (rows.append(row), seen.append(len(batches))),
        lambda: None,
        on_batch_end=lambda b, loss: batches.append(b),
    )
    return rows, seen


def test_a_burst_of_rows_has_the_accuracy_loss_and_norm_of_a_plain_torch_replay(monkeypatch):
    """40 epochs in one burst: the metrics are computed in one vmapped call, the gradient norms
    from the ledger's rows in one op."""
    monkeypatch.setattr(train, "FLUSH_SECONDS", 1e9)
    model, data, config = _hello(40)
    start = {k: v.clone() for k, v in model.state_dict().items()}
    rows, seen = _fit_counting(model, data, config)
    assert seen == [1] + [40] * 39, "row 1 at once, the others together at the end"
    twin = tasks.char_model(make_char_dataset(WORDS), cell="rnn", hidden_size=8, seed=0)
    twin.load_state_dict(start)
    expected = _replay(twin, data, config)
    for row, (accuracy, loss, norm) in zip(rows, expected):
        e = row["epoch"]
        assert row["train_accuracy"] == accuracy, f"epoch {e}: {row['train_accuracy']}"
        assert row["train_loss"] == pytest.approx(loss, rel=1e-6), f"epoch {e} loss"
        assert row["grad_norm"] == pytest.approx(norm, rel=1e-5), f"epoch {e} gradient norm"
    assert {r["train_accuracy"] for r in rows} != {rows[0]["train_accuracy"]}, "nothing learnt"


@pytest.mark.parametrize("rows_kept", [3, 64], ids=["gradient rows run out", "64 rows"])
def test_rows_in_bursts_equal_rows_given_one_by_one(monkeypatch, rows_kept):
    """The same run with a row per flush and with bursts: the same rows; with 3 gradient rows a
    burst ends every 3 epochs."""
    monkeypatch.setattr(train, "FLUSH_SECONDS", 0)
    one_by_one, seen = _fit_counting(*_hello(20))
    assert seen == list(range(1, 21))
    monkeypatch.setattr(train, "FLUSH_SECONDS", 1e9)
    monkeypatch.setattr(train, "GRADIENT_ROWS", rows_kept)
    bursts, seen = _fit_counting(*_hello(20))
    assert _without_seconds(bursts) == _without_seconds(one_by_one)
    if rows_kept == 3:
        assert seen == [1, 4, 4, 4, 7, 7, 7, 10, 10, 10, 13, 13, 13, 16, 16, 16, 19, 19, 19, 20]


class _NaNAt(torch.nn.Module):
    """A linear model whose loss is NaN from forward pass `bad` on."""

    def __init__(self, bad: int):
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(1))
        self.bad, self.calls = bad, 0

    def forward(self, x, lengths=None):
        self.calls += 1
        out = x.sum(dim=(1, 2))[:, None] * self.w  # (N, 1)
        return out * float("nan") if self.calls >= self.bad else out

    def batch_loss(self, x, y, lengths=None):
        out = self(x, lengths)
        return torch.nn.functional.mse_loss(out, y), out

    def metrics(self, output, y):
        return {}


@pytest.mark.parametrize("flush", [0, 1e9], ids=["row by row", "rows pending"])
def test_a_nan_with_rows_pending_ends_at_the_same_epoch_with_the_best_weights(monkeypatch, flush):
    monkeypatch.setattr(train, "FLUSH_SECONDS", flush)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(8, 3, 1, generator=g)
    y = 2 * x.sum(dim=(1, 2))[:, None]
    model, rows = _NaNAt(bad=7), []
    config = TrainConfig(epochs=20, batch_size=0, lr=0.1, clip_norm=None, device="cpu")
    result = fit(model, TrainData(x, y), config, rows.append, lambda: None)
    assert result.status == "diverged" and [r["epoch"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert "the training loss became NaN or infinite in epoch 7" in result.message
    best = min(rows, key=lambda r: r["train_loss"])["epoch"]
    assert result.kept_epoch == best == 6, "the loss fell every epoch: the last finite is best"
    # the weights of epoch 6: six Adam steps of a plain replay
    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.Adam([w], lr=0.1)
    for _ in range(6):
        opt.zero_grad()
        torch.nn.functional.mse_loss(x.sum(dim=(1, 2))[:, None] * w, y).backward()
        opt.step()
    assert torch.equal(model.w.detach(), w.detach()), (model.w, w)


class _PauseAt(Callback):
    def __init__(self, batch: int):
        self.batch, self.seen = batch, 0

    def on_batch_end(self, job, batch, loss):
        self.seen += 1
        if self.seen == self.batch:
            job.pause()


def test_a_job_paused_with_rows_pending_holds_with_its_history_whole(monkeypatch):
    """Pause during epoch 30 of a run whose rows wait for the end: it holds after epoch 30 with
    30 rows and epoch 30's snapshot, and Resume ends like an unpaused run."""
    monkeypatch.setattr(train, "FLUSH_SECONDS", 1e9)
    job = TrainingJob(*_hello(60), callbacks=[_PauseAt(30)]).start()
    deadline = time.monotonic() + 20
    while not job.paused and time.monotonic() < deadline:
        job.join(0.01)
    assert job.paused, job.status
    assert [r["epoch"] for r in job.history] == list(range(1, 31))
    assert job.snapshot_epochs[-1] == 30
    held = job.snapshot_at(30).state_dict()
    job.resume()
    assert job.join(20).status == "done" and len(job.history) == 60
    alone = TrainingJob(*_hello(30)).start().join()
    for k, v in alone.model.state_dict().items():
        assert torch.equal(held[k], v), f"{k}: the held snapshot is not a 30-epoch run's"
    unpaused = TrainingJob(*_hello(60)).start().join()
    assert _without_seconds(job.history) == _without_seconds(unpaused.history)


def test_snapshots_taken_in_bursts_equal_separate_runs(monkeypatch):
    """12 epochs, 4 snapshots, every row in one burst at the end: the kept epochs are the grid's
    and each holds the weights of a run of that many epochs."""
    monkeypatch.setattr(train, "FLUSH_SECONDS", 1e9)
    job = TrainingJob(*_hello(12, snapshots=4)).start().join()
    assert job.status == "done", job.message
    assert job.snapshot_epochs == kept_epochs(12, 4) == [0, 4, 8, 12], job.snapshot_epochs
    for epoch in job.snapshot_epochs[1:]:
        alone = TrainingJob(*_hello(epoch)).start().join().model
        got = job.snapshot_at(epoch).state_dict()
        for k, v in alone.state_dict().items():
            assert torch.equal(got[k], v), f"epoch {epoch} {k}: not a {epoch}-epoch run's"

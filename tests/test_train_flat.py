"""fit steps the parameters as one flat tensor on the CPU (rnnviz.train._flat_parameters): the same
weights, bit for bit, as torch's optimizers stepping the parameters one by one, and each
parameter back in a storage of its own when fit ends."""

import copy

import pytest
import torch
from torch import nn

from rnnviz import (
    Callback,
    ModelConfig,
    SequenceModel,
    TrainConfig,
    TrainData,
    TrainingJob,
    checkpoint,
)
from rnnviz.train import _batch_step, _Run, fit


def _series(n=60, steps=6, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, steps, 2, generator=g)  # (N, L, F)
    y = x.sum(dim=(1, 2))[:, None] / 4 + 0.1 * torch.randn(n, 1, generator=g)  # (N, 1)
    return x, y


def _torch_loop(model, x, y, config):
    """The reference: torch's optimizer over the parameters one by one, batches by index in the
    order fit draws them (torch.randperm from the seed's generator)."""
    params = list(model.parameters())
    if config.optimizer == "sgd":
        opt = torch.optim.SGD(params, lr=config.lr, momentum=config.momentum)
    else:
        opt = torch.optim.Adam(params, lr=config.lr)
    g = torch.Generator().manual_seed(config.seed)
    n = x.shape[0]
    for _ in range(config.epochs):
        order = torch.randperm(n, generator=g)
        for start in range(0, n, config.batch_size):
            idx = order[start : start + config.batch_size]
            loss = torch.nn.functional.mse_loss(model(x[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return model


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_fit_ends_on_torchs_weights_bit_for_bit(cell, optimizer):
    x, y = _series()
    model = SequenceModel(ModelConfig(cell=cell, input_size=2, hidden_size=5, num_layers=2), seed=3)
    reference = _torch_loop(
        copy.deepcopy(model),
        x,
        y,
        TrainConfig(epochs=12, batch_size=16, lr=0.02, optimizer=optimizer, momentum=0.9),
    )
    config = TrainConfig(
        epochs=12,
        batch_size=16,
        lr=0.02,
        optimizer=optimizer,
        momentum=0.9,
        clip_norm=None,
        seed=0,
        device="cpu",
    )
    rows = []
    result = fit(model, TrainData(x, y), config, rows.append, lambda: None)
    assert result.status == "done" and len(rows) == 12
    for (name, p), q in zip(model.named_parameters(), reference.parameters()):
        assert torch.equal(p, q), name


def test_the_optimizer_steps_one_flat_tensor_that_the_parameters_view():
    x, y = _series()
    model = SequenceModel(ModelConfig(cell="lstm", input_size=2, hidden_size=4), seed=0)
    params = list(model.parameters())
    total = sum(p.numel() for p in params)
    run = _Run.prepare(model, TrainData(x, y), TrainConfig(batch_size=16), torch.device("cpu"))
    assert run.flat is not None and run.flat.shape == (total,)
    offset = 0
    for p in params:  # each parameter's values are its slice of the flat tensor, in order
        assert p.untyped_storage().data_ptr() == run.flat.untyped_storage().data_ptr()
        assert torch.equal(p.detach().reshape(-1), run.flat.detach()[offset : offset + p.numel()])
        offset += p.numel()
    before = run.flat.detach().clone()
    _batch_step(run, x[:16], y[:16], None, last=True)
    groups = run.optimizer.param_groups
    assert len(groups) == 1 and groups[0]["params"] == [run.flat]
    assert run.flat.grad is run.grads.flat
    assert not torch.equal(run.flat.detach(), before)  # the step moved the model's own weights
    assert torch.equal(params[0].detach().reshape(-1), run.flat.detach()[: params[0].numel()])


def test_after_fit_each_parameter_has_its_own_storage_and_saves():
    x, y = _series()
    model = SequenceModel(ModelConfig(cell="gru", input_size=2, hidden_size=4), seed=0)
    config = TrainConfig(epochs=3, batch_size=16, device="cpu")
    fit(model, TrainData(x, y), config, lambda row: None, lambda: None)
    pointers = {p.untyped_storage().data_ptr() for p in model.parameters()}
    assert len(pointers) == len(list(model.parameters()))
    for p in model.parameters():
        assert p.untyped_storage().nbytes() == p.numel() * p.element_size()
    # the trained model saves and loads back
    loaded, _ = checkpoint.from_bytes(checkpoint.to_bytes(model))
    for p, q in zip(model.parameters(), loaded.parameters()):
        assert torch.equal(p, q)


def test_a_stopped_job_keeps_the_last_epochs_weights_in_its_own_storage():
    x, y = _series()
    model = SequenceModel(ModelConfig(cell="rnn", input_size=2, hidden_size=4), seed=0)

    class StopAfter2(TrainingJob):
        def _record(self, row):
            super()._record(row)
            if row["epoch"] == 2:
                self.stop()

    job = StopAfter2(model, TrainData(x, y), TrainConfig(epochs=50, batch_size=8, device="cpu"))
    job.start().join()
    assert job.status == "stopped", job.message
    kept = job.snapshot_model().state_dict()
    for name, value in job.model.state_dict().items():
        assert torch.equal(value, kept[name]), name
    assert len({p.untyped_storage().data_ptr() for p in job.model.parameters()}) == len(
        list(job.model.parameters())
    )


class _Toy(nn.Module):
    """A Trainable (rnnviz.train) of float targets (N, 1): its subclass gives forward."""

    def batch_loss(self, x, y, lengths=None):
        out = self(x)
        return torch.nn.functional.mse_loss(out, y), out

    def metrics(self, output, y):
        return {}


class _Tied(_Toy):
    """Two parameters in one storage (a view of another's values): left as they are."""

    def __init__(self):
        super().__init__()
        base = torch.randn(6)
        self.a = nn.Parameter(base)
        self.b = nn.Parameter(base[:3].view(3))

    def forward(self, x, lengths=None):
        return x[:, -1, :1] * self.a.sum() + self.b.sum()  # (N, 1)


def test_parameters_sharing_a_storage_are_not_moved():
    x, y = _series()
    model = _Tied()
    run = _Run.prepare(model, TrainData(x, y), TrainConfig(batch_size=16), torch.device("cpu"))
    assert run.flat is None
    assert model.b.untyped_storage().data_ptr() == model.a.untyped_storage().data_ptr()


class _Unused(_Toy):
    """A parameter outside the graph: its gradient stays None, so no flat step (Adam would move
    it on a zero gradient); it must keep its starting values."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.ones(2))
        self.unused = nn.Parameter(torch.full((3,), 7.0))

    def forward(self, x, lengths=None):
        return x[:, -1, :] @ self.w[:, None]  # (N, 1)


def test_a_parameter_outside_the_graph_is_not_stepped():
    x, y = _series()
    model = _Unused()
    config = TrainConfig(epochs=4, batch_size=16, device="cpu", clip_norm=None)
    result = fit(model, TrainData(x, y), config, lambda row: None, lambda: None)
    assert result.status == "done"
    assert torch.equal(model.unused.detach(), torch.full((3,), 7.0))
    assert not torch.equal(model.w.detach(), torch.ones(2))


def test_the_good_weights_are_one_copy_of_the_flat_tensor_and_follow_each_epoch():
    from rnnviz.train import Weights

    x, y = _series()
    model = SequenceModel(ModelConfig(cell="lstm", input_size=2, hidden_size=4), seed=0)
    weights, seen = Weights(), []

    def sink(row):  # rows come in bursts: the good weights are the last finished epoch's
        seen.append((row["epoch"], weights.good_epoch))

    config = TrainConfig(epochs=5, batch_size=16, device="cpu", clip_norm=None)
    fit(model, TrainData(x, y), config, sink, lambda: None, weights=weights)
    good = weights.state()
    assert len({v.untyped_storage().data_ptr() for v in good.values()}) == 1
    for name, value in model.state_dict().items():  # after the last epoch: the model's own
        assert torch.equal(good[name], value), name
    assert weights.good_epoch == 5 and seen[-1] == (5, 5)
    # a copy for a snapshot is the model's values in tensors of their own
    snapshot = weights.copy()
    assert len({v.untyped_storage().data_ptr() for v in snapshot.values()}) == len(snapshot)
    assert all(torch.equal(snapshot[k], good[k]) for k in good)


def test_a_model_saved_while_it_trains_saves_its_current_weights():
    """Mid-run the parameters are views into one storage (disjoint slices of it: safetensors
    takes those): a checkpoint made then holds that moment's weights."""
    x, y = _series()
    model = SequenceModel(ModelConfig(cell="gru", input_size=2, hidden_size=4), seed=0)
    saved = {}

    class SaveAt3(Callback):
        def on_epoch_end(self, job, record):
            if record["epoch"] == 3:
                saved["bytes"] = checkpoint.to_bytes(job.model)
                saved["state"] = {k: v.clone() for k, v in job.model.state_dict().items()}

    config = TrainConfig(epochs=6, batch_size=16, device="cpu")
    job = TrainingJob(model, TrainData(x, y), config, callbacks=[SaveAt3()]).start().join()
    assert job.status == "done", job.message
    loaded, _ = checkpoint.from_bytes(saved["bytes"])
    for name, value in loaded.state_dict().items():
        assert torch.equal(value, saved["state"][name]), name


def test_predict_after_fit_records_no_graph():
    """predict runs without autograd: its outputs are plain values (a page calls .numpy())."""
    from rnnviz.train import predict

    x, y = _series()
    model = SequenceModel(ModelConfig(cell="lstm", input_size=2, hidden_size=4), seed=0)
    fit(model, TrainData(x, y), TrainConfig(epochs=2, batch_size=16), lambda r: None, lambda: None)
    out = predict(model, x)
    assert out.shape == (60, 1) and not out.requires_grad and out.grad_fn is None
    out.numpy()

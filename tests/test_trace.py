"""trace and gradient_norms against torch's fused modules and autograd."""

import re

import numpy as np
import pytest
import torch
from torch.overrides import TorchFunctionMode

from rnnviz import ModelConfig, SequenceModel, cells, gradient_norms, trace
from rnnviz.limits import Limits
from rnnviz.trace import hidden_state_path, last_hidden_states, sequence_gradient_norms, window_cost

CASES = [
    (cell, nl, layers)
    for cell, nl in [("rnn", "tanh"), ("rnn", "relu"), ("lstm", "tanh"), ("gru", "tanh")]
    for layers in (1, 2, 3)
]


@pytest.mark.parametrize("cell,nl,layers", CASES)
@pytest.mark.parametrize("head", ["last", "each", "flatten"])
def test_trace_equals_fused_module(cell, nl, layers, head):
    torch.manual_seed(layers)
    cfg = ModelConfig(
        cell=cell,
        nonlinearity=nl,
        num_layers=layers,
        input_size=3,
        hidden_size=5,
        head=head,
        window=9,
        output_size=2,
    )
    model = SequenceModel(cfg, seed=layers + 10).eval()
    x = torch.randn(2, 9, 3)  # batch-first, two sequences
    with torch.no_grad():
        states, _ = model.recurrent(x)
        fused_out = model(x)
        _, hidden = model.rnn(model.encode(x))
        h_n = hidden[0] if cell == "lstm" else hidden
    for i in range(2):
        tr = trace(model, x[i])
        assert torch.allclose(tr.hidden[-1], states[i], atol=1e-5), (
            f"{cell}/{nl} x{layers} seq {i}: top h"
        )
        for layer in range(layers):
            assert torch.allclose(tr.hidden[layer][-1], h_n[layer, i], atol=1e-5), (
                f"{cell} layer {layer} h_n"
            )
        if cell == "lstm":
            c_n = hidden[1]
            for layer in range(layers):
                assert torch.allclose(tr.cell_state[layer][-1], c_n[layer, i], atol=1e-5), (
                    f"lstm layer {layer} c_n"
                )
        if head == "each":
            assert torch.allclose(tr.outputs, fused_out[i], atol=1e-5), (
                f"{cell} x{layers} each outputs"
            )
        else:
            assert torch.allclose(tr.prediction, fused_out[i], atol=1e-5), (
                f"{cell} x{layers} {head} prediction"
            )


def test_trace_of_characters_uses_the_one_hot_encoding(tiny_model):
    model = tiny_model("gru", vocab_size=6, hidden_size=4, output_size=6, seed=0)
    idx = torch.tensor([1, 4, 2])
    tr = trace(model, idx)
    assert torch.equal(tr.inputs[0], torch.nn.functional.one_hot(idx, 6).float())
    assert torch.allclose(tr.prediction, model(idx[None])[0], atol=1e-5)


def test_trace_pieces_rebuild_the_equation(tiny_model):
    model = tiny_model("rnn", input_size=2, hidden_size=3, seed=0)
    x = torch.randn(4, 2)
    tr = trace(model, x)
    w = tr.weights[0]
    for t in range(4):
        h_prev = tr.hidden[0][t - 1] if t else torch.zeros(3)
        assert torch.allclose(tr.x_part[0]["hidden"][t], w["weight_ih"] @ x[t], atol=1e-6)
        assert torch.allclose(tr.h_part[0]["hidden"][t], w["weight_hh"] @ h_prev, atol=1e-6)
        pre = (
            tr.x_part[0]["hidden"][t]
            + tr.bias_x[0]["hidden"]
            + tr.h_part[0]["hidden"][t]
            + tr.bias_h[0]["hidden"]
        )
        assert torch.allclose(torch.tanh(pre), tr.hidden[0][t], atol=1e-6)


def _single_layers(model):
    """The stacked fused module as one fused single-layer module per layer (weights copied)."""
    c = model.config
    kind = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[c.cell]
    mods = []
    for k in range(c.num_layers):
        f = c.rnn_input_size if k == 0 else c.hidden_size
        m = kind(f, c.hidden_size, batch_first=True)
        with torch.no_grad():
            for name, p in m.named_parameters():
                p.copy_(getattr(model.rnn, name.replace("_l0", f"_l{k}")))
        mods.append(m)
    return mods


def _reference_grad_norms(model, x, y):
    """dLoss/dh_t with fused modules only: for layer k and step t, run layer k over steps 0..t,
    make its state at t a leaf, run it on from there; the layers below are constants, the layers
    above run over the whole sequence; autograd gives the gradient at the leaf."""
    mods = _single_layers(model)
    L = x.shape[0]
    norms = torch.zeros(len(mods), L)
    with torch.no_grad():
        below = [model.encode(x[None])]  # below[k] = input sequence of layer k, (1, L, F)
        for m in mods:
            below.append(m(below[-1])[0])
    for k, m in enumerate(mods):
        for t in range(L):
            with torch.no_grad():
                head_out, state = m(below[k][:, : t + 1])
            # (1, 1, H)
            h = (state[0] if isinstance(state, tuple) else state).clone().requires_grad_()
            seq = [head_out[:, :t], h.transpose(0, 1)]
            if t + 1 < L:
                rest_state = (h, state[1]) if isinstance(state, tuple) else h
                seq.append(m(below[k][:, t + 1 :], rest_state)[0])
            out = torch.cat(seq, dim=1)  # (1, L, H): layer k's outputs, step t a leaf
            for above in mods[k + 1 :]:
                out = above(out)[0]
            loss = torch.nn.functional.mse_loss(model.read_out(out[:, -1]), y.reshape(1, -1))
            (g,) = torch.autograd.grad(loss, h)
            norms[k, t] = g.norm()
    return norms


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("layers", [1, 2])
def test_gradient_norms_equal_autograd_on_h(cell, layers, tiny_model):
    model = tiny_model(cell, num_layers=layers, input_size=2, hidden_size=4, seed=5)
    x, y = torch.randn(12, 2), torch.tensor([0.7])
    got = gradient_norms(model, x, y)
    want = _reference_grad_norms(model, x, y)
    assert got.shape == (layers, 12)
    assert torch.allclose(got, want, atol=1e-6, rtol=1e-4), f"{cell} x{layers}:\n{got}\n{want}"


def test_plain_rnn_gradient_vanishes_with_distance(tiny_model):
    model = tiny_model("rnn", input_size=1, hidden_size=8, seed=0)
    norms = gradient_norms(model, torch.randn(60, 1), torch.tensor([1.0]))[0]
    assert norms[-1] > 100 * norms[0], f"no vanishing: first {norms[0]:.2e}, last {norms[-1]:.2e}"


def test_last_hidden_states_match_trace_and_pca_matches_svd(tiny_model):
    model = tiny_model("lstm", input_size=2, hidden_size=6, num_layers=2, seed=0)
    from rnnviz.trace import last_hidden_states, pca

    x = torch.randn(30, 7, 2)
    h = last_hidden_states(model, x)
    assert torch.allclose(h[3], trace(model, x[3]).hidden[-1][-1], atol=1e-5)
    proj, ratio = pca(h, 2)
    centred = (h - h.mean(0)).double()
    # the first component's variance is the largest eigenvalue of the covariance
    eig = torch.linalg.eigvalsh(centred.T @ centred)
    assert abs(float(ratio[0]) - float(eig[-1] / eig.sum())) < 1e-5
    assert abs(float(proj[:, 0].double().pow(2).sum()) - float(eig[-1])) < 1e-3 * float(eig[-1])


# -- shapes: one sequence, or a batch of one; anything else says what is expected --------------
def test_trace_and_gradient_norms_accept_a_batch_of_one(tiny_model):
    model = tiny_model("lstm", input_size=3, hidden_size=4, num_layers=2, seed=1)
    x, y = torch.randn(6, 3), torch.tensor([0.3])
    one, batched = trace(model, x), trace(model, x[None])  # (L, F) and (1, L, F)
    for layer in range(2):
        assert torch.equal(one.hidden[layer], batched.hidden[layer]), f"layer {layer}"
    assert torch.equal(gradient_norms(model, x, y), gradient_norms(model, x[None], y))
    chars = tiny_model("gru", vocab_size=5, hidden_size=3, output_size=5, head="each", seed=2)
    idx = torch.tensor([0, 3, 1, 4])
    # (L,) and (1, L)
    assert torch.equal(trace(chars, idx).hidden[0], trace(chars, idx[None]).hidden[0])
    target = torch.tensor([3, 1, 4, 0])
    assert torch.equal(gradient_norms(chars, idx, target), gradient_norms(chars, idx[None], target))


@pytest.mark.parametrize("shape", [(2, 6, 3), (6, 2), (6,), (1, 1, 6, 3), (0, 3)])
def test_trace_and_gradient_norms_other_shapes_say_which_are_expected(shape, tiny_model):
    model = tiny_model("rnn", input_size=3, hidden_size=4, seed=0)
    x = torch.randn(shape)
    with pytest.raises(
        ValueError, match=r"\(L, 3\) or \(1, L, 3\).*got shape " + re.escape(str(shape))
    ):
        trace(model, x)
    with pytest.raises(
        ValueError, match=r"gradient_norms reads one sequence.*\(L, 3\) or \(1, L, 3\)"
    ):
        gradient_norms(model, x, torch.tensor([0.0]))


@pytest.mark.parametrize(
    "x",
    [
        torch.tensor([[1, 2], [3, 4]]),
        torch.tensor([1.0, 2.0]),
        torch.tensor([1, 5]),
        torch.tensor([-1, 2]),
    ],
)
def test_trace_of_characters_other_inputs_say_which_are_expected(x, tiny_model):
    model = tiny_model("gru", vocab_size=5, hidden_size=3, output_size=5, seed=0)
    with pytest.raises(ValueError, match=r"\(L,\) or \(1, L\)|0\.\.4"):
        trace(model, x)


# -- many sequences in one unroll ----------------------------------------------------------------
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("head", ["last", "each", "flatten"])
def test_sequence_gradient_norms_equal_one_sequence_at_a_time(cell, head, tiny_model):
    model = tiny_model(
        cell, num_layers=2, input_size=2, hidden_size=4, head=head, window=7, output_size=3, seed=3
    )
    x = torch.randn(5, 7, 2)
    y = torch.randint(0, 3, (5, 7)) if head == "each" else torch.randint(0, 3, (5,))
    got = sequence_gradient_norms(model, x, y)  # (N, layers, L)
    assert got.shape == (5, 2, 7)
    for i in range(5):
        want = gradient_norms(model, x[i], y[i] if head == "each" else y[i : i + 1])
        assert torch.allclose(got[i], want, atol=1e-7, rtol=1e-5), f"{cell}/{head} sequence {i}"


def test_gradient_by_distance_is_the_mean_over_sequences_of_the_top_layer_reversed():
    from rnnviz import tasks
    from rnnviz.data.memory import make_memory_task

    task = make_memory_task(distractors=6, seed=0)
    model = tasks.memory_model(task, "lstm", 8, num_layers=2, seed=0)
    got = tasks.gradient_by_distance(model, task.x_val, task.y_val, sequences=5)
    want = torch.stack(
        [gradient_norms(model, task.x_val[i], task.y_val[i : i + 1])[-1] for i in range(5)]
    )
    assert np.allclose(got, want.mean(0).flip(0).numpy(), atol=1e-7, rtol=1e-5)


def test_neuron_activations_of_the_top_layer_equal_trace_word_by_word():
    from rnnviz import data, tasks

    ds = data.make_char_dataset("ab abc abcab ba", mode="next")
    model = tasks.char_model(ds, "lstm", 5, num_layers=2, seed=0)
    rows = tasks.neuron_activations(model, ds, unit=3)
    assert [[ch for ch, _ in row] for row in rows] == [list(w) for w in ds.words]
    for word, row in zip(ds.words, rows):
        want = trace(model, ds.encode(word)).hidden[-1][:, 3]
        assert np.allclose([v for _, v in row], want.numpy(), atol=1e-5), word


# -- the hidden-state path over a series, within the view limits ---------------------------------
def _path_model(hidden=6):
    return SequenceModel(
        ModelConfig(cell="gru", input_size=2, hidden_size=hidden, num_layers=2), seed=4
    )


def test_every_view_has_a_bound_the_path_uses_at_most_view_windows_evenly_spaced():
    model, x = _path_model(), torch.randn(50, 9, 2)
    path = hidden_state_path(model, x, Limits(view_windows=7))
    assert path.indices.tolist() == [1, 9, 17, 25, 33, 41, 49], (
        "one window in 8, ending at the last"
    )
    assert (path.total, path.stride, path.subset) == (50, 8, True)
    # independent: explicit cells
    states = torch.stack([trace(model, x[k]).hidden[-1][-1] for k in path.indices])
    centred = (states - states.mean(0)).double()
    eig = torch.linalg.eigvalsh(centred.T @ centred)
    assert abs(float(path.explained[0]) - float(eig[-1] / eig.sum())) < 1e-4
    assert torch.allclose(path.points[:, 0].double().pow(2).sum(), eig[-1], rtol=1e-3)
    for k, i in enumerate(path.indices):  # a window's own state projects onto its point
        assert torch.allclose(path.project(states[k]), path.points[k], atol=1e-4), f"window {i}"
    whole = hidden_state_path(model, x, Limits(view_windows=500))
    assert whole.indices.tolist() == list(range(50)) and not whole.subset and whole.stride == 1


def test_every_view_has_a_bound_the_path_takes_fewer_windows_when_each_costs_more():
    model, x = _path_model(), torch.randn(50, 9, 2)
    cost = window_cost(model, 9)
    # L x (W_ih + W_hh of both layers)
    assert cost == 9 * (3 * 6 * 2 + 3 * 6 * 6 + 3 * 6 * 6 + 3 * 6 * 6)
    path = hidden_state_path(model, x, Limits(view_windows=500, view_multiply_adds=4 * cost))
    assert len(path.indices) == 4 and path.indices[-1] == 49
    assert len(hidden_state_path(model, x, Limits(view_multiply_adds=1)).indices) == 1  # never none


def test_every_view_has_a_bound_the_path_runs_in_batches_of_view_batch_mb(monkeypatch):
    """Once 4,096 windows of 400 steps ran at once (5.2 GB); now a batch fits view_batch_mb."""
    model, x = _path_model(hidden=32), torch.randn(300, 40, 2)
    seen = []
    run = model.recurrent
    monkeypatch.setattr(
        model, "recurrent", lambda batch, *a: seen.append(batch.shape[0]) or run(batch, *a)
    )
    limits = Limits(view_windows=200, view_batch_mb=1)
    # bytes: inputs, 3 gates + 3 more per step (measured, see trace.py)
    per_window = 4 * 40 * (2 + 32 * (3 + 3))
    path = hidden_state_path(model, x, limits)
    assert sum(seen) == len(path.indices) == 150, "every 2nd window, each run once"
    assert max(seen) <= 2**20 // per_window, f"batches {seen}"
    want = last_hidden_states(model, x[torch.as_tensor(path.indices)], batch_size=1000)
    centred = want.double() - want.double().mean(0)
    assert torch.allclose(
        path.points.double().pow(2).sum(), torch.linalg.svdvals(centred)[:2].pow(2).sum(), rtol=1e-4
    )


def test_view_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("RNNVIZ_VIEW_WINDOWS", "12")
    monkeypatch.setenv("RNNVIZ_VIEW_MULTIPLY_ADDS", "1000")
    lim = Limits.from_env()
    assert (lim.view_windows, lim.view_multiply_adds, lim.view_batch_mb) == (
        12,
        1000,
        Limits().view_batch_mb,
    )


# -- trace from the fused module's states: every gate equals the explicit per-step cells ---------
def _per_step_reference(model, x):
    """The explicit cells stepped one t at a time, layer by layer (the old trace): per layer,
    (h (L, H), c (L, H) or None, list over t of cells.CellStep)."""
    from rnnviz.trace import layer_weights

    cfg = model.config
    layer_in, out = model.encode(x[None])[0], []
    for layer in range(cfg.num_layers):
        w = layer_weights(model, layer)
        h = torch.zeros(1, cfg.hidden_size)
        c = torch.zeros(1, cfg.hidden_size) if cfg.cell == "lstm" else None
        steps = []
        for t in range(layer_in.shape[0]):
            s = cells.step(cfg.cell, layer_in[t : t + 1], h, c, w, cfg.nonlinearity)
            h, c = s.h, s.c
            steps.append(s)
        hs = torch.cat([s.h for s in steps])  # (L, H)
        out.append((hs, torch.cat([s.c for s in steps]) if cfg.cell == "lstm" else None, steps))
        layer_in = hs
    return out


@pytest.mark.parametrize("cell,nl,layers", CASES)
def test_trace_every_gate_equals_the_per_step_cells(cell, nl, layers):
    """trace now reads h_t from the fused module and computes all steps' gates at once (and c_t by a
    scan); every piece it returns must still be what the explicit cells give step by step."""
    cfg = ModelConfig(
        cell=cell,
        nonlinearity=nl,
        num_layers=layers,
        input_size=3,
        hidden_size=6,
        head="each",
        output_size=2,
    )
    model = SequenceModel(cfg, seed=20 + layers).eval()
    # larger weights: saturated and open gates both occur (relu stays unscaled: it grows)
    with torch.no_grad():
        for p in model.rnn.parameters():
            p.mul_(1.0 if nl == "relu" else 2.5)
    x = torch.randn(40, 3, generator=torch.Generator().manual_seed(layers))
    tr = trace(model, x)
    ref = _per_step_reference(model, x)
    for layer, (hs, cs, steps) in enumerate(ref):
        case = f"{cell}/{nl} x{layers} layer {layer}"
        assert torch.allclose(tr.hidden[layer], hs, atol=1e-5), f"{case}: h"
        if cell == "lstm":
            assert torch.allclose(tr.cell_state[layer], cs, atol=1e-5), f"{case}: c"
        else:
            assert tr.cell_state is None, case
        for part in ("gates", "x_part", "h_part"):
            got = getattr(tr, part)[layer]
            assert sorted(got) == sorted(cells.GATES[cell]), f"{case}: {part} names"
            for name in got:
                want = torch.cat([getattr(s, part)[name] for s in steps])  # (L, H)
                assert got[name].shape == want.shape, f"{case}: {part}[{name}] shape"
                assert torch.allclose(got[name], want, atol=1e-5), f"{case}: {part}[{name}]"
        for part in ("bias_x", "bias_h"):
            for name, want in getattr(steps[0], part).items():
                assert torch.equal(getattr(tr, part)[layer][name], want), f"{case}: {part}[{name}]"
        w, h_prev = tr.weights[layer], torch.cat([torch.zeros(1, 6), hs[:-1]])  # (L, H): h_{t-1}
        # and independently of cells.py: W x and W h by hand
        for k, name in enumerate(cells.GATES[cell]):
            rows = slice(k * 6, (k + 1) * 6)
            assert torch.allclose(
                tr.x_part[layer][name], tr.inputs[layer] @ w["weight_ih"][rows].T, atol=1e-5
            ), case
            assert torch.allclose(
                tr.h_part[layer][name], h_prev @ w["weight_hh"][rows].T, atol=1e-5
            ), case
    assert torch.allclose(tr.outputs, model.read_out(ref[-1][0]), atol=1e-5), (
        f"{cell}/{nl} x{layers}: outputs"
    )


def test_trace_cell_state_scan_forgets_and_remembers_over_long_sequences():
    """c_t over 3,000 steps from the scan: a forget gate near 1 carries c across the whole sequence
    (it grows like t), one near 0 wipes it every step; both must match the step-by-step sum."""
    from rnnviz.trace import _linear_scan

    L, H = 3000, 4
    gen = torch.Generator().manual_seed(0)
    decay = torch.cat(
        [
            torch.full((L, 2), 1.0 - 1e-4),
            torch.rand(L, 1, generator=gen) * 1e-30,
            torch.rand(L, 1, generator=gen),
        ],
        dim=1,
    )  # (L, H): remember, forget, in between
    drive = torch.rand(L, H, generator=gen) * 2 - 1  # (L, H)
    want = torch.zeros(L, H, dtype=torch.float64)
    s = torch.zeros(H, dtype=torch.float64)
    for t in range(L):
        s = decay[t].double() * s + drive[t].double()
        want[t] = s
    got = _linear_scan(decay, drive)
    assert got.dtype == torch.float32 and got.shape == (L, H)
    err, size = (
        (got.double() - want).abs().max(dim=0).values,
        want.abs().max(dim=0).values,
    )  # (H,) each
    # float32 summed in another order: relative to the size c reaches (23 here), as the sequential
    # loop's
    assert (err <= 1e-5 * size + 1e-7).all(), f"error {err.tolist()} for |c| up to {size.tolist()}"
    assert float(err[2]) == 0.0, "a forget gate of 1e-30 keeps only i*g: exactly"
    for n in (1, 2, 3, 5, 6, 7, 9, 31, 33):  # odd lengths leave an unpaired last step at some level
        assert torch.allclose(_linear_scan(decay[:n], drive[:n]), want[:n].float(), atol=1e-6), (
            f"L = {n}"
        )
    assert torch.equal(_linear_scan(decay[:1], drive[:1]), drive[:1]), "one step: c_0 = i_0 g_0"


class _CountTorchCalls(TorchFunctionMode):
    """Counts every torch function and tensor method called while active."""

    def __init__(self):
        super().__init__()
        self.calls = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.calls += 1
        return func(*args, **(kwargs or {}))


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_trace_speed_tensor_ops_grow_with_log_steps_not_steps(cell, tiny_model):
    """Issue 13: trace of 1,000 LSTM steps took 6.9x the fused forward, a Python loop of cell steps
    (about 25 torch calls per step and layer). Now the fused kernel runs each layer and the gates
    and c_t take whole-tensor ops, so 16x more steps add only the scan's few calls per halving."""
    model = tiny_model(cell, input_size=2, hidden_size=4, num_layers=2, seed=0)
    calls = []
    for steps in (64, 1024):
        with _CountTorchCalls() as count:
            trace(model, torch.randn(steps, 2))
        calls.append(count.calls)
    added = calls[1] - calls[0]  # 4 more halvings (64 -> 1024), in each of the 2 layers
    assert added <= 25 * 4 * 2, f"{cell}: {calls[0]} torch calls for 64 steps, {calls[1]} for 1,024"

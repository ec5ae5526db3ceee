"""trace and gradient_norms against torch's fused modules and autograd."""
import pytest
import torch

from rnnviz import ModelConfig, SequenceModel, gradient_norms, trace

CASES = [(cell, nl, layers) for cell, nl in [("rnn", "tanh"), ("rnn", "relu"), ("lstm", "tanh"), ("gru", "tanh")]
         for layers in (1, 2, 3)]


@pytest.mark.parametrize("cell,nl,layers", CASES)
@pytest.mark.parametrize("head", ["last", "each", "flatten"])
def test_trace_equals_fused_module(cell, nl, layers, head):
    torch.manual_seed(layers)
    cfg = ModelConfig(cell=cell, nonlinearity=nl, num_layers=layers, input_size=3, hidden_size=5, head=head,
                      window=9, output_size=2)
    model = SequenceModel(cfg, seed=layers + 10).eval()
    x = torch.randn(2, 9, 3)  # batch-first, two sequences
    with torch.no_grad():
        states, _ = model.recurrent(x)
        fused_out = model(x)
        _, hidden = model.rnn(model.encode(x))
        h_n = hidden[0] if cell == "lstm" else hidden
    for i in range(2):
        tr = trace(model, x[i])
        assert torch.allclose(tr.hidden[-1], states[i], atol=1e-5), f"{cell}/{nl} x{layers} seq {i}: top h"
        for layer in range(layers):
            assert torch.allclose(tr.hidden[layer][-1], h_n[layer, i], atol=1e-5), f"{cell} layer {layer} h_n"
        if cell == "lstm":
            c_n = hidden[1]
            for layer in range(layers):
                assert torch.allclose(tr.cell_state[layer][-1], c_n[layer, i], atol=1e-5), f"lstm layer {layer} c_n"
        if head == "each":
            assert torch.allclose(tr.outputs, fused_out[i], atol=1e-5), f"{cell} x{layers} each outputs"
        else:
            assert torch.allclose(tr.prediction, fused_out[i], atol=1e-5), f"{cell} x{layers} {head} prediction"


def test_trace_of_characters_uses_the_one_hot_encoding():
    model = SequenceModel(ModelConfig(cell="gru", vocab_size=6, hidden_size=4, output_size=6), seed=0)
    idx = torch.tensor([1, 4, 2])
    tr = trace(model, idx)
    assert torch.equal(tr.inputs[0], torch.nn.functional.one_hot(idx, 6).float())
    assert torch.allclose(tr.prediction, model(idx[None])[0], atol=1e-5)


def test_trace_pieces_rebuild_the_equation():
    model = SequenceModel(ModelConfig(cell="rnn", input_size=2, hidden_size=3), seed=0)
    x = torch.randn(4, 2)
    tr = trace(model, x)
    w = tr.weights[0]
    for t in range(4):
        h_prev = tr.hidden[0][t - 1] if t else torch.zeros(3)
        assert torch.allclose(tr.x_part[0]["hidden"][t], w["weight_ih"] @ x[t], atol=1e-6)
        assert torch.allclose(tr.h_part[0]["hidden"][t], w["weight_hh"] @ h_prev, atol=1e-6)
        pre = tr.x_part[0]["hidden"][t] + tr.bias_x[0]["hidden"] + tr.h_part[0]["hidden"][t] + tr.bias_h[0]["hidden"]
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
            h = (state[0] if isinstance(state, tuple) else state).clone().requires_grad_()  # (1, 1, H)
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
def test_gradient_norms_equal_autograd_on_h(cell, layers):
    model = SequenceModel(ModelConfig(cell=cell, num_layers=layers, input_size=2, hidden_size=4), seed=5)
    x, y = torch.randn(12, 2), torch.tensor([0.7])
    got = gradient_norms(model, x, y)
    want = _reference_grad_norms(model, x, y)
    assert got.shape == (layers, 12)
    assert torch.allclose(got, want, atol=1e-6, rtol=1e-4), f"{cell} x{layers}:\n{got}\n{want}"


def test_plain_rnn_gradient_vanishes_with_distance():
    model = SequenceModel(ModelConfig(cell="rnn", input_size=1, hidden_size=8), seed=0)
    norms = gradient_norms(model, torch.randn(60, 1), torch.tensor([1.0]))[0]
    assert norms[-1] > 100 * norms[0], f"no vanishing: first {norms[0]:.2e}, last {norms[-1]:.2e}"


def test_last_hidden_states_match_trace_and_pca_matches_svd():
    model = SequenceModel(ModelConfig(cell="lstm", input_size=2, hidden_size=6, num_layers=2), seed=0)
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

"""SequenceModel: the seeds' published shapes and parameter counts, heads, packing."""

import pytest
import torch

from rnnviz import ModelConfig, SequenceModel, parameter_count_formula
from rnnviz.limits import LimitError


def test_hello_parameter_count_matches_the_seed():
    # torch RNN(9->8) + Linear(8->9) = (72 + 64 + 8 + 8) + (72 + 9) = 233; Keras has one bias: 225
    m = SequenceModel(ModelConfig(cell="rnn", hidden_size=8, vocab_size=9, output_size=9), seed=0)
    assert m.parameter_count() == 233
    rows = parameter_count_formula(m.config)
    assert sum(r["count"] for r in rows) == 233
    assert rows[0]["keras_count"] + rows[-1]["count"] == 225


@pytest.mark.parametrize("cell,gates", [("rnn", 1), ("lstm", 4), ("gru", 3)])
@pytest.mark.parametrize("layers", [1, 2, 3])
def test_formula_matches_torch_count(cell, gates, layers):
    cfg = ModelConfig(
        cell=cell, hidden_size=6, num_layers=layers, input_size=4, head="flatten", window=5
    )
    m = SequenceModel(cfg, seed=1)
    assert sum(r["count"] for r in parameter_count_formula(cfg)) == m.parameter_count(), (
        f"{cell} x{layers}"
    )


@pytest.mark.parametrize("head,shape", [("last", (3, 2)), ("flatten", (3, 2)), ("each", (3, 7, 2))])
def test_head_output_shapes(head, shape):
    m = SequenceModel(
        ModelConfig(cell="gru", input_size=4, hidden_size=5, head=head, window=7, output_size=2)
    )
    assert tuple(m(torch.randn(3, 7, 4)).shape) == shape


def test_flatten_head_reads_every_step():
    m = SequenceModel(
        ModelConfig(cell="lstm", input_size=1, hidden_size=3, head="flatten", window=4), seed=0
    )
    assert m.head.in_features == 12
    states, _ = m.recurrent(torch.ones(1, 4, 1))
    expected = m.head(states.reshape(1, -1))
    assert torch.allclose(m(torch.ones(1, 4, 1)), expected)


def test_packed_last_state_ignores_padding():
    m = SequenceModel(ModelConfig(cell="lstm", vocab_size=5, hidden_size=4, output_size=5), seed=0)
    short = torch.tensor([[1, 2]])
    padded = torch.tensor([[1, 2, 0, 0], [3, 4, 1, 2]])
    alone = m(short)
    together = m(padded, torch.tensor([2, 4]))
    assert torch.allclose(alone[0], together[0], atol=1e-6), (
        "padding changed the short word's output"
    )


def test_sigmoid_output_is_between_zero_and_one():
    m = SequenceModel(
        ModelConfig(cell="rnn", input_size=2, hidden_size=3, output_activation="sigmoid")
    )
    y = m(torch.randn(8, 5, 2) * 10)
    assert bool(((y > 0) & (y < 1)).all())


def test_seed_gives_identical_weights():
    cfg = ModelConfig(cell="gru", input_size=2, hidden_size=4)
    a, b = SequenceModel(cfg, seed=3), SequenceModel(cfg, seed=3)
    c = SequenceModel(cfg, seed=4)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not all(torch.equal(p, q) for p, q in zip(a.parameters(), c.parameters()))


@pytest.mark.parametrize(
    "bad",
    [
        dict(cell="transformer"),
        dict(num_layers=5),
        dict(head="middle"),
        dict(head="flatten"),
        dict(nonlinearity="sigmoid"),
    ],
)
def test_bad_config_is_refused(bad):
    with pytest.raises(ValueError):
        ModelConfig(**bad)


# -- Keras 3's counts per cell, by hand: tests/test_cellspec.py (the formula lives in
# rnnviz.cellspec) ------
def test_keras_count_gru_hello_is_537_not_513():
    # the hello example with a GRU: vocabulary 9 one-hot, GRU(8), Dense(9). Keras 3: 456 + 81 = 537
    # (the page said 513, counting one bias vector as for SimpleRNN and LSTM)
    rows = parameter_count_formula(
        ModelConfig(cell="gru", hidden_size=8, vocab_size=9, output_size=9)
    )
    assert sum(r.get("keras_count", r["count"]) for r in rows) == 537
    assert rows[0]["keras_count"] == 456 == rows[0]["count"], (
        "Keras's GRU keeps two biases, as torch does"
    )


# -- sizes and types are bounded before anything is built (issue 12, point 1) ----------
@pytest.mark.parametrize(
    "field,value,words",
    [
        ("hidden_size", 8000, "hidden size 8000 is above this server's limit of 256"),
        ("num_layers", 5, "layers 5 is above this server's limit of 4"),
        ("input_size", 10**6, "input size 1000000 is above this server's limit of 1000"),
        ("vocab_size", 20_000_000, "vocabulary size 20000000 is above this server's limit of 2000"),
        ("embedding_dim", 100_000, "embedding size 100000 is above this server's limit of 256"),
        ("output_size", 10**7, "output size 10000000 is above this server's limit of 10000"),
        ("window", 10**6, "window 1000000 is above this server's limit of 400"),
    ],
)
def test_model_config_sizes_above_the_limits_are_refused(field, value, words):
    settings = {
        "head": "flatten",
        "window": 4,
        "vocab_size": 5 if field == "embedding_dim" else None,
    }
    with pytest.raises(LimitError, match=words):  # a UserError: the page shows it as it is
        ModelConfig(**(settings | {field: value}))


def test_model_config_limits_follow_the_environment(monkeypatch):
    monkeypatch.setenv("RNNVIZ_HIDDEN", "512")
    assert ModelConfig(hidden_size=512).hidden_size == 512
    monkeypatch.setenv("RNNVIZ_HIDDEN", "8")
    with pytest.raises(LimitError, match="hidden size 16 is above this server's limit of 8"):
        ModelConfig(hidden_size=16)


@pytest.mark.parametrize(
    "value,shown",
    [
        ("16", "'16'"),
        (16.0, "16.0"),
        (True, "True"),
        ([16], "a list"),
        ({"a": 1}, "a dict"),
        (None, "None"),
    ],
)
def test_model_config_sizes_of_the_wrong_type_are_refused(value, shown):
    with pytest.raises(ValueError, match=f"hidden size must be a whole number \\(got {shown}\\)"):
        ModelConfig(hidden_size=value)


def test_model_config_from_dict_refuses_what_is_not_a_dict():
    for junk in ([1, 2], "lstm", 3, None):
        with pytest.raises(ValueError, match="must be a set of named values"):
            ModelConfig.from_dict(junk)


@pytest.mark.parametrize(
    "config",
    [
        ModelConfig(cell="rnn", hidden_size=8, vocab_size=9, output_size=9),
        ModelConfig(
            cell="lstm",
            hidden_size=6,
            num_layers=3,
            input_size=4,
            head="flatten",
            window=5,
            output_size=2,
        ),
        ModelConfig(
            cell="gru",
            hidden_size=3,
            num_layers=2,
            vocab_size=7,
            embedding_dim=4,
            head="each",
            output_size=7,
        ),
    ],
    ids=["rnn one-hot", "lstm flatten", "gru embedding"],
)
def test_state_shapes_match_torch_without_building(config):
    from rnnviz.models import state_shapes

    built = {k: tuple(v.shape) for k, v in SequenceModel(config).state_dict().items()}
    assert state_shapes(config) == built


@pytest.mark.parametrize("layers", [1, 2])
def test_forget_bias_sets_only_the_forget_slice(layers):
    """b_if = 1 and b_hf = 0 (rows H..2H-1 of torch's i|f|g|o stack), so b_if + b_hf = 1 in every
    layer; every other number is the default init's for the same seed."""
    h = 5
    plain = SequenceModel(
        ModelConfig(cell="lstm", hidden_size=h, num_layers=layers, vocab_size=7, output_size=3),
        seed=2,
    )
    biased = SequenceModel(
        ModelConfig(
            cell="lstm",
            hidden_size=h,
            num_layers=layers,
            vocab_size=7,
            output_size=3,
            forget_bias=1.0,
        ),
        seed=2,
    )
    a, b = plain.state_dict(), biased.state_dict()
    assert a.keys() == b.keys()
    forget = torch.zeros(4 * h, dtype=torch.bool)
    forget[h : 2 * h] = True
    for name in a:
        if name.startswith("rnn.bias_"):
            assert torch.equal(a[name][~forget], b[name][~forget]), name
            want = 1.0 if "_ih_" in name else 0.0
            assert torch.equal(b[name][forget], torch.full((h,), want)), name
        else:
            assert torch.equal(a[name], b[name]), name
    for k in range(layers):
        total = b[f"rnn.bias_ih_l{k}"][h : 2 * h] + b[f"rnn.bias_hh_l{k}"][h : 2 * h]
        assert torch.equal(total, torch.ones(h)), f"layer {k}"


def test_forget_bias_without_a_seed_and_only_for_an_lstm():
    m = SequenceModel(ModelConfig(cell="lstm", hidden_size=3, input_size=2, forget_bias=1.0))
    assert torch.equal(m.rnn.bias_ih_l0[3:6] + m.rnn.bias_hh_l0[3:6], torch.ones(3))
    with pytest.raises(ValueError, match="forget-gate bias is an LSTM setting"):
        ModelConfig(cell="gru", forget_bias=1.0)
    with pytest.raises(ValueError, match="forget-gate bias must be a number"):
        ModelConfig(cell="lstm", forget_bias="1")
    with pytest.raises(ValueError, match="between -10 and 10"):
        ModelConfig(cell="lstm", forget_bias=float("nan"))

"""tasks.write: "Let it write" on Next letter, greedy or sampled at a temperature, checked against
the model's own logits recomputed here step by step (numpy softmax, torch.multinomial replayed)."""

import numpy as np
import pytest
import torch

from rnnviz import tasks
from rnnviz.data.tables import DataError


@pytest.fixture(scope="module", params=["last", "next"])
def char_model(request, hello_words):
    ds = hello_words(request.param)
    model = tasks.char_model(ds, "gru", 8, 1, seed=3)
    return ds, model


def _logits(model, idx):
    """The head's scores after the indices `idx`, computed here from a plain forward pass."""
    with torch.no_grad():
        out = model(torch.tensor([idx]))
    return (out[0, -1] if out.dim() == 3 else out[0]).double().numpy()


def _softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def test_greedy_takes_the_argmax_at_every_step(char_model):
    ds, model = char_model
    w = tasks.write(model, ds, "he", 12, temperature=1.3, sampled=False)
    idx = ds.encode("he").tolist()
    for k, step in enumerate(w.steps):
        z = _logits(model, idx)
        assert step.letter == ds.vocab[int(z.argmax())], f"step {k}"
        np.testing.assert_allclose(
            step.probabilities.numpy(), _softmax(z), atol=1e-6, err_msg=f"step {k}"
        )
        idx.append(int(z.argmax()))
    assert w.text == "he" + "".join(s.letter for s in w.steps) and len(w.steps) == 12
    assert not w.sampled


@pytest.mark.parametrize("temperature", [0.3, 1.0, 2.0])
def test_sampled_probabilities_are_softmax_of_logits_over_t_and_the_draws_replay(
    char_model, temperature
):
    ds, model = char_model
    w = tasks.write(model, ds, "b", 15, temperature=temperature, sampled=True, seed=11)
    assert w.sampled
    g = torch.Generator().manual_seed(11)
    idx = ds.encode("b").tolist()
    for k, step in enumerate(w.steps):
        z = _logits(model, idx)
        np.testing.assert_allclose(
            step.logits.numpy(), z, atol=1e-5, err_msg=f"T={temperature} step {k}"
        )
        expected = _softmax(z / temperature)
        np.testing.assert_allclose(
            step.probabilities.numpy(), expected, atol=1e-6, err_msg=f"T={temperature} step {k}"
        )
        drawn = int(torch.multinomial(torch.tensor(expected, dtype=torch.float32), 1, generator=g))
        assert step.letter == ds.vocab[drawn], f"T={temperature} step {k}"
        idx.append(drawn)


def test_the_same_seed_writes_the_same_letters_and_another_seed_differs(char_model):
    ds, model = char_model
    a = tasks.write(model, ds, "a", 30, temperature=2.0, seed=5).text
    assert a == tasks.write(model, ds, "a", 30, temperature=2.0, seed=5).text
    others = {tasks.write(model, ds, "a", 30, temperature=2.0, seed=s).text for s in range(6, 10)}
    assert others - {a}, "four other seeds all wrote the same 30 letters at T=2"


def test_temperature_zero_is_greedy_and_generate_returns_the_text(char_model):
    ds, model = char_model
    greedy = tasks.write(model, ds, "lo", 8, sampled=False).text
    assert tasks.write(model, ds, "lo", 8, temperature=0.0, sampled=True).text == greedy
    assert tasks.generate(model, ds, "lo", 8, temperature=0.0) == greedy


def test_an_empty_or_unknown_prefix_is_a_data_error(char_model):
    ds, model = char_model
    with pytest.raises(DataError, match="at least one letter"):
        tasks.write(model, ds, "", 3)
    with pytest.raises(DataError, match="never saw"):
        tasks.write(model, ds, "z", 3)

"""The encoder-decoder: typed pairs, teacher forcing against the fused decoder, greedy decoding,
and training that reproduces its pairs."""

import pytest
import torch

from rnnviz import TrainConfig, TrainData, TrainingJob
from rnnviz.data import IGNORE_INDEX, DataError
from rnnviz.seq2seq import (
    DEFAULT_PAIRS,
    EOS,
    PAD,
    SOS,
    Seq2Seq,
    Seq2SeqConfig,
    decode_steps,
    encoder_states,
    make_pair_dataset,
    pair_train_data,
    translate,
)


def test_pairs_become_padded_indices_with_eos():
    ds = make_pair_dataset("i am -> 나는\nyou are here → 너는 여기 있다", level="word")
    assert ds.vocab[:3] == [PAD, SOS, EOS]
    assert ds.sources == [["i", "am"], ["you", "are", "here"]]
    assert ds.targets == [["나는"], ["너는", "여기", "있다"]]
    assert ds.x.tolist()[0][2] == 0 and ds.lengths.tolist() == [2, 3]  # PAD after the short source
    eos = ds.vocab.index(EOS)
    assert ds.y[0].tolist() == [ds.vocab.index("나는"), eos, IGNORE_INDEX, IGNORE_INDEX]
    assert ds.y[1, 3] == eos


@pytest.mark.parametrize(
    "text, words",
    [
        ("no arrow here", "Line 1"),
        ("a -> b\n\n -> c", "Line 3"),
        ("", "at least one pair"),
    ],
)
def test_bad_pairs_say_which_line(text, words):
    with pytest.raises(DataError, match=words):
        make_pair_dataset(text, "char")


def _model(ds, cell="gru", forcing=1.0, seed=0, **config):
    """A small encoder-decoder for ds (embedding 4, hidden 6, decoding the targets' length), or
    any other Seq2SeqConfig fields given."""
    config = (
        dict(embedding_dim=4, hidden_size=6, max_target_len=ds.y.shape[1], teacher_forcing=forcing)
        | config
    )
    return Seq2Seq(Seq2SeqConfig(cell=cell, vocab_size=len(ds.vocab), **config), seed=seed)


def _trained(ds, attention=False):
    """The model the default pairs are learnt with (hidden 32, embedding 16, ratio 0.5, 150 epochs
    of Adam at 0.01, clipped at 5), trained until done."""
    model = _model(
        ds,
        hidden_size=32,
        embedding_dim=16,
        max_target_len=ds.y.shape[1] + 5,
        teacher_forcing=0.5,
        attention=attention,
    )
    job = TrainingJob(
        model, pair_train_data(ds), TrainConfig(epochs=150, batch_size=0, lr=0.01, clip_norm=5.0)
    )
    assert job.start().join(120).status == "done"
    return job.snapshot_model()


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_parameter_count_matches_the_formula(cell):
    ds = make_pair_dataset("ab -> ba\nabc -> cba", "char")
    v, e, h, g = len(ds.vocab), 4, 6, {"gru": 3, "lstm": 4}[cell]
    # two embeddings, encoder and decoder (g*H*(E+H+2) each, torch's two biases), head (H+1)*V
    assert _model(ds, cell).parameter_count() == 2 * v * e + 2 * g * h * (e + h + 2) + (h + 1) * v


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_teacher_forcing_equals_the_fused_decoder_over_the_shifted_target(cell):
    """With ratio 1 every step is fed the true previous token: the same as running torch's
    decoder module once over <sos> + target[:-1], started from the encoder's final state."""
    ds = make_pair_dataset(DEFAULT_PAIRS["Reverse the letters"][0], "char")
    model = _model(ds, cell).train()
    scores = model(ds.x, ds.lengths, target=ds.y)  # (N, T, V)
    _, context = model.encode(ds.x, ds.lengths)
    prev = torch.cat([torch.full((len(ds.y), 1), ds.vocab.index(SOS)), ds.y[:, :-1]], dim=1)
    prev = torch.where(prev == IGNORE_INDEX, torch.zeros_like(prev), prev)
    out, _ = model.decoder(model.tgt_embedding(prev), context)
    torch.testing.assert_close(scores, model.head(out), atol=1e-5, rtol=0)


def test_greedy_decoding_feeds_back_its_own_argmax(reverse_pairs):
    ds = reverse_pairs
    model = _model(ds).eval()
    with torch.no_grad():
        scores = model(ds.x, ds.lengths)
        fed = torch.cat([torch.full((2, 1), ds.vocab.index(SOS)), scores.argmax(-1)[:, :-1]], dim=1)
        _, context = model.encode(ds.x, ds.lengths)
        out, _ = model.decoder(model.tgt_embedding(fed), context)
    torch.testing.assert_close(scores, model.head(out), atol=1e-5, rtol=0)
    steps = decode_steps(model, ds, 0, teacher=False)
    assert [r["output"] for r in steps][: len(steps)] == [
        ds.vocab[int(k)] for k in scores[0].argmax(-1)
    ][: len(steps)]


def test_encoder_states_end_in_the_context(reverse_pairs):
    ds = reverse_pairs
    model = _model(ds, "lstm")
    states, context = encoder_states(model, ds, 1)
    assert states.shape == (2, 6)  # the short source: 2 steps, no padding
    torch.testing.assert_close(states[-1], context)


@pytest.mark.parametrize("preset", list(DEFAULT_PAIRS))
def test_training_reproduces_every_default_pair(preset):
    text, level = DEFAULT_PAIRS[preset]
    ds = make_pair_dataset(text, level)
    trained = _trained(ds)
    assert translate(trained, ds) == [ds.join(t) for t in ds.targets]
    teacher = decode_steps(trained, ds, 0, teacher=True)
    assert [r["output"] for r in teacher] == ds.targets[0] + [EOS]


def test_same_seed_same_history(reverse_pairs):
    ds = reverse_pairs
    runs = [
        TrainingJob(
            _model(ds, forcing=0.5, seed=3),
            pair_train_data(ds),
            TrainConfig(epochs=5, batch_size=0),
        )
        .start()
        .join()
        .history
        for _ in range(2)
    ]
    assert [r["train_loss"] for r in runs[0]] == [r["train_loss"] for r in runs[1]]


def test_unknown_tokens_are_named():
    ds = make_pair_dataset("abc -> cba", "char")
    with pytest.raises(DataError, match="'z'"):
        ds.encode_source("abz")


def test_attention_equals_dot_product_attention_over_the_fused_decoder():
    """Luong attention reads the decoder's output; with ratio 1 the decoder runs over the shifted
    target at once, and the attention can be written as a batch: masked softmax of dot products."""
    ds = make_pair_dataset(DEFAULT_PAIRS["Reverse the letters"][0], "char")
    model = _model(ds, attention=True).train()
    scores = model(ds.x, ds.lengths, target=ds.y)
    enc, context = model.encode(ds.x, ds.lengths)  # (N, S, H)
    prev = torch.cat([torch.full((len(ds.y), 1), ds.vocab.index(SOS)), ds.y[:, :-1]], dim=1)
    # (N, T, H)
    out, _ = model.decoder(model.tgt_embedding(torch.where(prev == IGNORE_INDEX, 0, prev)), context)
    real = torch.arange(ds.x.shape[1])[None, :] < ds.lengths[:, None]  # (N, S)
    dots = (out @ enc.transpose(1, 2)).masked_fill(~real[:, None, :], float("-inf"))  # (N, T, S)
    weights = torch.softmax(dots, -1)
    expected = model.head(torch.tanh(model.combine(torch.cat([out, weights @ enc], -1))))
    torch.testing.assert_close(scores, expected, atol=1e-5, rtol=0)
    h, v, e = 6, len(ds.vocab), 4
    assert (
        model.parameter_count()
        == 2 * v * e + 2 * 3 * h * (e + h + 2) + (h + 1) * v + (2 * h + 1) * h
    )


def test_attention_weights_cover_the_real_source_only_and_it_trains():
    text, level = DEFAULT_PAIRS["Reverse the letters"]
    ds = make_pair_dataset(text, level)
    trained = _trained(ds, attention=True)
    assert translate(trained, ds) == [ds.join(t) for t in ds.targets]
    steps = decode_steps(trained, ds, 0, teacher=True)  # "abc" -> "cba"
    for row in steps:
        assert len(row["attention"]) == 3 and abs(sum(row["attention"]) - 1) < 1e-5


def test_seq2seq_validation_decodes_as_many_steps_as_the_targets():
    """Validation asks the model for its batch loss like training does: greedy decoding (eval mode,
    no teacher forcing) for exactly the targets' T steps, whatever max_target_len is. (The loop used
    to call forward without targets, decode max_target_len steps and fail on the shapes.)"""
    ds = make_pair_dataset("abc -> cba\nab -> ba\nba -> ab", "char")
    model = _model(ds, max_target_len=ds.y.shape[1] + 3)
    data = TrainData(
        x=ds.x[:2],
        y=ds.y[:2],
        lengths=ds.lengths[:2],
        x_val=ds.x[2:],
        y_val=ds.y[2:],
        lengths_val=ds.lengths[2:],
        task="classification",
    )
    job = TrainingJob(model, data, TrainConfig(epochs=2, batch_size=0, device="cpu")).start().join()
    assert job.status == "done", job.message
    with torch.no_grad():
        scores = job.model.eval()(ds.x[2:], ds.lengths[2:], target=ds.y[2:])  # (1, T, V), greedy
    expected = torch.nn.functional.cross_entropy(
        scores.reshape(-1, scores.shape[-1]), ds.y[2:].reshape(-1), ignore_index=IGNORE_INDEX
    )
    real = ds.y[2:] != IGNORE_INDEX
    right = ((scores.argmax(-1) == ds.y[2:]) & real).sum() / real.sum()
    assert job.history[-1]["val_loss"] == pytest.approx(float(expected))
    assert job.history[-1]["val_accuracy"] == pytest.approx(float(right))

"""Char datasets from typed words: the seed's hello example, Hangul, padding for packing."""

import pytest
import torch

from rnnviz.data import IGNORE_INDEX, DataError, make_char_dataset


def test_hello_seed(hello_words):
    ds = hello_words()
    assert ds.vocab == sorted("helopaybd") and len(ds.vocab) == 9
    assert tuple(ds.one_hot().shape) == (5, 4, 9)
    assert ds.inputs == ["hell", "appl", "lobb", "dadd", "bobb"]
    assert ds.targets == ["o", "e", "y", "y", "y"]
    assert ds.decode(ds.x[0]) == "hell" and ds.vocab[int(ds.y[0])] == "o"
    assert torch.equal(ds.one_hot().sum(-1), torch.ones(5, 4))


def test_hangul_words_and_decomposed_jamo():
    decomposed = "\u1100\u1161\u11ab\u1100\u1161"  # 간가 typed as separate jamo
    ds = make_char_dataset("사과나무 바나나 " + decomposed)
    assert "간" in ds.vocab and "가" in ds.vocab
    assert ds.targets == ["무", "나", "가"]


def test_padding_and_lengths_for_packing():
    ds = make_char_dataset("ab abcd abc", mode="next")
    assert ds.lengths.tolist() == [1, 3, 2]
    assert ds.x.shape == (3, 3)
    assert ds.y[0].tolist() == [ds.index["b"], IGNORE_INDEX, IGNORE_INDEX]
    assert ds.one_hot()[0, 1:].abs().sum() == 0, "padding must be all zeros"


@pytest.mark.parametrize("text,message", [("", "Type a few words"), ("hello a bc", "'a' has one")])
def test_bad_text(text, message):
    with pytest.raises(DataError, match=message):
        make_char_dataset(text)


def test_unknown_letters_are_named():
    ds = make_char_dataset("hello")
    with pytest.raises(DataError, match="'z'"):
        ds.encode("hez")

"""Characters as a sequence task: typed words -> vocabulary, indices, one-hot, padding.

Two modes, as in the classic tutorials:
    "last"  each word's letters but the last are the input, the last letter is the target
            ("hell" -> "o"): many-to-one
    "next"  at every step the target is the following letter ("hell" -> "ello"): many-to-many
Words of different lengths are padded (index 0) with their true lengths kept, so a model can
pack them (torch.nn.utils.rnn.pack_padded_sequence) and never read the padding. Text is
NFC-normalised, so Hangul typed as separate jamo becomes the same syllables as typed whole.
Shapes: N words, L steps (longest input), V vocabulary.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import torch
from torch import Tensor

from ..limits import Limits
from .tables import DataError

__all__ = ["CharDataset", "make_char_dataset", "IGNORE_INDEX", "packing_view"]

IGNORE_INDEX = -100  # padded "next" targets; torch's cross_entropy skips them


@dataclass
class CharDataset:
    words: list[str]
    vocab: list[str]  # index -> character, sorted
    mode: str  # "last" or "next"
    x: Tensor  # (N, L) int64 character indices, padded with 0
    y: Tensor  # (N,) for "last"; (N, L) for "next", padded with IGNORE_INDEX
    lengths: Tensor  # (N,) real input steps per word

    @property
    def inputs(self) -> list[str]:
        """What each word feeds the model ("hell" for "hello")."""
        return [w[:-1] for w in self.words]

    @property
    def targets(self) -> list[str]:
        """What each word should produce ("o" in last mode, "ello" in next mode)."""
        return [w[-1] if self.mode == "last" else w[1:] for w in self.words]

    @property
    def index(self) -> dict[str, int]:
        return {ch: i for i, ch in enumerate(self.vocab)}

    def one_hot(self) -> Tensor:
        """(N, L, V) float one-hot inputs; padded steps are all zeros."""
        oh = torch.nn.functional.one_hot(self.x, len(self.vocab)).float()
        steps = torch.arange(self.x.shape[1])[None, :]  # (1, L)
        return oh * (steps < self.lengths[:, None]).unsqueeze(-1).float()

    def encode(self, text: str) -> Tensor:
        """Characters -> (len,) indices; a character outside the vocabulary raises DataError."""
        text = unicodedata.normalize("NFC", text)
        idx = self.index
        unknown = sorted({ch for ch in text if ch not in idx})
        if unknown:
            raise DataError(
                f"The model never saw {', '.join(repr(u) for u in unknown)}. "
                f"Use only these letters: {''.join(self.vocab)}"
            )
        return torch.tensor([idx[ch] for ch in text], dtype=torch.long)

    def decode(self, indices) -> str:
        return "".join(self.vocab[int(i)] for i in indices)


def make_char_dataset(
    text: str,
    mode: str = "last",
    max_words: int = Limits.words,
    max_length: int = Limits.word_letters,
    max_vocabulary: int = Limits.vocabulary,
) -> CharDataset:
    """Words separated by spaces or new lines -> a padded index dataset.

    >>> ds = make_char_dataset("hello apple lobby daddy bobby")
    >>> len(ds.vocab), tuple(ds.one_hot().shape), ds.inputs[0], ds.targets[0]
    (9, (5, 4, 9), 'hell', 'o')
    """
    if mode not in ("last", "next"):
        raise DataError(f"mode must be 'last' or 'next' (got {mode!r})")
    words = unicodedata.normalize("NFC", text).split()
    if not words:
        raise DataError("Type a few words, separated by spaces (for example: hello apple lobby).")
    if len(words) > max_words:
        raise DataError(
            f"{len(words)} words is more than the limit of {max_words}. Use fewer words."
        )
    short = [w for w in words if len(w) < 2]
    if short:
        raise DataError(
            f"Every word needs at least two letters (one to read, one to predict); "
            f"'{short[0]}' has one. Remove it or make it longer."
        )
    long = [w for w in words if len(w) > max_length]
    if long:
        raise DataError(
            f"'{long[0][:20]}...' is {len(long[0])} letters; the limit is {max_length}."
        )
    vocab = sorted({ch for w in words for ch in w})
    if len(vocab) > max_vocabulary:
        raise DataError(
            f"These words use {len(vocab):,} different letters; the limit is {max_vocabulary:,}. "
            "Use fewer words or fewer different letters."
        )
    idx = {ch: i for i, ch in enumerate(vocab)}
    lengths = torch.tensor([len(w) - 1 for w in words], dtype=torch.long)  # (N,)
    steps = int(lengths.max())
    x = torch.zeros(len(words), steps, dtype=torch.long)  # (N, L)
    if mode == "last":
        y = torch.tensor([idx[w[-1]] for w in words], dtype=torch.long)  # (N,)
    else:
        y = torch.full((len(words), steps), IGNORE_INDEX, dtype=torch.long)  # (N, L)
    for i, w in enumerate(words):
        x[i, : len(w) - 1] = torch.tensor([idx[ch] for ch in w[:-1]])
        if mode == "next":
            y[i, : len(w) - 1] = torch.tensor([idx[ch] for ch in w[1:]])
    return CharDataset(words=words, vocab=vocab, mode=mode, x=x, y=y, lengths=lengths)


def packing_view(ds: CharDataset) -> dict:
    """What torch.nn.utils.rnn.pack_padded_sequence does with these words, computed by torch itself:
    the order it sorts them into (longest first), how many words are still running at each step
    (batch_sizes), and the letters in the packed order the RNN reads them."""
    from torch.nn.utils.rnn import pack_padded_sequence

    packed = pack_padded_sequence(
        ds.x.unsqueeze(-1), ds.lengths, batch_first=True, enforce_sorted=False
    )
    order = packed.sorted_indices.tolist()
    batch_sizes = packed.batch_sizes.tolist()
    letters = [ds.vocab[int(i)] for i in packed.data[:, 0]]
    steps, start = [], 0
    for t, size in enumerate(batch_sizes):
        steps.append(
            {
                "step": t,
                "words running": size,
                "letters read": " ".join(letters[start : start + size]),
                "from words": " ".join(ds.words[order[k]] for k in range(size)),
            }
        )
        start += size
    return {
        "sorted_words": [ds.words[i] for i in order],
        "batch_sizes": batch_sizes,
        "steps": steps,
    }

"""Encoder-decoder (seq2seq): typed source -> target pairs, teacher forcing, greedy decoding.

The encoder (fused GRU or LSTM) reads the source; its final state, the context, starts the
decoder, which writes the target one token at a time from SOS until EOS. While training, each
decoder step is fed either the true previous token (teacher forcing, with probability
`teacher_forcing`) or the model's own previous guess. Without a target the model decodes greedily.
With `attention`, each decoder step also scores every encoder state by its dot product with the
decoder's output (Luong), mixes the states by the softmax of those scores, and reads out
tanh(W [output; mixture]); the weights show where it looked.

Trains with train.fit like every model: `batch_loss` passes the batch's targets to forward, where
teacher forcing reads them.
Shapes: N pairs, S source steps, T target steps (EOS included), V vocabulary, H hidden units.
"""

from __future__ import annotations

import random
import re
from dataclasses import asdict, dataclass

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence

from .data.tables import DataError
from .data.text import IGNORE_INDEX
from .limits import Limits
from .models import target_loss, target_metrics
from .train import TrainData

__all__ = [
    "PAD",
    "SOS",
    "EOS",
    "PairDataset",
    "make_pair_dataset",
    "Seq2SeqConfig",
    "Seq2Seq",
    "pair_train_data",
    "translate",
    "decode_steps",
    "encoder_states",
    "DEFAULT_PAIRS",
]

PAD, SOS, EOS = "<pad>", "<sos>", "<eos>"
_SPECIALS = [PAD, SOS, EOS]
_SEPARATOR = re.compile(r"\s*(?:->|→|=>|\t)\s*")

DEFAULT_PAIRS = {
    "English → Korean (words)": (
        "i am a student -> 나는 학생 이다\n"
        "i am hungry -> 나는 배고프다\n"
        "you are a teacher -> 너는 선생님 이다\n"
        "he is tall -> 그는 키가 크다\n"
        "she is happy -> 그녀는 행복하다\n"
        "we are friends -> 우리는 친구 이다\n"
        "i like apples -> 나는 사과를 좋아한다\n"
        "you like music -> 너는 음악을 좋아한다",
        "word",
    ),
    "Reverse the letters": (
        "abc -> cba\nhello -> olleh\nrnn -> nnr\nworld -> dlrow\nlstm -> mtsl\ngate -> etag\n"
        "state -> etats\n"
        "model -> ledom",
        "char",
    ),
    "Dates: 2024-03-15 → 15 mar 2024": (
        "2024-03-15 -> 15 mar 2024\n1999-12-31 -> 31 dec 1999\n2001-07-04 -> 04 jul 2001\n"
        "2010-01-20 -> 20 jan 2010\n1987-05-09 -> 09 may 1987\n2022-11-02 -> 02 nov 2022",
        "char",
    ),
}


@dataclass
class PairDataset:
    """Source/target pairs as padded index tensors over one shared vocabulary."""

    sources: list[list[str]]  # tokens of each source
    targets: list[list[str]]  # tokens of each target (without EOS)
    level: str  # "word" or "char"
    vocab: list[str]  # index -> token; 0, 1, 2 are PAD, SOS, EOS
    x: Tensor  # (N, S) int64 source indices, PAD after the end
    lengths: Tensor  # (N,) real source lengths
    y: Tensor  # (N, T) int64 target indices then EOS, IGNORE_INDEX after it

    @property
    def index(self) -> dict[str, int]:
        return {tok: i for i, tok in enumerate(self.vocab)}

    def join(self, tokens: list[str]) -> str:
        return (" " if self.level == "word" else "").join(tokens)

    def encode_source(self, text: str) -> tuple[Tensor, Tensor]:
        """One typed source as (1, S') indices and its length; unknown tokens raise DataError."""
        tokens = _tokens(text, self.level)
        unknown = sorted({t for t in tokens if t not in self.index})
        if not tokens:
            raise DataError("Type something to translate.")
        if unknown:
            raise DataError(
                f"{', '.join(repr(t) for t in unknown[:5])} never appear in the training pairs, so "
                "the model has no number for them. Use tokens from the pairs."
            )
        idx = torch.tensor([[self.index[t] for t in tokens]])
        return idx, torch.tensor([len(tokens)])


def _tokens(text: str, level: str) -> list[str]:
    text = text.strip()
    return text.split() if level == "word" else list(text)


def make_pair_dataset(
    text: str,
    level: str = "word",
    max_pairs: int = Limits.pairs,
    max_tokens: int = Limits.pair_tokens,
    max_vocabulary: int = Limits.vocabulary,
) -> PairDataset:
    """Pairs typed one per line as `source -> target` (also `→`, `=>` or a tab)."""
    if level not in ("word", "char"):
        raise DataError(f"level must be 'word' or 'char' (got {level!r})")
    sources, targets = [], []
    for n, line in enumerate(str(text).splitlines(), start=1):
        if not line.strip():
            continue
        parts = _SEPARATOR.split(line.strip(), maxsplit=1)
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise DataError(
                f"Line {n} ('{line.strip()[:40]}') is not a pair. Write each pair on its own line "
                "as: source -> target"
            )
        src, tgt = _tokens(parts[0], level), _tokens(parts[1], level)
        for name, tokens in (("source", src), ("target", tgt)):
            if len(tokens) > max_tokens:
                raise DataError(
                    f"Line {n}: the {name} has {len(tokens)} {level}s; the limit is {max_tokens}. "
                    "Shorten it."
                )
        sources.append(src)
        targets.append(tgt)
    if not sources:
        raise DataError("Type at least one pair, one per line, as: source -> target")
    if len(sources) > max_pairs:
        raise DataError(f"{len(sources)} pairs; the limit is {max_pairs}. Remove some lines.")
    vocab = _SPECIALS + sorted({t for seq in sources + targets for t in seq} - set(_SPECIALS))
    if len(vocab) > max_vocabulary:
        raise DataError(
            f"These pairs use {len(vocab):,} different {level}s; the limit is {max_vocabulary:,}. "
            "Use fewer pairs."
        )
    index = {tok: i for i, tok in enumerate(vocab)}
    n, s, t = len(sources), max(map(len, sources)), max(map(len, targets)) + 1
    x = torch.zeros(n, s, dtype=torch.long)  # PAD = 0
    y = torch.full((n, t), IGNORE_INDEX, dtype=torch.long)
    for i, (src, tgt) in enumerate(zip(sources, targets)):
        x[i, : len(src)] = torch.tensor([index[w] for w in src])
        y[i, : len(tgt) + 1] = torch.tensor([index[w] for w in tgt] + [index[EOS]])
    return PairDataset(sources, targets, level, vocab, x, torch.tensor(list(map(len, sources))), y)


@dataclass
class Seq2SeqConfig:
    cell: str = "gru"  # "gru" or "lstm"
    vocab_size: int = 3
    embedding_dim: int = 16
    hidden_size: int = 32
    num_layers: int = 1
    max_target_len: int = 10  # decoder steps when decoding without a target (EOS included)
    teacher_forcing: float = 1.0  # probability of feeding the true previous token while training
    # dot-product (Luong) attention over the encoder's states at every decoder step
    attention: bool = False

    def __post_init__(self):
        if self.cell not in ("gru", "lstm"):
            raise ValueError(f"the seq2seq cell must be gru or lstm (got {self.cell!r})")
        if not 0.0 <= float(self.teacher_forcing) <= 1.0:
            raise ValueError(
                f"the teacher-forcing ratio must be between 0 and 1 (got {self.teacher_forcing})"
            )

    def to_dict(self) -> dict:
        return asdict(self)


class Seq2Seq(nn.Module):
    """GRU/LSTM encoder -> context -> GRU/LSTM decoder (optionally attending to every encoder state)
    with a linear read-out over the vocabulary.

    >>> ds = make_pair_dataset("ab -> ba\\nba -> ab", level="char")
    >>> m = Seq2Seq(Seq2SeqConfig(vocab_size=len(ds.vocab), max_target_len=3), seed=0)
    >>> tuple(m(ds.x, ds.lengths).shape)   # greedy: (pairs, steps, vocabulary)
    (2, 3, 5)
    """

    def __init__(self, config: Seq2SeqConfig, seed: int | None = None):
        super().__init__()
        self.config = c = config
        module = nn.GRU if c.cell == "gru" else nn.LSTM
        self.src_embedding = nn.Embedding(c.vocab_size, c.embedding_dim)
        self.tgt_embedding = nn.Embedding(c.vocab_size, c.embedding_dim)
        self.encoder = module(c.embedding_dim, c.hidden_size, c.num_layers, batch_first=True)
        self.decoder = module(c.embedding_dim, c.hidden_size, c.num_layers, batch_first=True)
        self.head = nn.Linear(c.hidden_size, c.vocab_size)
        # attention: [decoder output; attended encoder states] -> tanh(combine) -> head
        self.combine = nn.Linear(2 * c.hidden_size, c.hidden_size) if c.attention else None
        self._coin = random.Random(0 if seed is None else int(seed))  # teacher-forcing draws
        if seed is not None:
            g = torch.Generator().manual_seed(int(seed))
            k = 1.0 / c.hidden_size**0.5
            with torch.no_grad():
                for (
                    name,
                    p,
                ) in self.named_parameters():  # torch's defaults, from a private generator
                    if "embedding" in name:
                        p.copy_(torch.randn(p.shape, generator=g))
                    else:
                        p.copy_(torch.rand(p.shape, generator=g) * 2 * k - k)

    def parameter_count(self) -> int:
        return sum(p.numel() for p in self.parameters())

    # -- what training asks of a model (train.fit) --
    def batch_loss(
        self, x: Tensor, y: Tensor, lengths: Tensor | None = None
    ) -> tuple[Tensor, Tensor]:
        """(the batch's mean cross-entropy over real target tokens, scores (N, T, V)). The targets y
        (N, T) drive the decoder: teacher forcing while training, T greedy steps in eval mode."""
        scores = self(x, lengths, target=y)  # (N, T, V)
        return target_loss(scores, y), scores

    def metrics(self, output: Tensor, y: Tensor) -> dict[str, Tensor | int]:
        """Right tokens among the real target tokens (EOS in, padding out): `target_metrics`."""
        return target_metrics(output, y)

    def encode(self, x: Tensor, lengths: Tensor | None = None):
        """(encoder outputs (N, S, H), context: final state h (layers, N, H), (h, c) for LSTM)."""
        emb = self.src_embedding(x.long())
        if lengths is None:
            return self.encoder(emb)
        packed = pack_padded_sequence(emb, lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, context = self.encoder(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
        return out, context

    def decode_step(self, token: Tensor, state, memory: tuple[Tensor, Tensor] | None = None):
        """One decoder step: previous token (N,) and state -> (scores (N, V), new state, attention
        weights (N, S) or None). `memory` is (encoder outputs (N, S, H), mask (N, S) of real
        tokens), needed with attention."""
        out, state = self.decoder(self.tgt_embedding(token).unsqueeze(1), state)
        o = out[:, 0]  # (N, H)
        if self.combine is None:
            return self.head(o), state, None
        enc, mask = memory
        # dot products (N, S)
        scores = torch.einsum("nsh,nh->ns", enc, o).masked_fill(~mask, float("-inf"))
        weights = torch.softmax(scores, dim=-1)  # (N, S), 0 on padding
        attended = torch.einsum("ns,nsh->nh", weights, enc)  # (N, H)
        return self.head(torch.tanh(self.combine(torch.cat([o, attended], dim=-1)))), state, weights

    def memory(self, x: Tensor, lengths: Tensor | None, enc: Tensor) -> tuple[Tensor, Tensor]:
        steps = torch.arange(x.shape[1], device=x.device)
        n = (
            lengths.to(x.device)
            if lengths is not None
            else torch.full((x.shape[0],), x.shape[1], device=x.device)
        )
        return enc, steps[None, :] < n[:, None]  # (N, S, H), (N, S)

    def forward(
        self, x: Tensor, lengths: Tensor | None = None, target: Tensor | None = None
    ) -> Tensor:
        """Scores (N, T, V). With `target` (training) each step is teacher-forced with probability
        config.teacher_forcing; without, every step is fed the previous step's argmax (greedy)."""
        enc, state = self.encode(x, lengths)
        memory = self.memory(x, lengths, enc) if self.combine is not None else None
        steps = target.shape[1] if target is not None else self.config.max_target_len
        token = torch.full((x.shape[0],), _SPECIALS.index(SOS), dtype=torch.long, device=x.device)
        scores = []
        for t in range(steps):
            logits, state, _ = self.decode_step(token, state, memory)
            scores.append(logits)
            token = logits.argmax(-1)
            if (
                target is not None
                and self.training
                and self._coin.random() < self.config.teacher_forcing
            ):
                true = target[:, t]
                # PAD after EOS
                token = torch.where(true == IGNORE_INDEX, torch.zeros_like(true), true)
        return torch.stack(scores, dim=1)


def pair_train_data(ds: PairDataset) -> TrainData:
    return TrainData(x=ds.x, y=ds.y, lengths=ds.lengths, task="classification")


def _until_eos(ds: PairDataset, indices) -> list[str]:
    out = []
    for i in indices:
        tok = ds.vocab[int(i)]
        if tok == EOS:
            break
        out.append(tok)
    return out


@torch.no_grad()
def translate(
    model: Seq2Seq, ds: PairDataset, x: Tensor | None = None, lengths: Tensor | None = None
) -> list[str]:
    """Greedy outputs as text, cut at EOS (every training source by default)."""
    model.eval()
    x = ds.x if x is None else x
    lengths = ds.lengths if lengths is None else lengths
    scores = model(x, lengths)  # (N, T, V)
    return [ds.join(_until_eos(ds, row)) for row in scores.argmax(-1)]


@torch.no_grad()
def encoder_states(model: Seq2Seq, ds: PairDataset, i: int) -> tuple[Tensor, Tensor]:
    """Pair i's encoder: (top-layer state after each source token (S_i, H), context h (H,))."""
    model.eval()
    n = int(ds.lengths[i])
    out, context = model.encode(ds.x[i : i + 1, :n])
    h = context[0] if isinstance(context, tuple) else context
    return out[0], h[-1, 0]


@torch.no_grad()
def decode_steps(model: Seq2Seq, ds: PairDataset, i: int, teacher: bool, k: int = 3) -> list[dict]:
    """Pair i decoded step by step: what each step was fed, its top-k guesses, the truth, and (with
    attention) the weight on each source token. teacher=True feeds the true previous token (as in
    teacher forcing), False the model's own."""
    model.eval()
    n = int(ds.lengths[i])
    x = ds.x[i : i + 1, :n]
    enc, state = model.encode(x)
    memory = model.memory(x, None, enc) if model.combine is not None else None
    truth = ds.targets[i] + [EOS]
    token = torch.tensor([_SPECIALS.index(SOS)])
    rows = []
    steps = len(truth) if teacher else model.config.max_target_len
    for t in range(steps):
        logits, state, weights = model.decode_step(token, state, memory)
        probs = torch.softmax(logits[0], -1)
        top = torch.topk(probs, k=min(k, len(ds.vocab)))
        guess = ds.vocab[int(top.indices[0])]
        rows.append(
            {
                "step": t,
                "fed": ds.vocab[int(token[0])],
                "output": guess,
                "top": [(ds.vocab[int(j)], float(p)) for j, p in zip(top.indices, top.values)],
                "truth": truth[t] if t < len(truth) else "",
                "attention": weights[0].tolist() if weights is not None else None,
            }
        )
        token = torch.tensor([ds.index[truth[t]]]) if teacher else top.indices[:1]
        if not teacher and guess == EOS:
            break
    return rows

"""Saving and loading models: safetensors weights with the JSON config inside, never pickle.

A checkpoint is one .safetensors file whose metadata holds the ModelConfig (and anything else
the caller wants to keep, such as the scalers and column names) as JSON. `save` to a folder also
writes config.json beside it for people to read. A file from anyone is untrusted, so `from_bytes`
reads it in this order, and refuses it with one CheckpointError at the first step it fails:
  1. the header, parsed here: each tensor's dtype, shape and byte range, within the file and
     consistent with dtype x shape, so the tensors cannot claim more memory than the file holds;
  2. the config: every field of the right type and within this server's Limits (ModelConfig);
  3. the tensors' names and shapes against the config's, by arithmetic (models.state_shapes);
  4. only then the tensors themselves, which must be finite, and the model built from the config.
Memory stays proportional to the file, and nothing the file claims is allocated before it is
checked.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import torch
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save

from .errors import UserError
from .limits import Limits
from .models import ModelConfig, SequenceModel, state_shapes

__all__ = ["CheckpointError", "to_bytes", "from_bytes", "save", "load"]

WEIGHTS_NAME = "model.safetensors"
MAX_HEADER_BYTES = 1024 * 1024  # an rnnviz header (names, shapes, config, scalers) is a few KB
_DTYPE_BYTES = {"F16": 2, "BF16": 2, "F32": 4, "F64": 8}  # float weights only
_NOT_SAFETENSORS = "This is not a safetensors file. Upload a model saved by rnnviz (.safetensors)."
_NOT_RNNVIZ = "This safetensors file was not saved by rnnviz: it has no model settings."


class CheckpointError(UserError):
    """A checkpoint that cannot be loaded, with the reason in words."""


def to_bytes(model: SequenceModel, extra: dict | None = None) -> bytes:
    """The model as safetensors bytes, config and `extra` (JSON-able) in the metadata."""
    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    meta = {
        "format": "rnnviz",
        "config": json.dumps(model.config.to_dict()),
        "extra": json.dumps(extra or {}),
    }
    return st_save(tensors, metadata=meta)


# -- step 1: the header, read without loading any tensor -------------------------------------------
def _header(data: bytes) -> tuple[dict[str, dict], dict]:
    """(tensor entries by name, metadata) from the safetensors header, every entry checked."""
    if len(data) < 8:
        raise CheckpointError("This is not a safetensors file (it is too short).")
    n = int.from_bytes(data[:8], "little")
    if n <= 0 or n > len(data) - 8:
        raise CheckpointError(_NOT_SAFETENSORS)
    if n > MAX_HEADER_BYTES:
        raise CheckpointError(
            f"The model file's header is {n:,} bytes; a model saved by rnnviz has a header of a "
            f"few KB, and at most {MAX_HEADER_BYTES:,} bytes are read."
        )
    header = _json(data[8 : 8 + n], _NOT_SAFETENSORS)
    if not isinstance(header, dict):
        raise CheckpointError(_NOT_SAFETENSORS)
    meta = header.pop("__metadata__", None) or {}
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        raise CheckpointError(
            "The model file's metadata is not a set of texts, as safetensors requires."
        )
    for name, entry in header.items():
        _check_entry(name, entry)
    _check_layout(header, len(data) - 8 - n)
    return header, meta


def _json(text: bytes | str, problem: str):
    """json.loads; any failure (bad bytes or syntax, too deep, huge numbers) -> `problem`."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise CheckpointError(problem) from None


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_entry(name: str, entry) -> None:
    """One tensor's dtype, shape and byte range, as plain values that agree with each other."""
    shown = name[:40]
    if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
        raise CheckpointError(f"The model file's entry for '{shown}' is not a tensor description.")
    dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
    if not isinstance(dtype, str):  # a list here is not even hashable
        raise CheckpointError(f"Tensor '{shown}' has no valid value type.")
    if dtype not in _DTYPE_BYTES:
        raise CheckpointError(
            f"Tensor '{shown}' holds {dtype[:20]!r} values; a model's weights are floating "
            f"point ({', '.join(_DTYPE_BYTES)})."
        )
    if not isinstance(shape, list) or len(shape) > 8 or not all(_is_count(d) for d in shape):
        raise CheckpointError(f"Tensor '{shown}' has no valid shape.")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(_is_count(o) for o in offsets)):
        raise CheckpointError(f"Tensor '{shown}' has no valid position in the file.")
    if offsets[1] - offsets[0] != math.prod(shape) * _DTYPE_BYTES[dtype]:
        raise CheckpointError(
            f"Tensor '{shown}' claims shape {tuple(shape)} but the file holds "
            f"{max(offsets[1] - offsets[0], 0):,} bytes for it."
        )


def _check_layout(entries: dict[str, dict], buffer_bytes: int) -> None:
    """The tensors' byte ranges tile the data after the header exactly, as safetensors requires."""
    end = 0
    for entry in sorted(entries.values(), key=lambda e: e["data_offsets"]):
        if entry["data_offsets"][0] != end:
            raise CheckpointError("The model file's tensors overlap or leave gaps: it is damaged.")
        end = entry["data_offsets"][1]
    if end != buffer_bytes:
        raise CheckpointError(
            f"The model file holds {buffer_bytes:,} bytes of weights where its header describes "
            f"{end:,}: it is damaged or cut short."
        )


# -- step 2: the config, within this server's limits -----------------------------------------------
def _config(meta: dict, config: dict | None) -> tuple[ModelConfig, dict]:
    """(ModelConfig, extra) from the metadata (or `config`, which overrides the saved one)."""
    if config is None:
        if "config" not in meta:
            raise CheckpointError(_NOT_RNNVIZ)
        config = _json(meta["config"], "The saved model settings are not valid JSON.")
    extra = _json(meta.get("extra", "{}"), "The saved extra settings are not valid JSON.")
    if not isinstance(extra, dict):
        raise CheckpointError("The saved extra settings are not a set of named values.")
    if isinstance(config, dict):
        missing = [name for name in ModelConfig().to_dict() if name not in config]
        if missing:
            raise CheckpointError(f"The saved model settings lack {', '.join(missing)}.")
    try:
        return ModelConfig.from_dict(config), extra
    except (TypeError, ValueError) as e:
        raise CheckpointError(f"The saved model settings are invalid: {e}.") from None


# -- step 3: names and shapes against the config ---------------------------------------------------
def _check_shapes(entries: dict[str, dict], config: ModelConfig) -> None:
    expected = state_shapes(config)
    got = {k: tuple(e["shape"]) for k, e in entries.items()}
    missing, extra_keys = (
        sorted(set(expected) - set(got)),
        sorted(k[:40] for k in set(got) - set(expected)),
    )
    if missing or extra_keys:
        parts = []
        if missing:
            parts.append("missing " + ", ".join(missing[:5]))
        if extra_keys:
            parts.append("unexpected " + ", ".join(extra_keys[:5]))
        raise CheckpointError("The weights do not belong to this model (" + "; ".join(parts) + ").")
    wrong = [f"{k} is {got[k]}, expected {expected[k]}" for k in expected if got[k] != expected[k]]
    if wrong:
        raise CheckpointError(
            "The weights have the wrong shapes: "
            + "; ".join(wrong[:5])
            + ". The saved settings describe another model."
        )


# -- step 4: the tensors, finite, into a model -----------------------------------------------------
def _weights(data: bytes) -> dict[str, torch.Tensor]:
    try:
        tensors = st_load(data)
    except Exception as e:  # safetensors raises several error types on bad bytes
        raise CheckpointError(f"The weights could not be read: {e}") from None
    for name, tensor in tensors.items():
        bad = int((~torch.isfinite(tensor)).sum())
        if bad:
            raise CheckpointError(
                f"The weights hold {bad} value(s) that are not numbers (NaN or infinity), in "
                f"{name}; a model like this cannot predict. "
                "Save it again from a run that did not diverge."
            )
    return tensors


def _check_size(size: int) -> None:
    """Refuse a file above Limits.checkpoint_mb (RNNVIZ_CHECKPOINT_MB) before reading it."""
    limit = Limits.from_env().checkpoint_mb
    if size > limit * 2**20:
        raise CheckpointError(f"The model file is larger than {limit} MB.")


def from_bytes(data: bytes, config: dict | None = None) -> tuple[SequenceModel, dict]:
    """(model, extra) from safetensors bytes; `config` overrides the config in the metadata.
    Anything wrong with the file raises CheckpointError, before anything it describes is
    allocated."""
    _check_size(len(data))
    entries, meta = _header(data)  # 1.
    model_config, extra = _config(meta, config)  # 2.
    _check_shapes(entries, model_config)  # 3.
    tensors = _weights(data)  # 4.
    model = SequenceModel(model_config)
    model.load_state_dict({k: v.float() for k, v in tensors.items()})
    model.eval()
    return model, extra


def save(model: SequenceModel, folder: str | os.PathLike, extra: dict | None = None) -> Path:
    """Write model.safetensors and config.json into `folder`. Returns the weights' path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / WEIGHTS_NAME
    path.write_bytes(to_bytes(model, extra))
    (folder / "config.json").write_text(
        json.dumps(
            {"model": model.config.to_dict(), "extra": extra or {}}, indent=2, ensure_ascii=False
        )
    )
    return path


def load(source: str | os.PathLike | bytes) -> tuple[SequenceModel, dict]:
    """Load from a folder written by `save`, a .safetensors file, or its bytes."""
    if isinstance(source, (bytes, bytearray)):
        return from_bytes(bytes(source))
    path = Path(source)
    if path.is_dir():
        path = path / WEIGHTS_NAME
    if not path.exists():
        raise CheckpointError(f"There is no model file at {path}.")
    _check_size(path.stat().st_size)  # before reading it
    return from_bytes(path.read_bytes())

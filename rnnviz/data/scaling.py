"""One scaler for every page: min-max, standard or none, fit on the training rows only.

The scaler keeps its parameters per column so that `inverse` brings predictions back to the
data's own units exactly (up to float rounding). A constant column gets a scale of 1 instead of
a division by zero. Shapes: T rows, F columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Scaler"]


@dataclass
class Scaler:
    """x_scaled = (x - shift) / scale, per column.

    >>> s = Scaler.fit(np.array([[0.0], [10.0]]), "minmax")
    >>> s.transform(np.array([[5.0]])).item(), s.inverse(np.array([[0.5]])).item()
    (0.5, 5.0)
    """

    kind: str  # "minmax", "standard" or "none"
    shift: np.ndarray  # (F,)
    scale: np.ndarray  # (F,)

    @classmethod
    def fit(cls, train: np.ndarray, kind: str = "minmax") -> "Scaler":
        """Fit on training rows only (T_train, F)."""
        train = np.asarray(train, dtype=np.float64)
        if train.ndim == 1:
            train = train[:, None]
        f = train.shape[1]
        if kind == "none":
            return cls(kind, np.zeros(f), np.ones(f))
        if kind == "minmax":
            shift, scale = train.min(axis=0), train.max(axis=0) - train.min(axis=0)
        elif kind == "standard":
            shift, scale = train.mean(axis=0), train.std(axis=0)
        else:
            raise ValueError(f"scaler must be minmax, standard or none (got {kind!r})")
        scale = np.where(scale > 0, scale, 1.0)
        return cls(kind, shift, scale)

    def transform(self, x: np.ndarray) -> np.ndarray:
        return (np.asarray(x, dtype=np.float64) - self.shift) / self.scale

    def inverse(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(x, dtype=np.float64) * self.scale + self.shift

    def column(self, j: int) -> "Scaler":
        """The scaler of one column (for the target)."""
        return Scaler(self.kind, self.shift[j : j + 1], self.scale[j : j + 1])

    def to_dict(self) -> dict:
        return {"kind": self.kind, "shift": self.shift.tolist(), "scale": self.scale.tolist()}

    @classmethod
    def from_dict(cls, d: dict) -> "Scaler":
        return cls(
            d["kind"],
            np.asarray(d["shift"], dtype=np.float64),
            np.asarray(d["scale"], dtype=np.float64),
        )

"""Reading a user's CSV: defensive parsing with messages a person can act on.

`read_csv` accepts a path, bytes or a file object and returns a pandas DataFrame whose numeric
columns are floats, whose date column (if any) has become a sorted DatetimeIndex, and whose
`.attrs` say what was found along the way:

    attrs["notes"]        list of plain sentences: what was detected, sorted, left out, filled
    attrs["problems"]     column -> why it cannot be used as a number (text, bad cells, missing)
    attrs["date_column"]  the name of the date column, or None
    attrs["encoding"], attrs["delimiter"]

Anything that makes the file unusable raises `DataError` with the row ("line" = line of the file,
the header being line 1) and column at fault and what to do. Building windows and splits from
the table is datasets.py's job.
"""
from __future__ import annotations

import codecs
import csv
import io
import math
import os
import re

import numpy as np
import pandas as pd

__all__ = ["DataError", "read_csv", "numeric_columns", "MAX_UPLOAD_BYTES"]

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # the default cap on a file's size
_EXTRA_NA = ["-", "--", "?", "missing", "Missing", "MISSING"]  # besides pandas' own NA spellings
_NA_TOKENS = {"", "na", "n/a", "nan", "null", "none", "-", "--", "?", "#n/a", "missing"}
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")  # 2,345.67
_EU_NUMBER = re.compile(r"^[+-]?\d{1,3}(\.\d{3})*,\d+$|^[+-]?\d+,\d+$")  # 2.345,67 or 12,5
_DATE_NAMES = re.compile(r"date|time|day|month|year|period|일자|날짜|日付|日期|datum|fecha", re.I)
_DATE_FORMATS = [  # (format, is day-first)
    ("%Y-%m-%d", False), ("%Y/%m/%d", False), ("%Y.%m.%d", False), ("%Y%m%d", False),
    ("%Y-%m-%d %H:%M:%S", False), ("%Y/%m/%d %H:%M:%S", False), ("%Y-%m-%dT%H:%M:%S", False),
    ("%Y-%m-%d %H:%M", False), ("%Y-%m", False),
    ("%d.%m.%Y", True), ("%d/%m/%Y", True), ("%d-%m-%Y", True),
    ("%m/%d/%Y", False), ("%m-%d-%Y", False), ("%b %d %Y", False), ("%d %b %Y", True),
]


_AMBIGUOUS = {"%d/%m/%Y", "%m/%d/%Y", "%d-%m-%Y", "%m-%d-%Y"}  # 03/04/2024: March or April?
_ISO_FORMATS = {"%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m"}


class DataError(ValueError):
    """A problem with the user's data, phrased for the user: what, where, and what to do."""


def _read_bytes(source, max_bytes: int) -> tuple[bytes, str]:
    """Bytes of the file and a name to talk about it."""
    if isinstance(source, (bytes, bytearray)):
        data, name = bytes(source), "the file"
    elif isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if not os.path.exists(path):
            raise DataError(f"There is no file at {path}. Check the path and try again.")
        size = os.path.getsize(path)
        if size > max_bytes:
            raise DataError(_too_big(size, max_bytes))
        with open(path, "rb") as f:
            data = f.read()
        name = os.path.basename(path)
    elif hasattr(source, "read"):
        data = source.read(max_bytes + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
        name = getattr(source, "name", "the file")
    else:
        raise DataError("Give a path, bytes or an open file.")
    if len(data) > max_bytes:
        raise DataError(_too_big(len(data), max_bytes))
    return data, str(name)


def _too_big(size: int, limit: int) -> str:
    return (f"The file is {size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB. "
            "Use fewer rows (for example one per day instead of one per minute) and upload again.")


def _detect_encoding(data: bytes) -> tuple[str, str]:
    """(encoding, the first 64 KB as text): UTF-8 (with or without BOM), then Korean Excel (cp949).
    Only the head is decoded here; pandas decodes the rest, and a later bad byte is caught there."""
    head = data[:65536]
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "cp949"]
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            return encoding, decoder.decode(head, final=len(head) == len(data))
        except UnicodeDecodeError:
            continue
    raise DataError(_ENCODING_HELP)


_ENCODING_HELP = ("This file is not text in UTF-8 or Korean Excel (cp949/EUC-KR) encoding. "
                  "Save it from your spreadsheet as 'CSV UTF-8' and upload again.")


def _parse_table(data: bytes, encoding: str, delimiter: str) -> tuple[pd.DataFrame, str]:
    """pandas' C parser on the bytes; a file whose later bytes are not UTF-8 is retried as cp949."""
    tries = [encoding] + (["cp949"] if encoding == "utf-8" else [])
    for enc in tries:
        try:
            raw = pd.read_csv(io.BytesIO(data), sep=delimiter, encoding=enc, skip_blank_lines=True, engine="c",
                              na_values=_EXTRA_NA)  # (skipinitialspace costs 15%: cells are stripped later)
            return raw, enc
        except UnicodeDecodeError:
            continue
    raise DataError(_ENCODING_HELP)


def _looks_binary(data: bytes) -> bool:
    head = data[:4096]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return len(head) > 0 and control / len(head) > 0.05


def _sniff_delimiter(text: str) -> str:
    """`,` `;` or tab: the one that splits the first lines into the same number (>1) of fields."""
    lines = [ln for ln in text[:65536].splitlines()[:50] if ln.strip()]
    best, best_score = ",", -1.0
    for delim in (",", ";", "\t"):
        counts = [len(next(csv.reader([ln], delimiter=delim))) for ln in lines]
        if not counts or max(counts) < 2:
            continue
        mode = max(set(counts), key=counts.count)
        score = counts.count(mode) / len(counts) + (0.001 * mode if mode > 1 else 0)
        if mode > 1 and score > best_score:
            best, best_score = delim, score
    return best


def _to_number(cell: str, decimal_comma: bool) -> float | None:
    """A cell as a float, None when it is not a number. NA tokens give nan."""
    s = cell.strip().replace("\u00a0", "").replace(" ", "")
    if s.lower() in _NA_TOKENS:
        return math.nan
    if s.endswith("%"):
        s = s[:-1]
    if decimal_comma and _EU_NUMBER.match(s):
        s = s.replace(".", "").replace(",", ".")
    elif _THOUSANDS.match(s):
        s = s.replace(",", "")
    try:
        return float(s)
    except ValueError:
        return None


def _parse_numeric(values: pd.Series, decimal_comma: bool):
    """(floats, index of the first bad cell or None, count of bad cells)."""
    out = np.empty(len(values), dtype=np.float64)
    bad = []
    for i, cell in enumerate(values):
        v = _to_number(cell, decimal_comma)
        if v is None:
            bad.append(i)
            out[i] = np.nan
        else:
            out[i] = v
    return out, bad


def _looks_numeric(values: pd.Series, decimal_comma: bool) -> bool:
    """Do most of the first non-empty cells read as numbers? (Text columns skip the per-cell parse.)"""
    sample = [v for v in values.iloc[:200] if v.strip() and v.strip().lower() not in _NA_TOKENS][:50]
    if not sample:
        return True  # all missing: the careful path reports it
    good = sum(_to_number(v, decimal_comma) is not None for v in sample)
    return good > len(sample) // 2


def _parse_dates(values: pd.Series):
    """(datetime64 array, format, day-first) for a column of dates, or None."""
    cells = values
    if len(cells) == 0 or (cells == "").any():
        return None
    if cells.iloc[:50].str.strip().ne(cells.iloc[:50]).any():
        cells = values.str.strip()  # only pay for stripping when the cells need it
    head, sample = cells.iloc[:5], cells.iloc[: min(len(cells), 500)]
    fits = []
    for fmt, dayfirst in _DATE_FORMATS:
        if pd.to_datetime(head, format=fmt, errors="coerce").isna().any():
            continue  # a cheap first look at five cells
        if pd.to_datetime(sample, format=fmt, errors="coerce").isna().any():
            continue
        fits.append((fmt, dayfirst))
        if fmt not in _AMBIGUOUS:
            break  # an unambiguous format that fits: no need to try the others
    # an all-ambiguous column (every day <= 12) fits both day-first and month-first: try each on
    # the whole column and prefer day-first, the usual form outside the US
    for fmt, dayfirst in sorted(fits, key=lambda f: not f[1]):
        if fmt in _ISO_FORMATS:  # numpy's ISO 8601 parser is twice as fast as strptime
            try:
                return np.array(cells.to_numpy(dtype=object), dtype="datetime64[s]"), fmt, dayfirst
            except ValueError:
                pass
        parsed = pd.to_datetime(cells, format=fmt, errors="coerce")
        if parsed.notna().all():
            return parsed.to_numpy(), fmt, dayfirst
    return None


def read_csv(source, *, fill: str | None = None, max_bytes: int = MAX_UPLOAD_BYTES,
             max_rows: int | None = None, max_columns: int | None = None) -> pd.DataFrame:
    """Read a CSV a user gave us. `fill="ffill"` fills missing numbers from the row above.

    >>> df = read_csv(b"Date;Close\\n02.01.2024;1.234,5\\n01.01.2024;1.200,0\\n")
    >>> df.attrs["date_column"], df["Close"].tolist()
    ('Date', [1200.0, 1234.5])
    """
    # 1. bytes, size, text
    data, name = _read_bytes(source, max_bytes)
    if not data or data.isspace():
        raise DataError(f"{name} is empty. Choose a CSV file with a header row and data rows.")
    if _looks_binary(data):
        raise DataError(f"{name} does not look like a CSV text file (it contains binary data). "
                        "Export your table as CSV and upload that.")
    encoding, head = _detect_encoding(data)
    # 2. split into cells; pandas' C parser types the plain numeric columns (the fast path)
    delimiter = _sniff_delimiter(head.lstrip("\ufeff"))
    try:
        raw, encoding = _parse_table(data, encoding, delimiter)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as e:
        raise DataError(f"{name} could not be split into columns: {_first_line(e)}. "
                        "Check that every row has the same number of separators.") from None
    notes = [f"Read {len(raw)} rows x {raw.shape[1]} columns "
             f"(encoding {encoding}, separator {_delimiter_name(delimiter)})."]
    if raw.shape[1] < 1 or len(raw) == 0:
        raise DataError(f"{name} has a header row but no data rows. Add at least a few rows of data.")
    if raw.shape[1] == 1 and len(str(raw.columns[0])) > 0 and any(d in str(raw.columns[0]) for d in "|:"):
        raise DataError(f"{name} has only one column ('{str(raw.columns[0])[:40]}'). Separate the columns "
                        "with commas, semicolons or tabs.")
    if len(raw) < 2:
        raise DataError(f"{name} has only one data row. A sequence needs many rows, one per time step.")
    if max_rows is not None and len(raw) > max_rows:
        raise DataError(f"{name} has {len(raw):,} rows; the limit here is {max_rows:,} rows. "
                        "Use a shorter period or resample it.")
    if max_columns is not None and raw.shape[1] > max_columns:
        raise DataError(f"{name} has {raw.shape[1]} columns; the limit here is {max_columns}. "
                        "Keep only the columns you need.")
    raw.columns = _unique_names([str(c).strip() for c in raw.columns])
    decimal_comma = delimiter == ";"

    # 3. each column: date, number or text
    out: dict[str, object] = {}
    problems: dict[str, str] = {}
    date_col, date_values = None, None
    for col in raw.columns:
        column = raw[col]
        numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
        if date_col is None and (not numeric or _DATE_NAMES.search(col)):
            dates = _parse_dates(column.astype(str)) if column.notna().all() else None
            if dates is not None:
                date_col, (date_values, fmt, dayfirst) = col, dates
                notes.append(f"Column '{col}' holds dates ({'day-first' if dayfirst else fmt}); "
                             "it is the time axis.")
                continue
        if numeric:
            out[col] = column.to_numpy(dtype=np.float64)
            continue
        values = column.fillna("").astype(str)
        if not _looks_numeric(values, decimal_comma):
            first = next((v.strip() for v in values if v.strip()), "")
            out[col] = values.to_numpy()
            problems[col] = f"column '{col}' is text (for example '{first[:30]}'), not numbers"
            continue
        numbers, bad = _parse_numeric(values, decimal_comma)  # the careful path: thousands separators, ...
        if bad:
            first = bad[0]
            out[col] = values.to_numpy()
            problems[col] = (f"column '{col}' has {len(bad)} non-numeric value{'s' * (len(bad) > 1)}, "
                             f"first at line {first + 2}: '{values.iloc[first][:30]}'. "
                             "Fix or delete those cells")
            continue
        out[col] = numbers
    df = pd.DataFrame(out, index=pd.RangeIndex(len(raw)))
    text_cols = [c for c in problems]
    if text_cols:
        notes.append("Left out (not numbers): " + ", ".join(f"'{c}'" for c in text_cols) + ".")

    # 4. missing and non-finite numbers
    for col in [c for c in df.columns if c not in problems]:
        col_values = df[col].to_numpy(dtype=float)
        if np.isinf(col_values).any():
            first = int(np.flatnonzero(np.isinf(col_values))[0])
            df[col] = np.where(np.isinf(col_values), np.nan, col_values)
            notes.append(f"Column '{col}' has infinite values (first at line {first + 2}); "
                         "they are treated as missing.")
        missing = np.flatnonzero(np.isnan(df[col].to_numpy(dtype=float)))
        if len(missing):
            msg = (f"column '{col}' has {len(missing)} missing value{'s' * (len(missing) > 1)}, "
                   f"first at line {missing[0] + 2}")
            if fill == "ffill":
                notes.append(msg[0].upper() + msg[1:] + "; filled from the row above.")
            else:
                problems[col] = msg + ". Turn on 'fill missing values forward' or fix the file"

    # 5. the date axis: sort, report duplicates
    if date_col is not None:
        df.index = pd.DatetimeIndex(date_values, name=date_col)
        if not df.index.is_monotonic_increasing:
            df = df.sort_index(kind="stable")
            notes.append(f"Rows were not in date order; sorted by '{date_col}'.")
        dup = df.index.duplicated()
        if dup.any():
            first = df.index[dup][0]
            notes.append(f"{int(dup.sum())} rows repeat an earlier date (first {first.date()}); "
                         "they are kept in file order.")
    else:
        df.index.name = "row"
    if fill == "ffill":
        numeric = [c for c in df.columns if c not in problems]
        df[numeric] = df[numeric].ffill()
        still = [c for c in numeric if df[c].isna().any()]
        for col in still:  # leading gaps have no row above
            problems[col] = (f"column '{col}' starts with missing values that cannot be filled from above. "
                             "Delete those first rows or fill them in")

    # 6. constant columns
    for col in [c for c in df.columns if c not in problems]:
        v = df[col].to_numpy(dtype=float)
        finite = v[np.isfinite(v)]
        if len(finite) and np.all(finite == finite[0]):
            notes.append(f"Column '{col}' has the same value ({finite[0]:g}) in every row.")

    df.attrs.update(notes=notes, problems=problems, date_column=date_col, encoding=encoding,
                    delimiter=delimiter, source=name)
    return df


def numeric_columns(df: pd.DataFrame) -> list[str]:
    """Columns usable as features or target (numbers with no unresolved problem)."""
    problems = df.attrs.get("problems", {})
    return [c for c in df.columns if c not in problems and pd.api.types.is_numeric_dtype(df[c])]


def _unique_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, n in enumerate(names):
        n = n or f"column {i + 1}"
        if n in seen:
            seen[n] += 1
            n = f"{n} ({seen[n]})"
        else:
            seen[n] = 1
        out.append(n)
    return out


def _delimiter_name(d: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab"}.get(d, repr(d))


def _first_line(e: Exception) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__

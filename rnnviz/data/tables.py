"""Reading a user's CSV: defensive parsing with messages a person can act on.

`read_csv` accepts a path, bytes or a file object and returns a pandas DataFrame whose numeric
columns are floats, whose date column (if any) has become a sorted DatetimeIndex, and whose
`.attrs` say what was found along the way:

    attrs["notes"]        list of plain sentences: what was detected, sorted, left out, filled
    attrs["problems"]     column -> why it cannot be used as a number (text, bad cells, missing)
    attrs["date_column"]  the name of the date column, or None
    attrs["date_format"]  the strptime format its dates were read with (None without one)
    attrs["encoding"], attrs["delimiter"]

Anything that makes the file unusable raises `DataError` with the row ("line" = line of the file,
the header being line 1) and column at fault and what to do. Building windows and splits from
the table is forecast.py's job.

Every step is linear in the file's size, and the server's caps (`rnnviz.limits.Limits`: bytes,
columns, rows) apply before the work they bound: the header's fields are counted, and refused
above the column cap, before pandas sees the file. The header's names are made unique here and
written back into the bytes, so pandas never de-duplicates them (its mangling is quadratic: a
600 KB header of 100,000 equal names took 101 s).
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import os
import re
import warnings

import numpy as np
import pandas as pd

from ..errors import UserError
from ..limits import Limits

__all__ = ["DataError", "read_csv", "numeric_columns", "MAX_ABS_VALUE"]

# The largest magnitude a number may have. Training runs in float32 (largest 3.4e38), whose square
# overflows above 1.8e19; a mean squared error (and the standard scaler) sums up to Limits.rows =
# 200,000 squared differences, each at most (2 * 1e15)^2 = 4e30, which stays below 1e36. Above
# this bound a number is refused with its column and line, never passed on to overflow later.
MAX_ABS_VALUE = 1e15
_EXTRA_NA = ["-", "--", "?", "missing", "Missing", "MISSING"]  # besides pandas' own NA spellings
_NA_TOKENS = {"", "na", "n/a", "nan", "null", "none", "-", "--", "?", "#n/a", "missing"}
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")  # 2,345.67
_EU_NUMBER = re.compile(r"^[+-]?\d{1,3}(\.\d{3})*,\d+$|^[+-]?\d+,\d+$")  # 2.345,67 or 12,5
_DATE_NAMES = re.compile(r"date|time|day|month|year|period|일자|날짜|日付|日期|datum|fecha", re.I)
_DATE_FORMATS = [  # (format, is day-first)
    ("%Y-%m-%d", False),
    ("%Y/%m/%d", False),
    ("%Y.%m.%d", False),
    ("%Y%m%d", False),
    ("%Y-%m-%d %H:%M:%S", False),
    ("%Y/%m/%d %H:%M:%S", False),
    ("%Y-%m-%dT%H:%M:%S", False),
    ("%Y-%m-%d %H:%M", False),
    ("%Y-%m", False),
    ("%d.%m.%Y", True),
    ("%d/%m/%Y", True),
    ("%d-%m-%Y", True),
    ("%m/%d/%Y", False),
    ("%m-%d-%Y", False),
    ("%b %d %Y", False),
    ("%d %b %Y", True),
]


_AMBIGUOUS = {"%d/%m/%Y", "%m/%d/%Y", "%d-%m-%Y", "%m-%d-%Y"}  # 03/04/2024: March or April?
_ISO_FORMATS = {"%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m"}


class DataError(UserError):
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
    """Both sizes in Streamlit's unit (server.maxUploadSize: 1 MB = 1024 x 1024 bytes); the file's
    size rounded up, so a file just over the cap never reads as equal to it."""
    size_mb = math.ceil(size / _MB * 10) / 10
    limit_text = f"{limit / _MB:g} MB" if limit >= _MB else f"{limit:,} bytes"
    return (
        f"The file is {size_mb:.1f} MB; the limit is {limit_text} (1 MB = 1024 x 1024 bytes). "
        "Use fewer rows (for example one per day instead of one per minute) and upload again."
    )


_MB = 1024 * 1024
_MAGIC = {  # file signatures of what people upload by mistake -> what to say it is
    b"PK\x03\x04": "a ZIP archive or an Excel workbook (.xlsx)",
    b"\xd0\xcf\x11\xe0": "an old Excel workbook (.xls)",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
}
_BOMS = [
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # characters no text table holds


def _binary_kind(data: bytes) -> str | None:
    """What a non-text file is ("a PNG image", "binary data"), or None for text."""
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind
    return None


def _wide_encoding(data: bytes) -> str | None:
    """UTF-16/32 by its byte-order mark, or UTF-16 without one by its pattern of zero bytes
    (ASCII text in UTF-16 LE has a zero at every odd offset)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return None if encoding == "utf-8-sig" else encoding
    head = data[:4096]
    pairs = len(head) // 2
    if pairs < 2:
        return None
    zeros_even, zeros_odd = head[0::2].count(0) / pairs, head[1::2].count(0) / pairs
    if zeros_odd > 0.3 and zeros_even < 0.05:
        return "utf-16-le"
    if zeros_even > 0.3 and zeros_odd < 0.05:
        return "utf-16-be"
    return None


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _decode(data: bytes, name: str) -> tuple[str, str]:
    """(encoding, the whole file as text). UTF-8 (with or without BOM), then Korean Excel (cp949);
    UTF-16/32 (Excel's "Unicode text") by its BOM or its zero bytes. Binary files, bytes that are
    no text and NUL characters are refused here, each with its own message."""
    kind = _binary_kind(data)
    if kind:
        raise DataError(
            f"{name} is {kind}, not a CSV text file (it contains binary data). "
            "Export your table as CSV and upload that."
        )
    wide = _wide_encoding(data)
    if not wide:
        # before decoding: junk is binary
        _refuse_control_characters(data[:4096].decode("latin-1"), name)
    if wide:
        try:
            text = data.decode(wide)
        except UnicodeDecodeError as e:
            line = data[: e.start].decode(wide, errors="replace").count("\n") + 1
            raise DataError(
                f"{name} looks like {wide.upper()} text (Excel's 'Unicode text'), but line {line} "
                "is not valid UTF-16. Save it from your spreadsheet as 'CSV UTF-8' and upload "
                "again."
            ) from None
        encoding = wide
    elif data.startswith(b"\xef\xbb\xbf"):
        encoding, text = "utf-8-sig", _decode_or_explain(data[3:], "utf-8", name)
    else:
        try:
            encoding, text = "utf-8", data.decode("utf-8")
        except UnicodeDecodeError as utf8_error:
            try:
                encoding, text = "cp949", data.decode("cp949")
            except UnicodeDecodeError:
                raise DataError(_encoding_help(name, _line_of(data, utf8_error.start))) from None
    _refuse_control_characters(text, name)
    return encoding, text


def _decode_or_explain(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        raise DataError(_encoding_help(name, _line_of(data, e.start))) from None


def _encoding_help(name: str, line: int) -> str:
    return (
        f"{name} is not text in UTF-8 or Korean Excel (cp949/EUC-KR) encoding: line {line} has "
        "bytes that are neither. Save it from your spreadsheet as 'CSV UTF-8' and upload again."
    )


def _refuse_control_characters(text: str, name: str) -> None:
    """Many control characters: binary. One NUL (or a few) in text: name its line."""
    head = text[:4096]
    if len(_CONTROL.findall(head)) > max(8, 0.05 * len(head)):
        raise DataError(
            f"{name} does not look like a CSV text file (it contains binary data). "
            "Export your table as CSV and upload that."
        )
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise DataError(
            f"Line {line} of {name} contains a NUL character (a zero byte), which a text file "
            "never holds: the file may be damaged or not plain text. Delete that character, or "
            "export the table again as CSV, and upload again."
        )


def _record(
    text: str, pos: int, delimiter: str, max_fields: int, name: str, what: str
) -> tuple[list[str], int]:
    """(the fields of the line starting at `pos`, where the next line starts), read as pandas' C
    parser reads them: quotes count only at the start of a field, "" is a quote inside one, a quoted
    field may hold the separator or a line break. Stops after max_fields + 1 fields, so a line of a
    million fields costs no more than max_fields + 1 of them."""
    d = re.escape(delimiter)
    quoted_field = re.compile(rf'"([^"]*(?:""[^"]*)*)"([^{d}\r\n]*)')
    plain_field = re.compile(rf"[^{d}\r\n]*")
    fields: list[str] = []
    while len(fields) <= max_fields:
        if text.startswith('"', pos):
            m = quoted_field.match(text, pos)
            if m is None:
                line = text.count("\n", 0, pos) + 1
                raise DataError(
                    f'The {what} of {name} opens a quote (") at line {line} that is never closed. '
                    "Close it or delete it and upload again."
                )
            fields.append(m.group(1).replace('""', '"') + m.group(2))
        else:
            m = plain_field.match(text, pos)
            fields.append(m.group(0))
        pos = m.end()
        if not text.startswith(delimiter, pos):
            break
        pos += len(delimiter)
    if text.startswith("\r\n", pos):
        pos += 2
    elif text.startswith(("\r", "\n"), pos):
        pos += 1
    return fields, pos


def _header(text: str, delimiter: str, max_columns: int, name: str) -> tuple[list[str], int]:
    """(the header's names, where the first data line starts) in `text`. The fields are counted one
    by one, and refused above max_columns before any other work on the file."""
    start = 0
    # blank lines before the header are skipped, as pandas does
    while text.startswith(("\n", "\r"), start):
        start += 1
    names, body = _record(text, start, delimiter, max_columns, name, "header")
    if len(names) > max_columns:
        count = _count_fields(text, start, delimiter)
        raise DataError(
            f"{name} has {count:,} columns; the limit here is {max_columns}. "
            "Keep only the columns you need."
        )
    return names, body


def _count_fields(text: str, pos: int, delimiter: str) -> int:
    """How many fields the line at `pos` has (for a message), ignoring quotes: one C-speed count."""
    stop = min(i for i in (text.find("\n", pos), text.find("\r", pos), len(text)) if i >= 0)
    return 1 + text.count(delimiter, pos, stop)


def _quote(name: str, delimiter: str) -> str:
    if any(ch in name for ch in (delimiter, '"', "\r", "\n")) or name != name.strip():
        return '"' + name.replace('"', '""') + '"'
    return name


def _pandas_input(
    text: str, utf8: bytes | None, delimiter: str, max_columns: int, name: str
) -> tuple[bytes, dict]:
    """(UTF-8 bytes for pandas' C parser, its options): the file with its header line replaced by
    unique, stripped names, so pandas has nothing to de-duplicate. `utf8` is the file's own bytes
    when it already is UTF-8 (no copy of the text is encoded then)."""
    names, body = _header(text, delimiter, max_columns, name)
    unique = _unique_names([n.strip() for n in names])
    header = (delimiter.join(_quote(n, delimiter) for n in unique) + "\n").encode("utf-8")
    if utf8 is None:
        content = header + text[body:].encode("utf-8")
    else:
        offset = len(text[:body].encode("utf-8"))
        content = b"".join([header, memoryview(utf8)[offset:]])  # one copy
    # a first data line with one field more than the header makes pandas take the first column as
    # the index, shifting every name by one: a trailing separator (an empty last field) is dropped,
    # anything else is said
    first_row, _ = _record(text, body, delimiter, len(unique) + 1, name, "first data line")
    if len(first_row) == len(unique) + 1:
        if first_row[-1].strip():
            raise DataError(
                f"Line 2 of {name} has {len(unique) + 1} values but the header has {len(unique)} "
                "names. Add a name for the extra column (or delete the extra value) and upload "
                "again."
            )
        return content, {"index_col": False}
    return content, {}


def _pandas_read(content: bytes, delimiter: str, **options) -> pd.DataFrame:
    """(skipinitialspace would cost 15%: cells are stripped later)"""
    with warnings.catch_warnings():
        # ParserWarning for index_col=False: the trailing separator above
        warnings.simplefilter("ignore")
        return pd.read_csv(
            io.BytesIO(content),
            sep=delimiter,
            encoding="utf-8",
            skip_blank_lines=True,
            engine="c",
            na_values=_EXTRA_NA,
            **options,
        )


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
    """Do most first non-empty cells read as numbers? (Text columns skip the per-cell parse.)"""
    sample = [v for v in values.iloc[:200] if v.strip() and v.strip().lower() not in _NA_TOKENS][
        :50
    ]
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


def read_csv(
    source,
    *,
    fill: str | None = None,
    max_bytes: int | None = None,
    max_rows: int | None = None,
    max_columns: int | None = None,
) -> pd.DataFrame:
    """Read a CSV a user gave us. `fill="ffill"` fills missing numbers from the row above.
    The caps default to this server's `Limits` (upload_bytes, rows, columns).

    >>> df = read_csv(b"Date;Close\\n02.01.2024;1.234,5\\n01.01.2024;1.200,0\\n")
    >>> df.attrs["date_column"], df["Close"].tolist()
    ('Date', [1200.0, 1234.5])
    """
    limits = Limits.from_env()
    max_bytes = limits.upload_bytes if max_bytes is None else max_bytes
    max_rows = limits.rows if max_rows is None else max_rows
    max_columns = limits.columns if max_columns is None else max_columns
    # 1. bytes, size, text
    name, encoding, text, utf8 = _read_text(source, max_bytes)
    # 2. count the header's columns (refused above the cap before any per-column work), then split
    #    into cells; pandas' C parser types the plain numeric columns (the fast path)
    delimiter = _sniff_delimiter(text[:65536])
    content, options = _pandas_input(text, utf8, delimiter, max_columns, name)
    del text, utf8
    raw = _split_cells(content, delimiter, options, name)
    del content
    _check_rows(raw, name, max_rows)
    notes = [""]  # what was read, written in step 7 once the table is built
    # 3. each column: date, number or text
    out, problems, date_col, date_values, date_format = _type_columns(raw, delimiter == ";", notes)
    df = pd.DataFrame(out, index=pd.RangeIndex(len(raw)))
    if problems:  # so far only the text columns
        notes.append("Left out (not numbers): " + ", ".join(f"'{c}'" for c in problems) + ".")
    # 4. numbers that cannot be computed with (infinite, or beyond MAX_ABS_VALUE), then missing ones
    _check_numbers(df, problems, notes, fill)
    # 5. the date axis: sort, report duplicates; then fill forward
    df = _date_axis(df, date_col, date_values, notes)
    if fill == "ffill":
        _fill_forward(df, problems)
    # 6. constant columns
    _note_constant_columns(df, problems, notes)
    # 7. the first note counts what the table holds, as its preview does (dates are its index)
    notes[0] = (
        f"Read {len(df):,} rows x {df.shape[1]} columns"
        + (f", dated by '{date_col}'" if date_col is not None else "")
        + f" (encoding {encoding}, separator {_delimiter_name(delimiter)})."
    )
    df.attrs.update(
        notes=notes,
        problems=problems,
        date_column=date_col,
        date_format=date_format,
        encoding=encoding,
        delimiter=delimiter,
        source=name,
    )
    return df


def _read_text(source, max_bytes: int) -> tuple[str, str, str, bytes | None]:
    """Step 1 of read_csv: (name, encoding, text, the UTF-8 bytes when the file is UTF-8, else
    None) of a file that is not empty and not over max_bytes."""
    data, name = _read_bytes(source, max_bytes)
    if not data or data.isspace():
        raise DataError(f"{name} is empty. Choose a CSV file with a header row and data rows.")
    encoding, text = _decode(data, name)
    utf8 = data[3:] if encoding == "utf-8-sig" else data if encoding == "utf-8" else None
    del data
    if not text or text.isspace():
        raise DataError(f"{name} is empty. Choose a CSV file with a header row and data rows.")
    return name, encoding, text, utf8


def _split_cells(content, delimiter: str, options: dict, name: str) -> pd.DataFrame:
    """Step 2 of read_csv: pandas splits the prepared content into cells, or a DataError says
    that the rows do not split into the same columns."""
    try:
        return _pandas_read(content, delimiter, **options)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeError, OverflowError) as e:
        raise DataError(
            f"{name} could not be split into columns: {_first_line(e)}. "
            "Check that every row has the same number of separators."
        ) from None


def _check_rows(raw: pd.DataFrame, name: str, max_rows: int) -> None:
    """Step 2 of read_csv: data rows enough (at least 2) and not over max_rows, and more than one
    column unless the one column plainly holds another separator."""
    if raw.shape[1] < 1 or len(raw) == 0:
        raise DataError(
            f"{name} has a header row but no data rows. Add at least a few rows of data."
        )
    if (
        raw.shape[1] == 1
        and len(str(raw.columns[0])) > 0
        and any(d in str(raw.columns[0]) for d in "|:")
    ):
        raise DataError(
            f"{name} has only one column ('{str(raw.columns[0])[:40]}'). Separate the columns "
            "with commas, semicolons or tabs."
        )
    if len(raw) < 2:
        raise DataError(
            f"{name} has only one data row. A sequence needs many rows, one per time step."
        )
    if len(raw) > max_rows:
        raise DataError(
            f"{name} has {len(raw):,} rows; the limit here is {max_rows:,} rows. "
            "Use a shorter period or resample it."
        )


def _type_columns(raw: pd.DataFrame, decimal_comma: bool, notes: list[str]):
    """Step 3 of read_csv: each column becomes a date axis (the first that parses as dates, noted),
    numbers, or text with a problem that says why it is not numbers. Returns (columns as arrays,
    problems, date column's name, its dates, their format); the last three are None without one."""
    out: dict[str, object] = {}
    problems: dict[str, str] = {}
    date_col, date_values, date_format = None, None, None
    for col in raw.columns:
        column = raw[col]
        numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
        if date_col is None and (not numeric or _DATE_NAMES.search(col)):
            dates = _parse_dates(column.astype(str)) if column.notna().all() else None
            if dates is not None:
                date_col, (date_values, date_format, dayfirst) = col, dates
                notes.append(
                    f"Column '{col}' holds dates ({'day-first' if dayfirst else date_format}); "
                    "it is the time axis."
                )
                continue
        if numeric:
            out[col] = column.to_numpy(dtype=np.float64)
            continue
        out[col], problem = _text_or_numbers(col, column, decimal_comma)
        if problem:
            problems[col] = problem
    return out, problems, date_col, date_values, date_format


def _text_or_numbers(col: str, column: pd.Series, decimal_comma: bool) -> tuple[np.ndarray, str]:
    """A column pandas left as text: (its numbers, "") when every cell reads as a number, else
    (its text, why it is not numbers: text, or the non-numeric cells and the first line)."""
    values = column.fillna("").astype(str)
    if not _looks_numeric(values, decimal_comma):
        first = next((v.strip() for v in values if v.strip()), "")
        return values.to_numpy(), (
            _date_problem(col, values)
            or f"column '{col}' is text (for example '{first[:30]}'), not numbers"
        )
    # the careful path: thousands separators, ...
    numbers, bad = _parse_numeric(values, decimal_comma)
    if bad:
        first = bad[0]
        return values.to_numpy(), (
            f"column '{col}' has {len(bad)} non-numeric value{'s' * (len(bad) > 1)}, "
            f"first at line {first + 2}: '{values.iloc[first][:30]}'. "
            "Fix or delete those cells"
        )
    return numbers, ""


def _check_numbers(
    df: pd.DataFrame, problems: dict[str, str], notes: list[str], fill: str | None
) -> None:
    """Step 4 of read_csv, for every numeric column: an infinite or huge number (beyond
    MAX_ABS_VALUE) becomes NaN and a problem; missing numbers a problem, or a note with fill."""
    for col in [c for c in df.columns if c not in problems]:
        col_values = df[col].to_numpy(dtype=float)
        extreme = np.abs(col_values) > MAX_ABS_VALUE  # inf included, NaN not
        if extreme.any():
            df[col] = np.where(extreme, np.nan, col_values)  # never passed on, even by mistake
            problems[col] = _extreme_problem(col, col_values, extreme)
            continue
        missing = np.flatnonzero(np.isnan(col_values))
        if len(missing):
            msg = (
                f"column '{col}' has {len(missing)} missing value{'s' * (len(missing) > 1)}, "
                f"first at line {missing[0] + 2}"
            )
            if fill == "ffill":
                notes.append(msg[0].upper() + msg[1:] + "; filled from the row above.")
            else:
                problems[col] = msg + ". Turn on 'fill missing values forward' or fix the file"


def _date_axis(df: pd.DataFrame, date_col, date_values, notes: list[str]) -> pd.DataFrame:
    """Step 5 of read_csv: the dates become the index, sorted (stable) and repeated dates noted;
    without a date column the index is the row number."""
    if date_col is None:
        df.index.name = "row"
        return df
    df.index = pd.DatetimeIndex(date_values, name=date_col)
    if not df.index.is_monotonic_increasing:
        df = df.sort_index(kind="stable")
        notes.append(f"Rows were not in date order; sorted by '{date_col}'.")
    dup = df.index.duplicated()
    if dup.any():
        first = df.index[dup][0]
        notes.append(
            f"{int(dup.sum())} rows repeat an earlier date (first {first.date()}); "
            "they are kept in file order."
        )
    return df


def _fill_forward(df: pd.DataFrame, problems: dict[str, str]) -> None:
    """Step 5 of read_csv with fill="ffill": missing numbers from the row above; a column that
    starts with missing values (no row above) becomes a problem."""
    numeric = [c for c in df.columns if c not in problems]
    df[numeric] = df[numeric].ffill()
    still = [c for c in numeric if df[c].isna().any()]
    for col in still:  # leading gaps have no row above
        problems[col] = (
            f"column '{col}' starts with missing values that cannot be filled from above. "
            "Delete those first rows or fill them in"
        )


def _note_constant_columns(df: pd.DataFrame, problems: dict[str, str], notes: list[str]) -> None:
    """Step 6 of read_csv: a note for each numeric column with one value in every row."""
    for col in [c for c in df.columns if c not in problems]:
        v = df[col].to_numpy(dtype=float)
        finite = v[np.isfinite(v)]
        if len(finite) and np.all(finite == finite[0]):
            notes.append(f"Column '{col}' has the same value ({finite[0]:g}) in every row.")


def _extreme_problem(col: str, values: np.ndarray, extreme: np.ndarray) -> str:
    """What is wrong with a column holding infinite or huge numbers, with the first line."""
    rows = np.flatnonzero(extreme)
    first = int(rows[0])
    infinite = int(np.isinf(values[rows]).sum())
    if infinite == len(rows):
        what = f"{len(rows)} infinite value{'s' * (len(rows) > 1)}"
    elif infinite == 0:
        what = f"{len(rows)} value{'s' * (len(rows) > 1)} too large to compute with"
    else:
        what = f"{len(rows)} infinite or too large values"
    return (
        f"column '{col}' has {what}, first at line {first + 2} ({values[first]:g}). Numbers must "
        f"be finite and between -{MAX_ABS_VALUE:g} and {MAX_ABS_VALUE:g}: fix or delete those cells"
    )


def _date_format_of(cell: str) -> str | None:
    """The first of _DATE_FORMATS that reads this one cell, or None."""
    for fmt, _ in _DATE_FORMATS:
        try:
            datetime.datetime.strptime(cell, fmt)
            return fmt
        except ValueError:
            continue
    return None


def _date_problem(col: str, values: pd.Series) -> str | None:
    """For a column that holds dates but not all in one form: which line breaks the pattern and how.
    None when the column does not look like dates at all (then it is plain text)."""
    cells = values.str.strip()
    filled = cells[cells != ""]
    if filled.empty or _date_format_of(filled.iloc[0]) is None:
        return None
    sample = filled.iloc[:200]
    counts = {
        fmt: int(pd.to_datetime(sample, format=fmt, errors="coerce").notna().sum())
        for fmt, _ in _DATE_FORMATS
    }
    fmt = max(counts, key=counts.get)
    if counts[fmt] * 2 < len(sample):
        return None  # mostly not dates
    parsed = pd.to_datetime(cells, format=fmt, errors="coerce")  # the whole column, once
    failing = np.flatnonzero(parsed.isna().to_numpy())
    if not len(failing):
        return None
    good = int(np.flatnonzero(parsed.notna().to_numpy())[0])
    bad = int(failing[0])
    example = f"line {good + 2} is '{cells.iloc[good][:30]}'"
    cell = cells.iloc[bad]
    if cell == "":
        return (
            f"column '{col}' holds dates ({example}), but line {bad + 2} has no date. "
            "Fill in that date or delete the row"
        )
    if _date_format_of(cell) is not None:
        return (
            f"column '{col}' holds dates written in more than one way: {example} but "
            f"line {bad + 2} is '{cell[:30]}'. "
            "Write every date the same way (for example 2024-01-31)"
        )
    return (
        f"column '{col}' holds dates ({example}), but line {bad + 2} has '{cell[:30]}', which is "
        "not a date. Fix or delete that cell"
    )


def numeric_columns(df: pd.DataFrame) -> list[str]:
    """Columns usable as features or target (numbers with no unresolved problem)."""
    problems = df.attrs.get("problems", {})
    return [c for c in df.columns if c not in problems and pd.api.types.is_numeric_dtype(df[c])]


def _unique_names(names: list[str]) -> list[str]:
    """Names as the file gives them, made unique: a name written in the file keeps it; a repeat
    becomes "name (2)", "name (3)"... skipping any name already taken; an empty one "column 4".

    >>> _unique_names(["a", "a", "a (2)", ""])
    ['a', 'a (3)', 'a (2)', 'column 4']
    """
    given = set(names)
    taken: set[str] = set()
    next_suffix: dict[str, int] = {}  # per base name: where to start looking (keeps this linear)
    out = []
    for i, n in enumerate(names):
        if n and n not in taken:
            chosen = n
        else:
            base = n or f"column {i + 1}"
            if not n and base not in given and base not in taken:
                chosen = base
            else:
                k = next_suffix.get(base, 2)
                while f"{base} ({k})" in given or f"{base} ({k})" in taken:
                    k += 1
                next_suffix[base] = k + 1
                chosen = f"{base} ({k})"
        taken.add(chosen)
        out.append(chosen)
    return out


def _delimiter_name(d: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab"}.get(d, repr(d))


def _first_line(e: Exception) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__

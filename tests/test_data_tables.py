"""read_csv: the files people really have, and the bad ones, each with the message they see."""

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rnnviz.data import DataError, read_csv
from rnnviz.data.tables import MAX_ABS_VALUE, numeric_columns
from rnnviz.limits import Limits


def test_bundled_sample_reads_with_dates_and_a_text_column(seattle_table):
    df = seattle_table
    assert len(df) == 1461
    assert df.attrs["date_column"] == "date"
    assert str(df.index[0].date()) == "2012-01-01" and df.index.is_monotonic_increasing
    assert numeric_columns(df) == ["precipitation", "temp_max", "temp_min", "wind"]
    assert "weather" in df.attrs["problems"]
    assert df["temp_max"].iloc[0] == 12.8


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters(delimiter):
    text = (
        delimiter.join(["Date", "A", "B"])
        + "\n"
        + "\n".join(delimiter.join([f"2024-01-{d:02d}", str(d), str(d * 2)]) for d in range(1, 6))
    )
    df = read_csv(text.encode())
    assert df.attrs["delimiter"] == delimiter
    assert df["B"].tolist() == [2.0, 4.0, 6.0, 8.0, 10.0]


def test_utf8_bom_and_cp949_korean_headers():
    text = '일자,종가,거래량\n2024-01-02,"2,345.67",100\n2024-01-03,"2,350.10",120\n'
    with_bom = read_csv(b"\xef\xbb\xbf" + text.encode("utf-8"))
    korean_excel = read_csv(text.encode("cp949"))
    for df in (with_bom, korean_excel):
        assert list(df.columns) == ["종가", "거래량"], df.columns
        assert df.attrs["date_column"] == "일자"
        assert df["종가"].tolist() == [2345.67, 2350.10]  # thousands separators
    assert korean_excel.attrs["encoding"] == "cp949"
    assert with_bom.attrs["encoding"] == "utf-8-sig"


def test_day_first_dates_are_sorted_and_noted():
    df = read_csv(b"Datum;Wert\n13.01.2024;3\n11.01.2024;1\n12.01.2024;2\n")
    assert [d.day for d in df.index] == [11, 12, 13]
    assert df["Wert"].tolist() == [1.0, 2.0, 3.0]
    assert any("sorted" in n for n in df.attrs["notes"])


def test_european_decimal_comma_with_semicolons():
    df = read_csv(b"Date;Close\n2024-01-01;1.234,5\n2024-01-02;12,25\n")
    assert df["Close"].tolist() == [1234.5, 12.25]


def test_duplicate_dates_are_reported():
    df = read_csv(b"date,v\n2024-01-01,1\n2024-01-01,2\n2024-01-02,3\n")
    assert any("repeat an earlier date" in n for n in df.attrs["notes"])


def test_missing_values_are_reported_then_filled_on_request():
    text = b"date,v,w\n2024-01-01,1,5\n2024-01-02,,6\n2024-01-03,3,NA\n2024-01-04,4,8\n"
    df = read_csv(text)
    assert "line 3" in df.attrs["problems"]["v"] and "1 missing value" in df.attrs["problems"]["v"]
    assert "fill missing values forward" in df.attrs["problems"]["v"]
    filled = read_csv(text, fill="ffill")
    assert filled["v"].tolist() == [1, 1, 3, 4] and filled["w"].tolist() == [5, 6, 6, 8]
    assert not filled.attrs["problems"]


def test_infinite_cell_is_refused_naming_column_and_line():
    for fill in (None, "ffill"):  # never filled over, never passed on
        df = read_csv(b"a,b\n1,2\ninf,3\n4,5\n", fill=fill)
        msg = df.attrs["problems"]["a"]
        assert "1 infinite value" in msg and "line 3" in msg and "missing" not in msg, msg
        assert not np.isinf(df["a"].to_numpy()).any() and numeric_columns(df) == ["b"]


def test_huge_values_are_refused_naming_column_and_line():
    df = read_csv(b"a,b,c,d\n1,2,1,1\n1e308,3,-1e308,1e15\n4,5,2e15,-1e15\n")
    assert (
        "too large to compute with" in df.attrs["problems"]["a"]
        and "line 3" in df.attrs["problems"]["a"]
    )
    assert "line 3 (-1e+308)" in df.attrs["problems"]["c"]
    assert numeric_columns(df) == ["b", "d"]  # 1e15 is the bound itself: accepted
    assert df["d"].tolist() == [1, MAX_ABS_VALUE, -MAX_ABS_VALUE]
    # the bound's reason
    assert float(np.float32(2 * MAX_ABS_VALUE) ** 2 * Limits().rows) < np.finfo(np.float32).max


def test_mixed_date_formats_name_the_line():
    rows = "".join(f"2024-01-{i + 1:02d},{i}\n" for i in range(5))
    df = read_csv(f"date,v\n{rows}06/01/2024,5\n2024-01-07,6\n".encode())
    msg = df.attrs["problems"]["date"]
    assert (
        "more than one way" in msg and "line 7 is '06/01/2024'" in msg and "is text" not in msg
    ), msg
    df = read_csv(f"date,v\n{rows},5\n2024-01-07,6\n".encode())
    assert "line 7 has no date" in df.attrs["problems"]["date"]


def test_utf16_excel_unicode_text_is_read_not_called_binary():
    text = "날짜\t값\n" + "".join(f"2024-01-{i + 1:02d}\t{i * 1.5}\n" for i in range(20))
    reference = read_csv(text.encode("utf-8"))
    for encoded in (
        text.encode("utf-16"),
        b"\xfe\xff" + text.encode("utf-16-be"),
        text.encode("utf-16-le"),
    ):
        df = read_csv(encoded)
        assert df.attrs["encoding"].startswith("utf-16") and df.attrs["date_column"] == "날짜"
        pd.testing.assert_frame_equal(df, reference)
    with pytest.raises(DataError, match="looks like UTF-16.*line 22"):
        read_csv(text.encode("utf-16") + b"\x00")  # half a character after the last line break


def test_nul_byte_in_a_utf8_file_names_its_line():
    late = ("a,b\n" + "1,2\n" * 3000 + "3,\x004\n").encode()
    with pytest.raises(DataError, match="Line 3002 of the file contains a NUL character"):
        read_csv(late)
    with pytest.raises(DataError, match="Line 3 of the file contains a NUL character"):
        read_csv(b"a,b\n1,2\n3,\x004\n5,6\n")


def test_header_names_colliding_after_deduplication_are_unique():
    df = read_csv(b"a, a,a (2)\n1,2,3\n4,5,6\n")
    assert list(df.columns) == [
        "a",
        "a (3)",
        "a (2)",
    ]  # the name written in the file keeps its column
    assert df["a (2)"].tolist() == [3, 6] and df["a (3)"].tolist() == [2, 5]
    df = read_csv(b",column 2,\n1,2,3\n4,5,6\n")
    assert list(df.columns) == ["column 1", "column 2", "column 3"] and df["column 2"].tolist() == [
        2,
        5,
    ]


def test_column_limit_applies_before_pandas_parses_the_file(monkeypatch):
    calls = []
    monkeypatch.setattr(pd, "read_csv", lambda *a, **k: calls.append(1))
    header = ",".join(["a"] * 100_000)  # 600 KB with two rows: took 101 s on 9c17188
    content = f"{header}\n{header.replace('a', '1')}\n{header.replace('a', '1')}\n".encode()
    with pytest.raises(DataError, match="100,000 columns; the limit here is 50"):
        read_csv(content)
    assert calls == []  # refused from the header alone


def test_duplicate_header_reaches_pandas_already_unique(monkeypatch):
    seen = []
    real = pd.read_csv

    def spy(source, *args, **kwargs):
        seen.append(source.getvalue().split(b"\n", 1)[0].decode())
        return real(io.BytesIO(source.getvalue()), *args, **kwargs)

    monkeypatch.setattr(pd, "read_csv", spy)
    lines = [",".join([cell] * 2000) for cell in ("a", "1", "2")]
    df = read_csv(("\n".join(lines) + "\n").encode(), max_columns=5000)
    names = seen[0].split(",")
    # pandas has nothing left to de-duplicate (quadratic there)
    assert len(names) == len(set(names)) == 2000
    assert list(df.columns) == ["a"] + [f"a ({k})" for k in range(2, 2001)]


def test_one_extra_value_per_row_never_shifts_the_columns():
    df = read_csv(b"a,b\n1,2,\n3,4,\n")  # a trailing separator on every row
    assert df["a"].tolist() == [1, 3] and df["b"].tolist() == [2, 4]
    with pytest.raises(
        DataError, match="Line 2 of the file has 3 values but the header has 2 names"
    ):
        read_csv(b"a,b\n1,2,3\n4,5,6\n")


headers = st.text(alphabet=list('a ,;\t"()2\r\n가'), min_size=0, max_size=30)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(headers)
@example("a, a,a (2)")
@example('"')
@example(",,,")
@example('"a""')
def test_crafted_headers_give_unique_names_or_a_data_error(header):
    try:
        df = read_csv((header + "\n1,2,3\n4,5,6\n").encode())
    except DataError as e:
        assert str(e)
        return
    assert len(set(df.columns)) == df.shape[1], list(df.columns)
    for col in df.columns:
        assert isinstance(df[col], pd.Series), col


def test_mostly_numeric_column_with_junk_names_row_and_value():
    df = read_csv(b"x,Close\n1,10\n2,11\n3,oops\n4,13\n5,14\n")
    msg = df.attrs["problems"]["Close"]
    assert "1 non-numeric value" in msg and "line 4" in msg and "'oops'" in msg


def test_constant_column_is_noted():
    df = read_csv(b"a,b\n1,7\n2,7\n3,7\n")
    assert any("same value (7)" in n for n in df.attrs["notes"])


def test_file_object_and_path(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("a,b\n1,2\n3,4\n")
    assert read_csv(p)["b"].tolist() == [2, 4]
    assert read_csv(io.BytesIO(b"a,b\n1,2\n3,4\n"))["a"].tolist() == [1, 3]
    assert read_csv(str(p)).attrs["source"] == "t.csv"


BAD = [
    (b"", "is empty"),
    (b"   \n\n", "is empty"),
    (b"a,b,c\n", "no data rows"),
    (b"a,b\n1,2\n", "only one data row"),
    (bytes(range(256)) * 20, "binary"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 100, "binary"),
    (
        "a,b\n1,2\n\udcff".encode("utf-8", "surrogateescape") * 1 + b"\xff\xfe\xfa\x80\x81",
        "encoding",
    ),
]


@pytest.mark.parametrize(
    "content,message",
    BAD,
    ids=["empty", "blank", "header-only", "one-row", "junk", "png", "bad-encoding"],
)
def test_bad_files_raise_data_error_with_a_reason(content, message):
    with pytest.raises(DataError, match=message):
        read_csv(content)


def test_size_cap():
    with pytest.raises(DataError, match="limit is"):
        read_csv(b"a,b\n" + b"1,2\n" * 1000, max_bytes=100)


def test_upload_cap_counts_mb_as_streamlit_does():
    mib = 1024 * 1024  # Streamlit: server.maxUploadSize * 1024 * 1024 (starlette_routes.py)
    assert Limits().upload_bytes == 10 * mib and Limits(upload_mb=3).upload_bytes == 3 * mib
    row = ",".join(["1234567.125"] * 8) + "\n"  # 96 bytes
    body = row * (10 * mib // len(row))
    others = "".join(f",c{i}" for i in range(7)) + "\n"
    exact = ("v" * (10 * mib - len(body) - len(others)) + others + body).encode()
    assert len(exact) == 10 * mib
    assert len(read_csv(exact)) == 10 * mib // len(row)  # the default cap is Limits', not 50 MB
    with pytest.raises(
        DataError, match=r"The file is 10\.1 MB; the limit is 10 MB \(1 MB = 1024 x 1024 bytes\)"
    ):
        read_csv(exact + b"1")


def test_row_and_column_limits():
    with pytest.raises(DataError, match="limit here is 10 rows"):
        read_csv(b"a\n" + b"1\n" * 20, max_rows=10)
    with pytest.raises(DataError, match="limit here is 2"):
        read_csv(b"a,b,c\n1,2,3\n4,5,6\n", max_columns=2)


def test_missing_path():
    with pytest.raises(DataError, match="no file"):
        read_csv("/nonexistent/file.csv")


@pytest.mark.parametrize(
    "csv,rows,columns,dated",
    [
        (
            b"Date,Open,Close,Note\n2024-01-02,1,2,a\n2024-01-01,3,4,b\n2024-01-03,5,6,c\n",
            3,
            3,
            "Date",
        ),
        (b"a;b\n1,5;2\n3;4\n", 2, 2, None),
    ],
)
def test_the_read_note_counts_what_the_preview_shows(csv, rows, columns, dated):
    """The date column is the index, so "Read" counts the columns beside it, as the preview does."""
    df = read_csv(csv)
    assert df.shape == (rows, columns)
    assert df.attrs["notes"][0].startswith(f"Read {rows:,} rows x {columns} columns"), df.attrs[
        "notes"
    ]
    assert (f"dated by '{dated}'" in df.attrs["notes"][0]) == (dated is not None)


def test_the_bundled_sample_note_agrees_with_its_shape(seattle_table):
    df = seattle_table
    assert df.attrs["notes"][0].startswith(
        f"Read {len(df):,} rows x {df.shape[1]} columns, dated by 'date'"
    )

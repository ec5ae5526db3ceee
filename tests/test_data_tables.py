"""read_csv: the files people really have, and the bad ones, each with the message they see."""
import io

import numpy as np
import pytest

from rnnviz.data import DataError, read_csv
from rnnviz.data.tables import numeric_columns


def test_bundled_sample_reads_with_dates_and_a_text_column(seattle_csv):
    df = read_csv(seattle_csv)
    assert len(df) == 1461
    assert df.attrs["date_column"] == "date"
    assert str(df.index[0].date()) == "2012-01-01" and df.index.is_monotonic_increasing
    assert numeric_columns(df) == ["precipitation", "temp_max", "temp_min", "wind"]
    assert "weather" in df.attrs["problems"]
    assert df["temp_max"].iloc[0] == 12.8


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters(delimiter):
    text = delimiter.join(["Date", "A", "B"]) + "\n" + "\n".join(
        delimiter.join([f"2024-01-{d:02d}", str(d), str(d * 2)]) for d in range(1, 6))
    df = read_csv(text.encode())
    assert df.attrs["delimiter"] == delimiter
    assert df["B"].tolist() == [2.0, 4.0, 6.0, 8.0, 10.0]


def test_utf8_bom_and_cp949_korean_headers():
    text = "일자,종가,거래량\n2024-01-02,\"2,345.67\",100\n2024-01-03,\"2,350.10\",120\n"
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


def test_infinite_cells_count_as_missing():
    df = read_csv(b"a,b\n1,2\ninf,3\n4,5\n")
    assert "a" in df.attrs["problems"] and np.isnan(df["a"].iloc[1])


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
    ("a,b\n1,2\n\udcff".encode("utf-8", "surrogateescape") * 1 + b"\xff\xfe\xfa\x80\x81", "encoding"),
]


@pytest.mark.parametrize("content,message", BAD, ids=["empty", "blank", "header-only", "one-row", "junk",
                                                     "png", "bad-encoding"])
def test_bad_files_raise_data_error_with_a_reason(content, message):
    with pytest.raises(DataError, match=message):
        read_csv(content)


def test_size_cap():
    with pytest.raises(DataError, match="limit is"):
        read_csv(b"a,b\n" + b"1,2\n" * 1000, max_bytes=100)


def test_row_and_column_limits():
    with pytest.raises(DataError, match="limit here is 10 rows"):
        read_csv(b"a\n" + b"1\n" * 20, max_rows=10)
    with pytest.raises(DataError, match="limit here is 2"):
        read_csv(b"a,b,c\n1,2,3\n4,5,6\n", max_columns=2)


def test_missing_path():
    with pytest.raises(DataError, match="no file"):
        read_csv("/nonexistent/file.csv")

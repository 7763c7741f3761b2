"""Vectorised parsers for the text cells of real exports: numbers, dates, booleans, text.

Every parser takes a pandas Series (text, or the mixed values an Excel sheet gives) and
works on the whole column with ``.str`` methods and regular expressions, never a Python
loop per row.  ``parse_*`` return a :class:`Parsed` (values, which non-empty cells could
not be read, what was cleaned, and the per-column decision taken); ``to_*`` return only
the values.

Conventions (documented in the README through these docstrings):

* Percentages are read as percent points: ``"85%"`` and ``"85 %"`` give ``85.0``.
  A fraction shown as a percentage by Excel (0.85 in a ``0%`` cell) is scaled by the
  loader, which knows the cell format; ``to_number`` itself leaves a bare ``0.85`` alone.
* Decimal comma or decimal point is decided once per column from all its cells: cells
  such as ``1,5`` / ``1.234,50`` vote for a decimal comma, ``1.5`` / ``1,234.50`` for a
  decimal point; the majority wins (a tie or no evidence uses the hint, default point).
  A cell with both separators is read by itself (the last one is the decimal mark).
  A cell that only makes sense under the other convention is reported unreadable.
* Placeholders (``N/A``, ``-``, ``null``, ``none``, ``#N/A``...) are missing values, not
  errors. ``NA`` is a placeholder in numeric, date and boolean columns only: in text and
  category columns it stays ``NA`` (the country code of Namibia).
* Day/month order of dates like ``03/04/2026`` is decided per column: a first part above
  12 votes day-first, a second part above 12 votes month-first; no evidence uses the hint
  (default month/day/year).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

EXCEL_ERRORS: tuple[str, ...] = (
    "#N/A",
    "#DIV/0!",
    "#REF!",
    "#VALUE!",
    "#NAME?",
    "#NUM!",
    "#NULL!",
    "#SPILL!",
    "#CALC!",
    "#FIELD!",
    "#BLOCKED!",
    "#CONNECT!",
    "#BUSY!",
    "#UNKNOWN!",
    "#GETTING_DATA",
)

# Compared lower-cased and stripped.
TEXT_PLACEHOLDERS: frozenset[str] = frozenset(
    {"n/a", "#n/a", "n.a.", "-", "--", "---", "—", "–", "null", "none", "nil", "nan", "(blank)"}
)
VALUE_PLACEHOLDERS: frozenset[str] = TEXT_PLACEHOLDERS | {"na", "n.a", "#n/a n/a", "?", "nat"}

_SPACES = "[\u00a0\u202f\u2007\u2009\u200b\ufeff\t\r\n]"
_CURRENCY_SYMBOLS = "$€£¥₹₩₽₺₪₫¢"
_LEAD_CURRENCY = r"^(?:[A-Z]{3}|US\$|CA\$|AU\$|NZ\$|HK\$|[ACR]\$|R|Fr\.?|kr|zł) *"
_SUFFIX_MULT = {"k": 1e3, "m": 1e6, "mm": 1e6, "mn": 1e6, "b": 1e9, "bn": 1e9}


@dataclass
class Parsed:
    """The result of parsing one column."""

    values: pd.Series
    unreadable: pd.Series  # bool: non-empty, not a placeholder, not an Excel error, unread
    cleaned: dict[str, int] = field(default_factory=dict)  # what was cleaned -> cell count
    decision: str | None = None  # e.g. "decimal comma, '.' thousands", "day/month/year"
    decimal_mark: str | None = None  # the marks and order used for text cells, if any
    thousands_mark: str | None = None
    date_order: str | None = None


# --------------------------------------------------------------------------- helpers


def is_arrow_text(series: pd.Series) -> bool:
    """Whether a column is pandas' own text dtype (Arrow-backed), not Python objects."""
    return pd.api.types.is_string_dtype(series.dtype) and series.dtype != object


def _is_str_mask(series: pd.Series) -> pd.Series:
    if is_arrow_text(series):
        return series.notna()
    return series.map(lambda v: isinstance(v, str)).astype(bool)


def _text(series: pd.Series) -> pd.Series:
    """The str cells of a column, whitespace-normalised ("" for everything else)."""
    series = pd.Series(series)
    if is_arrow_text(series):
        return series.str.replace(_SPACES, " ", regex=True).str.strip().fillna("").rename(None)
    mask = _is_str_mask(series)
    out = pd.Series("", index=series.index, dtype="str")
    if mask.any():
        strs = series[mask].astype("str")
        out[mask] = strs.str.replace(_SPACES, " ", regex=True).str.strip()
    return out


def may_hold_excel_errors(text: pd.Series) -> bool:
    """Whether a text column can hold an Excel error such as "#N/A": every error text has a
    "#", so a column without one (most columns) is answered by one substring search."""
    return bool(text.str.contains("#", regex=False).any())


def excel_errors(text: pd.Series) -> pd.Series:
    """True where a text cell (a str Series, no missing) is an Excel error such as "#N/A"."""
    if not may_hold_excel_errors(text):
        return pd.Series(False, index=text.index)
    return text.str.upper().isin(EXCEL_ERRORS)


def placeholder_mask(series: pd.Series, kind: str = "number") -> pd.Series:
    """True where a cell is a placeholder for "no value" (``NA`` kept for text/category)."""
    words = TEXT_PLACEHOLDERS if kind in ("id", "text", "category") else VALUE_PLACEHOLDERS
    return _text(series).str.lower().isin(words)


def _count(mask: pd.Series) -> int:
    return int(mask.sum())


def _cleaned(**counts: int) -> dict[str, int]:
    return {k: v for k, v in counts.items() if v}


# --------------------------------------------------------------------------- numbers

_COMMA_DECIMAL_EVIDENCE = (
    r"[0-9]{1,3}(?:\.[0-9]{3})+,[0-9]"  # 1.234,5
    r"|(?:^|[^0-9.,])[0-9]+,(?:[0-9]{1,2}|[0-9]{4,})(?:[^0-9.,]|$)"  # 1,5  0,8500
    r"|(?:^|[^0-9.,])[0-9]{1,3}(?:\.[0-9]{3}){2,}(?:[^0-9.,]|$)"  # 1.234.567
)
_DOT_DECIMAL_EVIDENCE = (
    r"[0-9]{1,3}(?:,[0-9]{3})+\.[0-9]"
    r"|(?:^|[^0-9.,])[0-9]+\.(?:[0-9]{1,2}|[0-9]{4,})(?:[^0-9.,]|$)"
    r"|(?:^|[^0-9.,])[0-9]{1,3}(?:,[0-9]{3}){2,}(?:[^0-9.,]|$)"
)


def decide_decimal(series: pd.Series, hint: str = ".") -> tuple[str, str]:
    """Decide the decimal mark of a column of number texts: (mark, plain-English reason)."""
    text = _text(series)
    text = text[text != ""]
    n_comma = _count(text.str.contains(_COMMA_DECIMAL_EVIDENCE, regex=True))
    n_dot = _count(text.str.contains(_DOT_DECIMAL_EVIDENCE, regex=True))
    if n_comma > n_dot:
        mark = ","
    elif n_dot > n_comma:
        mark = "."
    else:
        mark = hint
    name = "decimal comma, '.' thousands" if mark == "," else "decimal point, ',' thousands"
    if n_comma == n_dot == 0:
        reason = f"{name} (ambiguous: no cell decides it; assumed)"
    else:
        reason = f"{name} ({n_comma} cells look like decimal comma, {n_dot} like decimal point)"
    return mark, reason


def parse_number(
    series: pd.Series, decimal: str | None = None, hint: str = ".", thousands: str | None = None
) -> Parsed:
    """Parse money, counts, scores and percentages; see the module docstring.

    `decimal` and `thousands` fix the marks instead of deciding them (a cell that only makes
    sense under other marks is unreadable); `thousands` replaces the usual grouping mark of
    the decimal mark ('.' with a comma, ',' with a point); apostrophes and spaces group too.
    """
    series = pd.Series(series)
    index = series.index
    if pd.api.types.is_bool_dtype(series.dtype):
        series = series.astype("float64")
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.astype("float64")
        return Parsed(values, pd.Series(False, index=index), {}, None)
    integers = _whole_numbers(series)
    if integers is not None:  # no cell has a mark, a sign to move or a placeholder
        mark = decimal or hint
        grouping = thousands if thousands and thousands != mark else ("." if mark == "," else ",")
        return Parsed(integers, pd.Series(False, index=index), {}, None, mark, grouping)

    values = pd.Series(np.nan, index=index, dtype="float64")
    str_mask = _is_str_mask(series)
    other = series[~str_mask & series.notna()]
    if len(other):
        other = other[other.map(lambda v: not isinstance(v, bool))]
        values[other.index] = pd.to_numeric(other, errors="coerce").astype("float64")
    unreadable = pd.Series(False, index=index)
    if len(other):
        unreadable[other.index] = values[other.index].isna()

    text = _text(series)
    error = excel_errors(text)
    placeholder = text.str.lower().isin(VALUE_PLACEHOLDERS) & ~error
    work = text[str_mask & (text != "") & ~placeholder & ~error]
    if work.empty:
        return Parsed(values, unreadable, _cleaned(placeholder=_count(placeholder)), None)

    # Fast path: plain numbers such as 1234 or -12.5 (only safe with a point decimal).
    mark, reason = (decimal, None) if decimal else decide_decimal(work, hint)
    plain_re = r"-?[0-9]+(?:\.[0-9]+)?" if mark == "." else r"-?[0-9]+"
    plain = work.str.fullmatch(plain_re)
    values[plain[plain].index] = work[plain].astype("float64")
    rest = work[~plain]
    counts: dict[str, int] = {"placeholder": _count(placeholder)}
    grouping = thousands if thousands and thousands != mark else ("." if mark == "," else ",")
    if not rest.empty:
        parsed, bad, rest_counts = _parse_number_text(rest, mark, grouping)
        values[rest.index] = parsed
        unreadable[rest.index] = bad
        counts.update(rest_counts)
    any_sep = work.str.contains(r"[0-9][.,][0-9]", regex=True).any()
    decision = reason if any_sep else None
    return Parsed(values, unreadable, _cleaned(**counts), decision, mark, grouping)


def _whole_numbers(series: pd.Series) -> pd.Series | None:
    """A text column whose every filled cell is a bare integer ("40560", "-3") as float64,
    else None: such a column reads the same under either decimal mark, in one Arrow pass."""
    if not pd.api.types.is_string_dtype(series.dtype) or series.dtype == object:
        return None
    filled = series.notna()
    if not filled.any() or not series.str.fullmatch(r"-?[0-9]+")[filled].all():
        return None
    return series.astype("float64").rename(None)


def _group_class(usual: str, given: str) -> str:
    """The regex class of grouping marks for cells read with one decimal mark."""
    return "[" + "".join(sorted({given or usual, "'", " "})) + "]"  # literal inside a class


def _parse_number_text(
    t: pd.Series, mark: str, grouping: str
) -> tuple[pd.Series, pd.Series, dict[str, int]]:
    t = t.str.replace("−", "-", regex=False)
    neg = pd.Series(False, index=t.index)
    paren = pd.Series(False, index=t.index)

    def take(pattern: str) -> pd.Series:
        nonlocal t
        hit = t.str.contains(pattern, regex=True)
        if hit.any():
            t = t.where(~hit, t.str.replace(pattern, "", regex=True).str.strip())
        return hit

    def unwrap_paren() -> None:
        nonlocal t
        hit = t.str.fullmatch(r"\(.*\)")
        if hit.any():
            t = t.where(~hit, t.str.slice(1, -1).str.strip())
            paren.update(paren | hit)
            neg.update(neg ^ hit)

    unwrap_paren()
    neg ^= take(r"^- *")
    take(r"^\+ *")
    currency = take(_LEAD_CURRENCY) | take(f"^[{_CURRENCY_SYMBOLS}] *")
    unwrap_paren()
    neg ^= take(r"^- *")
    currency |= take(f" *[{_CURRENCY_SYMBOLS}]$") | take(r" *(?:[A-Z]{3}|kr|zł|Fr\.?)$")
    neg ^= take(r" *-$")
    percent = take(r" *%$")
    lower = t.str.lower()
    has_suffix = lower.str.contains(r"[0-9] *(?:k|mm|mn|m|bn|b)$", regex=True)
    suffix = lower.str.replace(r"^.*[0-9] *(k|mm|mn|m|bn|b)$", r"\1", regex=True).where(has_suffix)
    if has_suffix.any():
        t = t.where(~has_suffix, t.str.replace(r" *[A-Za-z]+$", "", regex=True))
    # Decimal mark per cell: a cell with both separators decides by itself.
    both = t.str.contains(".", regex=False) & t.str.contains(",", regex=False)
    last_comma = t.str.contains(r",[^.]*$", regex=True)
    dec_comma = (both & last_comma) | (~both & (mark == ","))
    group_dot = _group_class(",", grouping if mark == "." else "")
    group_comma = _group_class(".", grouping if mark == "," else "")
    thou = group_comma if mark == "," else group_dot
    pattern_dot = (
        rf"[0-9]+(?:\.[0-9]*)?|\.[0-9]+|[0-9]{{1,3}}(?:{group_dot}[0-9]{{3}})+(?:\.[0-9]*)?"
        r"|[0-9]+(?:\.[0-9]+)?[eE][+-]?[0-9]+"
    )
    pattern_comma = (
        rf"[0-9]+(?:,[0-9]*)?|,[0-9]+|[0-9]{{1,3}}(?:{group_comma}[0-9]{{3}})+(?:,[0-9]*)?"
    )
    ok_dot = t.str.fullmatch(pattern_dot) & ~dec_comma
    ok_comma = t.str.fullmatch(pattern_comma) & dec_comma
    norm_dot = t.str.replace(group_dot, "", regex=True)
    norm_comma = t.str.replace(group_comma, "", regex=True).str.replace(",", ".", regex=False)
    norm = norm_dot.where(ok_dot, norm_comma.where(ok_comma, ""))
    ok = ok_dot | ok_comma
    try:
        numbers = norm.where(ok, "nan").astype("float64")
    except (ValueError, TypeError):  # pragma: no cover - the patterns above rule this out
        numbers = pd.to_numeric(norm.where(ok, "nan"), errors="coerce").astype("float64")
    mult = suffix.map(_SUFFIX_MULT).astype("float64").fillna(1.0)
    numbers = numbers * mult
    numbers = numbers.where(~neg, -numbers)
    bad = ~ok | numbers.isna()
    numbers = numbers.where(~bad, np.nan)
    thousands = ok & t.str.contains(r"[0-9]" + thou + r"[0-9]{3}", regex=True)
    counts = {
        "currency": _count(currency & ok),
        "percent": _count(percent & ok),
        "negative_parentheses": _count(paren & ok),
        "suffix": _count(has_suffix & ok),
        "thousands_separator": _count(thousands),
        "decimal_comma": _count(ok_comma & t.str.contains(",", regex=False)),
    }
    return numbers, bad, counts


def to_number(series: pd.Series, decimal: str | None = None) -> pd.Series:
    """Parse a column to float64 (NaN where missing or unreadable)."""
    return parse_number(series, decimal=decimal).values


def format_number(
    value: float,
    decimals: int = 2,
    decimal: str = ".",
    thousands: str = ",",
    currency: str = "",
    currency_after: bool = False,
    parentheses: bool = False,
    percent: bool = False,
) -> str:
    """Format a number the way exports do; ``parse_number`` reads it back (for tests)."""
    if not math.isfinite(value):
        raise ValueError("only finite numbers can be formatted")
    body = f"{abs(value):,.{decimals}f}"
    body = body.replace(",", "\0").replace(".", decimal).replace("\0", thousands)
    if percent:
        body += "%"
    if currency:
        body = f"{body} {currency}" if currency_after else f"{currency}{body}"
    if value < 0 and round(abs(value), decimals) != 0:
        body = f"({body})" if parentheses else f"-{body}"
    return body


# --------------------------------------------------------------------------- dates

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "janv", "jän"),
            ("feb", "fév", "fev"),
            ("mar", "mär", "mrz"),
            ("apr", "avr"),
            ("may", "mai", "mei"),
            ("jun", "juin"),
            ("jul", "juil"),
            ("aug", "aoû", "aou"),
            ("sep", "sept"),
            ("oct", "okt"),
            ("nov",),
            ("dec", "dez", "déc"),
        ]
    )
    for m in names
}
_EPOCHS = {1900: pd.Timestamp("1899-12-30"), 1904: pd.Timestamp("1904-01-01")}


def as_ns_dates(dates: pd.Series) -> pd.Series:
    """Dates as datetime64[ns], NaT where one falls outside what that holds (whole days from
    1677-09-22 to 2262-04-11: not a typo such as 3024 for 2024, nor a placeholder such as
    1000-01-01), never an error; the callers mark such cells unreadable."""
    dates = pd.Series(dates)
    if dates.dtype == "datetime64[ns]":
        return dates
    inside = dates.between(pd.Timestamp.min, pd.Timestamp.max)
    return dates.where(inside).astype("datetime64[ns]")


def _date_number(part: pd.Series) -> pd.Series:
    """A date part as a number (NaN where it has none), as pd.to_numeric reads it; Arrow text
    of ASCII digits only (what the date patterns capture) is read in one cast instead."""
    if is_arrow_text(part) and len(part):
        text = pa.array(part.array)
        if pc.all(pc.match_substring_regex(text, "^[0-9]{1,9}$")).as_py() is True:
            whole = pc.cast(text, pa.int64()).to_numpy(zero_copy_only=False)
            return pd.Series(whole, index=part.index, copy=False)
    return pd.to_numeric(part, errors="coerce")


def _assemble(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    year = _date_number(year)
    year = year.where(year >= 100, year + np.where(year < 70, 2000, 1900))
    frame = pd.DataFrame(
        {
            "year": year,
            "month": _date_number(month),
            "day": _date_number(day),
        }
    )
    valid = (
        frame.notna().all(axis=1)
        & frame["month"].between(1, 12)
        & frame["day"].between(1, 31)
        & frame["year"].between(1000, 9999)
    )
    out = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    if valid.any():
        good = frame[valid].astype("int64")
        out[valid] = as_ns_dates(pd.to_datetime(good, errors="coerce"))
    return out


def _date_parts(text: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """The three numbers of "a/b/c" (any of / . - as separator), as text: of Arrow text in
    one pass when every cell has them (the callers' cells match a date pattern first)."""
    sep = r"[/.\-]"
    if is_arrow_text(text) and len(text):
        found = pc.extract_regex(
            pa.array(text.array), f"^(?P<a>[0-9]+){sep}(?P<b>[0-9]+){sep}(?P<c>[0-9]+)"
        )
        if found.null_count == int(text.isna().sum()):
            return tuple(
                pd.Series(pd.array(pc.struct_field(found, [i]), dtype=text.dtype), index=text.index)
                for i in range(3)
            )
    first = text.str.replace(f"^([0-9]+){sep}.*$", r"\1", regex=True)
    second = text.str.replace(f"^[0-9]+{sep}([0-9]+){sep}.*$", r"\1", regex=True)
    third = text.str.replace(f"^[0-9]+{sep}[0-9]+{sep}([0-9]+).*$", r"\1", regex=True)
    return first, second, third


def decide_date_order(series: pd.Series, hint: str = "MDY") -> tuple[str, str]:
    """Decide day/month order of ``a/b/yyyy`` dates in a column: ("DMY" | "MDY", reason)."""
    text = _text(series)
    parts = text[text.str.match(r"^[0-9]{1,2}[/.\-][0-9]{1,2}[/.\-][0-9]{2,4}(?:$|[^0-9])")]
    if parts.empty:
        return hint, ""
    a, b, _ = _date_parts(parts)
    first = pd.to_numeric(a, errors="coerce")
    second = pd.to_numeric(b, errors="coerce")
    n_dmy = _count((first > 12) & (second <= 12))
    n_mdy = _count((second > 12) & (first <= 12))
    names = {"DMY": "day/month/year", "MDY": "month/day/year"}
    if n_dmy > n_mdy:
        order = "DMY"
    elif n_mdy > n_dmy:
        order = "MDY"
    else:
        order = hint
        return order, f"{names[order]} (ambiguous: no day above 12 decides it; assumed)"
    return order, f"{names[order]} ({n_dmy} cells read only as day-first, {n_mdy} as month-first)"


def parse_date(
    series: pd.Series, order: str | None = None, hint: str = "MDY", epoch: int = 1900
) -> Parsed:
    """Parse dates: datetimes, Excel serials, ISO, d/m/y or m/d/y (decided), month names."""
    series = pd.Series(series)
    index = series.index
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        values = as_ns_dates(series.dt.tz_localize(None) if series.dt.tz is not None else series)
        return Parsed(values, series.notna() & values.isna(), {}, None)
    values = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    unreadable = pd.Series(False, index=index)
    counts: dict[str, int] = {}
    base = _EPOCHS.get(epoch, _EPOCHS[1900])

    def serials(nums: pd.Series) -> tuple[pd.Series, pd.Series]:
        nums = nums.astype("float64")
        ok = nums.between(1, 109574)  # up to year 2199
        days = pd.to_timedelta(nums.where(ok, 0).round(6), unit="D")
        return (base + days).where(ok).astype("datetime64[ns]"), ok

    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series):
        dates, ok = serials(series)
        counts["excel_serial"] = _count(ok)
        return Parsed(dates, series.notna() & ~ok, _cleaned(**counts), None)

    str_mask = _is_str_mask(series)
    other = series[~str_mask & series.notna()]
    if len(other):
        is_num = other.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))
        nums = other[is_num.astype(bool)]
        if len(nums):
            dates, ok = serials(nums.astype("float64"))
            values[nums.index] = dates
            unreadable[nums.index] = ~ok
            counts["excel_serial"] = _count(ok)
        objs = other[~is_num.astype(bool)]
        if len(objs):
            conv = pd.to_datetime(objs.astype(object), errors="coerce", utc=False, format="mixed")
            values[objs.index] = as_ns_dates(pd.Series(conv, index=objs.index))
            unreadable[objs.index] = values[objs.index].isna()

    text = _text(series)
    error = excel_errors(text)
    placeholder = text.str.lower().isin(VALUE_PLACEHOLDERS) & ~error
    work = text[str_mask & (text != "") & ~placeholder & ~error]
    counts["placeholder"] = _count(placeholder)
    decision = used_order = None
    if not work.empty:
        if order is None:
            order, decision = decide_date_order(work, hint)
            decision = decision or None
        done = pd.Series(False, index=work.index)
        iso = work.str.match(r"^[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}(?:$|[ T])")
        if iso.any():
            year, month, day = _date_parts(work[iso].str.slice(0, 10))
            values[year.index] = _assemble(year, month, day)
            done |= iso
        numeric = ~done & work.str.match(r"^[0-9]{1,2}[/.\-][0-9]{1,2}[/.\-][0-9]{2,4}(?:$|[ T,])")
        if numeric.any():
            used_order = order
            a, b, year = _date_parts(work[numeric])
            month, day = (b, a) if order == "DMY" else (a, b)
            values[year.index] = _assemble(year, month, day)
            done |= numeric
        compact = ~done & work.str.fullmatch(r"(?:19|20)[0-9]{6}")
        if compact.any():
            w = work[compact]
            values[w.index] = _assemble(w.str.slice(0, 4), w.str.slice(4, 6), w.str.slice(6, 8))
            done |= compact
        serial = ~done & work.str.fullmatch(r"[0-9]{1,6}(?:\.[0-9]+)?")
        if serial.any():
            dates, ok = serials(work[serial].astype("float64"))
            values[dates.index] = dates
            counts["excel_serial"] = counts.get("excel_serial", 0) + _count(ok)
            done |= serial
        named = ~done
        if named.any():
            w = work[named].str.lower()
            dmy = w.str.extract(
                r"^([0-9]{1,2})(?:st|nd|rd|th)?[ \-.]+([a-zéèûä]{3,9})\.?[ \-,]+([0-9]{2,4})"
            )
            mdy = w.str.extract(
                r"^([a-zéèûä]{3,9})\.?[ \-]+([0-9]{1,2})(?:st|nd|rd|th)?,?[ \-]+([0-9]{2,4})"
            )
            month_d = dmy[1].str.slice(0, 4).map(_month_number)
            month_m = mdy[0].str.slice(0, 4).map(_month_number)
            use_m = month_d.isna() & month_m.notna()
            year = dmy[2].where(~use_m, mdy[2])
            month = month_d.where(~use_m, month_m)
            day = dmy[0].where(~use_m, mdy[1])
            values[w.index] = _assemble(year, month, day)
        unreadable[work.index] = values[work.index].isna()
    dates = values.astype("datetime64[ns]")
    return Parsed(dates, unreadable, _cleaned(**counts), decision, date_order=used_order)


def _month_number(prefix: object) -> float:
    if not isinstance(prefix, str):
        return np.nan
    for length in (4, 3):
        if prefix[:length] in _MONTHS:
            return float(_MONTHS[prefix[:length]])
    return np.nan


def to_date(series: pd.Series, order: str | None = None) -> pd.Series:
    """Parse a column to datetime64[ns] (NaT where missing or unreadable)."""
    return parse_date(series, order=order).values


# --------------------------------------------------------------------------- booleans

TRUE_WORDS = frozenset(
    {"1", "1.0", "yes", "y", "true", "t", "x", "✓", "✔", "☑", "checked", "on", "ja", "oui", "sí"}
)
FALSE_WORDS = frozenset(
    {"0", "0.0", "no", "n", "false", "f", "off", "unchecked", "☐", "nein", "non"}
)
_MARKS = frozenset({"x", "✓", "✔", "☑"})


def parse_bool(series: pd.Series) -> Parsed:
    """Parse yes/no columns; a column holding only marks (``x``, ``✓``) reads blanks as no."""
    series = pd.Series(series)
    index = series.index
    if pd.api.types.is_bool_dtype(series.dtype):
        return Parsed(series.astype("boolean"), pd.Series(False, index=index), {}, None)
    if pd.api.types.is_numeric_dtype(series.dtype):
        num = series.astype("float64")
        ok = num.isin([0.0, 1.0])
        values = pd.Series(pd.NA, index=index, dtype="boolean")
        values[ok] = num[ok] == 1.0
        return Parsed(values, num.notna() & ~ok, {}, None)
    str_mask = _is_str_mask(series)
    text = _text(series).str.lower()
    other = series[~str_mask & series.notna()]
    if len(other):
        text[other.index] = other.map(
            lambda v: ("1" if v else "0") if isinstance(v, bool) else str(v).lower()
        ).astype("str")
    error = excel_errors(text)
    placeholder = text.isin(VALUE_PLACEHOLDERS) & ~error
    true = text.isin(TRUE_WORDS)
    false = text.isin(FALSE_WORDS)
    values = pd.Series(pd.NA, index=index, dtype="boolean")
    values[true] = True
    values[false] = False
    present = text[(text != "") & ~placeholder & ~error]
    counts = {"placeholder": _count(placeholder)}
    decision = None
    if len(present) and present.isin(_MARKS).all():
        blank = text == ""
        values[blank] = False
        counts["blank_as_no"] = _count(blank)
        decision = "a column of marks: blank cells read as no"
    unreadable = (text != "") & ~placeholder & ~error & ~true & ~false
    return Parsed(values, unreadable, _cleaned(**counts), decision)


def to_bool(series: pd.Series) -> pd.Series:
    """Parse a column to the pandas "boolean" dtype (<NA> where missing or unreadable)."""
    return parse_bool(series).values


# --------------------------------------------------------------------------- text


def parse_text(series: pd.Series, kind: str = "text") -> Parsed:
    """Clean id/text/category cells to str: trimmed, placeholders missing, 12.0 -> "12"."""
    series = pd.Series(series)
    index = series.index
    str_mask = _is_str_mask(series)
    text = _text(series)
    other = series[~str_mask & series.notna()]
    if len(other):
        text[other.index] = other.map(_cell_text).astype("str")
    error = excel_errors(text)
    placeholder = text.str.lower().isin(TEXT_PLACEHOLDERS) & ~error
    values = text.where((text != "") & ~placeholder & ~error)
    counts = {"placeholder": _count(placeholder)}
    return Parsed(values.astype("str"), pd.Series(False, index=index), _cleaned(**counts), None)


def _cell_text(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    return str(value)

"""Uprating costs to one price base year with a published index (stored as data with its source).

The index is the NHS Cost Inflation Index, pay and prices (PSSRU/CHE), kept in
``simulation/data/finance/price_index.toml`` as percentage changes into each financial year. A
cost of year *a* in the prices of year *b* is ``value x level(b) / level(a)``; beyond the
years the index covers, the finance's flat ``inflation_per_year`` extends it (and
:func:`index_table` marks those years as extended).

Example:
    >>> from simulation.finance_parameters import FinanceParams
    >>> round(to_price_year(100.0, "2022/23", FinanceParams()), 2)  # 2023/24: +2.47%
    102.47
    >>> round(index_factor("2016/17", "2016/17"), 6)
    1.0
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

import pandas as pd

from simulation.finance_parameters import FinanceParams, financial_year_start

INDEX_FILE = Path(__file__).resolve().parents[1] / "data" / "finance" / "price_index.toml"
"""The stored index series and its source."""


@lru_cache(maxsize=4)
def load_index(path: str | Path = "") -> dict:
    """The index file: name, title, source, base year and percentage change by year.

    ``path`` defaults to :data:`INDEX_FILE`, resolved when called (so the API pages do not carry
    the building checkout's path).
    """
    path = Path(path) if str(path) else INDEX_FILE
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    years = sorted(data["percent_change"], key=financial_year_start)
    start = financial_year_start(data["base_year"])
    expected = [f"{y}/{(y + 1) % 100:02d}" for y in range(start + 1, start + 1 + len(years))]
    if years != expected:
        raise ValueError(f"{path}: percent_change must cover consecutive years after "
                         f"{data['base_year']}, got {years}")
    return data


def _level(year: str, flat: float, data: dict) -> float:
    """Index level of ``year`` (base year = 1), extended at ``flat`` outside the series."""
    start = financial_year_start(data["base_year"])
    changes = data["percent_change"]
    end = start + len(changes)
    y = financial_year_start(year)
    level = 1.0
    for k in range(start + 1, min(y, end) + 1):
        level *= 1 + changes[f"{k}/{(k + 1) % 100:02d}"] / 100
    if y > end:
        level *= (1 + flat) ** (y - end)
    elif y < start:
        level /= (1 + flat) ** (start - y)
    return level


def index_factor(cost_year: str, price_year: str, flat: float = 0.03,
                 index: str = "nhscii_pay_and_prices") -> float:
    """Multiplier from ``cost_year`` prices to ``price_year`` prices.

    Args:
        cost_year: financial year of the cost, e.g. ``"2016/17"``.
        price_year: the price base year.
        flat: yearly inflation outside the index's years (and throughout for ``index='flat'``).
        index: ``"nhscii_pay_and_prices"`` or ``"flat"``.
    """
    if index == "flat":
        return (1 + flat) ** (financial_year_start(price_year) - financial_year_start(cost_year))
    data = load_index()
    if index != data["name"]:
        raise ValueError(f"price_index {index!r} is not stored; use {data['name']!r} or 'flat'")
    return _level(price_year, flat, data) / _level(cost_year, flat, data)


def to_price_year(value: float, cost_year: str, finance: FinanceParams) -> float:
    """``value`` (in ``cost_year`` prices) in the finance's price base year."""
    return value * index_factor(cost_year, finance.price_year, finance.inflation_per_year,
                                finance.price_index)


def index_table(finance: FinanceParams) -> pd.DataFrame:
    """The index by year (level relative to the price base year) with its source, for reports."""
    data = load_index()
    start = financial_year_start(data["base_year"])
    years = [data["base_year"], *data["percent_change"]]
    base = financial_year_start(finance.price_year)
    if base > start + len(years) - 1:
        years.append(finance.price_year)
    rows = []
    for y in years:
        inside = start <= financial_year_start(y) <= start + len(data["percent_change"])
        rows.append({"year": y, "percent_change": data["percent_change"].get(y),
                     f"factor_to_{finance.price_year}": index_factor(
                         y, finance.price_year, finance.inflation_per_year, finance.price_index),
                     "basis": data["title"] if inside and finance.price_index != "flat"
                     else f"flat {finance.inflation_per_year:.1%} a year",
                     "source": data["source"]})
    return pd.DataFrame(rows)

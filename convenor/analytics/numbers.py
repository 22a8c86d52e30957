"""Small numeric helpers the analytics share: Student's t quantiles and numbers in words."""

from __future__ import annotations

import math
from statistics import NormalDist

#: The true minus sign (U+2212), which screen readers say as "minus".
MINUS = "\u2212"


def t_quantile(p: float, df: int) -> float:
    """Student's t quantile: exact for 1 and 2 degrees of freedom, else a series.

    The series (Hill 1970, Cornish-Fisher in the normal quantile) is within
    0.2% of the tables from 3 degrees of freedom up, ample for an interval.
    """
    if not 0 < p < 1:
        raise ValueError("p must be between 0 and 1")
    if df < 1:
        raise ValueError("need at least one degree of freedom")
    if df == 1:
        return math.tan(math.pi * (p - 0.5))
    if df == 2:
        return (2 * p - 1) / math.sqrt(2 * p * (1 - p))
    z = NormalDist().inv_cdf(p)
    n = float(df)
    return (
        z
        + (z**3 + z) / (4 * n)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * n**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * n**3)
        + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * n**4)
    )


def format_value(value: float, decimals: int) -> str:
    """A number as a summary shows it, with a true minus sign (U+2212) rather than a hyphen."""
    text = f"{value:.{decimals}f}"
    return (text.lstrip("-") if float(text) == 0 else text).replace("-", MINUS)

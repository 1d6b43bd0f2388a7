"""Masking personal numbers (ID cards, phones, bank cards) before text reaches a log."""

from __future__ import annotations

import re

# 18-digit resident ID (last may be X), mobile numbers, landlines with area code,
# and any other run of 7+ digits (bank cards, old 15-digit IDs).
_PATTERNS = (
    re.compile(r"(?<!\d)\d{6}(?:19|20)\d{2}[01]\d[0-3]\d\d{3}[\dXx](?!\d)"),
    re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"),
    re.compile(r"(?<!\d)0\d{2,3}[- ]?\d{7,8}(?!\d)"),
    re.compile(r"\d{7,}"),
)


def _keep_ends(match: re.Match[str]) -> str:
    s = match.group(0)
    return s[:3] + "*" * (len(s) - 5) + s[-2:]


def mask(text: str) -> str:
    """`13812345678` → `138******78`; short numbers (fees, dates) are left alone."""
    for pattern in _PATTERNS:
        text = pattern.sub(_keep_ends, text)
    return text

"""Validation problems and their reports, shared by every check and by the workbook import."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the package, located as a spreadsheet user would look for it.

    ``row`` counts as a spreadsheet does: the header is row 1, the first record row 2; None when
    the problem concerns a whole file or column. ``rule`` is a stable machine-readable name
    (a frictionless error type such as ``foreign-key`` or a named pandera check such as
    ``ordinals_increase_with_date``); ``hint`` is one line saying how to fix it.
    """

    file: str
    row: int | None
    field: str | None
    value: Any
    rule: str
    message: str
    hint: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

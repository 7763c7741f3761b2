"""Constraints as data: each rule lists its settings' constraints in a table; one checker.

In the manner of scikit-learn's `_parameter_constraints`: a rule declares, per field, what
a valid value is (`Number(minimum=0)`, `Choice(...)`, `Text()`); `check` raises the
ConfigError that names the field; `invalid_values` derives, from the same table, values
that must be refused, so the tests are generated from the constraints, not written twice.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from segmentation.errors import ConfigError

# Integers beyond this are not a setting anyone types (and overflow float arithmetic).
MAX_INTEGER_DIGITS = 15


def one_line(text: str) -> str:
    """Control characters (a newline in a user's label) escaped: a message stays one line."""
    return re.sub(r"[\x00-\x1f\x7f]", lambda m: repr(m.group())[1:-1], text)


def fail(path: str, problem: str) -> None:
    raise ConfigError(one_line(f"{path}: {problem}"))


@dataclass(frozen=True)
class Number:
    """A finite number (bool is not a number), optionally bounded; None allowed if optional."""

    minimum: float | None = None
    maximum: float | None = None
    optional: bool = False

    def check(self, path: str, value: Any) -> None:
        if value is None and self.optional:
            return
        if isinstance(value, bool) or not isinstance(value, int | float):
            fail(path, f"must be a number, got {value!r}")
        if isinstance(value, int) and abs(value) >= 10**MAX_INTEGER_DIGITS:
            fail(path, f"must be a number of at most {MAX_INTEGER_DIGITS} digits")
        if not math.isfinite(value):
            fail(path, f"must be a number, got {value!r}")
        if self.minimum is not None and value < self.minimum:
            fail(path, f"must be at least {self.minimum:g}, got {value:g}")
        if self.maximum is not None and value > self.maximum:
            fail(path, f"must be at most {self.maximum:g}, got {value:g}")

    def invalid(self) -> list[tuple[Any, str]]:
        cases: list[tuple[Any, str]] = [
            ("12", "must be a number"),
            (True, "must be a number"),
            (math.nan, "must be a number"),
            (math.inf, "must be a number"),
            (10**20, "digits"),
        ]
        if not self.optional:
            cases.append((None, "must be a number"))
        if self.minimum is not None:
            cases.append((self.minimum - 1e-6, "must be at least"))
        if self.maximum is not None:
            cases.append((self.maximum + 1e-6, "must be at most"))
        return cases

    def valid(self) -> list[Any]:
        low = self.minimum if self.minimum is not None else -1.0
        high = self.maximum if self.maximum is not None else low + 100.0
        return [low, high]


@dataclass(frozen=True)
class Choice:
    """One of a fixed set, or of a set known only at check time (e.g. the tier names)."""

    choices: tuple[str, ...] | Callable[[], tuple[str, ...]]
    optional: bool = False

    def options(self) -> tuple[str, ...]:
        return self.choices() if callable(self.choices) else self.choices

    def check(self, path: str, value: Any) -> None:
        if value is None and self.optional:
            return
        options = self.options()
        if not isinstance(value, str) or value not in options:
            fail(path, f"must be one of {', '.join(options)}; got {value!r}")

    def invalid(self) -> list[tuple[Any, str]]:
        cases: list[tuple[Any, str]] = [("no such choice", "must be one of"), (1, "must be one of")]
        if not self.optional:
            cases.append((None, "must be one of"))
        return cases

    def valid(self) -> list[Any]:
        return list(self.options())


@dataclass(frozen=True)
class Text:
    """A string; non-blank unless `blank` is allowed. `problem` is the message on failure."""

    problem: str = "must be a non-empty name"
    blank: bool = False
    optional: bool = False  # None allowed

    def check(self, path: str, value: Any) -> None:
        if value is None and self.optional:
            return
        if not isinstance(value, str) or (not self.blank and not value.strip()):
            fail(path, self.problem)

    def invalid(self) -> list[tuple[Any, str]]:
        cases: list[tuple[Any, str]] = [(3, self.problem)]
        if not self.optional:
            cases.append((None, self.problem))
        if not self.blank:
            cases += [("", self.problem), ("   ", self.problem)]
        return cases

    def valid(self) -> list[Any]:
        return ["a name", "Ünïcode ✓"]


Constraint = Number | Choice | Text
Table = tuple[tuple[str, Constraint], ...]  # (field name, constraint), checked in order


def check_fields(path: str, read: Callable[[str], Any], table: Table) -> None:
    """Check every field of a rule's settings against its table; the first failure raises."""
    for name, constraint in table:
        constraint.check(f"{path}.{name}" if path else name, read(name))


def check_unique(path: str, values: Iterable[Any], what: str) -> None:
    values = list(values)
    if len(set(values)) != len(values):
        fail(path, f"{what} must be unique; got {', '.join(map(str, values))}")

"""Profiles: groups of accounts (by a column's values) scored with their own settings.

The one home of what a profile is (name, the column and values that select its accounts,
whether ranks are taken within it, and a partial settings document merged over the default
settings), its constraints, which profile each account is in, and its plain words.
Segmenting with profiles is `segmentation/profiles.py`; the JSON is `config.py`'s.

Matching is as lenient as the category scheme's (`category_key`: case, punctuation and
billing suffixes ignored): "smb", "SMB " and "S.M.B." are all the value "SMB".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from segmentation.rules.constraints import Text, check_unique, fail
from segmentation.rules.schemes import category_key

DEFAULT_PROFILE = "Default"  # the name accounts in no profile are shown under
# What a profile may override: the rules' settings, not the book's (mapping, parsing), nor
# other profiles, the ICP or the version.
PROFILE_SECTIONS = (
    "pillars",
    "tiers",
    "guardrails",
    "quadrant",
    "arr_per_csm",
    "movement",
    "capacity",
)


@dataclass(frozen=True)
class Profile:
    name: str
    column: str  # the book's column whose values select the profile's accounts
    values: tuple[str, ...]
    ranks_within: bool = True  # percentiles and relative cut-offs over the profile's accounts
    settings: Mapping[str, Any] = field(default_factory=dict)  # merged over the defaults

    def __hash__(self) -> int:  # the settings are a JSON document: hashed as its text
        text = json.dumps(self.settings, sort_keys=True, default=str)
        return hash((self.name, self.column, self.values, self.ranks_within, text))

    def keys(self) -> frozenset[str]:
        """The values as matching compares them."""
        return frozenset(category_key(v) for v in self.values)


def profile_path(index: int) -> str:
    return f"profiles[{index}]"


def _validate_one(index: int, profile: Any) -> None:
    path = profile_path(index)
    if not isinstance(profile, Profile):
        fail(path, f"must be a Profile, got {type(profile).__name__}")
    Text().check(f"{path}.name", profile.name)
    if profile.name.strip().casefold() == DEFAULT_PROFILE.casefold():
        fail(f"{path}.name", f"'{DEFAULT_PROFILE}' is the name of the accounts in no profile")
    Text("must name a column of the book").check(f"{path}.when.column", profile.column)
    values = profile.values
    if not isinstance(values, tuple) or not values:
        fail(f"{path}.when.values", "must list at least one value of the column")
    for i, value in enumerate(values):
        Text("must be a non-empty value").check(f"{path}.when.values[{i}]", value)
    if not isinstance(profile.ranks_within, bool):
        fail(f"{path}.ranks_within", f"must be true or false, got {profile.ranks_within!r}")
    if not isinstance(profile.settings, Mapping):
        fail(f"{path}.settings", "must be an object: the part of the settings this overrides")
    for section in profile.settings:
        if section not in PROFILE_SECTIONS:
            fail(f"{path}.settings.{section}", "is not a setting a profile can override")


def validate_profiles(profiles: Any) -> None:
    """Each profile sound; names unique; no value claimed by two profiles on one column."""
    if not isinstance(profiles, tuple):
        fail("profiles", "must be a list of profiles")
    for index, profile in enumerate(profiles):
        _validate_one(index, profile)
    check_unique("profiles", [p.name.strip().casefold() for p in profiles], "profile names")
    claimed: dict[tuple[str, str], int] = {}
    for index, profile in enumerate(profiles):
        column = profile.column.strip().casefold()
        for key in sorted(profile.keys()):
            earlier = claimed.setdefault((column, key), index)
            if earlier != index:
                fail(
                    f"{profile_path(index)}.when.values",
                    f"'{key}' is already a value of {profile_path(earlier)} "
                    f"({profiles[earlier].name}) on column {profile.column}",
                )


# --- matching -------------------------------------------------------------------------------


def book_column(accounts: pd.DataFrame, column: str) -> str | None:
    """The book's column a profile names: exactly, else ignoring case and spaces."""
    if column in accounts.columns:
        return column
    wanted = category_key(column)
    for name in accounts.columns:
        if isinstance(name, str) and category_key(name) == wanted:
            return name
    return None


def value_matches(values: pd.Series, keys: frozenset[str]) -> np.ndarray:
    """Which rows hold one of the keys; one lenient comparison per distinct value."""
    codes, uniques = pd.factorize(values.astype("object"), use_na_sentinel=True)
    hits = np.array([category_key(u) in keys for u in uniques] + [False], dtype=bool)
    return hits[codes]  # code -1 (missing) picks the trailing False


def profile_index(accounts: pd.DataFrame, profiles: tuple[Profile, ...]) -> np.ndarray:
    """Per account the index of its profile, -1 for none. The first profile that matches
    wins (profiles on one column cannot overlap; on different columns the order decides).

    A column the book lacks is a ConfigError naming the field.
    """
    index = np.full(len(accounts), -1, dtype=np.int64)
    for i, profile in enumerate(profiles):
        column = book_column(accounts, profile.column)
        if column is None:
            fail(
                f"{profile_path(i)}.when.column",
                f"this book has no column '{profile.column}' to choose the {profile.name} "
                "accounts by",
            )
        free = index < 0
        index[free & value_matches(accounts[column], profile.keys())] = i
    return index


def profile_names(index: np.ndarray, profiles: tuple[Profile, ...]) -> pd.Categorical:
    """Each account's profile name (`Default` for none), in the profiles' order."""
    names = [DEFAULT_PROFILE, *(p.name for p in profiles)]
    return pd.Categorical.from_codes(index + 1, names)


# --- plain words ----------------------------------------------------------------------------


def _overrides(profile: Profile) -> str:
    sections = [s.replace("_", " ") for s in PROFILE_SECTIONS if s in profile.settings]
    return ", ".join(sections) if sections else "nothing (the default settings)"


def describe_profile(profile: Profile) -> str:
    where = "among its own accounts" if profile.ranks_within else "over the whole book"
    return (
        f"Profile {profile.name}: accounts whose {profile.column} is "
        f"{' or '.join(profile.values)}; it overrides {_overrides(profile)}; percentile ranks "
        f"and relative cut-offs are taken {where}."
    )


def describe_profiles(profiles: tuple[Profile, ...]) -> list[str]:
    """One line per profile, and the rule for accounts in none."""
    if not profiles:
        return []
    lines = [describe_profile(p) for p in profiles]
    if len({p.column.strip().casefold() for p in profiles}) > 1:
        lines.append("An account that two profiles could take is in the first listed.")
    lines.append(
        f"Accounts in no profile ({DEFAULT_PROFILE}) keep the default settings, ranked and cut "
        "over the whole book, so adding a profile never changes them."
    )
    return lines


def profile_note(names: pd.Categorical) -> np.ndarray:
    """The words each account's reasons start with: which settings scored it."""
    notes = np.array(
        [
            "Default settings. " if name == DEFAULT_PROFILE else f"Profile {name}. "
            for name in names.categories
        ],
        dtype=object,
    )
    return notes[names.codes]

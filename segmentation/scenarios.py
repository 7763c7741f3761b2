"""Named scenarios: the room's alternative settings ("CS view", "Finance view") kept beside the
chosen ones in one settings document (docs/interfaces.md section 7, `scenarios`).

A scenario is a name and a whole Config (without scenarios of its own). Saving, renaming,
deleting, duplicating and applying are pure functions: each returns a new, validated Config.
Applying a scenario changes how accounts are scored and cut, not how the book is read: the
mapping and the parsing hints of the current settings stay, and so do the scenarios.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from segmentation.errors import ConfigError
from segmentation.rules.constraints import Text, fail

if TYPE_CHECKING:
    from segmentation.config import Config
    from segmentation.rules.tiers import Tier

MAX_SCENARIOS = 20  # a workshop weighs a handful; the cap keeps a settings file small
MAX_NAME = 60


@dataclass(frozen=True)
class Scenario:
    name: str
    settings: Config  # a whole settings document, its own `scenarios` empty


def validate_scenarios(scenarios: tuple[Scenario, ...]) -> None:
    """Names non-empty, short and unique (ignoring case and spaces); settings without scenarios."""
    if len(scenarios) > MAX_SCENARIOS:
        fail("scenarios", f"at most {MAX_SCENARIOS} scenarios; got {len(scenarios)}")
    seen: dict[str, str] = {}
    for i, scenario in enumerate(scenarios):
        path = f"scenarios[{i}]"
        if not isinstance(scenario, Scenario):
            fail(path, "must be a scenario (a name and its settings)")
        Text("must name the scenario").check(f"{path}.name", scenario.name)
        if len(scenario.name) > MAX_NAME:
            fail(f"{path}.name", f"must be at most {MAX_NAME} characters")
        folded = scenario.name.strip().casefold()
        if folded in seen:
            fail(f"{path}.name", f"'{scenario.name}' is already the name of another scenario")
        seen[folded] = scenario.name
        if not isinstance(scenario.settings, _config_class()):
            fail(f"{path}.settings", "must be a whole settings document")
        if scenario.settings.scenarios:
            fail(f"{path}.settings.scenarios", "a scenario cannot hold scenarios of its own")


def _config_class() -> type:
    from segmentation.config import Config  # config.py imports this module: import late

    return Config


def scenario_names(config: Config) -> tuple[str, ...]:
    return tuple(s.name for s in config.scenarios)


def find_scenario(config: Config, name: str) -> Scenario:
    """The scenario called `name` (case and outer spaces ignored); ConfigError listing the names."""
    wanted = name.strip().casefold()
    for scenario in config.scenarios:
        if scenario.name.strip().casefold() == wanted:
            return scenario
    names = ", ".join(f"'{n}'" for n in scenario_names(config)) or "none"
    raise ConfigError(f"no scenario is called '{name}'; the settings hold: {names}.")


def _bare(config: Config) -> Config:
    """The settings as a scenario keeps them: without the scenarios section."""
    return replace(config, scenarios=())


def save_scenario(config: Config, name: str, settings: Config | None = None) -> Config:
    """`config` with `settings` (default: `config` itself) kept as scenario `name`.

    A scenario of that name is replaced in place; a new one goes at the end.
    """
    kept = Scenario(name.strip(), _bare(settings if settings is not None else config))
    folded = kept.name.casefold()
    scenarios = list(config.scenarios)
    for i, scenario in enumerate(scenarios):
        if scenario.name.strip().casefold() == folded:
            scenarios[i] = kept
            break
    else:
        scenarios.append(kept)
    return replace(config, scenarios=tuple(scenarios))


def rename_scenario(config: Config, name: str, new_name: str) -> Config:
    old = find_scenario(config, name)
    renamed = tuple(replace(s, name=new_name.strip()) if s is old else s for s in config.scenarios)
    return replace(config, scenarios=renamed)


def delete_scenario(config: Config, name: str) -> Config:
    gone = find_scenario(config, name)
    return replace(config, scenarios=tuple(s for s in config.scenarios if s is not gone))


def copy_name(config: Config, name: str) -> str:
    """The first free "NAME (copy)", "NAME (copy 2)", ..."""
    taken = {n.strip().casefold() for n in scenario_names(config)}
    candidate, number = f"{name} (copy)", 2
    while candidate.casefold() in taken:
        candidate, number = f"{name} (copy {number})", number + 1
    return candidate


def duplicate_scenario(config: Config, name: str, new_name: str | None = None) -> Config:
    source = find_scenario(config, name)
    copy = Scenario((new_name or copy_name(config, source.name)).strip(), source.settings)
    return replace(config, scenarios=(*config.scenarios, copy))


def apply_scenario(config: Config, name: str) -> Config:
    """The settings of scenario `name`, keeping this book's mapping and parsing, and the
    scenarios themselves."""
    chosen = find_scenario(config, name).settings
    return replace(
        chosen, mapping=config.mapping, parsing=config.parsing, scenarios=config.scenarios
    )


def scenario_settings(config: Config, names: list[str] | tuple[str, ...]) -> list[Scenario]:
    """The named scenarios, in the order asked; ConfigError for an unknown name."""
    return [find_scenario(config, name) for name in names]


# --- what changed between two settings, in a few words -----------------------------------------


def _number(value: float) -> str:
    return f"{value:g}"


def _pillar_changes(old: Config, new: Config) -> list[str]:
    from segmentation.rules.pillars import SHORT_LABELS

    lines = []
    for before, after in zip(old.pillars, new.pillars, strict=True):
        short = SHORT_LABELS.get(after.key, after.key)
        if before.weight != after.weight:
            lines.append(f"{short} weight {_number(before.weight)} -> {_number(after.weight)}")
        if before.effect != after.effect:
            lines.append(f"{short} effect {before.effect} -> {after.effect}")
        if before.metrics != after.metrics:
            lines.append(f"{short} metrics changed")
        if before.label != after.label:
            lines.append(f"{short} renamed '{before.label}' -> '{after.label}'")
    return lines


def _cutoff(tier: Tier, first: bool) -> str:
    if tier.share is None:
        return _number(tier.threshold)
    return f"{'top' if first else 'next'} {tier.share:g}%"


def _tier_changes(old: Config, new: Config) -> list[str]:
    if old.tier_names != new.tier_names:
        return [f"tiers {' / '.join(old.tier_names)} -> {' / '.join(new.tier_names)}"]
    lines = []
    for i, (before, after) in enumerate(zip(old.tiers[:-1], new.tiers[:-1], strict=True)):
        if (before.threshold, before.share) != (after.threshold, after.share):
            lines.append(
                f"{after.name} cut-off {_cutoff(before, i == 0)} -> {_cutoff(after, i == 0)}"
            )
    if any(b.engagement != a.engagement for b, a in zip(old.tiers, new.tiers, strict=True)):
        lines.append("tier engagement texts changed")
    return lines


SECTION_WORDS = (
    ("guardrails", "guard-rails changed"),
    ("quadrant", "quadrant changed"),
    ("capacity", "capacity model changed"),
    ("movement", "movement rules changed"),
    ("mapping", "column mapping changed"),
)


def settings_diff(old: Config, new: Config) -> list[str]:
    """What differs from `old` to `new`, one short phrase each ("growth weight 30 -> 45")."""
    lines = [*_pillar_changes(old, new), *_tier_changes(old, new)]
    if old.arr_per_csm != new.arr_per_csm:
        lines.append(f"ARR per CSM {old.arr_per_csm:,.0f} -> {new.arr_per_csm:,.0f}")
    lines += [words for name, words in SECTION_WORDS if getattr(old, name) != getattr(new, name)]
    return lines


def describe_change(old: Config, new: Config, limit: int = 3) -> str:
    """The change from `old` to `new` in one short line; "no change" when they are equal."""
    lines = settings_diff(old, new)
    if not lines:
        return "no change"
    more = len(lines) - limit
    return "; ".join(lines[:limit]) + (f" and {more} more" if more > 0 else "")

"""The settings document: the rules' settings composed into one validated, versioned Config.

Each rule owns its settings and their constraints (`segmentation/rules/`: schemes,
pillars, tiers, quadrant); this module assembles them, validates the whole once, reads and
writes the JSON, and says the criteria in plain words. A Config is built only through its
constructor (which validates it) and changed with the `with_*` helpers, which return a new,
validated Config.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from segmentation.columns import COLUMN_BY_NAME
from segmentation.errors import ConfigError
from segmentation.loading.hints import ParseHints
from segmentation.rules.capacity import (
    Capacity,
    TierCapacity,
    describe_capacity,
    validate_capacity,
)
from segmentation.rules.constraints import Number, Text, fail
from segmentation.rules.icp import Icp, IcpCriterion, describe_icp, validate_icp
from segmentation.rules.movement import (
    MovementRules,
    describe_movement,
    movement_from_dict,
    validate_movement,
)
from segmentation.rules.pillars import (
    EFFECTS,
    PILLAR_KEYS,
    SCORE_COLUMNS,
    SHORT_LABELS,
    Pillar,
    describe_pillars,
    validate_pillars,
)
from segmentation.rules.profiles import (
    PROFILE_SECTIONS,
    Profile,
    describe_profiles,
    validate_profiles,
)
from segmentation.rules.quadrant import (
    AXES,
    QUADRANT_CELLS,
    Quadrant,
    describe_quadrant,
    validate_quadrant,
)
from segmentation.rules.schemes import (
    DIRECTIONS,
    METRIC_FIELDS,
    MISSING_HELP,
    MISSING_POLICIES,
    SCHEMES,
    Band,
    Metric,
    param_fields,
)
from segmentation.rules.tiers import (
    Guardrails,
    Override,
    Tier,
    describe_tiers,
    validate_guardrails,
    validate_tiers,
)
from segmentation.scenarios import Scenario, validate_scenarios

__all__ = [
    "AXES",
    "DIRECTIONS",
    "EFFECTS",
    "MISSING_HELP",
    "MISSING_POLICIES",
    "PILLAR_KEYS",
    "QUADRANT_CELLS",
    "SCHEMES",
    "SCORE_COLUMNS",
    "SHORT_LABELS",
    "Band",
    "Capacity",
    "Config",
    "Guardrails",
    "Metric",
    "MovementRules",
    "Override",
    "Pillar",
    "Quadrant",
    "Tier",
    "TierCapacity",
]

CONFIG_VERSION = 1
MAX_SETTINGS_BYTES = 1_000_000  # a settings file is a few kB; refuse anything absurd early
MAX_SETTINGS_DEPTH = 12  # the document nests 5 deep; deeper is not a Tierwise file


@dataclass(frozen=True)
class Config:
    pillars: tuple[Pillar, ...]
    tiers: tuple[Tier, ...]
    guardrails: Guardrails = field(default_factory=Guardrails)
    quadrant: Quadrant = field(default_factory=Quadrant)
    arr_per_csm: float = 2_000_000.0  # coverage rule of thumb: one CSM per this much ARR
    # canonical column -> the header of the book that feeds it, as the Data page left it
    mapping: tuple[tuple[str, str], ...] = ()
    capacity: Capacity | None = None  # the coverage model per tier; None: the section is absent
    version: int = CONFIG_VERSION
    movement: MovementRules = field(default_factory=MovementRules)
    # How the book's file was read, so the next is read the same way. Not compared: it does
    # not change the tiers of the accounts once read (and keys no cache).
    parsing: ParseHints | None = field(default=None, compare=False)
    profiles: tuple[Profile, ...] = ()  # groups of accounts with their own settings (issue 15)
    icp: Icp | None = None  # the ideal customer profile; None: the section is absent
    # The room's named alternatives (segmentation/scenarios.py). Not compared either: saving
    # a scenario changes no account's tier (nor any cache key, nor what undo steps through).
    scenarios: tuple[Scenario, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        validate(self)
        # Each profile's settings merged over these, built and validated once, here.
        object.__setattr__(self, "_profile_configs", build_profile_configs(self))

    def pillar(self, key: str) -> Pillar:
        for pillar in self.pillars:
            if pillar.key == key:
                return pillar
        raise KeyError(key)

    @property
    def tier_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.tiers)

    def scoring_key(self) -> tuple:
        """What decides the metric-score matrix: weights, thresholds and tiers do not."""
        return tuple((p.key, tuple(m.scoring_key() for m in p.metrics)) for p in self.pillars)


# --- validation -----------------------------------------------------------------------------


def validate(config: Config) -> None:
    """Raise ConfigError naming the first invalid field; return None when the config is sound."""
    if config.version != CONFIG_VERSION:
        fail("version", f"unknown version {config.version!r}; this Tierwise reads {CONFIG_VERSION}")
    validate_pillars(config.pillars)
    validate_tiers(config.tiers)
    validate_guardrails(config.guardrails, config.tier_names)
    validate_quadrant(config.quadrant)
    if config.parsing is not None and not isinstance(config.parsing, ParseHints):
        fail("parsing", f"must be ParseHints, got {type(config.parsing).__name__}")
    Number(minimum=1).check("arr_per_csm", config.arr_per_csm)
    if config.capacity is not None:
        validate_capacity(config.capacity, config.tier_names)
    validate_movement(config.movement)
    validate_mapping(config.mapping)
    validate_profiles(config.profiles)
    if config.icp is not None:
        validate_icp(config.icp)
    validate_scenarios(config.scenarios)


def validate_mapping(mapping: tuple[tuple[str, str], ...]) -> None:
    """The `mapping` section: known canonical columns, each to a non-empty header."""
    for canonical, header in mapping:
        if canonical not in COLUMN_BY_NAME:
            fail(f"mapping.{canonical}", "is not a column Tierwise knows")
        Text("must name a column of the book").check(f"mapping.{canonical}", header)


# --- the default ----------------------------------------------------------------------------

NPS_BANDS = (Band(6, 0), Band(8, 50), Band(None, 100))
# Commitment: the longer the term, the more settled the account. Months as written by CRMs.
CONTRACT_TERMS = (
    ("Month-to-month", 20),
    ("Monthly", 20),
    ("1", 20),
    ("Quarterly", 40),
    ("3", 40),
    ("Annual", 70),
    ("One year", 70),
    ("12", 70),
    ("Two year", 90),
    ("24", 90),
    ("Multi-year", 100),
    ("Three year", 100),
    ("36", 100),
)


def default_config() -> Config:
    """The configuration the app starts from (docs/design.md section 2)."""
    return Config(
        pillars=(
            Pillar(
                "growth",
                "Growth potential",
                weight=30,
                effect="raises",
                metrics=(
                    Metric("whitespace", weight=3),
                    Metric("potential_arr", weight=1),
                    Metric("adoption", weight=1, scheme="linear", low=0.3, high=1.0),
                    Metric("employees", weight=1),
                ),
            ),
            Pillar(
                "strategic",
                "Strategic value",
                weight=30,
                effect="raises",
                metrics=(
                    Metric("arr", weight=3),
                    Metric("strategic_account", weight=2, scheme="boolean", missing="worst"),
                    Metric("referenceable", weight=1, scheme="boolean", missing="worst"),
                    Metric(
                        "plan",
                        weight=1,
                        scheme="category",
                        categories=(
                            ("Enterprise", 100),
                            ("Business", 70),
                            ("Pro", 40),
                            ("Starter", 10),
                        ),
                        other=50,
                        params=(("order_by", "arr"),),  # other plans: placed by median ARR
                    ),
                ),
            ),
            Pillar(
                "complexity",
                "Engagement complexity",
                weight=15,
                effect="raises",
                metrics=(
                    Metric("support_tickets", weight=2),
                    Metric("integrations", weight=1),
                    Metric("products", weight=1),
                    Metric("escalations", weight=1),
                ),
            ),
            Pillar(
                "health",
                "Health & maturity",
                weight=25,
                effect="lowers",
                metrics=(
                    Metric("health_score", weight=3, scheme="linear", low=0, high=100),
                    Metric("nps", weight=2, scheme="bands", bands=NPS_BANDS),
                    Metric("adoption", weight=2, scheme="linear", low=0, high=1),
                    Metric(
                        "lifecycle_stage",
                        weight=1,
                        scheme="category",
                        categories=(
                            ("Expansion", 100),
                            ("Renewal", 80),
                            ("Adoption", 60),
                            ("Onboarding", 40),
                            ("At risk", 0),
                        ),
                        other=50,
                    ),
                    Metric("usage_score", weight=2, scheme="linear", low=0, high=100),
                    Metric("usage_events", weight=1),
                    Metric("csat", weight=2),  # percentile: CSAT comes as 1-5, 0-100 or %
                    Metric("tenure", weight=1),  # months as a customer, ranked
                    Metric(
                        "contract_term",
                        weight=1,
                        scheme="category",
                        categories=CONTRACT_TERMS,
                    ),
                    Metric("auto_renew", weight=1, scheme="boolean"),
                    # Off by default: it makes tiers depend on the day they are computed.
                    Metric("days_to_renewal", weight=0, scheme="linear", low=0, high=365),
                ),
            ),
        ),
        # Relative cut-offs: no fixed numbers give every book a usable spread (docs/design.md
        # section 2); the shares are cut from each book's priorities, and saving pins them.
        tiers=(
            Tier("High-touch", 0, "Dedicated CSM + TAM, quarterly business reviews", share=15),
            Tier("Mid-touch", 0, "Pooled CSMs + tailored digital content", share=35),
            Tier("Low-touch", 0, "Automated onboarding, digital programs and health alerts"),
        ),
        guardrails=Guardrails(strategic_floor="Mid-touch"),
    )


# --- changing a config ----------------------------------------------------------------------


def with_pillar(config: Config, key: str, **changes: Any) -> Config:
    """A copy of `config` with one pillar's fields changed (weight=, effect=, metrics=...)."""
    pillars = tuple(replace(p, **changes) if p.key == key else p for p in config.pillars)
    return replace(config, pillars=pillars)


def with_metric(config: Config, key: str, index: int, **changes: Any) -> Config:
    """A copy of `config` with metric `index` of pillar `key` changed."""
    metrics = list(config.pillar(key).metrics)
    metrics[index] = replace(metrics[index], **changes)
    return with_pillar(config, key, metrics=tuple(metrics))


def with_thresholds(config: Config, thresholds: list[float]) -> Config:
    """A copy of `config` with the thresholds of all tiers but the last."""
    tiers = [replace(t, share=None) for t in config.tiers]  # numbers given: cut-offs fixed
    for i, threshold in enumerate(thresholds):
        tiers[i] = replace(tiers[i], threshold=threshold)
    return replace(config, tiers=tuple(tiers))


# --- JSON -----------------------------------------------------------------------------------


def _metric_to_dict(metric: dict[str, Any]) -> dict[str, Any]:
    metric["categories"] = dict(metric["categories"])
    for name in ("low", "high", "other"):
        if metric[name] is None:
            del metric[name]
    owned = SCHEMES[metric["scheme"]].fields  # lists are written only for the scheme using them
    for name in ("categories", "bands"):
        if name not in owned:
            del metric[name]
    params = metric.pop("params")
    metric.update({name: value for name, value in params})
    return metric


def config_to_dict(config: Config) -> dict[str, Any]:
    """The JSON-ready document (the shape `config_from_dict` and `load_config` read)."""
    doc = asdict(config)
    doc = {"version": doc.pop("version"), **doc}
    for pillar in doc["pillars"]:
        pillar["metrics"] = [_metric_to_dict(m) for m in pillar["metrics"]]
    doc["pillars"] = {p.pop("key"): p for p in doc["pillars"]}
    doc["quadrant"]["labels"] = dict(doc["quadrant"]["labels"])
    for tier in doc["tiers"]:  # relative cut-offs are written as shares, fixed ones as numbers
        del tier["share" if tier["share"] is None else "threshold"]
    if doc["mapping"]:
        doc["mapping"] = dict(doc["mapping"])
    else:
        del doc["mapping"]
    _parsing_to_doc(config, doc)
    _capacity_to_dict(doc)
    _overrides_to_dict(doc)
    _profiles_to_doc(config, doc)
    _scenarios_to_doc(config, doc)
    return json.loads(json.dumps(doc))  # tuples -> lists: exactly what a JSON file holds


# --- the capacity section (issue 12) ---


def _capacity_to_dict(doc: dict[str, Any]) -> None:
    """The capacity section keyed by tier name, unset fields left out; absent when None."""
    capacity = doc.pop("capacity")
    if capacity is None:
        return
    tiers = capacity.pop("tiers")
    capacity["tiers"] = {
        t.pop("tier"): {name: value for name, value in t.items() if value is not None}
        for t in tiers
    }
    doc["capacity"] = capacity


TIER_CAPACITY_FIELDS = ("csms", "accounts_per_csm", "hours_per_account")


def _capacity_from_dict(doc: dict) -> Capacity | None:
    if "capacity" not in doc:
        return None
    section = _section(doc, "", "capacity", dict, ...)
    _known_keys(section, "capacity", {"client_hours_per_csm", "cost_per_csm", "tiers"})
    tiers = _section(section, "capacity", "tiers", dict, {})
    rows = []
    for name, entry in tiers.items():
        path = f"capacity.tiers.{name}"
        if not isinstance(entry, dict):
            fail(path, "must be an object")
        _known_keys(entry, path, set(TIER_CAPACITY_FIELDS))
        rows.append(TierCapacity(name, *(entry.get(f) for f in TIER_CAPACITY_FIELDS)))
    return Capacity(
        client_hours_per_csm=_take(section, "capacity", "client_hours_per_csm", 1560.0),
        cost_per_csm=_take(section, "capacity", "cost_per_csm", 150_000.0),
        tiers=tuple(rows),
    )


def _take(doc: Any, path: str, name: str, default: Any = ...) -> Any:
    if not isinstance(doc, dict):
        fail(path or "settings", "must be an object")
    if name not in doc:
        if default is ...:
            fail(f"{path}.{name}" if path else name, "is missing")
        return default
    return doc[name]


def _section(doc: Any, path: str, name: str, kind: type, default: Any) -> Any:
    """A section of the document that must be an object (or list) when present: null is not."""
    value = _take(doc, path, name, default)
    if not isinstance(value, kind):
        what = "an object" if kind is dict else "a list"
        fail(f"{path}.{name}" if path else name, f"must be {what}, got {value!r}"[:120])
    return value


def _known_keys(doc: dict, path: str, allowed: set[str]) -> None:
    unknown = sorted(set(doc) - allowed, key=str)
    if unknown:
        _fail_unknown(path, unknown[0])


def _fail_unknown(path: str, name: str) -> None:
    fail(f"{path}.{name}" if path else name, "is not a known setting")


def _metric_from_dict(doc: Any, path: str) -> Metric:
    if not isinstance(doc, dict):
        fail(path, "must be an object")
    scheme = _take(doc, path, "scheme", "percentile")
    extra = param_fields(scheme) if isinstance(scheme, str) else ()
    _known_keys(doc, path, (set(METRIC_FIELDS) - {"params"}) | set(extra))
    bands = _take(doc, path, "bands", [])
    categories = _take(doc, path, "categories", {})
    if not isinstance(bands, list):
        fail(f"{path}.bands", "must be a list of {up_to, score}")
    if not isinstance(categories, dict):
        fail(f"{path}.categories", "must map category names to scores")
    return Metric(
        column=_take(doc, path, "column"),
        weight=_take(doc, path, "weight", 1.0),
        scheme=scheme,
        direction=_take(doc, path, "direction", "higher"),
        missing=_take(doc, path, "missing", "skip"),
        low=_take(doc, path, "low", None),
        high=_take(doc, path, "high", None),
        bands=tuple(
            Band(
                _take(b, f"{path}.bands[{i}]", "up_to", None),
                _take(b, f"{path}.bands[{i}]", "score"),
            )
            for i, b in enumerate(bands)
        ),
        categories=tuple(categories.items()),
        other=_take(doc, path, "other", None),
        params=tuple((name, doc[name]) for name in extra if name in doc),
    )


def _pillar_from_dict(pillars_doc: dict, key: str) -> Pillar:
    path = f"pillars.{key}"
    p = _take(pillars_doc, "pillars", key)
    if not isinstance(p, dict):
        fail(path, "must be an object")
    _known_keys(p, path, {"label", "weight", "effect", "metrics"})
    metrics = _take(p, path, "metrics")
    if not isinstance(metrics, list):
        fail(f"{path}.metrics", "must be a list")
    return Pillar(
        key,
        _take(p, path, "label", key.title()),
        _take(p, path, "weight"),
        _take(p, path, "effect", "raises"),
        tuple(_metric_from_dict(m, f"{path}.metrics[{i}]") for i, m in enumerate(metrics)),
    )


def _guardrails_from_dict(doc: dict) -> Guardrails:
    rails = _section(doc, "", "guardrails", dict, {})
    _known_keys(rails, "guardrails", {"min_arr_top_tier", "strategic_floor", "overrides"})
    overrides = _take(rails, "guardrails", "overrides", [])
    if not isinstance(overrides, list):
        fail("guardrails.overrides", "must be a list")
    return Guardrails(
        min_arr_top_tier=_take(rails, "guardrails", "min_arr_top_tier", None),
        strategic_floor=_take(rails, "guardrails", "strategic_floor", None),
        overrides=tuple(
            _override_from_dict(o, f"guardrails.overrides[{i}]") for i, o in enumerate(overrides)
        ),
    )


OVERRIDE_KEYS = {"account_id", "tier", "reason", "expires", "by", "at"}


def _override_from_dict(doc: Any, path: str) -> Override:
    """One override; `expires`, `by` and `at` are optional (older files have none)."""
    account_id = str(_take(doc, path, "account_id"))
    _known_keys(doc, path, OVERRIDE_KEYS)
    expires = _take(doc, path, "expires", None)
    if expires is not None:
        try:
            expires = dt.date.fromisoformat(expires)
        except (TypeError, ValueError):
            fail(f"{path}.expires", f"must be a date (YYYY-MM-DD), got {expires!r}")
    return Override(
        account_id,
        _take(doc, path, "tier"),
        _take(doc, path, "reason", ""),
        expires,
        _take(doc, path, "by", ""),
        _take(doc, path, "at", ""),
    )


def _overrides_to_dict(doc: dict[str, Any]) -> None:
    """Overrides as JSON: the expiry as YYYY-MM-DD; empty optional fields left out."""
    for override in doc["guardrails"]["overrides"]:
        for name in ("expires", "by", "at"):
            if not override[name]:
                del override[name]
        if "expires" in override:
            override["expires"] = override["expires"].isoformat()


def _quadrant_from_dict(doc: dict) -> Quadrant:
    q = _section(doc, "", "quadrant", dict, {})
    _known_keys(q, "quadrant", {"x", "y", "x_split", "y_split", "labels"})
    labels = _take(q, "quadrant", "labels", dict(Quadrant().labels))
    if not isinstance(labels, dict):
        fail("quadrant.labels", "must map cells to labels")
    return Quadrant(
        x=_take(q, "quadrant", "x", Quadrant.x),
        y=_take(q, "quadrant", "y", Quadrant.y),
        x_split=_take(q, "quadrant", "x_split", Quadrant.x_split),
        y_split=_take(q, "quadrant", "y_split", Quadrant.y_split),
        labels=tuple(labels.items()),
    )


def config_from_dict(doc: Any) -> Config:
    """Build and validate a Config from its JSON document; ConfigError names the bad field."""
    if not isinstance(doc, dict):
        fail("settings", "must be a JSON object")
    sections = {"version", "pillars", "tiers", "guardrails", "quadrant", "arr_per_csm"}
    sections |= {"profiles", "icp"}  # issue 15
    _known_keys(doc, "", sections | {"movement", "mapping", "parsing", "capacity", "scenarios"})
    version = _take(doc, "", "version")
    if isinstance(version, bool) or version != CONFIG_VERSION:
        fail("version", f"unknown version {version!r}; this Tierwise reads {CONFIG_VERSION}")
    pillars_doc = _take(doc, "", "pillars")
    if not isinstance(pillars_doc, dict):
        fail("pillars", "must map pillar names to pillar settings")
    _known_keys(pillars_doc, "pillars", set(PILLAR_KEYS))
    tiers_doc = _section(doc, "", "tiers", list, ...)
    tiers = tuple(_tier_from_dict(t, f"tiers[{i}]") for i, t in enumerate(tiers_doc))
    return Config(
        pillars=tuple(_pillar_from_dict(pillars_doc, key) for key in PILLAR_KEYS),
        tiers=tiers,
        guardrails=_guardrails_from_dict(doc),
        quadrant=_quadrant_from_dict(doc),
        arr_per_csm=_take(doc, "", "arr_per_csm", 2_000_000.0),
        mapping=tuple(_section(doc, "", "mapping", dict, {}).items()),
        capacity=_capacity_from_dict(doc),
        version=CONFIG_VERSION,
        movement=_movement_from_dict(doc),
        parsing=_parsing_from_doc(doc),
        profiles=_profiles_from_doc(doc),
        icp=_icp_from_doc(doc),
        scenarios=_scenarios_from_doc(doc),
    )


def _movement_from_dict(doc: dict) -> MovementRules:
    section = _section(doc, "", "movement", dict, {})
    _known_keys(section, "movement", {f.name for f in fields(MovementRules)})
    return movement_from_dict(section, _take)


def _tier_from_dict(doc: Any, path: str) -> Tier:
    share = _take(doc, path, "share", None)
    return Tier(
        _take(doc, path, "name"),
        _take(doc, path, "threshold", ... if share is None else 0),
        _take(doc, path, "engagement", ""),
        share,
    )


# The "parsing" section: the loader's decisions (segmentation/loading/hints.py), optional.


def _parsing_to_doc(config: Config, doc: dict[str, Any]) -> None:
    del doc["parsing"]
    if config.parsing is not None:
        doc["parsing"] = config.parsing.to_dict()


def _parsing_from_doc(doc: dict) -> ParseHints | None:
    section = _take(doc, "", "parsing", None)
    return None if section is None else ParseHints.from_dict(section, "parsing")


# The "scenarios" section: named whole settings documents (segmentation/scenarios.py), optional.


def _scenarios_to_doc(config: Config, doc: dict[str, Any]) -> None:
    del doc["scenarios"]
    if config.scenarios:
        doc["scenarios"] = [
            {"name": s.name, "settings": config_to_dict(s.settings)} for s in config.scenarios
        ]


def _scenarios_from_doc(doc: dict) -> tuple[Scenario, ...]:
    scenarios = []
    for i, entry in enumerate(_section(doc, "", "scenarios", list, [])):
        path = f"scenarios[{i}]"
        if not isinstance(entry, dict):
            fail(path, "must be an object with a name and settings")
        _known_keys(entry, path, {"name", "settings"})
        name = _take(entry, path, "name")
        try:
            settings = config_from_dict(_take(entry, path, "settings"))
        except ConfigError as exc:
            raise ConfigError(f"{path} ({name}): {exc}") from None
        scenarios.append(Scenario(name, settings))
    return tuple(scenarios)


def config_to_json(config: Config) -> str:
    return json.dumps(config_to_dict(config), indent=2, ensure_ascii=False)


def _depth(doc: Any) -> int:
    """How deep objects and lists nest, counted without recursion."""
    deepest, stack = 0, [(doc, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_SETTINGS_DEPTH:
                children = item.values() if isinstance(item, dict) else item
                stack.extend((child, depth + 1) for child in children)
    return deepest


def config_from_json(text: str | bytes, source: str = "settings") -> Config:
    """Parse settings JSON text; any problem becomes a ConfigError that names `source`."""
    if len(text) > MAX_SETTINGS_BYTES:
        raise ConfigError(
            f"{source} is too big for a settings file ({len(text):,} bytes; the limit is "
            f"{MAX_SETTINGS_BYTES:,})."
        )
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{source} is not valid JSON ({exc}).") from None
    except (RecursionError, ValueError) as exc:
        raise ConfigError(f"{source} cannot be read as settings ({exc}).") from None
    if _depth(doc) > MAX_SETTINGS_DEPTH:
        raise ConfigError(f"{source} nests deeper than a settings file can ({MAX_SETTINGS_DEPTH}).")
    return config_from_dict(doc)


def load_config(path: str | Path) -> Config:
    """Read a settings file written by the app's "save settings" or the CLI."""
    path = Path(path)
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read settings file {path}: {exc.strerror}.") from None
    return config_from_json(text, source=str(path))


def save_config(config: Config, path: str | Path) -> None:
    """Write the settings as JSON; an invalid config raises ConfigError and writes nothing."""
    if not isinstance(config, Config):
        raise ConfigError(f"settings: expected a Config, got {type(config).__name__}")
    validate(config)
    Path(path).write_text(config_to_json(config) + "\n", encoding="utf-8")


# --- plain words ----------------------------------------------------------------------------


def describe_config(config: Config) -> list[str]:
    """The criteria in plain words, one line each: what each tier means and how it is decided."""
    return [
        *describe_pillars(config),
        *describe_tiers(config),
        *describe_quadrant(config),
        *describe_movement(config),
        f"Coverage: one CSM per ${config.arr_per_csm:,.0f} of ARR in {config.tiers[0].name}.",
        *describe_capacity(config.capacity, config.tier_names),
        *describe_profiles(config.profiles),
        *describe_icp(config.icp),
    ]


# --- editing the tiers (issue 18): names, count, cut-offs and engagement in the app ---------


def with_tiers(
    config: Config, tiers: tuple[Tier, ...], renames: dict[str, str]
) -> tuple[Config, list[str]]:
    """`config` with new tiers; what named an old tier follows its rename (`renames`: old ->
    new name), and what named a removed tier is dropped. Returns the settings (validated:
    ConfigError names the bad field) and a sentence per thing dropped."""
    names = {t.name for t in tiers}
    follow = {old: new for old, new in renames.items() if new in names}
    notes: list[str] = []
    rails = config.guardrails
    floor = follow.get(rails.strategic_floor) if rails.strategic_floor else None
    if rails.strategic_floor and floor is None:
        notes.append(f"The strategic floor ({rails.strategic_floor}) was removed with its tier.")
    overrides = []
    for o in rails.overrides:
        if o.tier in follow:
            overrides.append(replace(o, tier=follow[o.tier]))
        else:
            notes.append(f"The override of account {o.account_id} ({o.tier}) was removed.")
    capacity = config.capacity
    if capacity is not None:
        kept = tuple(replace(t, tier=follow[t.tier]) for t in capacity.tiers if t.tier in follow)
        if len(kept) < len(capacity.tiers):
            notes.append("The coverage model of a removed tier was dropped.")
        capacity = replace(capacity, tiers=kept)
    rails = replace(rails, strategic_floor=floor, overrides=tuple(overrides))
    new = replace(config, tiers=tiers, guardrails=rails, capacity=capacity)
    return new, notes


# --- the profiles and icp sections (issue 15) ---


def merge_settings(base: dict[str, Any], override: Any) -> dict[str, Any]:
    """`override` merged over `base`: objects key by key, anything else (a list) replaced."""
    merged = dict(base)
    for key, value in override.items():
        both = isinstance(value, dict) and isinstance(merged.get(key), dict)
        merged[key] = merge_settings(merged[key], value) if both else value
    return merged


def settings_changes(base: Any, new: Any) -> dict[str, Any]:
    """The part of `new` that differs from `base` (what a profile's `settings` holds)."""
    changes: dict[str, Any] = {}
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            inner = settings_changes(base[key], value)
            if inner:
                changes[key] = inner
        elif key not in base or base[key] != value:
            changes[key] = value
    return changes


def base_settings(config: Config) -> dict[str, Any]:
    """The document profiles are merged over: the settings without profiles and ICP."""
    doc = config_to_dict(config)
    doc.pop("profiles", None)
    doc.pop("icp", None)
    return doc


def build_profile_configs(config: Config) -> dict[str, Config]:
    """Each profile's whole settings; a bad override is a ConfigError naming its field."""
    if not config.profiles:
        return {}
    base, built = base_settings(config), {}
    for index, profile in enumerate(config.profiles):
        try:
            built[profile.name] = config_from_dict(merge_settings(base, dict(profile.settings)))
        except ConfigError as exc:
            raise ConfigError(f"profiles[{index}].settings.{exc}") from None
    return built


def profile_config(config: Config, name: str) -> Config:
    """The settings a profile's accounts are scored with (KeyError for an unknown name)."""
    return config._profile_configs[name]  # type: ignore[attr-defined]


def with_profile_settings(config: Config, name: str, settings: Config) -> Config:
    """A copy of `config` whose profile `name` is scored with `settings` (stored as the part
    that differs from the default settings)."""
    changes = settings_changes(base_settings(config), base_settings(settings))
    changes = {k: v for k, v in changes.items() if k in PROFILE_SECTIONS}
    profiles = tuple(replace(p, settings=changes) if p.name == name else p for p in config.profiles)
    return replace(config, profiles=profiles)


def _profiles_to_doc(config: Config, doc: dict[str, Any]) -> None:
    profiles = doc.pop("profiles")
    if profiles:
        doc["profiles"] = [
            {
                "name": p["name"],
                "when": {"column": p["column"], "values": list(p["values"])},
                "ranks_within": p["ranks_within"],
                "settings": p["settings"],
            }
            for p in profiles
        ]
    icp = doc.pop("icp")
    if icp is not None:
        doc["icp"] = {
            "criteria": [_criterion_to_doc(c) for c in icp["criteria"]],
            "strong": icp["strong"],
            "partial": icp["partial"],
        }


def _criterion_to_doc(criterion: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {"column": criterion["column"]}
    if criterion["values"]:
        doc["values"] = list(criterion["values"])
    for name, key in (("low", "min"), ("high", "max")):
        if criterion[name] is not None:
            doc[key] = criterion[name]
    return doc


def _text_list(doc: Any, path: str, name: str) -> tuple[str, ...]:
    values = _take(doc, path, name, [])
    if not isinstance(values, list):
        fail(f"{path}.{name}", "must be a list of values")
    return tuple(values)


def _profile_from_doc(doc: Any, path: str) -> Profile:
    if not isinstance(doc, dict):
        fail(path, "must be an object")
    _known_keys(doc, path, {"name", "when", "ranks_within", "settings"})
    when = _section(doc, path, "when", dict, ...)
    _known_keys(when, f"{path}.when", {"column", "values"})
    return Profile(
        name=_take(doc, path, "name"),
        column=_take(when, f"{path}.when", "column"),
        values=_text_list(when, f"{path}.when", "values"),
        ranks_within=_take(doc, path, "ranks_within", True),
        settings=_section(doc, path, "settings", dict, {}),
    )


def _profiles_from_doc(doc: dict) -> tuple[Profile, ...]:
    profiles = _section(doc, "", "profiles", list, [])
    return tuple(_profile_from_doc(p, f"profiles[{i}]") for i, p in enumerate(profiles))


def _icp_from_doc(doc: dict) -> Icp | None:
    if "icp" not in doc:
        return None
    section = _section(doc, "", "icp", dict, ...)
    _known_keys(section, "icp", {"criteria", "strong", "partial"})
    criteria = _section(section, "icp", "criteria", list, ...)
    rows = []
    for i, entry in enumerate(criteria):
        path = f"icp.criteria[{i}]"
        if not isinstance(entry, dict):
            fail(path, "must be an object")
        _known_keys(entry, path, {"column", "values", "min", "max"})
        rows.append(
            IcpCriterion(
                _take(entry, path, "column"),
                _text_list(entry, path, "values"),
                _take(entry, path, "min", None),
                _take(entry, path, "max", None),
            )
        )
    return Icp(
        tuple(rows), _take(section, "icp", "strong", 75.0), _take(section, "icp", "partial", 40.0)
    )

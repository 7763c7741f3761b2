"""The settings document: pillars, metrics, tiers, guard-rails and quadrant, as validated data.

One `Config` is everything that decides a segmentation. It is built only through its
constructor (which validates it), saved and loaded as versioned JSON, and changed with the
`with_*` helpers, which return a new, validated Config.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from segmentation.errors import ConfigError

CONFIG_VERSION = 1
PILLAR_KEYS: tuple[str, ...] = ("growth", "strategic", "complexity", "health")
SCHEMES: tuple[str, ...] = ("percentile", "linear", "bands", "boolean", "category")
DIRECTIONS: tuple[str, ...] = ("higher", "lower")
MISSING_POLICIES: tuple[str, ...] = ("skip", "neutral", "worst")
EFFECTS: tuple[str, ...] = ("raises", "lowers")
SCORE_COLUMNS: tuple[str, ...] = tuple(f"score_{key}" for key in PILLAR_KEYS)
AXES: tuple[str, ...] = (*SCORE_COLUMNS, "priority", "arr")
QUADRANT_CELLS: tuple[str, ...] = ("top_right", "top_left", "bottom_right", "bottom_left")

SHORT_LABELS = {
    "growth": "growth",
    "strategic": "strategic value",
    "complexity": "complexity",
    "health": "health",
}
SCHEME_HELP = {
    "percentile": "rank within the book, 0 (lowest) to 100 (highest)",
    "linear": "straight line from `low` (0) to `high` (100), clipped",
    "bands": "points per band: a value up to each band's `up_to` gets its `score`",
    "boolean": "yes = 100, no = 0",
    "category": "points per category, `other` for anything not listed",
}
MISSING_HELP = {
    "skip": "left out, the other metrics of the pillar re-weighted",
    "neutral": "scored 50",
    "worst": "scored as the worst value (0)",
}


@dataclass(frozen=True)
class Band:
    up_to: float | None  # None: no upper bound (the last band)
    score: float


@dataclass(frozen=True)
class Metric:
    """One input column turned into a 0-100 score inside a pillar."""

    column: str
    weight: float = 1.0
    scheme: str = "percentile"
    direction: str = "higher"  # "higher": a higher value gives a higher score
    missing: str = "skip"
    low: float | None = None  # linear
    high: float | None = None  # linear
    bands: tuple[Band, ...] = ()
    categories: tuple[tuple[str, float], ...] = ()
    other: float | None = None  # category score for values not listed; None = missing

    def scoring_key(self) -> tuple:
        """Everything that changes the metric's score (its weight does not)."""
        return (
            self.column,
            self.scheme,
            self.direction,
            self.missing,
            self.low,
            self.high,
            self.bands,
            self.categories,
            self.other,
        )


@dataclass(frozen=True)
class Pillar:
    key: str
    label: str
    weight: float
    effect: str  # "raises": a high score raises priority; "lowers": a low score raises it
    metrics: tuple[Metric, ...]

    @property
    def driver_label(self) -> str:
        """How the pillar reads in a reason, by the way it enters priority ("health risk")."""
        short = SHORT_LABELS[self.key]
        if self.effect == "raises":
            return short
        return f"{short} risk" if self.key == "health" else f"low {short}"


@dataclass(frozen=True)
class Tier:
    name: str
    threshold: float  # lowest priority that reaches this tier; the last tier's is 0
    engagement: str = ""


@dataclass(frozen=True)
class Override:
    account_id: str
    tier: str
    reason: str = ""


@dataclass(frozen=True)
class Guardrails:
    min_arr_top_tier: float | None = None  # below it, a top-tier account drops one tier
    strategic_floor: str | None = None  # strategic accounts are never below this tier
    overrides: tuple[Override, ...] = ()


@dataclass(frozen=True)
class Quadrant:
    x: str = "score_health"
    y: str = "score_strategic"
    x_split: float = 50.0
    y_split: float = 50.0
    labels: tuple[tuple[str, str], ...] = (
        ("top_right", "Grow"),
        ("top_left", "Protect"),
        ("bottom_right", "Nurture"),
        ("bottom_left", "Monitor"),
    )

    def label(self, cell: str) -> str:
        return dict(self.labels)[cell]


@dataclass(frozen=True)
class Config:
    pillars: tuple[Pillar, ...]
    tiers: tuple[Tier, ...]
    guardrails: Guardrails = field(default_factory=Guardrails)
    quadrant: Quadrant = field(default_factory=Quadrant)
    arr_per_csm: float = 2_000_000.0  # coverage rule of thumb: one CSM per this much ARR
    version: int = CONFIG_VERSION

    def __post_init__(self) -> None:
        validate(self)

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


def _fail(path: str, problem: str) -> None:
    raise ConfigError(f"{path}: {problem}")


def _check_number(path: str, value: Any, *, minimum: float | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        _fail(path, f"must be a number, got {value!r}")
    if minimum is not None and value < minimum:
        _fail(path, f"must be at least {minimum:g}, got {value:g}")


def _check_choice(path: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        _fail(path, f"must be one of {', '.join(choices)}; got {value!r}")


def _validate_metric(path: str, metric: Metric) -> None:
    if not isinstance(metric.column, str) or not metric.column.strip():
        _fail(f"{path}.column", "must name a column")
    _check_number(f"{path}.weight", metric.weight, minimum=0)
    _check_choice(f"{path}.scheme", metric.scheme, SCHEMES)
    _check_choice(f"{path}.direction", metric.direction, DIRECTIONS)
    _check_choice(f"{path}.missing", metric.missing, MISSING_POLICIES)
    if metric.scheme == "linear":
        _check_number(f"{path}.low", metric.low)
        _check_number(f"{path}.high", metric.high)
        if metric.high <= metric.low:
            _fail(f"{path}.high", f"must be above low ({metric.low:g}), got {metric.high:g}")
    if metric.scheme == "bands":
        if not metric.bands:
            _fail(f"{path}.bands", "the bands scheme needs at least one band")
        previous = -math.inf
        for i, band in enumerate(metric.bands):
            _check_number(f"{path}.bands[{i}].score", band.score, minimum=0)
            if band.score > 100:
                _fail(f"{path}.bands[{i}].score", f"must be at most 100, got {band.score:g}")
            if band.up_to is None:
                if i != len(metric.bands) - 1:
                    _fail(f"{path}.bands[{i}].up_to", "only the last band may be open-ended")
                continue
            _check_number(f"{path}.bands[{i}].up_to", band.up_to)
            if band.up_to <= previous:
                _fail(f"{path}.bands[{i}].up_to", "bands must be in increasing order")
            previous = band.up_to
    if metric.scheme == "category":
        if not metric.categories:
            _fail(f"{path}.categories", "the category scheme needs at least one category")
        for name, score in metric.categories:
            _check_number(f"{path}.categories[{name!r}]", score, minimum=0)
            if score > 100:
                _fail(f"{path}.categories[{name!r}]", f"must be at most 100, got {score:g}")
        if metric.other is not None:
            _check_number(f"{path}.other", metric.other, minimum=0)


def validate(config: Config) -> None:
    """Raise ConfigError naming the first invalid field; return None when the config is sound."""
    if config.version != CONFIG_VERSION:
        _fail(
            "version", f"unknown version {config.version!r}; this Tierwise reads {CONFIG_VERSION}"
        )
    keys = tuple(p.key for p in config.pillars)
    if keys != PILLAR_KEYS:
        _fail("pillars", f"must be exactly {', '.join(PILLAR_KEYS)} in that order; got {keys}")
    for pillar in config.pillars:
        path = f"pillars.{pillar.key}"
        _check_number(f"{path}.weight", pillar.weight, minimum=0)
        _check_choice(f"{path}.effect", pillar.effect, EFFECTS)
        if not pillar.metrics:
            _fail(f"{path}.metrics", "a pillar needs at least one metric")
        for i, metric in enumerate(pillar.metrics):
            _validate_metric(f"{path}.metrics[{i}]", metric)
        if pillar.weight > 0 and not any(m.weight > 0 for m in pillar.metrics):
            _fail(f"{path}.metrics", "at least one metric needs a weight above 0")
    if not any(p.weight > 0 for p in config.pillars):
        _fail("pillars", "at least one pillar needs a weight above 0")

    if len(config.tiers) < 2:
        _fail("tiers", "at least two tiers are needed")
    names = [t.name for t in config.tiers]
    for i, tier in enumerate(config.tiers):
        if not isinstance(tier.name, str) or not tier.name.strip():
            _fail(f"tiers[{i}].name", "must be a non-empty name")
        _check_number(f"tiers[{i}].threshold", tier.threshold, minimum=0)
        if tier.threshold > 100:
            _fail(f"tiers[{i}].threshold", f"must be at most 100, got {tier.threshold:g}")
    if len(set(names)) != len(names):
        _fail("tiers", f"tier names must be unique; got {', '.join(names)}")
    for i in range(1, len(config.tiers) - 1):
        if config.tiers[i].threshold >= config.tiers[i - 1].threshold:
            _fail(
                f"tiers[{i}].threshold",
                f"thresholds must decrease from the top tier down: {config.tiers[i].name} "
                f"({config.tiers[i].threshold:g}) is not below {config.tiers[i - 1].name} "
                f"({config.tiers[i - 1].threshold:g})",
            )
    if config.tiers[-1].threshold != 0:
        _fail(f"tiers[{len(names) - 1}].threshold", "the last tier takes everything left: use 0")

    rails = config.guardrails
    if rails.min_arr_top_tier is not None:
        _check_number("guardrails.min_arr_top_tier", rails.min_arr_top_tier, minimum=0)
    if rails.strategic_floor is not None:
        _check_choice("guardrails.strategic_floor", rails.strategic_floor, tuple(names))
    for i, override in enumerate(rails.overrides):
        if not str(override.account_id).strip():
            _fail(f"guardrails.overrides[{i}].account_id", "must name an account")
        _check_choice(f"guardrails.overrides[{i}].tier", override.tier, tuple(names))

    quadrant = config.quadrant
    _check_choice("quadrant.x", quadrant.x, AXES)
    _check_choice("quadrant.y", quadrant.y, AXES)
    _check_number("quadrant.x_split", quadrant.x_split)
    _check_number("quadrant.y_split", quadrant.y_split)
    if tuple(sorted(cell for cell, _ in quadrant.labels)) != tuple(sorted(QUADRANT_CELLS)):
        _fail("quadrant.labels", f"must name each of {', '.join(QUADRANT_CELLS)} once")
    _check_number("arr_per_csm", config.arr_per_csm, minimum=1)


# --- the default ----------------------------------------------------------------------------

NPS_BANDS = (Band(6, 0), Band(8, 50), Band(None, 100))


def default_config() -> Config:
    """The configuration the app starts from (DESIGN section 2)."""
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
                    # Off by default: it makes tiers depend on the day they are computed.
                    Metric("days_to_renewal", weight=0, scheme="linear", low=0, high=365),
                ),
            ),
        ),
        tiers=(
            Tier("High-touch", 70, "Dedicated CSM + TAM, quarterly business reviews"),
            Tier("Mid-touch", 45, "Pooled CSMs + tailored digital content"),
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
    tiers = list(config.tiers)
    for i, threshold in enumerate(thresholds):
        tiers[i] = replace(tiers[i], threshold=threshold)
    return replace(config, tiers=tuple(tiers))


# --- JSON -----------------------------------------------------------------------------------


def config_to_dict(config: Config) -> dict[str, Any]:
    """The JSON-ready document (the shape `config_from_dict` and `load_config` read)."""
    doc = asdict(config)
    doc = {"version": doc.pop("version"), **doc}
    for pillar in doc["pillars"]:
        for metric in pillar["metrics"]:
            metric["categories"] = dict(metric["categories"])
            for name in ("low", "high", "other"):
                if metric[name] is None:
                    del metric[name]
            if metric["scheme"] != "category":
                del metric["categories"]
            if metric["scheme"] != "bands":
                del metric["bands"]
    doc["pillars"] = {p.pop("key"): p for p in doc["pillars"]}
    doc["quadrant"]["labels"] = dict(doc["quadrant"]["labels"])
    return json.loads(json.dumps(doc))  # tuples -> lists: exactly what a JSON file holds


def _take(doc: Any, path: str, name: str, default: Any = ...) -> Any:
    if not isinstance(doc, dict):
        _fail(path, "must be an object")
    if name not in doc:
        if default is ...:
            _fail(f"{path}.{name}" if path else name, "is missing")
        return default
    return doc[name]


def _known_keys(doc: dict, path: str, allowed: set[str]) -> None:
    unknown = sorted(set(doc) - allowed)
    if unknown:
        _fail(f"{path}.{unknown[0]}" if path else unknown[0], "is not a known setting")


def _metric_from_dict(doc: Any, path: str) -> Metric:
    if not isinstance(doc, dict):
        _fail(path, "must be an object")
    _known_keys(doc, path, {f for f in Metric.__dataclass_fields__})
    bands = _take(doc, path, "bands", [])
    categories = _take(doc, path, "categories", {})
    if not isinstance(bands, list):
        _fail(f"{path}.bands", "must be a list of {up_to, score}")
    if not isinstance(categories, dict):
        _fail(f"{path}.categories", "must map category names to scores")
    return Metric(
        column=_take(doc, path, "column"),
        weight=_take(doc, path, "weight", 1.0),
        scheme=_take(doc, path, "scheme", "percentile"),
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
    )


def config_from_dict(doc: Any) -> Config:
    """Build and validate a Config from its JSON document; ConfigError names the bad field."""
    if not isinstance(doc, dict):
        _fail("settings", "must be a JSON object")
    _known_keys(doc, "", {"version", "pillars", "tiers", "guardrails", "quadrant", "arr_per_csm"})
    version = _take(doc, "", "version")
    if version != CONFIG_VERSION:
        _fail("version", f"unknown version {version!r}; this Tierwise reads {CONFIG_VERSION}")
    pillars_doc = _take(doc, "", "pillars")
    if not isinstance(pillars_doc, dict):
        _fail("pillars", "must map pillar names to pillar settings")
    _known_keys(pillars_doc, "pillars", set(PILLAR_KEYS))
    pillars = []
    for key in PILLAR_KEYS:
        path = f"pillars.{key}"
        p = _take(pillars_doc, "pillars", key)
        _known_keys(p, path, {"label", "weight", "effect", "metrics"})
        metrics = _take(p, path, "metrics")
        if not isinstance(metrics, list):
            _fail(f"{path}.metrics", "must be a list")
        pillars.append(
            Pillar(
                key,
                _take(p, path, "label", key.title()),
                _take(p, path, "weight"),
                _take(p, path, "effect", "raises"),
                tuple(_metric_from_dict(m, f"{path}.metrics[{i}]") for i, m in enumerate(metrics)),
            )
        )
    tiers_doc = _take(doc, "", "tiers")
    if not isinstance(tiers_doc, list):
        _fail("tiers", "must be a list")
    tiers = tuple(
        Tier(
            _take(t, f"tiers[{i}]", "name"),
            _take(t, f"tiers[{i}]", "threshold"),
            _take(t, f"tiers[{i}]", "engagement", ""),
        )
        for i, t in enumerate(tiers_doc)
    )
    rails = _take(doc, "", "guardrails", {})
    _known_keys(rails, "guardrails", {"min_arr_top_tier", "strategic_floor", "overrides"})
    overrides = _take(rails, "guardrails", "overrides", [])
    if not isinstance(overrides, list):
        _fail("guardrails.overrides", "must be a list")
    guardrails = Guardrails(
        min_arr_top_tier=_take(rails, "guardrails", "min_arr_top_tier", None),
        strategic_floor=_take(rails, "guardrails", "strategic_floor", None),
        overrides=tuple(
            Override(
                str(_take(o, f"guardrails.overrides[{i}]", "account_id")),
                _take(o, f"guardrails.overrides[{i}]", "tier"),
                _take(o, f"guardrails.overrides[{i}]", "reason", ""),
            )
            for i, o in enumerate(overrides)
        ),
    )
    q = _take(doc, "", "quadrant", {})
    _known_keys(q, "quadrant", {"x", "y", "x_split", "y_split", "labels"})
    labels = _take(q, "quadrant", "labels", dict(Quadrant().labels))
    if not isinstance(labels, dict):
        _fail("quadrant.labels", "must map cells to labels")
    quadrant = Quadrant(
        x=_take(q, "quadrant", "x", Quadrant.x),
        y=_take(q, "quadrant", "y", Quadrant.y),
        x_split=_take(q, "quadrant", "x_split", Quadrant.x_split),
        y_split=_take(q, "quadrant", "y_split", Quadrant.y_split),
        labels=tuple(labels.items()),
    )
    return Config(
        pillars=tuple(pillars),
        tiers=tiers,
        guardrails=guardrails,
        quadrant=quadrant,
        arr_per_csm=_take(doc, "", "arr_per_csm", 2_000_000.0),
        version=version,
    )


def config_to_json(config: Config) -> str:
    return json.dumps(config_to_dict(config), indent=2, ensure_ascii=False)


def config_from_json(text: str | bytes, source: str = "settings") -> Config:
    """Parse settings JSON text; any problem becomes a ConfigError that names `source`."""
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{source} is not valid JSON ({exc}).") from None
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


def _describe_metric(metric: Metric) -> str:
    if metric.scheme == "bands":
        rule = ", ".join(
            f"up to {b.up_to:g} -> {b.score:g}" if b.up_to is not None else f"above -> {b.score:g}"
            for b in metric.bands
        )
    elif metric.scheme == "category":
        rule = ", ".join(f"{name} {score:g}" for name, score in metric.categories)
        if metric.other is not None:
            rule += f", other {metric.other:g}"
    elif metric.scheme == "linear":
        rule = f"{metric.low:g} -> 0 to {metric.high:g} -> 100"
    else:
        rule = SCHEME_HELP[metric.scheme]
    worse = "" if metric.direction == "higher" else ", lower is better"
    missing = "" if metric.missing == "skip" else f"; missing: {MISSING_HELP[metric.missing]}"
    return f"{metric.column} (weight {metric.weight:g}, {metric.scheme}: {rule}{worse}{missing})"


def describe_config(config: Config) -> list[str]:
    """The criteria in plain words, one line each: what each tier means and how it is decided."""
    total = sum(p.weight for p in config.pillars)
    lines = [
        "Each metric becomes a score from 0 to 100; a pillar score is the weighted mean of its"
        " metrics (a missing value is left out and the others re-weighted, unless noted).",
        "Priority (0-100) is the weighted mean of four pillar scores:",
    ]
    for pillar in config.pillars:
        share = pillar.weight / total * 100
        entry = "its score" if pillar.effect == "raises" else "100 minus its score (low is risk)"
        metrics = "; ".join(_describe_metric(m) for m in pillar.metrics if m.weight > 0)
        lines.append(f"- {pillar.label}: {share:.0f}% of priority, entering as {entry}. {metrics}.")
    lines.append("Tiers, from the top: an account takes the first tier whose threshold it reaches.")
    for tier in config.tiers:
        lines.append(
            f"- {tier.name}: priority {tier.threshold:g} or more. {tier.engagement}".rstrip()
        )
    rails = config.guardrails
    if rails.min_arr_top_tier is not None:
        minimum = f"${rails.min_arr_top_tier:,.0f}"
        lines.append(f"Guard-rail: {config.tiers[0].name} needs ARR of at least {minimum}.")
    if rails.strategic_floor is not None:
        lines.append(f"Guard-rail: strategic accounts are never below {rails.strategic_floor}.")
    for o in rails.overrides:
        lines.append(
            f"Override: account {o.account_id} is {o.tier}"
            + (f" ({o.reason})." if o.reason else ".")
        )
    q = config.quadrant
    lines.append(
        f"Quadrant: {q.x} split at {q.x_split:g}, {q.y} split at {q.y_split:g}; "
        + ", ".join(f"{cell.replace('_', ' ')} = {label}" for cell, label in q.labels)
        + "."
    )
    lines.append(
        f"Coverage: one CSM per ${config.arr_per_csm:,.0f} of ARR in {config.tiers[0].name}."
    )
    return lines

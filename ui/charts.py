"""Altair charts for the workshop: the quadrant and the priority distribution.

Charts get bounded data only (a sample of at most a few thousand accounts, or counts per
bin), so the spec sent to the browser stays small whatever the size of the book.
"""

from __future__ import annotations

import functools
import json

import altair as alt
import pandas as pd

import segmentation as seg
from segmentation.rules.pillars import SCORE_COLUMNS
from segmentation.rules.quadrant import CELL_SIDES
from segmentation.views.histogram import HISTOGRAM_BIN
from ui import format as fmt
from ui.theme import tier_colours

LABEL_FLIP_AT = 60  # priority above which a cut-off's label goes left of its line
HEADROOM = 1.25  # the histogram's y axis runs this far above its tallest bar: room for labels


# One compact row above the plot: the tier names are the legend's whole content, and a
# bottom legend wider than a half-width column is clipped by the chart's canvas.
_LEGEND = alt.Legend(
    orient="top",
    direction="horizontal",
    title=None,
    symbolSize=70,
    labelFontSize=12,
    columnPadding=10,
    labelLimit=120,
)


def _tier_scale(names: tuple[str, ...]) -> alt.Scale:
    return alt.Scale(domain=list(names), range=tier_colours(names))


def _scale(log: bool) -> alt.Scale:
    return alt.Scale(type="log", nice=False) if log else alt.Scale(domain=[0, 100], nice=False)


# The chart specs are built with Altair once per shape (axes, labels, tiers) and kept as
# JSON; each redraw only fills in the data. Altair's build and schema validation cost far
# more than a slider move may (docs/design.md section 4), and the templates hold no account data.
@functools.lru_cache(maxsize=64)
def _quadrant_template(
    x_title: str,
    y_title: str,
    x_log: bool,
    y_log: bool,
    tiers: tuple[str, ...],
    pillar_titles: tuple[str, ...],
) -> str:
    x_scale, y_scale = _scale(x_log), _scale(y_log)
    tooltip = [
        alt.Tooltip("account:N", title="Account"),
        alt.Tooltip("tier:N", title="Tier"),
        alt.Tooltip("arr:Q", title="ARR", format="$,.0f"),
        alt.Tooltip("priority:Q", title="Priority", format=".1f"),
        *[
            alt.Tooltip(f"{c}:Q", title=t, format=".0f")
            for c, t in zip(SCORE_COLUMNS, pillar_titles, strict=True)
        ],
    ]
    points = (
        alt.Chart(alt.Data(name="points"))
        .mark_circle(opacity=0.75, stroke="white", strokeWidth=0.4)
        .encode(
            x=alt.X("x:Q", title=x_title, scale=x_scale, axis=_axis(x_log)),
            y=alt.Y("y:Q", title=y_title, scale=y_scale, axis=_axis(y_log)),
            color=alt.Color("tier:N", title="Tier", scale=_tier_scale(tiers), legend=_LEGEND),
            size=alt.Size(
                "arr:Q", title="ARR", scale=alt.Scale(type="sqrt", range=[12, 500]), legend=None
            ),
            order=alt.Order("order:Q"),  # the top tier drawn last, on top
            tooltip=tooltip,
        )
    )
    rule_style = {"color": "#334155", "strokeDash": [6, 4], "strokeWidth": 1.5}
    splits = alt.Chart(alt.Data(name="splits"))
    vline = splits.mark_rule(**rule_style).encode(x=alt.X("x:Q", scale=x_scale))
    hline = splits.mark_rule(**rule_style).encode(y=alt.Y("y:Q", scale=y_scale))
    texts = [
        _corner_text(cell, field, x_scale, y_scale)
        for cell in CELL_SIDES
        for field in ("name", "numbers")
    ]
    chart = alt.layer(points, vline, hline, *texts).properties(height=430)
    return _template_json(chart)


MONEY_TICKS = "replace(format(datum.value, '$~s'), 'G', 'B')"  # $20k, $1.2M, $3B
CORNER_PAD = 8  # pixels between a corner label and the plot's edge
CORNER_LIMIT = f"width / 2 - {3 * CORNER_PAD}"  # each label stays in its half: never overlap


def _axis(money: bool) -> alt.Axis:
    return alt.Axis(labelExpr=MONEY_TICKS) if money else alt.Axis()


def _corner_text(cell: str, field: str, x_scale: alt.Scale, y_scale: alt.Scale) -> alt.Chart:
    """One line of a corner's label: its name (bold) nearest the edge, its numbers inside it.

    Placed in the plot's corner with padding and cut to half the plot's width (with an
    ellipsis), so that the left and right labels of a row never overlap whatever the width.
    """
    align, baseline = CELL_SIDES[cell]
    inner = 0 if field == "name" else 1  # lines from the edge inwards
    offset = CORNER_PAD + 17 * inner
    return (
        alt.Chart(alt.Data(name="corners"))
        .transform_filter(alt.datum.cell == cell)
        .mark_text(
            align=align,
            baseline=baseline,
            dx=CORNER_PAD if align == "left" else -CORNER_PAD,
            dy=offset if baseline == "top" else -offset,
            fontSize=13 if field == "name" else 12,
            fontWeight="bold" if field == "name" else "normal",
            color="#0f172a",
            limit=alt.expr(CORNER_LIMIT),
        )
        .encode(
            x=alt.X("x:Q", scale=x_scale),
            y=alt.Y("y:Q", scale=y_scale),
            text=f"{field}:N",
        )
    )


def _template_json(chart: alt.TopLevelMixin) -> str:
    # Not validated against the Vega-Lite schema here: that is 60% of a template's build (0.1 s
    # on a first Workshop view and on each change of axes), and a template holds no data, only
    # this module's own shapes; tests/views/test_chart_templates.py validates every shape.
    spec = chart.to_dict(validate=False)
    spec.pop("config", None)  # Altair's default theme sizes; Streamlit's theme applies instead
    return json.dumps(spec)


def _set_domains(spec: dict, x_domain: list[float], y_domain: list[float]) -> None:
    for layer in spec["layer"]:
        for channel, domain in (("x", x_domain), ("y", y_domain)):
            encoding = layer.get("encoding", {}).get(channel)
            if encoding is not None:
                encoding.setdefault("scale", {})["domain"] = domain


def quadrant_spec(
    frame: pd.DataFrame,
    cells: pd.DataFrame,
    cfg: seg.Config,
    x_domain: tuple[float, float],
    y_domain: tuple[float, float],
) -> dict:
    """The quadrant as a Vega-Lite spec: sampled points (the top tier on top), split lines, each
    corner's name and exact counts (never overlapping), money ticks on an ARR axis."""
    q = cfg.quadrant
    labels = {p.key: p.label for p in cfg.pillars}
    spec = json.loads(
        _quadrant_template(
            fmt.axis_label(q.x, labels),
            fmt.axis_label(q.y, labels),
            q.x == "arr",
            q.y == "arr",
            cfg.tier_names,
            tuple(labels[c.removeprefix("score_")] for c in SCORE_COLUMNS),
        )
    )
    _set_domains(spec, list(x_domain), list(y_domain))
    spec["datasets"] = {
        "points": frame,
        "splits": pd.DataFrame({"x": [q.x_split], "y": [q.y_split]}),
        "corners": pd.DataFrame(
            {
                "cell": cells["cell"],
                "x": [x_domain[CELL_SIDES[c][0] == "right"] for c in cells["cell"]],
                "y": [y_domain[CELL_SIDES[c][1] == "top"] for c in cells["cell"]],
                "name": cells["label"].astype(str),
                "numbers": [
                    f"{fmt.accounts(n)} · {fmt.money(a)}"
                    for n, a in zip(cells["accounts"], cells["arr"], strict=True)
                ],
            }
        ),
    }
    return spec


@functools.lru_cache(maxsize=64)
def _histogram_template(tiers: tuple[str, ...]) -> str:
    bars = (
        alt.Chart(alt.Data(name="bins"))
        .mark_bar()
        .encode(
            x=alt.X(
                "bin_start:Q",
                bin=alt.Bin(binned=True, step=HISTOGRAM_BIN),
                title="Priority",
                scale=alt.Scale(domain=[0, 100], nice=False),
            ),
            x2="bin_end:Q",
            y=alt.Y("accounts:Q", title="Accounts", stack="zero"),
            color=alt.Color("tier:N", title="Tier", scale=_tier_scale(tiers), legend=_LEGEND),
            order=alt.Order("tier_order:Q"),
            tooltip=[
                alt.Tooltip("tier:N", title="Tier"),
                alt.Tooltip("bin_start:Q", title="Priority from"),
                alt.Tooltip("bin_end:Q", title="to"),
                alt.Tooltip("accounts:Q", title="Accounts", format=","),
            ],
        )
    )
    cuts = alt.Chart(alt.Data(name="cuts"))
    rules = cuts.mark_rule(color="#0f172a", strokeWidth=2, strokeDash=[4, 3]).encode(
        x="threshold:Q"
    )
    # A label right of its line, or left of it near the right edge, where it would be clipped.
    texts = [
        cuts.transform_filter(keep)
        .mark_text(align=align, baseline="top", dx=dx, dy=4, fontSize=13, fontWeight="bold")
        .encode(x="threshold:Q", y=alt.Y("offset:Q", scale=None), text="label:N")
        for keep, align, dx in (
            (alt.datum.threshold <= LABEL_FLIP_AT, "left", 4),
            (alt.datum.threshold > LABEL_FLIP_AT, "right", -4),
        )
    ]
    # The y axis's headroom comes from the data (an unseen point above the tallest bar), so
    # that the spec stays the same while the bars change: the browser then swaps the data of
    # the chart it has instead of building a new one.
    headroom = (
        alt.Chart(alt.Data(name="headroom"))
        .mark_point(opacity=0, size=0)
        .encode(y=alt.Y("top:Q", title="Accounts", scale=alt.Scale(nice=True)))
    )
    chart = alt.layer(bars, rules, *texts, headroom).properties(height=430)
    return _template_json(chart)


def histogram_spec(bins: pd.DataFrame, cfg: seg.Config) -> dict:
    """Accounts per priority bin stacked by tier, with the cut-offs drawn on it."""
    spec = json.loads(_histogram_template(cfg.tier_names))
    tallest = bins.groupby("bin_start", observed=True)["accounts"].sum().max() if len(bins) else 0
    spec["datasets"] = {
        "headroom": pd.DataFrame({"top": [max(float(tallest), 1.0) * HEADROOM]}),
        "bins": bins.assign(tier=bins["tier"].astype("str"), tier_order=bins["tier"].cat.codes),
        "cuts": pd.DataFrame(
            {
                "threshold": [t.threshold for t in cfg.tiers[:-1]],
                "label": [f"{t.name} ≥ {t.threshold:g}" for t in cfg.tiers[:-1]],
                "offset": [18 * i for i in range(len(cfg.tiers) - 1)],  # pixels: no overlap
            }
        ),
    }
    return spec


def breakdown_chart(breakdown: pd.DataFrame) -> alt.Chart:
    """One account's pillars as horizontal bars (0-100), each as it pulls on priority and named
    as the reasons name it: "Health risk 85" for a health score of 15."""
    return (
        alt.Chart(breakdown)
        .mark_bar(color="#138a72")
        .encode(
            x=alt.X(
                "enters_priority_as:Q",
                title="Pull on priority (0-100)",
                scale=alt.Scale(domain=[0, 100]),
            ),
            y=alt.Y("driver:N", title=None, sort=None),
            tooltip=[
                alt.Tooltip("pillar:N", title="Pillar"),
                alt.Tooltip("score:Q", title="Pillar score", format=".0f"),
                alt.Tooltip("enters_priority_as:Q", title="Pull on priority", format=".0f"),
                alt.Tooltip("effect:N", title="How it counts"),
            ],
        )
        .properties(height=170)
    )


def movement_flow_chart(flows: pd.DataFrame, tiers: tuple[str, ...]) -> alt.LayerChart:
    """Tiers at the previous snapshot (left) to tiers now (right): one band per flow, its width
    the accounts that took it (the diagonal is the accounts that stayed)."""
    position = {name: i for i, name in enumerate(tiers)}
    data = flows.assign(
        y0=flows["previous"].map(position).astype(float),
        y1=flows["now"].map(position).astype(float),
        x0=0.0,
        x1=1.0,
        flow=flows["previous"].astype(str) + " → " + flows["now"].astype(str),
    )
    y_scale = alt.Scale(domain=[len(tiers) - 0.5, -0.5])
    y = alt.Y("y0:Q", axis=None, scale=y_scale)
    bands = (
        alt.Chart(data)
        .mark_rule(opacity=0.55, strokeCap="round")
        .encode(
            x=alt.X("x0:Q", axis=None, scale=alt.Scale(domain=[-0.35, 1.35])),
            x2="x1:Q",
            y=y,
            y2="y1:Q",
            strokeWidth=alt.StrokeWidth("accounts:Q", scale=alt.Scale(range=[1, 28]), legend=None),
            color=alt.Color("previous:N", scale=_tier_scale(tiers), legend=None),
            tooltip=[
                "flow:N",
                alt.Tooltip("accounts:Q", format=","),
                alt.Tooltip("arr:Q", format="$,.0f"),
            ],
        )
    )
    labels = pd.DataFrame(
        [{"x": x, "y": float(i), "tier": name, "align": align}
         for i, name in enumerate(tiers) for x, align in ((-0.05, "right"), (1.05, "left"))]
    )  # fmt: skip
    left = alt.Chart(labels[labels["align"] == "right"]).mark_text(align="right", fontSize=13)
    right = alt.Chart(labels[labels["align"] == "left"]).mark_text(align="left", fontSize=13)
    text = [
        part.encode(x="x:Q", y=alt.Y("y:Q", axis=None, scale=y_scale), text="tier:N")
        for part in (left, right)
    ]
    return alt.layer(bands, *text).properties(height=260)

"""A hostile book and settings: markdown images, links, HTML tags and bare URLs in every piece
of user-supplied text (cells, headers, the file name, tier names, engagement text, labels).

Every payload points at `example.invalid`, so a rendered link, image or tag made from the
data always carries that name; the checkers below look for it in what the app sends.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pandas as pd
from app_helpers import SAMPLE_CSV

import segmentation as seg

IMAGE = "![x](http://example.invalid/a.png)"
LINK = "[click](http://example.invalid/c)"
TAG = "<img src=http://example.invalid/t.png>"
BARE = "http://example.invalid/b www.example.invalid ceo@example.invalid"
PAYLOADS = (IMAGE, LINK, TAG, BARE)
FILE_NAME = "[book](http://example.invalid/f) <img src=x>.csv"
HEADER = "![h](http://example.invalid/h.png) Seats"


def hostile_book() -> bytes:
    """The sample book with hostile account names, CSMs, industries and an extra header."""
    frame = pd.read_csv(SAMPLE_CSV, dtype=str, keep_default_na=False)
    arr = frame["ARR"].astype(float)
    top = arr.sort_values(ascending=False).index  # the highest ARR accounts: High-touch
    for i, payload in enumerate(PAYLOADS):
        frame.loc[top[i], "Account Name"] = f"{payload} {i}"
        frame.loc[top[i + 4], "Account Name"] = f"Acme {payload}"
    frame["CSM"] = [PAYLOADS[i % len(PAYLOADS)] if i % 7 == 0 else c for i, c in
                    enumerate(frame["CSM"])]  # fmt: skip
    frame.loc[frame.index[::5], "Industry"] = LINK
    frame[HEADER] = frame["Licensed Seats"]
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")


TIER_NAMES = (f"{IMAGE} High", f"{LINK} Mid", f"{TAG} Low")


def hostile_settings_doc() -> dict[str, Any]:
    """The default settings with hostile tier names, engagement text, labels, a scenario
    name and a profile (its name and the value it matches)."""
    doc = seg.config_to_dict(seg.default_config())
    old = [t["name"] for t in doc["tiers"]]
    for tier, name, payload in zip(doc["tiers"], TIER_NAMES, PAYLOADS[:0:-1], strict=True):
        tier["name"], tier["engagement"] = name, f"Engagement {payload}"
    floor = doc["guardrails"].get("strategic_floor")
    if floor:
        doc["guardrails"]["strategic_floor"] = TIER_NAMES[old.index(floor)]
    for pillar, payload in zip(doc["pillars"].values(), PAYLOADS, strict=True):
        pillar["label"] = f"{payload} pillar"
    doc["quadrant"]["labels"] = {
        cell: f"{payload} {cell}"
        for cell, payload in zip(doc["quadrant"]["labels"], PAYLOADS, strict=True)
    }
    base = {k: v for k, v in doc.items()}
    doc["scenarios"] = [{"name": f"{LINK} view", "settings": base}]
    doc["profiles"] = [
        {
            "name": f"{IMAGE} profile",
            "when": {"column": "industry", "values": [LINK]},
            "ranks_within": True,
            "settings": {"pillars": {"growth": {"weight": 50}}},
        }
    ]
    return doc


def hostile_settings_json() -> bytes:
    return json.dumps(hostile_settings_doc()).encode("utf-8")


def hostile_config() -> seg.Config:
    return seg.config_from_json(hostile_settings_json())


# --- what the app sent: text that reaches a markdown or an HTML renderer ----------------------

MARKDOWN_FIELDS = {"label", "help", "body", "captions", "placeholder", "caption"}
PLAIN_PROTOS = {"Text", "Code", "Exception", "Html", "Json"}  # body shown as it is, or HTML
TARGET = re.compile(r"example\W{0,3}invalid", re.IGNORECASE)


def _repeated(field: Any) -> bool:
    return bool(field.is_repeated)


def _proto_strings(proto: Any, kind: str) -> Iterator[tuple[str, str]]:
    """(field, text) of every markdown-rendered string field, sub-messages included."""
    for field, value in proto.ListFields():
        if field.message_type is not None:
            items = value if _repeated(field) else [value]
            for item in items:
                yield from _proto_strings(item, field.message_type.name)
        elif field.type == field.TYPE_STRING and field.name in MARKDOWN_FIELDS:
            if field.name == "body" and kind in PLAIN_PROTOS:
                continue
            for text in value if _repeated(field) else [value]:
                yield f"{kind}.{field.name}", text
        elif kind == "Radio" and field.name == "options":  # radio options are markdown
            yield from ((f"{kind}.options", text) for text in value)


def nodes(tree: Any) -> Iterator[Any]:
    yield tree
    for child in getattr(tree, "children", {}).values():
        yield from nodes(child)


def markdown_texts(at: Any) -> list[tuple[str, str]]:
    """Every (where, text) the browser renders as markdown, column help in tables included."""
    found = []
    for node in nodes(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None or not hasattr(proto, "ListFields"):
            continue
        kind = type(proto).__name__
        found.extend(_proto_strings(proto, kind))
        if kind in {"Dataframe", "Arrow"} and getattr(proto, "columns", ""):
            for name, column in json.loads(proto.columns).items():
                if isinstance(column, dict) and column.get("help"):
                    found.append((f"{kind}.column[{name}].help", column["help"]))
    return found


def html_texts(at: Any) -> list[str]:
    return [
        node.proto.body
        for node in nodes(at._tree)
        if type(getattr(node, "proto", None)).__name__ == "Html"
    ]


ESCAPE = re.compile(r"\\(.)")
SYNTAX = (  # after the backslash-escaped characters are taken out
    re.compile(r"\["),  # a link or an image: [text](url), ![alt](url)
    re.compile(r"<\s*/?\s*[a-z]", re.IGNORECASE),  # an HTML tag
)
AUTOLINKS = (  # GitHub-flavoured markdown links these in the text, escaped or not
    re.compile(r"(?i)\b(https?|ftp)://"),
    re.compile(r"(?i)\bwww\."),
    re.compile(r"[\w.+-]@[\w-]+\."),
)


def markdown_hazards(text: str) -> list[str]:
    """What in `text` would render as a link, an image or a tag."""
    syntax, shown = ESCAPE.sub("", text), ESCAPE.sub(r"\1", text)
    return [p.pattern for p in SYNTAX if p.search(syntax)] + [
        p.pattern for p in AUTOLINKS if p.search(shown)
    ]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        values = " ".join(str(v) for _, v in attrs)
        if tag in {"img", "a", "script", "iframe", "object", "embed"} or TARGET.search(values):
            self.bad.append(f"<{tag} {values}>")


def html_hazards(body: str) -> list[str]:
    """Tags in an st.html body that load or link something (data must never make one)."""
    parser = _Tags()
    parser.feed(body)
    return parser.bad


def hostile_problems(at: Any) -> list[str]:
    """Every place the page renders hostile text as markup."""
    problems = [
        f"{where}: {text!r} -> {hazards}"
        for where, text in markdown_texts(at)
        if TARGET.search(text) and (hazards := markdown_hazards(text))
    ]
    problems += [f"Html: {bad}" for body in html_texts(at) for bad in html_hazards(body)]
    return problems

"""Schemathesis hooks for e2e/api_fuzz.sh (loaded through SCHEMATHESIS_HOOKS).

Two things JSON Schema cannot say about Kring's API, taught to Schemathesis here:

1. `format: time-zone` marks IANA time zone names; valid ones are generated from a short list
   (invalid ones still come from Schemathesis' negative mode and must be refused).

2. The server normalises text before it checks it (MemberRules, CommunityRules, PostRules, ...):
   single-line fields turn control and format characters into spaces, collapse white space and
   trim; longer texts are trimmed; tag lists are lower-cased, blank tags dropped and duplicates
   merged; and lengths are counted in characters (grapheme clusters), not code points. So a body
   that breaks `maxLength`/`maxItems` as sent can be fine once normalised, and one that meets
   `minLength` as sent can fall short. Both are the server being right, not the document being
   wrong, so these two failures are dropped when normalising explains them:
     ST201 (schema-violating request accepted): the normalised body satisfies the schema;
     ST202 (schema-valid request rejected): the normalised body does not.
   The document says how each field is normalised with `x-kring-normalise` (`single-line`,
   `multi-line`, `trim`, `tags`, `distinct` for lists whose items must differ beyond case; build.py's
   text() sets it). Unmarked strings with a length limit
   are taken as `multi-line`, unmarked string arrays with `maxItems` as `tags`. The model leans
   towards dropping: it counts characters on the low side, so it may hide a real failure of this
   kind, never invent one. Anything else (wrong types, null, unknown enum values, query and path
   parameters, other checks) is left alone. Set KRING_FUZZ_FILTER_LOG to log what was dropped.
"""
from __future__ import annotations

import json
import os
import unicodedata

import jsonschema_rs
import schemathesis
from hypothesis import strategies as st

TIME_ZONES = [
    "UTC", "Europe/Amsterdam", "Europe/Brussels", "Europe/London", "Europe/Berlin", "Europe/Lisbon",
    "America/New_York", "America/Sao_Paulo", "America/Los_Angeles", "Asia/Tokyo", "Asia/Kolkata",
    "Australia/Sydney", "Africa/Nairobi", "Pacific/Auckland",
]

schemathesis.openapi.format("time-zone", st.sampled_from(TIME_ZONES))


def single_line(raw: str) -> str:
    """MemberRules.singleLine: control/format characters become spaces, white space collapses, ends trimmed."""
    cleaned = "".join(" " if unicodedata.category(c) in ("Cc", "Cf") else c for c in raw)
    return " ".join(cleaned.split())


def multi_line(raw: str) -> str:
    """Texts such as a bio or a post: CRLF to LF, ends trimmed."""
    return raw.replace("\r\n", "\n").strip()


def trim(raw: str) -> str:
    return raw.strip()


def tags(values: list) -> list | None:
    """MemberRules.tags: single-line, lower-cased, blanks dropped, duplicates merged (Swift compares canonically)."""
    if not all(isinstance(v, str) for v in values):
        return None
    seen, result = set(), []
    for value in values:
        tag = single_line(value).lower()
        key = unicodedata.normalize("NFD", tag)
        if tag and key not in seen:
            seen.add(key)
            result.append(tag)
    return result


STRING_RULES = {"single-line": single_line, "multi-line": multi_line, "trim": trim}

_HANGUL_V_T = ((0x1160, 0x11FF), (0xD7B0, 0xD7FF))
_HANGUL_L = ((0x1100, 0x115F), (0xA960, 0xA97F))


def _in(cp: int, ranges) -> bool:
    return any(lo <= cp <= hi for lo, hi in ranges)


def characters(text: str) -> int:
    """A lower bound for Swift's `String.count` (extended grapheme clusters)."""
    count, previous = 0, None
    for char in text:
        cp, category = ord(char), unicodedata.category(char)
        joins = (
            category in ("Mn", "Mc", "Me", "Cf", "Cc", "Cs", "Co", "Cn")
            or 0x1F3FB <= cp <= 0x1F3FF  # emoji modifiers
            or _in(cp, _HANGUL_V_T)
            or (previous is not None and _in(cp, _HANGUL_L) and _in(ord(previous), _HANGUL_L))
            or (previous is not None and 0x1F1E6 <= cp <= 0x1F1FF and 0x1F1E6 <= ord(previous) <= 0x1F1FF)
            or previous == "\u200d"
        )
        if not joins:
            count += 1
        previous = char
    return count


def stand_in(text: str) -> str:
    """A plain string as long as the server counts `text` (at least one character when non-empty)."""
    return "x" * (max(1, characters(text)) if text else 0)


def _resolve(schema, components: dict):
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < 10:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = components.get("schemas", {}).get(name, {})
        seen += 1
    return schema if isinstance(schema, dict) else {}


def _rule(schema: dict, components: dict) -> str | None:
    schema = _resolve(schema, components)
    marked = schema.get("x-kring-normalise")
    if marked:
        return marked
    types = schema.get("type")
    types = types if isinstance(types, list) else [types]
    if "string" in types and ("maxLength" in schema or "minLength" in schema):
        return "multi-line"
    if "array" in types and "maxItems" in schema and "string" in str(_resolve(schema.get("items", {}), components).get("type")):
        return "tags"
    return None


def _normalised(body: dict, schema: dict, components: dict) -> dict:
    properties = _resolve(schema, components).get("properties", {})
    result = dict(body)
    for field, value in body.items():
        if field not in properties:
            continue
        rule = _rule(properties[field], components)
        if rule == "distinct" and isinstance(value, list) and all(isinstance(v, str) for v in value):
            # Poll options: each made single-line; two that differ only in case (or canonical form)
            # are duplicates, which `uniqueItems` then catches.
            result[field] = [unicodedata.normalize("NFD", single_line(v)).lower() for v in value]
        elif rule == "tags" and isinstance(value, list):
            normalised = tags(value)
            if normalised is not None:
                result[field] = [stand_in(t) for t in normalised]
        elif rule in STRING_RULES and isinstance(value, str):
            result[field] = stand_in(STRING_RULES[rule](value))
    return result


def _body_schema(case) -> dict | None:
    operation = case.operation
    raw = operation.schema.raw_schema
    definition = raw.get("paths", {}).get(operation.path, {}).get(operation.method.lower(), {})
    schema = definition.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    return schema if isinstance(schema, dict) else None


@schemathesis.hook
def filter_failure(context, failure, case, response) -> bool:
    """Keep every failure except an ST201/ST202 on a JSON body that the server's normalising explains."""
    code = getattr(failure, "code", None)
    if code not in ("ST201", "ST202") or not isinstance(case.body, dict):
        return True
    schema = _body_schema(case)
    if schema is None:
        return True
    components = case.operation.schema.raw_schema.get("components", {})
    normalised = _normalised(case.body, schema, components)
    if normalised == case.body:
        return True
    valid = jsonschema_rs.Draft202012Validator({**schema, "components": components}).is_valid(normalised)
    keep = not valid if code == "ST201" else valid
    log = os.environ.get("KRING_FUZZ_FILTER_LOG")
    if not keep and log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(json.dumps({"check": code, "operation": f"{case.operation.method.upper()} {case.operation.path}",
                                "status": response.status_code, "body": case.body}) + "\n")
    return keep

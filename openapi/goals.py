"""Goals and business figures in Kring's OpenAPI document (community managers). build.py merges it in."""

import pathlib
import re

from shared import bearer, path_param, problems, string, uuid

# The cockpit's figure ids, read from MetricCatalog so the document never drifts from the code.
CATALOG = pathlib.Path(__file__).resolve().parent.parent / "Sources/KringCore/Metrics/MetricCatalog.swift"
METRIC_IDS = re.findall(r'MetricDefinition\(id: "([a-z0-9_]+)"', CATALOG.read_text())
MEASURE = {"type": "string", "pattern": "^(metric:(" + "|".join(METRIC_IDS) + ")|figure:[^\\x00-\\x1f\\x7f]{0,59}[A-Za-z0-9])$",
           "description": "`metric:<cockpit figure id>` (as in GET /metrics) or `figure:<business figure name>`."}
DAY = {"type": "string", "format": "date", "description": "A day (YYYY-MM-DD) in the community's time zone."}


def add(document, ref, problem, ok, body, text):
    p = problems(problem)
    P404, reads, writes = p.P404, p.reads, p.writes
    P403 = problem("Only community managers and administrators work with goals.")
    number = {"type": "number"}
    schemas = {
        "GoalPoint": {"type": "object", "required": ["at", "value"],
                      "properties": {"at": {"type": "string", "format": "date-time"}, "value": number}},
        "Goal": {"type": "object",
                 "required": ["id", "title", "measure", "target", "higherIsBetter", "startsAt", "deadline", "status", "points"],
                 "properties": {
                     "id": uuid, "title": string, "measure": {"type": "string"},
                     "group": {"type": ["string", "null"], "description": "The group's slug, for a goal about one group."},
                     "target": number, "higherIsBetter": {"type": "boolean"},
                     "startsAt": {"type": "string", "format": "date-time"}, "deadline": {"type": "string", "format": "date-time"},
                     "owner": {"type": ["string", "null"], "description": "The owner's handle."},
                     "status": {"type": "string", "enum": ["on_track", "at_risk", "off_track", "achieved", "missed", "unknown"],
                                "description": "From a least-squares line through the monthly measurements, read at the deadline."},
                     "latest": {"type": ["number", "null"]}, "projected": {"type": ["number", "null"]},
                     "points": {"type": "array", "items": ref("GoalPoint"), "description": "One per month, oldest first."}}},
        "GoalList": {"type": "object", "required": ["goals"], "properties": {"goals": {"type": "array", "items": ref("Goal")}}},
        "GoalCreate": {"type": "object", "required": ["title", "measure", "target", "startsAt", "deadline"], "properties": {
            "title": text(150, required=True) | {"minLength": 3}, "measure": MEASURE, "target": number,
            "startsAt": DAY, "deadline": DAY,
            "group": {"type": "string", "description": "A group's slug; empty or absent for the whole community."},
            "owner": {"type": "string", "description": "The owner's @handle; the caller when absent."},
            "direction": {"type": "string", "enum": ["up", "down"], "description": "Business figures: which way is good (default up)."}}},
        "BusinessFigure": {"type": "object", "required": ["value"], "properties": {"value": number}},
    }
    goal = path_param("goal", uuid)
    name = path_param("name", {"type": "string", "pattern": "^[^\\x00-\\x1f\\x7f/]{0,59}[A-Za-z0-9]$"})
    month = path_param("month", {"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"})
    document["paths"].update({
        "/goals": {
            "get": {"operationId": "listGoals", "summary": "The goals with their monthly measurements, projection and status.",
                    "security": bearer, "responses": {**ok(ref("GoalList")), "403": P403, **reads}},
            "post": {"operationId": "createGoal", "summary": "Set a goal on a cockpit figure or a business figure.", "security": bearer,
                     "requestBody": body(ref("GoalCreate")),
                     "responses": {**ok(ref("Goal"), "The new goal with its status.", "201"), "403": P403,
                                   "404": problem("No such group."),
                                   "409": problem("The deadline is not after the start, or the owner is not an active member."),
                                   **writes}},
        },
        "/goals/{goal}": {"delete": {"operationId": "archiveGoal", "summary": "Archive a goal (it leaves the goals page).",
                                     "security": bearer, "parameters": [goal],
                                     "responses": {"204": {"description": "Archived."}, "403": P403, "404": P404, **reads}}},
        "/business-figures/{name}/{month}": {"put": {
            "operationId": "setBusinessFigure", "summary": "Set a business figure's value for a month (replacing any value there).",
            "security": bearer, "parameters": [name, month], "requestBody": body(ref("BusinessFigure")),
            "responses": {"204": {"description": "Saved."}, "400": problem("The name or month is malformed."), "403": P403, **writes}}},
    })
    document["components"]["schemas"].update(schemas)

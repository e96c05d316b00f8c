"""Reports, the action inbox and maturity assessments in Kring's OpenAPI document. build.py merges it in."""

import pathlib
import re

from shared import bearer, path_param, problems, string, uuid

ROOT = pathlib.Path(__file__).resolve().parent.parent
# The rules and criteria, read from the code so that the document never drifts from it.
RULES = re.findall(r'case \w+ = "([a-z_]+)"', (ROOT / "Sources/KringCore/Advice/AdviceRules.swift").read_text().split("public enum AdviceParameter")[0])
COMPETENCIES = ["strategy", "leadership", "culture", "community_management", "content", "governance", "tools", "metrics"]
CRITERION = {"type": "string", "pattern": "^(" + "|".join(COMPETENCIES) + ")\\.[1-4]\\.[ab]$"}
DAY = {"type": "string", "format": "date", "description": "A day (YYYY-MM-DD) in the community's time zone."}
STAMP = {"type": "string", "format": "date-time"}
NULLABLE_STAMP = {"type": ["string", "null"], "format": "date-time"}
NULLABLE_NUMBER = {"type": ["number", "null"]}


def add(document, ref, problem, ok, body, text):
    p = problems(problem)
    P404, reads, writes = p.P404, p.reads, p.writes
    P403 = problem("Only the community management team (and, for reading reports, members granted the cockpit).")
    kinds = {"type": "string", "enum": ["weekly", "monthly", "quarterly"]}
    schemas = {
        "ReportSummary": {"type": "object", "required": ["id", "kind", "periodStart", "periodEnd", "status"], "properties": {
            "id": uuid, "kind": kinds, "periodStart": STAMP, "periodEnd": STAMP,
            "status": {"type": "string", "enum": ["draft", "published"]}, "publishedAt": NULLABLE_STAMP}},
        "ReportList": {"type": "object", "required": ["reports"], "properties": {"reports": {"type": "array", "items": ref("ReportSummary")}}},
        "ReportFigure": {"type": "object", "required": ["id"], "properties": {
            "id": {"type": "string", "description": "A cockpit figure id, as in GET /metrics."},
            "value": NULLABLE_NUMBER, "previousValue": NULLABLE_NUMBER}},
        "Report": {"type": "object",
                   "required": ["id", "kind", "periodStart", "periodEnd", "status", "evaluation", "figures", "goals", "topTopics",
                                "champions", "nextSteps"],
                   "properties": {
                       "id": uuid, "kind": kinds, "periodStart": STAMP, "periodEnd": STAMP,
                       "status": {"type": "string", "enum": ["draft", "published"]}, "publishedAt": NULLABLE_STAMP,
                       "evaluation": string,
                       "figures": {"type": "array", "items": ref("ReportFigure"),
                                   "description": "The cockpit's figures for the period and the one before, fixed when generated."},
                       "goals": {"type": "array", "items": {"type": "object", "required": ["title", "status", "target"], "properties": {
                           "title": string, "status": string, "latest": NULLABLE_NUMBER, "target": {"type": "number"}}}},
                       "topTopics": {"type": "array", "items": {"type": "object", "required": ["id", "title", "replies", "reactions"],
                                                                 "properties": {"id": uuid, "title": string,
                                                                                "replies": {"type": "integer"},
                                                                                "reactions": {"type": "integer"}}}},
                       "champions": {"type": "array", "items": string, "description": "Handles of the new champions."},
                       "nextSteps": {"type": "array", "items": string}}},
        "ReportGenerate": {"type": "object", "required": ["kind", "date"], "properties": {"kind": kinds, "date": DAY}},
        "ReportPublish": {"type": "object", "required": ["evaluation"], "properties": {
            "evaluation": {"type": "string", "minLength": 1, "maxLength": 5000, "pattern": "\\S",
                           "x-kring-normalise": "trim", "description": "The manager's evaluation; required to publish."}}},
        "AdviceItem": {"type": "object", "required": ["id", "rule", "subject", "details", "link", "status", "createdAt"], "properties": {
            "id": uuid, "rule": {"type": "string", "enum": RULES}, "subject": string,
            "details": {"type": "object", "additionalProperties": string}, "link": string,
            "status": {"type": "string", "enum": ["open", "snoozed", "done", "cleared"]},
            "assignee": {"type": ["string", "null"]}, "snoozedUntil": NULLABLE_STAMP, "createdAt": STAMP}},
        "AdviceList": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": ref("AdviceItem")}}},
        "AdviceChange": {"type": "object", "required": ["action"], "properties": {
            "action": {"type": "string", "enum": ["assign", "snooze", "done", "reopen"]},
            "assignee": {"type": "string", "description": "For assign: a manager's handle; empty to unassign."},
            "days": {"type": "integer", "minimum": 1, "maximum": 90, "description": "For snooze (default 7)."}}},
        "Assessment": {"type": "object", "required": ["id", "createdAt", "stages", "answers", "note"], "properties": {
            "id": uuid, "createdAt": STAMP,
            "stages": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 4},
                       "description": "Stage 0–4 per competency."},
            "answers": {"type": "object", "additionalProperties": {"type": "boolean"}}, "note": string}},
        "AssessmentList": {"type": "object", "required": ["assessments"],
                           "properties": {"assessments": {"type": "array", "items": ref("Assessment")}}},
        "AssessmentCreate": {"type": "object", "required": ["answers"], "properties": {
            "answers": {"type": "object", "propertyNames": CRITERION, "additionalProperties": {"type": "boolean"},
                        "description": "Answers by criterion id; Kring's own answers win for the criteria it checks."},
            "note": {"type": "string", "maxLength": 5000, "x-kring-normalise": "trim"}}},
    }
    report = path_param("report", uuid)
    item = path_param("item", uuid)
    status = {"name": "status", "in": "query", "required": False,
              "schema": {"type": "string", "enum": ["due", "open", "snoozed", "done", "cleared"]}}
    document["paths"].update({
        "/reports": {
            "get": {"operationId": "listReports", "summary": "Reports, newest period first (published ones only for readers who are not managers).",
                    "security": bearer, "responses": {**ok(ref("ReportList")), "403": P403, **reads}},
            "post": {"operationId": "generateReport", "summary": "Generate the report of a kind for the period holding a day (a draft is refreshed).",
                     "security": bearer, "requestBody": body(ref("ReportGenerate")),
                     "responses": {**ok(ref("Report"), "The draft, brought up to date."), **ok(ref("Report"), "A new draft.", "201"),
                                   "403": P403, "409": problem("That period's report is published."), **writes}},
        },
        "/reports/{report}": {"get": {"operationId": "getReport", "summary": "One report with its figures.", "security": bearer,
                                      "parameters": [report], "responses": {**ok(ref("Report")), "403": P403, "404": P404, **reads}}},
        "/reports/{report}/publish": {"post": {
            "operationId": "publishReport", "summary": "Publish a draft with its evaluation; it is mailed to the stakeholders.",
            "security": bearer, "parameters": [report], "requestBody": body(ref("ReportPublish")),
            "responses": {**ok(ref("Report")), "403": P403, "404": P404, "409": problem("Published already."), **writes}}},
        "/advice": {"get": {"operationId": "listAdvice", "summary": "The action inbox: advice items by status (default: due).",
                            "security": bearer, "parameters": [status],
                            "responses": {**ok(ref("AdviceList")), "400": p.P400, "403": P403, **reads}}},
        "/advice/{item}": {"post": {"operationId": "workAdviceItem", "summary": "Assign, snooze, finish or reopen an item.",
                                    "security": bearer, "parameters": [item], "requestBody": body(ref("AdviceChange")),
                                    "responses": {**ok(ref("AdviceItem")), "400": problem("Unknown action."), "403": P403, "404": P404,
                                                  "409": problem("The assignee is not an active manager."), **writes}}},
        "/assessments": {
            "get": {"operationId": "listAssessments", "summary": "Maturity self-assessments, newest first.", "security": bearer,
                    "responses": {**ok(ref("AssessmentList")), "403": P403, **reads}},
            "post": {"operationId": "createAssessment", "summary": "Save a maturity self-assessment.", "security": bearer,
                     "requestBody": body(ref("AssessmentCreate")),
                     "responses": {**ok(ref("Assessment"), "The saved assessment with its stages.", "201"), "403": P403, **writes}},
        },
    })
    document["components"]["schemas"].update(schemas)

"""The cockpit's figures in Kring's OpenAPI document: GET /metrics. build.py merges it in."""

from shared import bearer, date, problems, query_param, string, uuid


def add(document, ref, problem, ok, body, text):
    p = problems(problem)
    number_or_null = {"type": ["number", "null"]}
    count_or_null = {"type": ["integer", "null"], "description": "Null until the window has passed for everyone in the cohort."}
    period = {"type": "object", "required": ["kind", "start", "end", "timeZone"],
              "properties": {"kind": {"type": "string", "enum": ["day", "week", "month", "quarter", "custom"]},
                             "start": {**date, "description": "The first moment of the period (inclusive)."},
                             "end": {**date, "description": "The moment after it (exclusive)."},
                             "timeZone": {"type": "string", "description": "The community's time zone; days are calendar days there."}}}
    schemas = {
        "MetricsPeriod": period,
        "MetricValue": {"type": "object", "required": ["id", "section", "unit", "good"],
                        "properties": {"id": {"type": "string", "examples": ["stickiness"]},
                                       "section": {"type": "string", "enum": ["growth", "engagement", "responsiveness", "participation", "events", "ideas", "moderation"]},
                                       "unit": {"type": "string", "enum": ["count", "percent", "hours", "decimal"],
                                                "description": "`percent` values are fractions (0.25 is 25 %)."},
                                       "good": {"type": "string", "enum": ["up", "down", "neutral"], "description": "Which way is good."},
                                       "value": {**number_or_null, "description": "Null when there is nothing to measure."},
                                       "previousValue": {**number_or_null, "description": "The same figure for the previous period."}}},
        "MetricsDay": {"type": "object", "required": ["date", "dau", "wau", "mau", "engagedMembers", "signups", "posts"],
                       "properties": {"date": {"type": "string", "format": "date"}, "dau": {"type": "integer"}, "wau": {"type": "integer"},
                                      "mau": {"type": "integer"}, "engagedMembers": {"type": "integer"}, "signups": {"type": "integer"},
                                      "posts": {"type": "integer"}}},
        "Cohort": {"type": "object", "required": ["start", "members"],
                   "properties": {"start": {"type": "string", "format": "date"}, "members": {"type": "integer"},
                                  "returnedDay1": count_or_null, "returnedWithin7": count_or_null, "returnedWithin30": count_or_null,
                                  "returnedWithin90": count_or_null, "postedWithin30": count_or_null}},
        "Metrics": {"type": "object",
                    "required": ["period", "previousPeriod", "metrics", "daily", "cohortUnit", "cohorts", "participation", "departments",
                                 "unansweredTopics", "moderation"],
                    "properties": {
                        "period": ref("MetricsPeriod"), "previousPeriod": ref("MetricsPeriod"),
                        "group": {"type": ["string", "null"], "description": "The group's slug, when the figures are for one group."},
                        "metrics": {"type": "array", "items": ref("MetricValue"), "description": "The headline figures, as on the dashboard."},
                        "daily": {"type": "array", "items": ref("MetricsDay"), "description": "One entry per day of the period that has begun."},
                        "cohortUnit": {"type": "string", "enum": ["week", "month"]},
                        "cohorts": {"type": "array", "items": ref("Cohort"), "description": "Join cohorts of the twelve months (or weeks) up to the period's end."},
                        "participation": {"type": "object", "required": ["activeMembers", "lurkers", "contributors", "superusers", "lorenz"],
                                          "properties": {"activeMembers": {"type": "integer"}, "lurkers": {"type": "integer"},
                                                         "contributors": {"type": "integer"}, "superusers": {"type": "integer"},
                                                         "lorenz": {"type": "array", "items": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
                                                                    "description": "Points [share of people, share of posts] of the Lorenz curve."}}},
                        "departments": {"type": "array", "items": {"type": "object", "required": ["name", "ideasRouted", "responded"],
                                                                   "properties": {"name": string, "ideasRouted": {"type": "integer"},
                                                                                  "responded": {"type": "integer"},
                                                                                  "medianHoursToResponse": number_or_null}}},
                        "unansweredTopics": {"type": "array", "items": uuid, "description": "Topics of the period still without an answer."},
                        "moderation": {"type": "object",
                                       "required": ["flagsRaised", "flagsSettled", "queueSize", "sanctionsImposed"],
                                       "properties": {"flagsRaised": {"type": "integer"}, "flagsSettled": {"type": "integer"},
                                                      "upheldShare": number_or_null, "medianHoursToResolve": number_or_null,
                                                      "queueSize": {"type": "integer"}, "sanctionsImposed": {"type": "integer"}}}}},
    }
    day = {"type": "string", "format": "date"}
    document["paths"]["/metrics"] = {"get": {
        "operationId": "getMetrics",
        "summary": "Every cockpit figure for a period and optionally a group, with the previous period's (community managers).",
        "description": "Definitions: the dashboard's \"How is this computed?\" notes, and METRICS.md. Periods are calendar periods in the "
                       "community's time zone; weeks start on Monday.",
        "security": bearer,
        "parameters": [
            query_param("period", {"type": "string", "enum": ["day", "week", "month", "quarter", "custom"]}, "The kind of period (default month)."),
            query_param("date", day, "A day in the period (default today)."),
            query_param("from", day, "Custom periods: the first day (default 29 days before `to`); reversed days are swapped."),
            query_param("to", day, "Custom periods: the last day (default today); at most two years after `from`."),
            query_param("group", string, "A group's slug: the figures for that group."),
            query_param("inactive_days", {"type": "integer", "enum": [30, 60, 90, 180, 365]},
                        "The interval behind `inactive_members` (default 90)."),
        ],
        "responses": {**ok(ref("Metrics")), "400": problem("A query parameter is malformed."),
                      "403": problem("Only community managers and administrators see the cockpit."),
                      "404": problem("No such group."), **p.reads}}}
    document["components"]["schemas"].update(schemas)

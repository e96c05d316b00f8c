"""Engagement scores, segments and champions in Kring's OpenAPI document. build.py merges it in."""

from shared import bearer, path_param, problems, query_param, string, uuid

LEVELS = ["champion", "regular", "participant", "observer"]
SEGMENTS = ["newcomer", "champion", "regular", "at_risk", "lurker"]
ACTIONS = ["visit", "reaction", "vote", "reply", "topic", "solution", "event_hosted"]
STAMP = {"type": "string", "format": "date-time"}
NULLABLE_STAMP = {"type": ["string", "null"], "format": "date-time"}
DAY = {"type": "string", "format": "date", "description": "A day (YYYY-MM-DD) in the community's time zone."}
COUNT = {"type": "integer", "minimum": 0}
WEIGHT = {"type": "number", "minimum": 0, "maximum": 100}
THRESHOLD = {"type": "number", "minimum": 0.1, "maximum": 10000}


def add(document, ref, problem, ok, body, text):
    p = problems(problem)
    P403 = problem("Only the community management team.")
    counts = lambda names: {"type": "object", "required": names, "properties": {name: COUNT for name in names}}
    filters = {"type": "object", "minProperties": 1,
               "description": "Members who match every filter given; at least one. `joinedBefore` includes its day and must follow `joinedFrom`.",
               "properties": {
                   "segment": {"type": "string", "enum": SEGMENTS}, "level": {"type": "string", "enum": LEVELS, "description": "This level or higher."},
                   "activeWithinDays": {"type": "integer", "minimum": 1, "maximum": 3650},
                   "inactiveForDays": {"type": "integer", "minimum": 1, "maximum": 3650},
                   "minPosts": {"type": "integer", "minimum": 0, "maximum": 100000, "description": "Topics and replies in the last 90 days."},
                   "group": {"type": "string", "description": "A group's slug: its active members."},
                   "interest": text(40, required=True, description="A tag among the member's interests or expertise."),
                   "joinedFrom": DAY, "joinedBefore": DAY}}
    schemas = {
        "EngagementMember": {"type": "object", "required": ["handle", "displayName", "level", "score", "previousScore", "recentPosts", "joinedAt", "segments"],
                             "properties": {"handle": string, "displayName": string, "level": {"type": "string", "enum": LEVELS},
                                            "score": {"type": "number"}, "previousScore": {"type": "number", "description": "The score at the end of the month 30 days ago."},
                                            "recentPosts": COUNT, "joinedAt": STAMP, "lastSeenAt": NULLABLE_STAMP,
                                            "segments": {"type": "array", "items": {"type": "string", "enum": SEGMENTS}}}},
        "EngagementMemberList": {"type": "object", "required": ["total", "members"],
                                 "properties": {"total": COUNT, "members": {"type": "array", "items": ref("EngagementMember")}}},
        "EngagementSummary": {"type": "object", "required": ["levels", "segments", "funnel"], "properties": {
            "computedAt": NULLABLE_STAMP, "levels": counts(LEVELS), "segments": counts(SEGMENTS),
            "funnel": {"type": "array", "description": "Members per level at the end of each of the last twelve months.",
                       "items": {"type": "object", "required": ["month"] + LEVELS,
                                 "properties": {"month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}, **{name: COUNT for name in LEVELS}}}}}},
        "EngagementSettings": {"type": "object", "required": ["weights", "championFrom", "regularFrom", "participantFrom"], "properties": {
            "weights": {"type": "object", "required": ACTIONS, "properties": {name: WEIGHT for name in ACTIONS}},
            "championFrom": THRESHOLD, "regularFrom": THRESHOLD, "participantFrom": THRESHOLD}},
        "EngagementSettingsChange": {"type": "object", "description": "What is left out keeps its value; the thresholds must stay in order (champion > regular > participant).",
                                     "properties": {"weights": {"type": "object", "additionalProperties": False,
                                                                "properties": {name: WEIGHT for name in ACTIONS}},
                                                    "championFrom": THRESHOLD, "regularFrom": THRESHOLD, "participantFrom": THRESHOLD}},
        "Champion": {"type": "object", "required": ["handle", "displayName"], "properties": {
            "handle": string, "displayName": string, "acceptedAnswers": COUNT, "replies": COUNT, "degree": COUNT,
            "pageRank": {"type": "number"}, "betweenness": {"type": "number"}, "groups": COUNT}},
        "Champions": {"type": "object", "required": ["since", "people", "interactions", "helpers", "influencers", "bridges", "expertise"], "properties": {
            "since": STAMP, "people": COUNT, "interactions": COUNT,
            "helpers": {"type": "array", "items": ref("Champion")}, "influencers": {"type": "array", "items": ref("Champion")},
            "bridges": {"type": "array", "items": ref("Champion")},
            "expertise": {"type": "array", "items": {"type": "object", "required": ["tag", "experts"], "properties": {
                "tag": string, "experts": {"type": "array", "items": {"type": "object", "required": ["handle", "answers", "questions", "z"], "properties": {
                    "handle": string, "answers": COUNT, "questions": COUNT, "z": {"type": "number"}}}}}}}}},
        "SegmentFilters": filters,
        "Segment": {"type": "object", "required": ["id", "name", "filters", "createdAt"],
                    "properties": {"id": uuid, "name": string, "filters": {"type": "object"}, "createdAt": STAMP}},
        "SegmentList": {"type": "object", "required": ["segments"], "properties": {"segments": {"type": "array", "items": ref("Segment")}}},
        "SegmentCreate": {"type": "object", "required": ["name", "filters"], "properties": {"name": text(80, required=True), "filters": ref("SegmentFilters")}},
    }
    list_params = [
        query_param("segment", {"type": "string", "enum": ["all"] + SEGMENTS}, "A built-in segment (default: everyone)."),
        query_param("saved", uuid, "A saved segment's id (instead of `segment`)."),
        query_param("order", {"type": "string", "enum": ["score", "rising"]}, "Highest score first (default) or biggest rise in a month."),
        query_param("limit", {"type": "integer", "minimum": 1, "maximum": 200}, "At most this many (default 50)."),
        query_param("offset", {"type": "integer", "minimum": 0, "maximum": 1000000}, "Skip this many."),
    ]
    document["paths"].update({
        "/engagement/members": {"get": {"operationId": "listEngagementMembers", "summary": "Members by engagement score, of a segment.",
                                        "security": bearer, "parameters": list_params,
                                        "responses": {**ok(ref("EngagementMemberList")), "400": p.P400, "403": P403, "404": problem("No such saved segment."), **p.reads}}},
        "/engagement/summary": {"get": {"operationId": "getEngagementSummary", "summary": "Members per level and segment, and the level funnel.",
                                        "security": bearer, "responses": {**ok(ref("EngagementSummary")), "403": P403, **p.reads}}},
        "/engagement/settings": {
            "get": {"operationId": "getEngagementSettings", "summary": "The weights per action and the level thresholds.", "security": bearer,
                    "responses": {**ok(ref("EngagementSettings")), "403": P403, **p.reads}},
            "put": {"operationId": "changeEngagementSettings", "summary": "Change weights and thresholds; every score is recomputed.",
                    "security": bearer, "requestBody": body(ref("EngagementSettingsChange")),
                    "responses": {**ok(ref("EngagementSettings")), "400": problem("The body is malformed."), "403": P403, **p.writes}},
        },
        "/engagement/champions": {"get": {"operationId": "getChampions",
                                          "summary": "The last 90 days: who helps, influencers (PageRank), bridges (betweenness), experts per tag.",
                                          "security": bearer, "responses": {**ok(ref("Champions")), "403": P403, **p.reads}}},
        "/segments": {
            "get": {"operationId": "listSegments", "summary": "The team's saved custom segments.", "security": bearer,
                    "responses": {**ok(ref("SegmentList")), "403": P403, **p.reads}},
            "post": {"operationId": "createSegment", "summary": "Save a custom segment.", "security": bearer, "requestBody": body(ref("SegmentCreate")),
                     "responses": {**ok(ref("Segment"), "The saved segment.", "201"), "400": problem("The body is malformed."), "403": P403, **p.writes}},
        },
        "/segments/{segment}": {"delete": {"operationId": "deleteSegment", "summary": "Delete a saved segment.", "security": bearer,
                                           "parameters": [path_param("segment", uuid)],
                                           "responses": {"204": {"description": "Deleted."}, "403": P403, "404": p.P404, **p.reads}}},
    })
    document["components"]["schemas"].update(schemas)

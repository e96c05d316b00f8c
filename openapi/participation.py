"""Events and ideas in Kring's OpenAPI document: listing, answering (RSVP with waitlist), submitting
and voting. build.py merges it into the document."""


from shared import bearer, date, optional_bearer, path_param, problems, query_param, string, uuid


def add(document, ref, problem, ok, body, text):
    p = problems(problem)
    P400, P404, P422, reads, writes = p.P400, p.P404, p.P422, p.reads, p.writes
    P403 = problem("Silenced members, or (for group events) people outside the group, cannot do this.")
    nullable_date = {"type": ["string", "null"], "format": "date-time"}
    rsvp_status = {"type": "string", "enum": ["going", "maybe", "not_going"]}
    idea_status = {"type": "string", "enum": ["new", "under_review", "planned", "done", "declined"]}

    schemas = {
        "Event": {"type": "object",
                  "required": ["id", "title", "description", "startsAt", "endsAt", "timeZone", "location", "onlineUrl", "goingCount",
                               "waitlistCount", "isCancelled"],
                  "properties": {"id": uuid, "title": string, "description": {"type": "string", "description": "Markdown source."},
                                 "group": {"type": ["string", "null"], "description": "The group's slug; null for community-wide events."},
                                 "startsAt": date, "endsAt": date, "timeZone": {"type": "string", "examples": ["Europe/Amsterdam"]},
                                 "location": string, "onlineUrl": string,
                                 "capacity": {"type": ["integer", "null"], "description": "Places; null when unlimited."},
                                 "goingCount": {"type": "integer"}, "waitlistCount": {"type": "integer"}, "isCancelled": {"type": "boolean"},
                                 "organisers": {"type": "array", "items": string, "description": "Handles: the creator first, then the co-organisers."},
                                 "myStatus": {"type": ["string", "null"], "enum": ["going", "maybe", "not_going", "waitlisted", None],
                                              "description": "The caller's answer; `waitlisted` when they asked to go and the event was full."}}},
        "CalendarFeed": {"type": "object", "required": ["url"], "properties": {
            "url": {"type": "string", "description": "The private address of the caller's iCalendar feed: the events they go to or organise."}}},
        "EventList": {"type": "object", "required": ["events"], "properties": {"events": {"type": "array", "items": ref("Event")}}},
        "RSVP": {"type": "object", "required": ["status"], "properties": {"status": rsvp_status}},
        "Poll": {"type": "object",
                 "required": ["id", "question", "allowsMultiple", "isAnonymous", "resultsVisibility", "isClosed", "showsResults", "options",
                              "myChoices"],
                 "properties": {"id": uuid, "question": string, "topicId": {**uuid, "description": "The topic it belongs to, if any."},
                                "group": {"type": "string", "description": "The group's slug, for polls in a group."},
                                "allowsMultiple": {"type": "boolean"}, "isAnonymous": {"type": "boolean"},
                                "resultsVisibility": {"type": "string", "enum": ["after_vote", "after_close"]},
                                "closesAt": date, "isClosed": {"type": "boolean"},
                                "showsResults": {"type": "boolean", "description": "Whether counts are shown to the caller now."},
                                "voterCount": {"type": "integer", "description": "Only when results show."},
                                "options": {"type": "array", "items": {
                                    "type": "object", "required": ["id", "label"],
                                    "properties": {"id": uuid, "label": string, "votes": {"type": "integer", "description": "Only when results show."},
                                                   "voters": {"type": "array", "items": string,
                                                              "description": "Display names; only when results show and the poll is not anonymous."}}}},
                                "myChoices": {"type": "array", "items": uuid}}},
        "PollList": {"type": "object", "required": ["polls"], "properties": {"polls": {"type": "array", "items": ref("Poll")}}},
        "PollVote": {"type": "object", "required": ["options"], "properties": {
            "options": {"type": "array", "items": uuid, "minItems": 1, "description": "The chosen options' ids; one unless the poll allows several."}}},
        "Idea": {"type": "object",
                 "required": ["id", "title", "description", "author", "status", "tags", "voteCount", "commentCount", "createdAt"],
                 "properties": {"id": uuid, "title": string, "description": {"type": "string", "description": "Markdown source."},
                                "author": {"type": "string", "description": "The submitter's handle."}, "status": idea_status,
                                "department": {"type": ["string", "null"], "description": "The department it is routed to."},
                                "tags": {"type": "array", "items": string}, "voteCount": {"type": "integer"}, "commentCount": {"type": "integer"},
                                "createdAt": date, "routedAt": nullable_date,
                                "firstResponseAt": {**nullable_date, "description": "When the first official response came after the idea was routed to its department."},
                                "myVote": {"type": ["boolean", "null"], "description": "Whether the caller voted; null for visitors."}}},
        "IdeaList": {"type": "object", "required": ["ideas"], "properties": {"ideas": {"type": "array", "items": ref("Idea")}}},
        "IdeaCreate": {"type": "object", "required": ["title", "description"], "properties": {
            "title": text(150, required=True, description="5 to 150 characters.") | {"minLength": 5},
            "description": {"type": "string", "maxLength": 20000, "x-kring-normalise": "multi-line", "minLength": 1, "pattern": "\\S"},
            "tags": {"type": "array", "items": text(40), "maxItems": 20, "x-kring-normalise": "tags"}}},
    }
    event = path_param("event", uuid)
    idea = path_param("idea", uuid)
    poll = path_param("poll", uuid)
    paths = {
        "/events": {"get": {"operationId": "listEvents", "summary": "Events the caller may see: upcoming soonest first, or past newest first.",
                            "security": optional_bearer,
                            "parameters": [query_param("past", {"type": "boolean"}, "List past events instead of upcoming ones."),
                                           query_param("group", string, "Only events in this group (a slug)."),
                                           query_param("from", {"type": "string", "format": "date-time"},
                                                       "Only events that end at or after this time, so ones under way count (default: now, for upcoming)."),
                                           query_param("to", {"type": "string", "format": "date-time"},
                                                       "Only events starting before this time (default: now, for past).")],
                            "responses": {**ok(ref("EventList")), "400": P400, "404": problem("No such group."), **reads}}},
        "/events/{event}": {"get": {"operationId": "getEvent", "summary": "One event, with the caller's answer.", "security": optional_bearer,
                                    "parameters": [event], "responses": {**ok(ref("Event")), "404": P404, **reads}}},
        "/events/{event}/rsvp": {"post": {"operationId": "answerEvent",
                                          "summary": "Answer going, maybe or not going. When the event is full, going puts the caller on the "
                                                     "waitlist; they move up, and are told, when a place frees.",
                                          "security": bearer, "parameters": [event], "requestBody": body(ref("RSVP")),
                                          "responses": {**ok(ref("Event")), "403": P403, "404": P404,
                                                        "409": problem("The event is cancelled."), **writes}}},
        "/me/calendar": {"get": {"operationId": "getMyCalendarFeed", "summary": "The private address of the caller's calendar feed.",
                                 "security": bearer, "responses": {**ok(ref("CalendarFeed")), **reads}}},
        "/me/calendar/renew": {"post": {"operationId": "renewMyCalendarFeed",
                                        "summary": "A new private address for the caller's calendar feed; the old one stops working.",
                                        "security": bearer, "responses": {**ok(ref("CalendarFeed")), **reads}}},
        "/polls": {"get": {"operationId": "listPolls",
                           "summary": "Standalone polls the caller may see, newest first; or, with `topic`, the polls in that topic.",
                           "security": optional_bearer,
                           "parameters": [query_param("topic", uuid, "A topic's id: its polls (none when the caller may not read it).")],
                           "responses": {**ok(ref("PollList")), "400": P400, **reads}}},
        "/polls/{poll}": {"get": {"operationId": "getPoll", "summary": "One poll; counts only when the results show to the caller.",
                                  "security": optional_bearer, "parameters": [poll], "responses": {**ok(ref("Poll")), "404": P404, **reads}}},
        "/polls/{poll}/vote": {"post": {"operationId": "voteInPoll", "summary": "Vote, or change the vote, until the poll closes.",
                                        "security": bearer, "parameters": [poll], "requestBody": body(ref("PollVote")),
                                        "responses": {**ok(ref("Poll")), "403": P403,
                                                      "404": problem("No such poll, or not visible to the caller."),
                                                      "409": problem("The poll is closed, an option is not the poll's, or several were chosen where one is allowed."),
                                                      **writes}}},
        "/ideas": {
            "get": {"operationId": "listIdeas", "summary": "Ideas and feedback, most votes or newest first.", "security": optional_bearer,
                    "parameters": [query_param("status", idea_status, "Only ideas with this status."),
                                   query_param("sort", {"type": "string", "enum": ["votes", "newest"]}, "Order (default: votes)."),
                                   query_param("department", uuid, "Only ideas routed to this department (an id).")],
                    "responses": {**ok(ref("IdeaList")), "400": P400, "422": P422, **reads}},
            "post": {"operationId": "submitIdea", "summary": "Submit an idea.", "security": bearer, "requestBody": body(ref("IdeaCreate")),
                     "responses": {**ok(ref("Idea"), "The new idea.", "201"), "403": P403, **writes}},
        },
        "/ideas/{idea}": {"get": {"operationId": "getIdea", "summary": "One idea.", "security": optional_bearer, "parameters": [idea],
                                  "responses": {**ok(ref("Idea")), "404": P404, **reads}}},
        "/ideas/{idea}/vote": {
            "post": {"operationId": "voteForIdea", "summary": "Vote for an idea (once; voting again changes nothing).", "security": bearer,
                     "parameters": [idea], "responses": {**ok(ref("Idea")), "403": P403, "404": P404, **reads}},
            "delete": {"operationId": "withdrawIdeaVote", "summary": "Withdraw a vote.", "security": bearer, "parameters": [idea],
                       "responses": {**ok(ref("Idea")), "403": P403, "404": P404, **reads}},
        },
    }
    document["paths"].update(paths)
    document["components"]["schemas"].update(schemas)

"""What organisers, managers and liaisons do through Kring's API: create and change events, see
attendees and check them in; create and close polls; comment on ideas, respond officially and
route them to departments; keep departments and their liaisons. build.py merges it in."""

from shared import bearer, date, optional_bearer, path_param, problems, string, uuid

# An online link: http(s) with no white space or control characters (the server checks the same).
ONLINE_URL = {"type": "string", "maxLength": 500, "pattern": "^$|^[hH][tT][tT][pP][sS]?://[^\\s\\x00-\\x1f\\x7f]+$",
              "description": "An http(s) link for online events; empty for none."}
TIME_ZONE = {"type": "string", "format": "time-zone", "examples": ["Europe/Amsterdam"],
             "description": "An IANA time zone name for showing the times; others are refused (422)."}


def add(document, ref, problem, ok, body, text):
    p = problems(problem)
    P404, P422, reads, writes = p.P404, p.P422, p.reads, p.writes
    P403_organiser = problem("Only the event's organisers (its creator, the group's managers, moderators) may do this.")
    P403_manager = problem("Only community managers and administrators may do this.")
    idea_status = {"type": "string", "enum": ["new", "under_review", "planned", "done", "declined"]}
    markdown = {"type": "string", "maxLength": 5000, "x-kring-normalise": "multi-line", "description": "Markdown."}
    post_body = {"type": "string", "minLength": 1, "maxLength": 20000, "pattern": "\\S", "x-kring-normalise": "multi-line",
                 "description": "Markdown; must not be blank."}

    event_fields = {
        "title": text(120, required=True),
        "description": markdown,
        "group": {"type": "string", "description": "The slug of a group the caller may organise in; empty for a community-wide event."},
        "startsAt": {**date, "description": "When it starts (RFC 3339)."},
        "durationMinutes": {"type": "integer", "minimum": 1, "maximum": 44640, "description": "How long it lasts: at most 31 days."},
        "timeZone": TIME_ZONE,
        "location": text(200),
        "onlineUrl": ONLINE_URL,
        "capacity": {"type": ["integer", "null"], "minimum": 1, "maximum": 100000, "description": "Places; null for unlimited."},
        "organisers": {"type": "array", "maxItems": 20, "items": {"type": "string"},
                       "description": "Handles of co-organisers (with or without @); replaces the list. Unknown handles conflict (409)."},
    }
    schemas = {
        "EventCreate": {"type": "object", "required": ["title", "startsAt", "durationMinutes"], "properties": event_fields},
        "EventPatch": {"type": "object", "description": "Only the fields given change.", "properties": event_fields},
        "Attendee": {"type": "object", "required": ["handle", "displayName", "status", "checkedIn", "answeredAt"],
                     "properties": {"handle": string, "displayName": string,
                                    "status": {"type": "string", "enum": ["going", "maybe", "not_going", "waitlisted"]},
                                    "checkedIn": {"type": "boolean", "description": "Whether they actually came."}, "answeredAt": date}},
        "AttendeeList": {"type": "object", "required": ["attendees"],
                         "properties": {"attendees": {"type": "array", "items": ref("Attendee"),
                                                      "description": "Going first, then waitlisted, maybe, not going; each by when they answered."}}},
        "PollCreate": {"type": "object", "required": ["question", "options"],
                       "description": "A poll in a topic (`topicId`), in a group (`group`), or community-wide (neither); not both.",
                       "not": {"required": ["topicId", "group"]},
                       "properties": {
                           "question": text(200, required=True),
                           "options": {"type": "array", "minItems": 2, "maxItems": 20, "uniqueItems": True, "items": text(200, required=True),
                                       "x-kring-normalise": "distinct",
                                       "description": "2 to 20 options, each on one line; two that differ only in case or spacing are the same."},
                           "topicId": {**uuid, "description": "A topic the caller started (moderators: any)."},
                           "group": {"type": "string", "description": "The slug of a group the caller may post in."},
                           "allowsMultiple": {"type": "boolean"}, "isAnonymous": {"type": "boolean"},
                           "resultsVisibility": {"type": "string", "enum": ["after_vote", "after_close"]},
                           "closesAt": {**date, "description": "When voting ends; must lie in the future (409 otherwise)."}}},
        "IdeaComment": {"type": "object", "required": ["id", "author", "body", "isOfficial", "createdAt"],
                        "properties": {"id": uuid, "author": {"type": "string", "description": "The author's handle."}, "body": string,
                                       "isOfficial": {"type": "boolean", "description": "An official response from the organisation."},
                                       "status": {"type": ["string", "null"], "enum": [*idea_status["enum"], None],
                                                  "description": "The status the response set, if any."},
                                       "createdAt": date}},
        "IdeaCommentList": {"type": "object", "required": ["comments"],
                            "properties": {"comments": {"type": "array", "items": ref("IdeaComment"), "description": "Oldest first."}}},
        "IdeaCommentCreate": {"type": "object", "required": ["body"], "properties": {"body": post_body}},
        "IdeaResponseCreate": {"type": "object", "required": ["body"], "properties": {
            "body": post_body, "status": {**idea_status, "description": "The idea's new status, if it changes."}}},
        "IdeaRoute": {"type": "object", "required": ["department"], "properties": {"department": {**uuid, "description": "The department's id."}}},
        "Department": {"type": "object", "required": ["id", "name", "description", "liaisons"],
                       "properties": {"id": uuid, "name": string, "description": string,
                                      "liaisons": {"type": "array", "items": string, "description": "Handles of the department's liaisons."}}},
        "DepartmentList": {"type": "object", "required": ["departments"],
                           "properties": {"departments": {"type": "array", "items": ref("Department")}}},
        "DepartmentSave": {"type": "object", "required": ["name"],
                           "properties": {"name": text(80, required=True, description="A department with this name is updated, or created."),
                                          "description": markdown}},
    }
    event = path_param("event", uuid)
    poll = path_param("poll", uuid)
    idea = path_param("idea", uuid)
    handle = path_param("handle")
    department = path_param("department", uuid)
    P403_member = problem("Silenced members, or people outside the group, cannot do this.")
    attendee_ops = {"parameters": [event, handle], "security": bearer,
                    "responses": {**ok(ref("AttendeeList")), "403": P403_organiser,
                                  "404": problem("No such event, or the member never answered it."), **reads}}
    liaison_ops = {"parameters": [department, handle], "security": bearer,
                   "responses": {**ok(ref("Department")), "403": P403_manager, "404": problem("No such department or member."), **reads}}
    paths = {
        "/events": {"post": {"operationId": "createEvent", "summary": "Organise an event, in a group or community-wide.", "security": bearer,
                             "requestBody": body(ref("EventCreate")),
                             "responses": {**ok(ref("Event"), "The new event.", "201"), "403": P403_member,
                                           "404": problem("No such group, or the caller may not organise events in it."),
                                           "409": problem("An organiser's handle is not an active member's."), **writes}}},
        "/events/{event}": {"patch": {"operationId": "updateEvent", "summary": "Change an event (organisers).", "security": bearer,
                                      "parameters": [event], "requestBody": body(ref("EventPatch")),
                                      "responses": {**ok(ref("Event")), "403": P403_organiser,
                                                    "404": problem("No such event or group, or not visible to the caller."),
                                                    "409": problem("An organiser's handle is not an active member's."), **writes}}},
        "/events/{event}/cancel": {"post": {"operationId": "cancelEvent", "summary": "Cancel an event (organisers); cancelling again changes nothing.",
                                            "security": bearer, "parameters": [event],
                                            "responses": {**ok(ref("Event")), "403": P403_organiser, "404": P404, **reads}}},
        "/events/{event}/attendees": {"get": {"operationId": "listAttendees", "summary": "Who answered, and who came (organisers).",
                                              "security": bearer, "parameters": [event],
                                              "responses": {**ok(ref("AttendeeList")), "403": P403_organiser, "404": P404, **reads}}},
        "/events/{event}/attendees/{handle}/check-in": {
            "put": {"operationId": "checkInAttendee", "summary": "Record that a member came (organisers).", **attendee_ops},
            "delete": {"operationId": "undoCheckIn", "summary": "Undo a check-in (organisers).", **attendee_ops},
        },
        "/polls": {"post": {"operationId": "createPoll", "summary": "Start a poll: a trial balloon in a topic, a group or the community.",
                            "security": bearer, "requestBody": body(ref("PollCreate")),
                            "responses": {**ok(ref("Poll"), "The new poll.", "201"),
                                          "403": problem("Silenced, not the topic's author, or not a member of the group."),
                                          "404": problem("No such topic or group, or not visible to the caller."),
                                          "409": problem("The closing time has already passed."), **writes}}},
        "/polls/{poll}/close": {"post": {"operationId": "closePoll", "summary": "Close a poll now (its author, moderators); results then show to all.",
                                         "security": bearer, "parameters": [poll],
                                         "responses": {**ok(ref("Poll")), "403": problem("Only the poll's author and moderators close it."),
                                                       "404": P404, **reads}}},
        "/ideas/{idea}/comments": {
            "get": {"operationId": "listIdeaComments", "summary": "Comments and official responses on an idea, oldest first.",
                    "security": optional_bearer, "parameters": [idea], "responses": {**ok(ref("IdeaCommentList")), "404": P404, **reads}},
            "post": {"operationId": "commentOnIdea", "summary": "Comment on an idea.", "security": bearer, "parameters": [idea],
                     "requestBody": body(ref("IdeaCommentCreate")),
                     "responses": {**ok(ref("IdeaComment"), "The new comment.", "201"), "403": P403_member, "404": P404, **writes}},
        },
        "/ideas/{idea}/responses": {"post": {
            "operationId": "respondToIdea",
            "summary": "Respond officially (managers and the department's liaisons), usually moving the idea to a new status; "
                       "the submitter and the voters are told.",
            "security": bearer, "parameters": [idea], "requestBody": body(ref("IdeaResponseCreate")),
            "responses": {**ok(ref("IdeaComment"), "The response.", "201"),
                          "403": problem("Only managers and the liaisons of the idea's department respond officially."), "404": P404,
                          "409": problem("The idea cannot move to that status from where it is now."), **writes}}},
        "/ideas/{idea}/department": {"put": {"operationId": "routeIdea", "summary": "Route an idea to a department (managers).",
                                             "security": bearer, "parameters": [idea], "requestBody": body(ref("IdeaRoute")),
                                             "responses": {**ok(ref("Idea")), "403": P403_manager, "404": problem("No such idea."),
                                                           "409": problem("There is no department with this id."), **writes}}},
        "/departments": {
            "get": {"operationId": "listDepartments", "summary": "The departments feedback is routed to, with their liaisons.",
                    "security": optional_bearer, "responses": {**ok(ref("DepartmentList")), **reads}},
            "post": {"operationId": "saveDepartment", "summary": "Create a department, or update the one with this name (managers).",
                     "security": bearer, "requestBody": body(ref("DepartmentSave")),
                     "responses": {**ok(ref("Department")), "403": P403_manager, **writes}},
        },
        "/departments/{department}/liaisons/{handle}": {
            "put": {"operationId": "addLiaison", "summary": "Make a member a liaison of the department (managers).", **liaison_ops},
            "delete": {"operationId": "removeLiaison", "summary": "Remove a liaison (managers).", **liaison_ops},
        },
    }
    for path, operations in paths.items():
        document["paths"].setdefault(path, {}).update(operations)
    document["components"]["schemas"].update(schemas)

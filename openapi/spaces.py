"""The community-spaces part of Kring's OpenAPI document: groups, topics, replies, reactions,
accepted answers, tags, search and notifications. build.py merges it into the document."""


from shared import bearer, date, optional_bearer, path_param, query_param, problems, string, uuid


def add(document, ref, problem, ok, body, text):
    p = problems(problem)
    P400, P401, P404, P415, P422, P503 = p.P400, p.P401, p.P404, p.P415, p.P422, p.P503
    P403 = problem("Authenticated, but not allowed.")
    P409 = problem("Not possible in the current state (e.g. an archived group).")
    slug = path_param("slug")
    topic = path_param("topic", uuid)
    post = path_param("post", uuid)
    reads = p.reads

    def multiline(max_length, required=False):
        """Several lines of text; the ends are trimmed before the length is counted."""
        schema = {"type": "string", "maxLength": max_length, "x-kring-normalise": "multi-line"}
        return schema | ({"minLength": 1, "pattern": "\\S"} if required else {})
    writes = p.writes

    schemas = {
        "Group": {"type": "object", "required": ["slug", "name", "description", "welcomeMessage", "visibility", "isArchived", "memberCount",
                                                  "topicCount", "createdAt", "lastActivityAt"],
                  "properties": {"slug": string, "name": string, "description": string,
                                 "welcomeMessage": {"type": "string", "description": "Only for active members; empty otherwise."},
                                 "visibility": {"type": "string", "enum": ["open", "closed", "secret"]}, "isArchived": {"type": "boolean"},
                                 "memberCount": {"type": "integer"}, "topicCount": {"type": "integer"}, "createdAt": date, "lastActivityAt": date,
                                 "membership": {"type": "string", "enum": ["active", "requested", "invited"], "description": "The caller's membership."},
                                 "role": {"type": "string", "enum": ["member", "manager"]}}},
        "GroupList": {"type": "object", "required": ["groups"], "properties": {"groups": {"type": "array", "items": ref("Group")}}},
        "GroupCreate": {"type": "object", "required": ["name"], "properties": {
            "name": text(80, required=True), "description": multiline(5000),
            "welcomeMessage": multiline(5000), "visibility": {"type": "string", "enum": ["open", "closed", "secret"]}}},
        "GroupMembers": {"type": "object", "required": ["members"], "properties": {"members": {"type": "array", "items": {
            "type": "object", "required": ["handle", "displayName", "role", "since"],
            "properties": {"handle": string, "displayName": string, "role": {"type": "string", "enum": ["member", "manager"]}, "since": date}}}}},
        "MembershipResult": {"type": "object", "required": ["status"], "properties": {"status": {"type": "string", "enum": ["active", "requested", "invited"]}}},
        "Author": {"type": "object", "required": ["handle", "displayName", "isStaff"],
                   "properties": {"handle": string, "displayName": string, "isStaff": {"type": "boolean"}}},
        "TopicSummary": {"type": "object", "required": ["id", "title", "kind", "author", "tags", "replyCount", "isPinned", "isSolved", "createdAt", "lastPostedAt"],
                         "properties": {"id": uuid, "title": string, "kind": {"type": "string", "enum": ["discussion", "question"]},
                                        "group": {"type": "string", "description": "The group's slug; absent for community-wide topics."},
                                        "author": {"type": "string", "description": "The author's handle."}, "tags": {"type": "array", "items": string},
                                        "replyCount": {"type": "integer"}, "isPinned": {"type": "boolean"}, "isSolved": {"type": "boolean"},
                                        "createdAt": date, "lastPostedAt": date,
                                        "unreadCount": {"type": "integer", "description": "Replies the caller has not read; absent when never opened."}}},
        "TopicList": {"type": "object", "required": ["topics"], "properties": {
            "topics": {"type": "array", "items": ref("TopicSummary")},
            "nextCursor": {"type": "string", "description": "Pass as `after` for the next page; absent on the last page."}}},
        "Post": {"type": "object", "required": ["id", "number", "author", "body", "html", "createdAt", "isDeleted", "reactions", "myReactions"],
                 "properties": {"id": uuid, "number": {"type": "integer"}, "author": ref("Author"),
                                "body": {"type": "string", "description": "Markdown source."}, "html": {"type": "string", "description": "Sanitised HTML."},
                                "createdAt": date, "editedAt": date, "isDeleted": {"type": "boolean"}, "replyToNumber": {"type": "integer"},
                                "reactions": {"type": "object", "additionalProperties": {"type": "array", "items": string},
                                              "description": "Display names per reaction kind (like, thanks, insightful)."},
                                "myReactions": {"type": "array", "items": {"type": "string", "enum": ["like", "thanks", "insightful"]}}}},
        "Topic": {"type": "object", "required": ["id", "title", "kind", "author", "tags", "isPinned", "isDeleted", "createdAt", "posts"],
                  "properties": {"id": uuid, "title": string, "kind": {"type": "string", "enum": ["discussion", "question"]}, "group": string,
                                 "author": ref("Author"), "tags": {"type": "array", "items": string}, "isPinned": {"type": "boolean"},
                                 "isDeleted": {"type": "boolean"}, "acceptedAnswer": uuid, "createdAt": date, "posts": {"type": "array", "items": ref("Post")}}},
        "TopicCreate": {"type": "object", "required": ["title", "body"], "properties": {
            "title": text(150, required=True, description="5 to 150 characters.") | {"minLength": 5}, "body": multiline(20000, required=True),
            "kind": {"type": "string", "enum": ["discussion", "question"]}, "group": {"type": "string", "description": "A group's slug."},
            "tags": {"type": "array", "items": text(40), "maxItems": 20, "x-kring-normalise": "tags"}}},
        "ReplyCreate": {"type": "object", "required": ["body"], "properties": {
            "body": multiline(20000, required=True), "replyTo": {**uuid, "description": "The post this replies to."}}},
        "Accept": {"type": "object", "properties": {"postId": {"type": ["string", "null"], "format": "uuid", "description": "The reply to accept; null clears."}}},
        "ReactionCreate": {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string", "enum": ["like", "thanks", "insightful"]}}},
        "TagList": {"type": "object", "required": ["tags"], "properties": {"tags": {"type": "array", "items": {
            "type": "object", "required": ["name", "topicCount"], "properties": {"name": string, "description": string, "topicCount": {"type": "integer"}}}}}},
        "SearchResults": {"type": "object", "required": ["results"], "properties": {"results": {"type": "array", "items": {
            "type": "object", "required": ["kind", "title", "snippet"],
            "properties": {"kind": {"type": "string", "enum": ["topic", "post", "group", "member"]}, "title": string, "snippet": string,
                           "topicId": uuid, "group": string, "handle": string}}}}},
        "Notification": {"type": "object", "required": ["id", "kind", "createdAt", "isRead"],
                         "properties": {"id": uuid, "kind": {"type": "string", "enum": [
                             "reply", "mention", "reaction", "solution", "join_request", "join_approved", "join_declined", "invitation",
                             "flag_upheld", "flag_dismissed", "content_removed", "sanction", "event_promoted", "event_reminder",
                             "idea_response", "event_invitation"]},
                                        "actor": {"type": "string", "description": "Handle of who caused it."}, "topicId": uuid, "topicTitle": string,
                                        "postNumber": {"type": "integer"}, "group": string, "createdAt": date, "isRead": {"type": "boolean"}}},
        "NotificationList": {"type": "object", "required": ["notifications", "unread"], "properties": {
            "notifications": {"type": "array", "items": ref("Notification")}, "unread": {"type": "integer"}}},
        "MarkRead": {"type": "object", "properties": {"id": {**uuid, "description": "One notification; leave out to mark all read."}}},
    }
    paths = {
        "/groups": {
            "get": {"operationId": "listGroups", "summary": "Groups the caller may see, most active first.", "security": optional_bearer,
                    "parameters": [query_param("archived", {"type": "boolean"}, "List archived groups instead.")],
                    "responses": {**ok(ref("GroupList")), "400": P400, **reads}},
            "post": {"operationId": "createGroup", "summary": "Create a group; the caller becomes its manager.", "security": bearer,
                     "requestBody": body(ref("GroupCreate")),
                     "responses": {**ok(ref("Group"), "The new group.", "201"), "403": problem("Silenced members cannot start groups."), **writes}},
        },
        "/groups/{slug}": {"get": {"operationId": "getGroup", "summary": "One group.", "security": optional_bearer, "parameters": [slug],
                                   "responses": {**ok(ref("Group")), "404": P404, **reads}}},
        "/groups/{slug}/members": {"get": {"operationId": "listGroupMembers", "summary": "Active members, managers first.", "security": optional_bearer,
                                           "parameters": [slug], "responses": {**ok(ref("GroupMembers")), "403": P403, "404": P404, **reads}}},
        "/groups/{slug}/join": {"post": {"operationId": "joinGroup", "summary": "Join an open group, ask to join a closed one, or accept an invitation.",
                                         "security": bearer, "parameters": [slug],
                                         "responses": {**ok(ref("MembershipResult")), "404": P404, "409": P409, **reads}}},
        "/groups/{slug}/leave": {"post": {"operationId": "leaveGroup", "summary": "Leave, withdraw a request or decline an invitation.",
                                          "security": bearer, "parameters": [slug],
                                          "responses": {"204": {"description": "Done."}, "404": P404, "409": P409, **reads}}},
        "/topics": {
            "get": {"operationId": "listTopics", "summary": "Topics the caller may read, newest activity first, a page at a time.",
                    "security": optional_bearer,
                    "parameters": [query_param("filter", {"type": "string", "enum": ["latest", "unanswered", "solved"]}, "Which topics."),
                                   query_param("group", string, "Only this group's topics (slug)."), query_param("tag", string, "Only topics with this tag."),
                                   query_param("after", string, "The `nextCursor` of the previous page."),
                                   query_param("limit", {"type": "integer", "minimum": 1, "maximum": 100}, "Page size (default 30).")],
                    "responses": {**ok(ref("TopicList")), "400": P400, "404": P404, "422": P422, **reads}},
            "post": {"operationId": "createTopic", "summary": "Start a topic, community-wide or in a group the caller may post in.", "security": bearer,
                     "requestBody": body(ref("TopicCreate")),
                     "responses": {**ok(ref("Topic"), "The new topic.", "201"), "403": problem("Not allowed: not a member of the group, silenced, or the house rules are not accepted yet."),
                                   "404": problem("No such group."), "429": problem("Posting too quickly."), **writes}},
        },
        "/topics/{topic}": {"get": {"operationId": "getTopic", "summary": "A topic with its posts.", "security": optional_bearer, "parameters": [topic],
                                    "responses": {**ok(ref("Topic")), "404": P404, **reads}}},
        "/topics/{topic}/replies": {"post": {"operationId": "replyToTopic", "summary": "Reply to a topic.", "security": bearer, "parameters": [topic],
                                             "requestBody": body(ref("ReplyCreate")),
                                             "responses": {**ok(ref("Post"), "The new reply.", "201"), "403": P403, "404": P404, "409": P409,
                                                           "429": problem("Posting too quickly, or the topic is in slow mode."), **writes}}},
        "/topics/{topic}/accept": {"post": {"operationId": "acceptAnswer", "summary": "Accept a reply as the answer to a question (the asker or a moderator).",
                                            "security": bearer, "parameters": [topic], "requestBody": body(ref("Accept")),
                                            "responses": {**ok(ref("Topic")), "403": P403, "404": P404, "409": P409, **writes}}},
        "/posts/{post}/reactions": {"post": {"operationId": "addReaction", "summary": "React to a post.", "security": bearer, "parameters": [post],
                                             "requestBody": body(ref("ReactionCreate")),
                                             "responses": {"204": {"description": "Added (or already there)."}, "403": P403, "404": P404, "409": P409, **writes}}},
        "/posts/{post}/reactions/{kind}": {"delete": {"operationId": "removeReaction", "summary": "Take a reaction back.", "security": bearer,
                                                      "parameters": [post, path_param("kind", {"type": "string", "enum": ["like", "thanks", "insightful"]})],
                                                      "responses": {"204": {"description": "Removed."}, "403": P403, "404": P404, "409": P409, "422": P422, **reads}}},
        "/tags": {"get": {"operationId": "listTags", "summary": "Tags with how many topics carry them.", "security": optional_bearer,
                          "responses": {**ok(ref("TagList")), **reads}}},
        "/search": {"get": {"operationId": "search", "summary": "Full-text search (Dutch and English word forms) over what the caller may see.",
                            "security": optional_bearer,
                            "parameters": [{"name": "q", "in": "query", "required": True, "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "\\S"}}],
                            "responses": {**ok(ref("SearchResults")), "400": P400, "422": P422, **reads}}},
        "/notifications": {"get": {"operationId": "listNotifications", "summary": "The caller's notifications, newest first.", "security": bearer,
                                   "responses": {**ok(ref("NotificationList")), **reads}}},
        "/notifications/read": {"post": {"operationId": "markNotificationsRead", "summary": "Mark one or all notifications read.", "security": bearer,
                                         "requestBody": body(ref("MarkRead")), "responses": {"204": {"description": "Done."}, **writes}}},
    }
    document["paths"].update(paths)
    document["components"]["schemas"].update(schemas)

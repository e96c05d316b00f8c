"""The leak matrix (issue #10): every kind of hidden content × every read path × every kind of viewer.

One community is built through the API and the forms, as its members would: a secret group, a
closed group, archived groups and topics, deleted and held topics and replies, a post hidden by a
moderator, events, polls and documents in the hidden groups, members' e-mail addresses, one
member's notifications and private calendar feed address. Every hidden thing carries a marker
(`LEAK <kind> <run>`, and its id where it has one). Then every read path — pages, the JSON API,
search, tags, iCalendar feeds, notifications, the outbox's mails and their unsubscribe links, CSV
exports, downloads, the cockpit and the metrics API with a group filter, a published report, the
team's content calendar, listening and insights, the member update previewed as a member — is read
as each of twelve viewers, and for each answer:

- no marker of something the viewer may not read is in it (READERS says who may read what);
- what the path must show that viewer is in it (`shows`), so no check passes vacuously;
- what the path must leave out even for readers (`hides`: lists leave out archived and deleted things);
- the status is the expected one (`gate`): readers get the page, others a refusal, and for things
  whose existence is secret a 404 that says nothing (`secret=True`).

A leak found and not yet fixed is listed in KNOWN_LEAKS: the main test skips that one
(path, viewer, item) and `test_known_leak` asserts the right behaviour with a strict xfail, so the
fix turns it into a failure that asks for the entry to be removed.

`test_every_read_route_is_in_the_matrix` reads `kring routes` and fails on a GET route that is
neither in the matrix nor in NOT_IN_MATRIX with a reason.
"""
from __future__ import annotations

import base64
import datetime
import email
import email.policy
import io
import os
import re
import subprocess
import time
import urllib.parse
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest

from api import Visitor
from test_smoke import ADMIN, configured  # noqa: F401  (the shared set-up instance)

RUN = "r" + uuid.uuid4().hex[:8]
PASSWORD = "geheim-lekdicht-2026"


def marker(kind: str) -> str:
    """The text a hidden thing carries: spaces keep it apart from slugs made of it."""
    return f"LEAK {kind} {RUN}"


def tag(kind: str) -> str:
    return f"leak-{kind}-{RUN}"


# --- who is looking -----------------------------------------------------------

MEMBERS = ["outsider", "insider", "owner", "invitee", "requester", "leaver", "author", "stakeholder",
           "moderator", "manager"]
ROLES = ["anon"] + MEMBERS + ["admin"]
ROLE_HELP = {
    "anon": "a visitor, not signed in",
    "outsider": "a member in none of the hidden groups",
    "insider": "an ordinary member of the secret and the closed group",
    "owner": "the member who made the secret and closed groups (their manager) and wrote in them",
    "invitee": "invited to the secret group, not (yet) a member",
    "requester": "asked to join the closed group, not let in (yet)",
    "leaver": "was in the secret group, was mentioned there and going to its event, then left",
    "author": "a new member whose posts were held, hidden and deleted",
    "stakeholder": "a member an admin gave read access to the cockpit and reports",
    "moderator": "a moderator", "manager": "a community manager", "admin": "an administrator",
}
STAFF = {"moderator", "manager", "admin"}
SIGNED_IN = set(MEMBERS) | {"admin"}
EVERYONE = set(ROLES)
COCKPIT = {"stakeholder", "manager", "admin"}
TEAM = {"manager", "admin"}
NO_COCKPIT = EVERYONE - COCKPIT  # refused by the cockpit's gate before any group is looked at


def handle(role: str) -> str:
    return "admin" if role == "admin" else f"lk-{role}-{RUN}"


def address(role: str) -> str:
    return f"mail-{role}-{RUN}@leak.example"


# --- what is hidden, and from whom --------------------------------------------

SECRET_MEMBERS = {"insider", "owner"} | STAFF
READERS: dict[str, set[str]] = {
    # The secret group shows up (name, description) for its members and those invited to it.
    "secret-group": {"insider", "owner", "invitee"} | STAFF,
    **{kind: SECRET_MEMBERS for kind in (
        "secret-topic", "secret-tag", "secret-question", "secret-reply", "secret-event", "secret-doc", "secret-file",
        "secret-poll", "closed-topic", "closed-tag", "closed-event", "closed-doc", "closed-file")},
    # Archived: read-only and out of the lists, still readable (and findable) by its readers.
    "archived-group": EVERYONE, "archived-topic": EVERYONE, "archivedgroup-topic": EVERYONE,
    "secretarchived-group": {"owner"} | STAFF, "secretarchived-topic": {"owner"} | STAFF,
    # Soft-deleted: moderators (and up) see it and can restore it; the author no longer does.
    "deleted-topic": STAFF, "deleted-reply": STAFF,
    # A deleted document is gone for everyone.
    "deleted-doc": set(), "deleted-file": set(),
    # Held for approval or hidden by a moderator: the author is told and still sees it; moderators decide.
    "held-topic": {"author"} | STAFF, "held-tag": {"author"} | STAFF, "held-reply": {"author"} | STAFF,
    "held-poll": {"author"} | STAFF, "hidden-reply": {"author"} | STAFF,
    # Private profile fields (the e-mail address): the member and administrators.
    **{f"email-{role}": {role, "admin"} for role in MEMBERS},
    "email-admin": {"admin"},
    # One member's notification and private calendar feed address are theirs alone.
    "insider-notification": {"insider"},
    "insider-calendar-token": {"insider"},
    # A control: open content everyone reads (for the report, which shows open topics only).
    "open-topic": EVERYONE,
}
ARCHIVED = ["archived-group", "archived-topic", "archivedgroup-topic", "secretarchived-group", "secretarchived-topic"]
DELETED = ["deleted-topic", "deleted-reply", "deleted-doc", "deleted-file"]

# Leaks this matrix found that are not fixed yet: (path id, role, item) → what leaks and why.
KNOWN_LEAKS: dict[tuple[str, str, str], str] = {}


# --- the read paths ----------------------------------------------------------

DENIED = {303, 401, 403, 404}


@dataclass
class Path:
    """One read path: `template` is filled from the world's ids (`{secret}` is the secret group's slug)."""

    kind: str  # page (cookies), api (token), feed:<role> (no credentials; the feed is <role>'s), mail
    route: str  # the route as `kring routes` lists it, for the coverage check
    template: str
    gate: set[str] | None = None  # who gets `ok`; None: everyone
    ok: tuple[int, ...] = (200,)
    secret: bool = False  # others get a 404, unless in `knows` (they may know it exists: any refusal)
    knows: set[str] = field(default_factory=set)
    shows: dict[str, set[str]] = field(default_factory=dict)  # item → who must find it here
    hides: dict[str, set[str]] = field(default_factory=dict)  # item → who must not find it here though a reader
    also: dict[str, set[str]] = field(default_factory=dict)  # item → who may see it here besides its readers
    roles: list[str] = field(default_factory=lambda: list(ROLES))
    view_of: str | None = None  # the member whose view those let through the gate get (a preview as that member)

    @property
    def id(self) -> str:
        return f"{self.kind} {self.template}"

    def viewer(self, role: str) -> str:
        """Whose view the answer is: a private feed is its owner's whoever fetches it, a preview as a
        member is that member's for whoever may open it."""
        if self.kind.startswith("feed:"):
            return self.kind.split(":", 1)[1]
        if self.view_of and (self.gate is None or role in self.gate):
            return self.view_of
        return role

    def expected_statuses(self, role: str) -> set[int]:
        if self.gate is None or role in self.gate:
            return set(self.ok)
        if self.secret and role not in self.knows:
            return {303, 401, 404} if role == "anon" else {404}
        return DENIED


def P(kind, route, template=None, *, shows=(), hides=(), also=None, **options) -> Path:
    """A path; `shows`/`hides` list items (for all their readers / for everyone) or (item, roles) pairs."""
    def table(entries, default):
        result = {}
        for entry in entries:
            item, roles = entry if isinstance(entry, tuple) else (entry, default(entry))
            assert item in READERS, item
            result[item] = set(roles)
        return result
    path = Path(kind, route, template or route, also=also or {}, **options)
    gate = path.gate if path.gate is not None else EVERYONE
    path.shows = table(shows, lambda item: READERS[item] & gate)
    path.hides = table(hides, lambda item: EVERYONE)
    return path


def own_email(roles):
    return [(f"email-{role}", {role}) for role in roles]


SECRET_TOPIC_ITEMS = ["secret-topic", "secret-reply"]
PATHS: list[Path] = [
    # Lists and front pages
    P("page", "/", shows=[("secret-topic", SECRET_MEMBERS), ("secret-group", SECRET_MEMBERS), "secret-event"],
      hides=ARCHIVED + DELETED),
    P("page", "/topics", shows=["secret-topic", "secret-question", "closed-topic", "held-topic"], hides=ARCHIVED + DELETED),
    P("page", "/topics", "/topics?filter=unanswered", shows=["secret-question", "closed-topic"], hides=ARCHIVED + DELETED),
    P("page", "/topics/new", gate=SIGNED_IN),
    P("page", "/groups", shows=["secret-group"], hides=ARCHIVED),
    P("page", "/groups", "/groups?archived=1", shows=["archived-group", "secretarchived-group"]),
    P("page", "/members", gate=SIGNED_IN),
    P("page", "/members/:handle", "/members/{author}", shows=[("email-author", {"author", "admin"})]),
    P("page", "/events", shows=["secret-event", "closed-event"]),
    P("page", "/events/calendar", "/events/calendar?month={month}", shows=["secret-event", "closed-event"]),
    P("page", "/events/new", gate=SIGNED_IN),
    P("page", "/polls", shows=["secret-poll"]),
    P("page", "/polls/new", gate=SIGNED_IN),
    P("page", "/ideas"),
    # The secret group and what is in it
    P("page", "/g/:slug", "/g/{secret}", gate=READERS["secret-group"], secret=True, shows=["secret-group", "secret-topic"]),
    P("page", "/g/:slug/members", "/g/{secret}/members", gate=SECRET_MEMBERS, secret=True, knows={"invitee"},
      shows=[("secret-group", SECRET_MEMBERS)]),
    P("page", "/g/:slug/edit", "/g/{secret}/edit", gate={"owner"} | TEAM, secret=True, knows=READERS["secret-group"],
      shows=[("secret-group", {"owner"} | TEAM)]),
    P("page", "/g/:slug/documents", "/g/{secret}/documents", gate=SECRET_MEMBERS, secret=True, shows=["secret-doc"]),
    P("page", "/g/:slug/events.ics", "/g/{secret}/events.ics", gate=SECRET_MEMBERS, secret=True, shows=["secret-event"]),
    P("page", "/t/:topic", "/t/{secret_topic}", gate=SECRET_MEMBERS, secret=True, shows=SECRET_TOPIC_ITEMS),
    P("page", "/t/:topic", "/t/{secret_question}", gate=SECRET_MEMBERS, secret=True, shows=["secret-question"]),
    P("page", "/posts/:post/history", "/posts/{secret_reply}/history", gate=SECRET_MEMBERS, secret=True),
    P("page", "/posts/:post/edit", "/posts/{secret_reply}/edit", gate={"insider"} | STAFF, secret=True, knows=SECRET_MEMBERS,
      shows=[("secret-reply", {"insider"} | STAFF)]),
    P("page", "/events/:event", "/events/{secret_event}", gate=SECRET_MEMBERS, secret=True, shows=["secret-event"]),
    # The live updates of a topic: only those who may not read it ask, as for its readers the answer is an
    # event stream that never ends (numbers only: the reply numbers, the viewer's unread count).
    P("page", "/live", "/live?topic={secret_topic}", gate=SECRET_MEMBERS, secret=True,
      roles=[role for role in ROLES if role not in SECRET_MEMBERS]),
    P("page", "/events/:event/calendar.ics", "/events/{secret_event}/calendar.ics", gate=SECRET_MEMBERS, secret=True,
      shows=["secret-event"]),
    P("page", "/events/:event/attendees", "/events/{secret_event}/attendees", gate={"owner"} | STAFF, secret=True,
      knows=SECRET_MEMBERS),
    P("page", "/events/:event/edit", "/events/{secret_event}/edit", gate={"owner"} | STAFF, secret=True, knows=SECRET_MEMBERS,
      shows=[("secret-event", {"owner"} | STAFF)]),
    P("page", "/polls/:poll", "/polls/{secret_poll}", gate=SECRET_MEMBERS, secret=True, shows=["secret-poll"]),
    P("page", "/documents/:document", "/documents/{secret_doc}", gate=SECRET_MEMBERS, secret=True, shows=["secret-doc"]),
    P("page", "/documents/:document/download", "/documents/{secret_doc}/download", gate=SECRET_MEMBERS, secret=True,
      shows=["secret-file"]),
    P("page", "/documents/:document/versions/:number/download", "/documents/{secret_doc}/versions/1/download",
      gate=SECRET_MEMBERS, secret=True, shows=["secret-file"]),
    # The closed group: listed for everyone, its content for members
    P("page", "/g/:slug", "/g/{closed}", shows=["closed-topic"]),
    P("page", "/g/:slug/documents", "/g/{closed}/documents", gate=SECRET_MEMBERS, secret=True, shows=["closed-doc"]),
    P("page", "/g/:slug/events.ics", "/g/{closed}/events.ics", gate=SECRET_MEMBERS, secret=True, shows=["closed-event"]),
    P("page", "/t/:topic", "/t/{closed_topic}", gate=SECRET_MEMBERS, secret=True, shows=["closed-topic"]),
    P("page", "/events/:event", "/events/{closed_event}", gate=SECRET_MEMBERS, secret=True, shows=["closed-event"]),
    P("page", "/documents/:document/download", "/documents/{closed_doc}/download", gate=SECRET_MEMBERS, secret=True,
      shows=["closed-file"]),
    # Archived groups and topics: out of the lists, still readable
    P("page", "/g/:slug", "/g/{archived}", shows=["archived-group", "archivedgroup-topic"]),
    P("page", "/t/:topic", "/t/{archivedgroup_topic}", shows=["archivedgroup-topic"]),
    P("page", "/t/:topic", "/t/{archived_topic}", shows=["archived-topic"]),
    P("page", "/g/:slug", "/g/{secretarchived}", gate=READERS["secretarchived-group"], secret=True,
      shows=["secretarchived-group", "secretarchived-topic"]),
    P("page", "/t/:topic", "/t/{secretarchived_topic}", gate=READERS["secretarchived-topic"], secret=True,
      shows=["secretarchived-topic"]),
    # The open group, where the author's held, hidden and deleted posts are
    P("page", "/g/:slug", "/g/{open}", shows=["held-topic"], hides=["archived-topic"] + DELETED),
    P("page", "/t/:topic", "/t/{open_topic}", shows=["held-reply", "hidden-reply", "deleted-reply"]),
    P("page", "/t/:topic", "/t/{held_topic}", gate=READERS["held-topic"], secret=True, shows=["held-topic", "held-poll"]),
    P("page", "/t/:topic", "/t/{deleted_topic}", gate=STAFF, secret=True, shows=["deleted-topic"]),
    P("page", "/posts/:post/history", "/posts/{held_reply}/history", gate=READERS["held-reply"], secret=True),
    P("page", "/posts/:post/history", "/posts/{hidden_reply}/history", gate=READERS["hidden-reply"], secret=True),
    P("page", "/posts/:post/history", "/posts/{deleted_reply}/history", gate=STAFF, secret=True),
    P("page", "/posts/:post/edit", "/posts/{held_reply}/edit", gate=READERS["held-reply"], secret=True, shows=["held-reply"]),
    P("page", "/posts/:post/edit", "/posts/{hidden_reply}/edit", gate=READERS["hidden-reply"], secret=True,
      shows=["hidden-reply"]),
    P("page", "/polls/:poll", "/polls/{held_poll}", gate=READERS["held-poll"], secret=True, shows=["held-poll"]),
    P("page", "/documents/:document", "/documents/{deleted_doc}", gate=set(), secret=True),
    P("page", "/documents/:document/download", "/documents/{deleted_doc}/download", gate=set(), secret=True),
    # Search and tags
    P("page", "/search", "/search?q={run}",
      shows=["secret-topic", "secret-reply", "secret-group", "closed-topic", "archived-topic", "archivedgroup-topic",
             "secretarchived-topic"]),
    P("page", "/tags", shows=["secret-tag", "closed-tag", "held-tag"]),
    P("page", "/tags/:tag", "/tags/{secret_tag}", gate=SECRET_MEMBERS, secret=True, shows=["secret-topic"]),
    P("page", "/tags/:tag", "/tags/{closed_tag}", gate=SECRET_MEMBERS, secret=True, shows=["closed-topic"]),
    P("page", "/tags/:tag", "/tags/{held_tag}", gate=READERS["held-tag"], secret=True, shows=["held-topic"]),
    # One's own things
    P("page", "/notifications", gate=SIGNED_IN,
      shows=[("secret-topic", {"insider"}), ("insider-notification", {"insider"}), ("secret-group", {"invitee"})]),
    P("page", "/notifications/:id", "/notifications/{insider_notification}", gate={"insider"}, ok=(303,), secret=True,
      shows=[("secret-topic", {"insider"})]),
    P("page", "/settings/calendar", gate=SIGNED_IN, shows=[("insider-calendar-token", {"insider"})]),
    P("page", "/settings/profile", gate=SIGNED_IN),
    P("page", "/settings/tokens", gate=SIGNED_IN),
    # The member's own data (GDPR): their own posts and documents come with it, deleted ones too.
    # What they did themselves stays theirs after they lost sight of it: the leaver's answer to the
    # secret event, the outsider's flag on the reply a moderator then hid.
    *[P(kind, route, template, gate=SIGNED_IN,
        shows=own_email(MEMBERS + ["admin"]) + [("secret-reply", {"insider"}), ("secret-topic", {"owner"}), ("held-topic", {"author"})],
        also={"deleted-topic": {"author"}, "deleted-doc": {"author"}, "deleted-file": {"author"}, "deleted-reply": {"insider"},
              "secret-event": {"leaver"}, "hidden-reply": {"outsider"}})
      for kind, route, template in (("page", "/settings/privacy/export", "/settings/privacy/export"),
                                    ("api", "/api/v1/me/export", "/me/export"))],
    P("page", "/admin/privacy/export", "/admin/privacy/export?member={insider}", gate={"admin"},
      shows=[("email-insider", {"admin"}), ("secret-reply", {"admin"})]),
    # Moderation, administration, the cockpit and its exports
    P("page", "/moderation", gate=STAFF, shows=["held-topic", "held-reply", "hidden-reply"]),
    P("page", "/moderation/words/export.csv", gate=STAFF),
    P("page", "/admin/members", "/admin/members?q={author}", gate=TEAM, also={"email-author": {"manager"}},
      shows=[("email-author", TEAM)]),
    P("page", "/admin/mail", gate={"admin"}),
    P("page", "/admin/jobs", gate={"admin"}),
    P("page", "/admin/audit", gate=TEAM),
    P("page", "/admin/audit.csv", gate=TEAM),
    P("page", "/cockpit", gate=COCKPIT, shows=[("closed-topic", TEAM), ("secret-question", TEAM)]),
    P("page", "/cockpit", "/cockpit?group={secret}", gate=TEAM, secret=True, knows=NO_COCKPIT,
      shows=[("secret-group", TEAM), ("secret-question", TEAM)]),
    P("page", "/cockpit", "/cockpit?group={closed}", gate=COCKPIT, shows=[("closed-topic", TEAM)]),
    P("page", "/cockpit.csv", "/cockpit.csv?table=unanswered", gate=COCKPIT,
      shows=[("closed-topic", TEAM), ("secret-question", TEAM)]),
    P("page", "/cockpit.csv", "/cockpit.csv?table=unanswered&group={secret}", gate=TEAM, secret=True, knows=NO_COCKPIT,
      shows=[("secret-question", TEAM)]),
    P("page", "/cockpit.csv", "/cockpit.csv?table=unanswered&group={closed}", gate=COCKPIT, shows=[("closed-topic", TEAM)]),
    # Members, segments and champions: names and figures for the team; tags of hidden questions only to those who read them.
    P("page", "/cockpit/members", gate=TEAM),
    P("page", "/cockpit/members.csv", gate=TEAM),
    P("page", "/cockpit/champions", gate=TEAM),
    P("page", "/cockpit/onboarding", gate=TEAM),
    # The team's mail, content calendar and listening. Managers and administrators read everything, so
    # for them these check the gate and that what they must find is there; the member update previewed
    # as a member is that member's view, and holds only what they may read (not the manager's).
    P("page", "/cockpit/mail", gate=TEAM),
    *[P("page", "/cockpit/mail", f"/cockpit/mail?preview={{{member}}}", gate=TEAM, view_of=member, hides=ARCHIVED,
        shows=[("secret-event", TEAM), ("closed-event", TEAM)] if member == "insider" else [])
      for member in ("insider", "outsider", "leaver", "requester", "invitee")],
    P("page", "/cockpit/calendar", "/cockpit/calendar?month={month}", gate=TEAM,
      shows=[("secret-event", TEAM), ("closed-event", TEAM), ("closed-topic", TEAM)]),
    P("page", "/cockpit/calendar/new", gate=TEAM, shows=[("secret-group", TEAM)], hides=["archived-group", "secretarchived-group"]),
    P("page", "/cockpit/calendar/:item", "/cockpit/calendar/{plan_item}", gate=TEAM, shows=[("closed-topic", TEAM)]),
    P("page", "/cockpit/listening", gate=TEAM, shows=[("secret-group", TEAM)]),
    P("page", "/cockpit/listening", "/cockpit/listening?group={secret}", gate=TEAM, shows=[("secret-group", TEAM)]),
    P("page", "/cockpit/listening/terms/:term", "/cockpit/listening/terms/{term}", gate=TEAM,
      shows=[("secret-topic", TEAM), ("secret-reply", TEAM), ("closed-topic", TEAM), ("archived-topic", TEAM)], hides=DELETED),
    P("page", "/cockpit/insights", gate=TEAM, shows=[("secret-topic", TEAM), ("secret-reply", TEAM)]),
    P("page", "/cockpit/insights", "/cockpit/insights?show=all", gate=TEAM,
      shows=[("secret-reply", TEAM), ("closed-topic", TEAM)]),
    P("page", "/reports/:report", "/reports/{report}", gate=COCKPIT, shows=[("open-topic", COCKPIT)]),
    P("page", "/reports/:report/csv", "/reports/{report}/csv", gate=COCKPIT),
    # The JSON API
    P("api", "/api/v1/topics", "/topics?limit=100", shows=["secret-topic", "secret-question", "closed-topic", "held-topic"],
      hides=ARCHIVED + DELETED),
    P("api", "/api/v1/topics", "/topics?filter=unanswered&limit=100", shows=["secret-question", "closed-topic"],
      hides=ARCHIVED + DELETED),
    P("api", "/api/v1/topics", "/topics?group={secret}", gate=READERS["secret-group"], secret=True,
      shows=[("secret-topic", SECRET_MEMBERS)]),
    P("api", "/api/v1/topics", "/topics?tag={secret_tag}", shows=["secret-topic"]),
    P("api", "/api/v1/topics/:topic", "/topics/{secret_topic}", gate=SECRET_MEMBERS, secret=True, shows=SECRET_TOPIC_ITEMS),
    P("api", "/api/v1/topics/:topic", "/topics/{closed_topic}", gate=SECRET_MEMBERS, secret=True, shows=["closed-topic"]),
    P("api", "/api/v1/topics/:topic", "/topics/{open_topic}", shows=["held-reply", "hidden-reply", "deleted-reply"]),
    P("api", "/api/v1/topics/:topic", "/topics/{held_topic}", gate=READERS["held-topic"], secret=True, shows=["held-topic"]),
    P("api", "/api/v1/topics/:topic", "/topics/{deleted_topic}", gate=STAFF, secret=True, shows=["deleted-topic"]),
    P("api", "/api/v1/topics/:topic", "/topics/{archived_topic}", shows=["archived-topic"]),
    P("api", "/api/v1/topics/:topic", "/topics/{secretarchived_topic}", gate=READERS["secretarchived-topic"], secret=True,
      shows=["secretarchived-topic"]),
    P("api", "/api/v1/groups", "/groups", shows=["secret-group"], hides=ARCHIVED),
    P("api", "/api/v1/groups", "/groups?archived=true", shows=["archived-group", "secretarchived-group"]),
    P("api", "/api/v1/groups/:slug", "/groups/{secret}", gate=READERS["secret-group"], secret=True, shows=["secret-group"]),
    P("api", "/api/v1/groups/:slug/members", "/groups/{secret}/members", gate=SECRET_MEMBERS, secret=True, knows={"invitee"}),
    P("api", "/api/v1/groups/:slug/documents", "/groups/{secret}/documents", gate=SECRET_MEMBERS, secret=True,
      shows=["secret-doc"]),
    P("api", "/api/v1/groups/:slug/documents", "/groups/{closed}/documents", gate=SECRET_MEMBERS, secret=True,
      shows=["closed-doc"]),
    P("api", "/api/v1/documents/:document", "/documents/{secret_doc}", gate=SECRET_MEMBERS, secret=True, shows=["secret-doc"]),
    P("api", "/api/v1/documents/:document/versions/:number/content", "/documents/{secret_doc}/versions/1/content",
      gate=SECRET_MEMBERS, secret=True, shows=["secret-file"]),
    P("api", "/api/v1/documents/:document/versions/:number/content", "/documents/{closed_doc}/versions/1/content",
      gate=SECRET_MEMBERS, secret=True, shows=["closed-file"]),
    P("api", "/api/v1/documents/:document", "/documents/{deleted_doc}", gate=set(), secret=True),
    P("api", "/api/v1/documents/:document/versions/:number/content", "/documents/{deleted_doc}/versions/1/content",
      gate=set(), secret=True),
    P("api", "/api/v1/search", "/search?q={run}",
      shows=["secret-topic", "secret-reply", "secret-group", "closed-topic", "archived-topic", "archivedgroup-topic",
             "secretarchived-topic"]),
    P("api", "/api/v1/tags", "/tags", shows=["secret-tag", "closed-tag", "held-tag"]),
    P("api", "/api/v1/notifications", "/notifications", gate=SIGNED_IN,
      shows=[("secret-topic", {"insider"}), ("insider-notification", {"insider"}), ("secret-group", {"invitee"})]),
    P("api", "/api/v1/events", "/events", shows=["secret-event", "closed-event"]),
    P("api", "/api/v1/events", "/events?group={secret}", gate=READERS["secret-group"], secret=True,
      shows=[("secret-event", SECRET_MEMBERS)]),
    P("api", "/api/v1/events/:event", "/events/{secret_event}", gate=SECRET_MEMBERS, secret=True, shows=["secret-event"]),
    P("api", "/api/v1/events/:event/attendees", "/events/{secret_event}/attendees", gate={"owner"} | STAFF, secret=True,
      knows=SECRET_MEMBERS),
    P("api", "/api/v1/polls", "/polls", shows=["secret-poll"]),
    P("api", "/api/v1/polls", "/polls?topic={held_topic}", shows=["held-poll"]),
    P("api", "/api/v1/polls/:poll", "/polls/{secret_poll}", gate=SECRET_MEMBERS, secret=True, shows=["secret-poll"]),
    P("api", "/api/v1/polls/:poll", "/polls/{held_poll}", gate=READERS["held-poll"], secret=True, shows=["held-poll"]),
    P("api", "/api/v1/ideas", "/ideas"),
    P("api", "/api/v1/members/:handle", "/members/{author}", shows=[("email-author", {"author", "admin"})]),
    P("api", "/api/v1/me", "/me", gate=SIGNED_IN, shows=own_email(MEMBERS + ["admin"])),
    P("api", "/api/v1/me/calendar", "/me/calendar", gate=SIGNED_IN, shows=[("insider-calendar-token", {"insider"})]),
    P("api", "/api/v1/metrics", "/metrics", gate=COCKPIT, shows=[("closed-topic", TEAM), ("secret-question", TEAM)]),
    P("api", "/api/v1/metrics", "/metrics?group={secret}", gate=TEAM, secret=True, knows=NO_COCKPIT, shows=[("secret-question", TEAM)]),
    P("api", "/api/v1/metrics", "/metrics?group={closed}", gate=COCKPIT, shows=[("closed-topic", TEAM)]),
    P("api", "/api/v1/reports/:report", "/reports/{report}", gate=COCKPIT, shows=[("open-topic", COCKPIT)]),
    P("api", "/api/v1/engagement/members", "/engagement/members", gate=TEAM),
    P("api", "/api/v1/engagement/summary", "/engagement/summary", gate=TEAM),
    P("api", "/api/v1/engagement/champions", "/engagement/champions", gate=TEAM),
    # Private calendar feeds: fetched without credentials, they show their owner's events
    P("feed:insider", "/calendar/:token/events.ics", "/calendar/{insider_token}/events.ics", roles=["anon"],
      shows=[("secret-event", {"anon"}), ("closed-event", {"anon"})]),
    P("feed:owner", "/calendar/:token/events.ics", "/calendar/{owner_token}/events.ics", roles=["anon"],
      shows=[("secret-event", {"anon"}), ("closed-event", {"anon"})]),
    P("feed:leaver", "/calendar/:token/events.ics", "/calendar/{leaver_token}/events.ics", roles=["anon"]),
    P("feed:outsider", "/calendar/:token/events.ics", "/calendar/{outsider_token}/events.ics", roles=["anon"]),
    P("feed:anon", "/calendar/:token/events.ics", "/calendar/{insider_old_token}/events.ics", roles=["anon"], gate=set(),
      secret=True),
    P("feed:anon", "/calendar/:token/events.ics", "/calendar/{guessed_token}/events.ics", roles=["anon"], gate=set(),
      secret=True),
    # The one-click unsubscribe link of a list mail: no credentials, the member it names is the view;
    # a forged one says nothing.
    P("feed:insider", "/unsubscribe/:token", "/unsubscribe/{insider_unsubscribe}", roles=["anon"],
      shows=[("email-insider", {"anon"})]),
    P("feed:anon", "/unsubscribe/:token", "/unsubscribe/{forged_unsubscribe}", roles=["anon"], gate=set(), secret=True),
    # The outbox: every mail Kring wrote to each member
    P("mail", "(outbox)", "mails to each member", roles=MEMBERS + ["admin"],
      shows=[("secret-topic", {"insider"}), ("secret-group", {"invitee"})]),
]

# GET routes the matrix does not read, and why.
NOT_IN_MATRIX = {
    "/healthz": "no content", "/readyz": "no content", "/api/v1/openapi.json": "the API's description",
    "/setup": "runs once, before there is content", "/register": "a form", "/login": "a form",
    "/password/forgot": "a form", "/password/reset/:token": "a form behind a mailed secret",
    "/settings": "redirects to /settings/profile", "/settings/password": "a form", "/settings/notifications": "preferences",
    "/settings/standing": "the member's own sanctions", "/appeal/:token": "a form behind a mailed secret",
    "/groups/new": "a form", "/settings/privacy": "a form (the export it offers is in the matrix)",
    "/admin/privacy": "the erasure policy and the log of requests (the export is in the matrix)", "/rules": "the house rules (trusted text)", "/p/:slug": "landing pages (trusted text)",
    "/admin": "figures only", "/admin/settings": "community settings", "/admin/invites": "open invitations (addresses the team typed)",
    "/admin/mail/:id": "one mail of the mail log (administrators, who read everything); the log is in the matrix",
    "/admin/pages": "trusted text", "/admin/pages/:slug": "trusted text", "/admin/menu": "trusted text",
    "/admin/departments": "departments", "/admin/uploads": "upload limits", "/api/v1/upload-limits": "upload limits",
    "/moderation/members/:handle": "a member's sanctions, for moderators (who read everything)",
    "/moderation/words": "watched words (its CSV export is in the matrix)",
    "/moderation/archive": "topics quiet for at least a month: nothing in a fresh community",
    "/ideas/new": "a form", "/ideas/:idea": "ideas have no restricted visibility (no groups, no hiding)",
    "/api/v1/ideas/:idea": "ideas have no restricted visibility", "/api/v1/ideas/:idea/comments": "ideas have no restricted visibility",
    "/api/v1/departments": "departments", "/api/v1/community": "community settings", "/api/v1/auth/tokens": "the caller's own tokens",
    "/goals": "goals the team wrote", "/goals/figures": "business figures the team typed", "/api/v1/goals": "goals the team wrote",
    "/reports": "the list of reports (the report itself is in the matrix)", "/api/v1/reports": "the list of reports",
    "/reports/:report/pdf": "the report page printed by Chromium on the server",
    "/inbox": "advice needs at least an hour of history", "/inbox/settings": "thresholds", "/api/v1/advice": "advice needs an hour",
    "/strategy": "the team's canvas", "/strategy/edit": "the team's canvas", "/strategy/history": "the team's canvas",
    "/strategy/versions/:version": "the team's canvas", "/maturity": "the team's self-assessment",
    "/maturity/new": "the team's self-assessment", "/maturity/:assessment": "the team's self-assessment",
    "/api/v1/assessments": "the team's self-assessment", "/successes": "success stories the team wrote",
    "/cockpit/members/settings": "weights and thresholds", "/api/v1/engagement/settings": "weights and thresholds",
    "/api/v1/segments": "the filters the team saved",
    "/metrics": "Prometheus figures by route pattern, no content (a token or this machine only)",
}


# --- building the community ---------------------------------------------------

@dataclass
class World:
    server: object
    people: dict[str, Visitor]
    ids: dict[str, str] = field(default_factory=dict)
    markers: dict[str, list[str]] = field(default_factory=dict)

    def mark(self, item: str, *values: str) -> None:
        self.markers.setdefault(item, []).extend(v for v in values if v)


def in_days(days: float) -> str:
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def build_world(server) -> World:
    admin = Visitor(server)
    admin.log_in(ADMIN["handle"], ADMIN["password"])
    admin.make_token("leaks")
    people = {"anon": Visitor(server), "admin": admin}

    def register(role):
        person = Visitor(server)
        person.register(handle(role), f"Leak {role.title()}", address(role), PASSWORD)
        person.make_token("leaks")
        return role, person

    # One after the other: registrations side by side fail with "database is locked" (a 500) on SQLite.
    people.update(dict(map(register, MEMBERS)))
    world = World(server, people)
    ids = world.ids
    for role in MEMBERS:
        world.mark(f"email-{role}", address(role))
        ids[role] = handle(role)
    world.mark("email-admin", ADMIN["email"])
    ids["run"] = RUN
    p = people
    for role, form in (("moderator", {"role": "moderator"}), ("manager", {"role": "manager"}),
                       ("stakeholder", {"role": "member", "cockpit_access": "1"})):
        admin.post_form(f"/admin/members/{handle(role)}", form)

    # The leaver wants no mail, so nothing reaches them while they are still in the group.
    form = p["leaver"].page("/settings/notifications").text
    choices = {name: "1" for name in re.findall(r'name="(app_[a-z_]+)"', form)}
    choices.update({name: "never" for name in re.findall(r'name="(email_[a-z_]+)"', form)})
    p["leaver"].post_form("/settings/notifications", choices)

    # Groups
    def group(person, kind, visibility, name=None):
        made = person.api("POST", "/groups", {"name": name or marker(kind), "description": (name or marker(kind)) + ", described",
                                              "visibility": visibility})
        ids[kind.split("-")[0]] = made["slug"]
        return made["slug"]

    secret = group(p["owner"], "secret-group", "secret")
    world.mark("secret-group", marker("secret-group"), secret)
    closed = group(p["owner"], "closed-group", "closed", name=f"Leak closed group {RUN}")
    secretarchived = group(p["owner"], "secretarchived-group", "secret")
    world.mark("secretarchived-group", marker("secretarchived-group"), secretarchived)
    open_ = group(admin, "open-group", "open", name=f"Leak open group {RUN}")
    archived = group(admin, "archived-group", "open")
    world.mark("archived-group", marker("archived-group"))

    for slug, role in ((secret, "insider"), (secret, "leaver"), (secret, "invitee"), (closed, "insider")):
        p["owner"].post_form(f"/g/{slug}/invite", {"invitee": "@" + handle(role)})
    for slug, role in ((secret, "insider"), (secret, "leaver"), (closed, "insider")):
        p[role].post_form(f"/g/{slug}/invitation/accept")
    assert p["requester"].api("POST", f"/groups/{closed}/join")["status"] == "requested"
    for role in ("author", "insider"):
        p[role].api("POST", f"/groups/{open_}/join")

    def topic(person, item, group_slug, body="", **extra):
        made = person.api("POST", "/topics", {"title": marker(item), "body": f"{marker(item)}. {body}".strip(),
                                              "group": group_slug, **extra})
        world.mark(item, marker(item), made["id"])
        return made

    def reply(person, kind, topic_id, body=""):
        made = person.api("POST", f"/topics/{topic_id}/replies", {"body": f"{marker(kind)}. {body}".strip()})
        world.mark(kind, marker(kind), made["id"])
        return made["id"]

    def event(kind, group_slug, days):
        made = p["owner"].api("POST", "/events", {"title": marker(kind), "description": marker(kind) + ", described",
                                                  "group": group_slug, "startsAt": in_days(days), "durationMinutes": 90,
                                                  "timeZone": "Europe/Amsterdam", "location": "Achterkamer"})
        world.mark(kind, marker(kind), made["id"])
        return made["id"]

    def document(person, kind, file_kind, group_slug):
        made = person.upload(f"/groups/{group_slug}/documents", {"title": marker(kind), "description": marker(kind) + ", described"},
                             {"file": ("notulen.txt", f"{marker(file_kind)}\nNotulen.\n".encode(), "text/plain")})
        world.mark(kind, marker(kind), made["id"])
        world.mark(file_kind, marker(file_kind))
        return made["id"]

    # The secret group's content. Mentions of people who may not read it must notify no one of them.
    nobody_else = " ".join("@" + handle(r) for r in ("outsider", "invitee", "requester", "stakeholder", "author"))
    secret_topic = topic(p["owner"], "secret-topic", secret, f"Voor @{handle('insider')}; niet voor {nobody_else}.",
                         tags=[tag("secret-tag")])
    ids["secret_topic"] = secret_topic["id"]
    ids["secret_question"] = topic(p["owner"], "secret-question", secret, "Nog geen antwoord.", kind="question")["id"]
    ids["secret_reply"] = reply(p["insider"], "secret-reply", ids["secret_topic"], f"@{handle('leaver')} @{handle('outsider')}")
    ids["secret_tag"] = tag("secret-tag")
    world.mark("secret-tag", tag("secret-tag"))
    ids["secret_event"] = event("secret-event", secret, 2)
    for role in ("insider", "leaver"):
        p[role].api("POST", f"/events/{ids['secret_event']}/rsvp", {"status": "going"})
    ids["secret_doc"] = document(p["owner"], "secret-doc", "secret-file", secret)
    poll = p["owner"].api("POST", "/polls", {"question": marker("secret-poll"), "options": ["Ja", "Nee"], "group": secret})
    ids["secret_poll"] = poll["id"]
    world.mark("secret-poll", marker("secret-poll"), poll["id"])

    # The closed group's content: an unanswered topic (the cockpit lists those), an event, a document.
    closed_topic = topic(p["owner"], "closed-topic", closed, f"Niet voor @{handle('requester')}.", tags=[tag("closed-tag")])
    ids["closed_topic"] = closed_topic["id"]
    ids["closed_tag"] = tag("closed-tag")
    world.mark("closed-tag", tag("closed-tag"))
    ids["closed_event"] = event("closed-event", closed, 2.1)
    p["insider"].api("POST", f"/events/{ids['closed_event']}/rsvp", {"status": "going"})
    ids["closed_doc"] = document(p["owner"], "closed-doc", "closed-file", closed)

    # Archives: a topic archived by a moderator, an open group and a secret group archived by their managers.
    ids["secretarchived_topic"] = topic(p["owner"], "secretarchived-topic", secretarchived)["id"]
    p["owner"].post_form(f"/g/{secretarchived}/archive")
    ids["archivedgroup_topic"] = topic(admin, "archivedgroup-topic", archived)["id"]
    admin.post_form(f"/g/{archived}/archive")
    ids["archived_topic"] = topic(admin, "archived-topic", open_)["id"]
    p["moderator"].post_form("/moderation/archive", {f"topic_{ids['archived_topic']}": "1"})

    # The open group: a topic with replies; the author's posts held (too many links for a newcomer),
    # hidden by a moderator after a flag, and deleted.
    open_topic = admin.api("POST", "/topics", {"title": f"Leak open-topic {RUN}", "body": "Wat vinden jullie?", "group": open_})
    ids["open_topic"] = open_topic["id"]
    world.mark("open-topic", f"Leak open-topic {RUN}")
    for text in ("Goed idee.", "Eens."):
        admin.api("POST", f"/topics/{ids['open_topic']}/replies", {"body": text})
    links = "https://a.example/1 https://b.example/2 https://c.example/3"
    ids["held_topic"] = topic(p["author"], "held-topic", open_, f"{links} @{handle('outsider')}", tags=[tag("held-tag")])["id"]
    ids["held_tag"] = tag("held-tag")
    world.mark("held-tag", tag("held-tag"))
    poll = p["author"].api("POST", "/polls", {"question": marker("held-poll"), "options": ["Ja", "Nee"],
                                              "topicId": ids["held_topic"]})
    ids["held_poll"] = poll["id"]
    world.mark("held-poll", marker("held-poll"), poll["id"])
    ids["held_reply"] = reply(p["author"], "held-reply", ids["open_topic"], links)
    ids["hidden_reply"] = reply(p["author"], "hidden-reply", ids["open_topic"])
    p["outsider"].post_form(f"/posts/{ids['hidden_reply']}/flag", {"reason": "spam"})
    p["moderator"].post_form(f"/moderation/posts/{ids['hidden_reply']}/hide")
    deleted = topic(p["author"], "deleted-topic", open_)
    ids["deleted_topic"] = deleted["id"]
    p["author"].post_form(f"/posts/{deleted['posts'][0]['id']}/delete")
    ids["deleted_reply"] = reply(p["insider"], "deleted-reply", ids["open_topic"])
    p["moderator"].post_form(f"/posts/{ids['deleted_reply']}/delete")
    ids["deleted_doc"] = document(p["author"], "deleted-doc", "deleted-file", open_)
    assert p["author"].request("DELETE", f"/api/v1/documents/{ids['deleted_doc']}", bearer=True).status == 204

    # The leaver goes; the insider writes last, so the secret topic is the newest everywhere.
    p["leaver"].api("POST", f"/groups/{secret}/leave")
    p["insider"].api("POST", f"/topics/{ids['secret_topic']}/replies", {"body": "Nog één ding."})

    # Private calendar feeds; the insider renews theirs, so the first address must stop working.
    def feed_token(role, renew=False):
        url = p[role].api("POST" if renew else "GET", "/me/calendar/renew" if renew else "/me/calendar")["url"]
        return re.search(r"/calendar/([^/]+)/events\.ics$", url).group(1)

    ids["insider_old_token"] = feed_token("insider")
    ids["insider_token"] = feed_token("insider", renew=True)
    assert ids["insider_token"] != ids["insider_old_token"]
    world.mark("insider-calendar-token", ids["insider_token"], ids["insider_old_token"])
    for role in ("owner", "leaver", "outsider"):
        ids[f"{role}_token"] = feed_token(role)
    ids["guessed_token"] = "kring_" + uuid.uuid4().hex
    ids["month"] = datetime.datetime.fromisoformat(in_days(2).replace("Z", "+00:00")).astimezone(
        datetime.timezone(datetime.timedelta(hours=1))).strftime("%Y-%m")

    # The insider's notification about the secret topic.
    mentions = [n for n in p["insider"].api("GET", "/notifications")["notifications"]
                if n["kind"] == "mention" and (n.get("topicId") or "").lower() == ids["secret_topic"].lower()]
    assert mentions, "the insider was mentioned in the secret topic"
    ids["insider_notification"] = mentions[0]["id"].lower()
    world.mark("insider-notification", ids["insider_notification"])

    # A weekly report, published, for the stakeholder to read.
    report = admin.api("POST", "/reports", {"kind": "weekly", "date": datetime.date.today().isoformat()})
    admin.api("POST", f"/reports/{report['id']}/publish", {"evaluation": "Een week om te testen."})
    ids["report"] = report["id"].lower()

    # The team's tools: the manager marks a secret reply and the closed topic as insights and puts the
    # latter on the content calendar, and watches the run's word, which every marker text carries.
    manager = p["manager"]
    manager.post_form("/cockpit/insights", {"post": ids["secret_reply"], "kind": "wish", "note": "Meer hiervan."})
    manager.post_form("/cockpit/insights", {"post": closed_topic["posts"][0]["id"], "kind": "problem", "note": ""})
    board = manager.page("/cockpit/insights").text
    card = next(c for c in board.split("<article")[1:] if f"/t/{ids['closed_topic'].lower()}" in c.lower())
    plan = re.search(r'action="(/cockpit/insights/[0-9a-f-]{36}/plan)"', card).group(1)
    planned = manager.post_form(plan, expect=(303,)).headers["location"]
    ids["plan_item"] = re.search(r"/cockpit/calendar/([0-9a-f-]{36})$", planned).group(1)
    watched = manager.post_form("/cockpit/listening/terms", {"term": RUN, "kind": "word", "alerts": "0"}, expect=(303,))
    ids["term"] = re.search(r"/cockpit/listening/terms/([0-9a-f-]{36})$", watched.headers["location"]).group(1)

    wait_for_mail(world)
    # The insider's link from their mail; and one made up for them for another list, signed with a guess.
    ids["insider_unsubscribe"] = unsubscribe_token(server, address("insider")) or "no-list-mail-to-the-insider"
    payload = ids["insider_unsubscribe"].split(".")[0]
    try:
        insider_id = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode("utf-8", "replace").split("|")[0]
    except ValueError:
        insider_id = str(uuid.uuid4())
    ids["forged_unsubscribe"] = (base64.urlsafe_b64encode(f"{insider_id}|member_update".encode()).decode().rstrip("=")
                                 + "." + uuid.uuid4().hex)
    wait_for_listening(world)
    return world


# --- the outbox -----------------------------------------------------------------

def mailboxes(server) -> dict[str, str]:
    """Every mail Kring wrote (EMLFileTransport: KRING_DATA_DIR/mail/*.eml), decoded, by recipient address."""
    folder = os.path.join(server.data_dir, "mail")
    boxes: dict[str, str] = {}
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if not name.endswith(".eml"):
            continue
        with open(os.path.join(folder, name), "rb") as f:
            message = email.message_from_bytes(f.read(), policy=email.policy.default)
        recipient = str(message["To"]).rsplit("<", 1)[-1].rstrip(">").strip().lower()
        text = message.get_body(preferencelist=("plain",)).get_content()
        boxes[recipient] = boxes.get(recipient, "") + f"\nSubject: {message['Subject']}\n{text}"
    return boxes


def wait_for_mail(world: World, timeout: float = 30) -> None:
    """The background job mails notifications every few seconds: wait for the ones the matrix expects."""
    deadline = time.monotonic() + timeout
    while True:
        boxes = mailboxes(world.server)
        if (marker("secret-topic").lower() in boxes.get(address("insider"), "").lower()
                and marker("secret-group").lower() in boxes.get(address("invitee"), "").lower()):
            return
        if time.monotonic() > deadline:
            return  # the positive checks on the outbox will say what is missing
        time.sleep(0.5)


def unsubscribe_token(server, recipient: str) -> str | None:
    """The token in the List-Unsubscribe header of a list mail Kring wrote to `recipient`."""
    folder = os.path.join(server.data_dir, "mail")
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if name.endswith(".eml"):
            with open(os.path.join(folder, name), "rb") as f:
                message = email.message_from_bytes(f.read(), policy=email.policy.default)
            found = re.search(r"/unsubscribe/([A-Za-z0-9_.-]+)", str(message["List-Unsubscribe"] or ""))
            if recipient in str(message["To"]).lower() and found:
                return found.group(1)
    return None


def wait_for_listening(world: World, timeout: float = 30) -> None:
    """The listening job hears new posts every few seconds: wait until the watched word's page lists the last ones."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = world.people["manager"].page(f"/cockpit/listening/terms/{world.ids['term']}").text.lower()
        if marker("secret-reply").lower() in text and marker("closed-topic").lower() in text:
            return
        time.sleep(0.5)
    # the positive checks on the term's page will say what is missing


# --- reading every path as everyone ------------------------------------------------

@dataclass
class Seen:
    url: str
    status: int
    text: str  # lower-cased, with echoes of the request's own URL taken out


def readable(body: bytes) -> str:
    """The answer as text; a ZIP archive (a data export) as the text of everything in it."""
    if body.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return body.decode("utf-8", "replace")


def normalised(answer_text: str, headers: dict, url: str) -> str:
    text = (answer_text + "\n" + headers.get("location", "")).lower()
    text = text.replace("\r\n ", "").replace("\r\n\t", "").replace("\n ", "")  # iCalendar folds long lines
    # The page's own address comes back (the language form's return_to): that is no leak.
    path = url.lower()
    forms = {path, path.split("?")[0], urllib.parse.quote(path, safe=""), urllib.parse.quote(path.split("?")[0], safe="")}
    forms |= {form.replace("/", "\\/") for form in forms}  # JSON may escape the slashes (a problem's `instance`)
    for echo in sorted(forms, key=len, reverse=True):
        text = text.replace(echo, " ")
    return text


def read(world: World, path: Path, role: str) -> Seen:
    if path.kind == "mail":
        return Seen("(outbox)", 200, mailboxes(world.server).get(address(role) if role != "admin" else ADMIN["email"].lower(), "").lower())
    url = path.template.format(**world.ids)
    person = world.people["anon" if path.kind.startswith("feed:") else role]
    answer = person.get_api(url) if path.kind == "api" else person.page(url)
    full = ("/api/v1" if path.kind == "api" else "") + url
    return Seen(full, answer.status, normalised(readable(answer.body), answer.headers, full))


@pytest.fixture(scope="module")
def world(configured):  # noqa: F811
    return build_world(configured)


@pytest.fixture(scope="module")
def seen(world):
    """Every path read by every viewer once, a few at a time."""
    jobs = [(path, role) for path in PATHS for role in path.roles]
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda job: read(world, *job), jobs))
    result = {(path.id, role): answer for (path, role), answer in zip(jobs, answers)}
    if os.environ.get("KRING_LEAKS_DUMP"):  # every answer, for reading when a case fails
        import json
        with open(os.environ["KRING_LEAKS_DUMP"], "w") as f:
            json.dump({"ids": world.ids, "markers": world.markers,
                       "answers": {f"{k[0]} as {k[1]}": [v.url, v.status, v.text] for k, v in result.items()}}, f, indent=1)
    return result


def problems(world: World, path: Path, role: str, answer: Seen, only: set[tuple[str, str, str]] | None = None) -> list[str]:
    viewer = path.viewer(role)  # whose view it is (a private feed is its owner's) …
    found = []                  # … while `shows` and `hides` name who asks
    expected = path.expected_statuses(role)
    if only is None and answer.status not in expected:
        found.append(f"status {answer.status}, expected {sorted(expected)}")
    for item, readers in READERS.items():
        if only is not None and (path.id, role, item) not in only:
            continue
        if only is None and (path.id, role, item) in KNOWN_LEAKS:
            continue
        present = [m for m in world.markers.get(item, []) if m.lower() in answer.text]
        may_read = viewer in readers or viewer in path.also.get(item, set())
        if present and not may_read:
            found.append(f"shows {present[0]!r} ({item}), which only {', '.join(sorted(readers)) or 'no one'} may read")
        elif present and role in path.hides.get(item, set()):
            found.append(f"lists {present[0]!r} ({item}), which this path must leave out")
        if not present and role in path.shows.get(item, set()):
            found.append(f"does not show {item} ({world.markers.get(item, ['?'])[0]!r}), which {viewer} must find here")
    return found


# --- the tests ------------------------------------------------------------------------

CASES = [pytest.param(path, role, id=f"{path.id} as {role}") for path in PATHS for role in path.roles]


@pytest.mark.parametrize("path, role", CASES)
def test_nothing_leaks(world, seen, path, role):
    answer = seen[(path.id, role)]
    found = problems(world, path, role, answer)
    assert not found, (f"{answer.url} as {role} ({ROLE_HELP[path.viewer(role)]}):\n  " + "\n  ".join(found))


@pytest.mark.parametrize("path_id, role, item", [
    pytest.param(*key, marks=pytest.mark.xfail(strict=True, reason=reason), id=" ".join(key)) for key, reason in KNOWN_LEAKS.items()
] or [pytest.param(None, None, None, marks=pytest.mark.skip(reason="no known leaks"), id="none")])
def test_known_leak(world, seen, path_id, role, item):
    path = next(p for p in PATHS if p.id == path_id)
    found = problems(world, path, role, seen[(path_id, role)], only={(path_id, role, item)})
    assert not found, f"{path_id} as {role}: " + "; ".join(found)


def test_the_matrix_is_complete(world):
    """Every kind of hidden content has its markers, and each of them is found somewhere by a reader."""
    assert set(world.markers) == set(READERS), set(READERS) ^ set(world.markers)
    shown = {item for path in PATHS for item, roles in path.shows.items() if roles}
    readable = {item for item, readers in READERS.items() if readers}
    assert shown >= readable, f"never checked positively: {sorted(readable - shown)}"
    assert len({path.id for path in PATHS}) == len(PATHS), "two paths with the same id"


def test_every_read_route_is_in_the_matrix(tmp_path):
    binary = os.environ.get("KRING_BIN", ".build/debug/kring")
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    output = subprocess.run([binary if os.path.isabs(binary) else os.path.join(repo, binary), "routes"], cwd=repo,
                            env={**os.environ, "KRING_DATA_DIR": str(tmp_path)}, capture_output=True, text=True, timeout=60)
    assert output.returncode == 0, output.stderr[-2000:]
    routes = set()
    for line in output.stdout.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0] == "GET":
            routes.add(cells[1])
    assert len(routes) > 50, output.stdout[:2000]
    covered = {path.route for path in PATHS}
    missing = sorted(routes - covered - set(NOT_IN_MATRIX))
    assert not missing, f"GET routes neither in the leak matrix nor in NOT_IN_MATRIX: {missing}"
    stale = sorted((covered | set(NOT_IN_MATRIX)) - routes - {"(outbox)"})
    assert not stale, f"listed but not routes (any more): {stale}"

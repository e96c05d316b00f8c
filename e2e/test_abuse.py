"""Abuse over HTTP against the running server: guessing passwords is throttled; oversized bodies,
malformed JSON and forms, invalid UTF-8, Markdown that is too large or nested absurdly deep and
uploads whose content belies their name each get a clear error and leave nothing behind."""
from __future__ import annotations

import json
import uuid

from api import call
from test_smoke import ADMIN, MEMBER, configured  # noqa: F401  (the shared set-up instance)


def admin_token(server):
    status, _, answer = call(server, "POST", "/api/v1/auth/token", {"login": ADMIN["handle"], "password": ADMIN["password"],
                                                                      "name": "abuse " + uuid.uuid4().hex[:6]})
    assert status == 201, answer
    return answer["token"]


def newest_topics(server, token):
    """The ids of the topics with the latest activity: a topic just written would be first."""
    status, _, answer = call(server, "GET", "/api/v1/topics?limit=5", token=token)
    assert status == 200, answer
    return [topic["id"] for topic in answer["topics"]]


def assert_problem(status, headers, answer, expected):
    assert status in expected, (status, answer)
    assert headers.get("Content-Type", "").startswith("application/problem+json"), headers.get("Content-Type")
    assert isinstance(answer, dict) and answer.get("status") == status and answer.get("title"), answer


def test_guessing_a_password_is_throttled(configured):  # noqa: F811
    victim = "nobody-" + uuid.uuid4().hex[:8]
    statuses = [call(configured, "POST", "/api/v1/auth/token", {"login": victim, "password": f"guess-{n}", "name": "x"})[0]
                for n in range(12)]
    assert statuses[0] == 401
    assert 429 in statuses, statuses
    status, headers, answer = call(configured, "POST", "/api/v1/auth/token", {"login": victim, "password": "one-more", "name": "x"})
    assert_problem(status, headers, answer, {429})
    assert int(headers.get("Retry-After", "0")) > 0


def test_bad_bodies_get_clear_errors_and_change_nothing(configured):  # noqa: F811
    token = admin_token(configured)
    status, _, made = call(configured, "POST", "/api/v1/topics", {"title": "Een gewoon onderwerp", "body": "Eerst iets gewoons."}, token)
    assert status == 201, made
    before = newest_topics(configured, token)
    assert before[0] == made["id"]
    huge = json.dumps({"title": "Te groot", "body": "x" * (2 * 1024 * 1024)}).encode()
    status, headers, answer = call(configured, "POST", "/api/v1/topics", huge, token)
    assert_problem(status, headers, answer, {413})
    for broken in (b'{"title": "Half', b"[1, 2", b"\xff\xfe{\"title\": \"x\"}", b'{"title": "ok", "body": "\xc3\x28"}', b"",
                   b'{"title": ' * 3000):
        status, headers, answer = call(configured, "POST", "/api/v1/topics", broken, token)
        assert_problem(status, headers, answer, {400, 422})
    status, headers, answer = call(configured, "POST", "/api/v1/topics", b"title=x&body=y", token,
                                   content_type="application/x-www-form-urlencoded")
    assert_problem(status, headers, answer, {415, 422})
    status, headers, answer = call(configured, "POST", "/api/v1/topics", {"title": "Veel te lang", "body": "y" * 20001}, token)
    assert_problem(status, headers, answer, {422})
    assert newest_topics(configured, token) == before, "nothing was written"

    # Absurd nesting within the size limit: stored and shown, or refused, but the server stays well.
    status, _, answer = call(configured, "POST", "/api/v1/topics", {"title": "Diep genest", "body": "> " * 6000 + "x"}, token)
    assert status in (201, 422), answer
    status, _, answer = call(configured, "POST", "/api/v1/topics", {"title": "Diepe lijst", "body": "".join(
        "  " * n + "- x\n" for n in range(800))}, token)
    assert status in (201, 422), answer
    assert call(configured, "GET", "/healthz")[0] == 200


def test_a_form_post_with_nonsense_gets_a_clear_error(configured):  # noqa: F811
    # Without a session the login form answers, never a server error, whatever the body.
    for body, kind in ((b"\xff\xfe\xfd", "application/x-www-form-urlencoded"), (b"login=%ZZ&password=%", "application/x-www-form-urlencoded"),
                       (b"{}", "application/json")):
        status, _, _ = call(configured, "POST", "/login", body, content_type=kind, headers={"Accept": "text/html"})
        assert 400 <= status < 500, (body, status)


def test_an_upload_whose_content_belies_its_name_is_refused(configured):  # noqa: F811
    token = admin_token(configured)
    status, _, group = call(configured, "POST", "/api/v1/groups", {"name": "Bestanden " + uuid.uuid4().hex[:6], "visibility": "open"}, token)
    assert status == 201, group
    boundary = "kring" + uuid.uuid4().hex
    for name, content in (("rapport.pdf", b"<html><script>alert(1)</script></html>"), ("foto.png", b"MZ\x90\x00\x03 not a picture"),
                          ("notulen.txt", b"\x7fELF\x02\x01\x01 an executable")):
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                f"Content-Type: application/octet-stream\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
        status, headers, answer = call(configured, "POST", f"/api/v1/groups/{group['slug']}/documents", body, token,
                                       content_type=f"multipart/form-data; boundary={boundary}")
        assert_problem(status, headers, answer, {415, 422})
    status, _, listing = call(configured, "GET", f"/api/v1/groups/{group['slug']}/documents", token=token)
    assert status == 200, listing
    assert listing["documents"] == [], "nothing was kept"

"""Plain-HTTP helpers for Kring's e2e tests, without a browser.

- `call` and `api`: the JSON API under /api/v1 with a Bearer token (`call` returns the status and
  never raises on an HTTP error; `api` raises, for set-up steps that must work).
- `Visitor`: one person over HTTP with their own cookie jar, as a browser would be: registers,
  logs in, posts forms with the CSRF token the pages carry, makes API tokens on the settings page,
  and reads pages and API answers without following redirects.
"""
from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field


def call(server, method, path, body=None, token=None, content_type="application/json", headers=None):
    """(status, headers, parsed JSON or text) for a request; `body` bytes go as they are."""
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    request = urllib.request.Request(server.url(path), method=method, data=data,
                                     headers={"Content-Type": content_type, "Accept": "application/json", **(headers or {})})
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, answer, text = response.status, response.headers, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        status, answer, text = error.code, error.headers, error.read().decode("utf-8", "replace")
    try:
        return status, answer, json.loads(text)
    except ValueError:
        return status, answer, text


def api(base, method, path, token=None, body=None):
    """The parsed JSON answer of an API call under `base`/api/v1; raises on an HTTP error."""
    request = urllib.request.Request(base + "/api/v1" + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json", "Accept": "application/json"})
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read().decode()
        return json.loads(text) if text else None


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """A multipart/form-data body and its content type; `files` maps a field to (filename, bytes, type)."""
    boundary = "kring" + uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n".encode())
    for name, (filename, content, kind) in files.items():
        parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n"
                     f"Content-Type: {kind}\r\n\r\n".encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    """Hands 3xx answers back as they are: a redirect is an answer too (and its body says nothing)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


@dataclass
class Answer:
    status: int
    headers: dict  # names lower-cased
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


CSRF = re.compile(r'name="_csrf" value="([^"]+)"')
NEW_TOKEN = re.compile(r'id="new-token"[^>]*>([^<]+)<')


@dataclass
class Visitor:
    """One person with their own cookies (anonymous until they register or log in) and, once made,
    an API token. Pages go with the cookies, API calls with the token."""

    server: object
    token: str | None = None
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def __post_init__(self):
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _KeepRedirects())
        self._csrf: tuple[str, str] | None = None  # (session cookie, token): the token is bound to the session

    # --- reading ------------------------------------------------------------

    def request(self, method: str, path: str, data: bytes | None = None, headers: dict | None = None,
                bearer: bool = False) -> Answer:
        request = urllib.request.Request(self.server.url(path), method=method, data=data, headers=headers or {})
        if bearer and self.token:
            request.add_header("Authorization", "Bearer " + self.token)
        opener = self._opener if not bearer else urllib.request.build_opener(_KeepRedirects())
        try:
            with opener.open(request, timeout=60) as response:
                return Answer(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, {k.lower(): v for k, v in (error.headers or {}).items()}, error.read())

    def page(self, path: str) -> Answer:
        """A page as this person's browser gets it (cookies, no redirect followed)."""
        return self.request("GET", path, headers={"Accept": "text/html"})

    def get_api(self, path: str) -> Answer:
        """An API answer with this person's token (none for a visitor)."""
        return self.request("GET", "/api/v1" + path, headers={"Accept": "application/json"}, bearer=True)

    def api(self, method: str, path: str, body=None):
        """An API call that must succeed; returns the parsed answer."""
        data = json.dumps(body).encode() if body is not None else None
        answer = self.request(method, "/api/v1" + path, data=data, bearer=True,
                              headers={"Content-Type": "application/json", "Accept": "application/json"})
        assert 200 <= answer.status < 300, f"{method} /api/v1{path}: {answer.status} {answer.text[:500]}"
        return answer.json() if answer.body else None

    def upload(self, path: str, fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]):
        body, kind = multipart(fields, files)
        answer = self.request("POST", "/api/v1" + path, data=body, bearer=True,
                              headers={"Content-Type": kind, "Accept": "application/json"})
        assert answer.status == 201, f"upload to {path}: {answer.status} {answer.text[:500]}"
        return answer.json()

    # --- forms --------------------------------------------------------------

    def _session_cookie(self) -> str:
        return ";".join(sorted(f"{c.name}={c.value}" for c in self.jar))

    def csrf(self) -> str:
        cookies = self._session_cookie()
        if self._csrf is None or self._csrf[0] != cookies:
            signed_in = any(c.name == "kring_session" for c in self.jar)
            answer = self.page("/settings/profile" if signed_in else "/login")
            found = CSRF.search(answer.text)
            assert found, f"no CSRF token on the page ({answer.status})"
            # The first visit may have set the cookie the token is bound to.
            self._csrf = (self._session_cookie(), found.group(1))
        return self._csrf[1]

    def post_form(self, path: str, fields: dict[str, str] | None = None, expect=(200, 302, 303)) -> Answer:
        """Posts a form as the page would, CSRF token included; the answer must have a status in `expect`."""
        data = urllib.parse.urlencode({**(fields or {}), "_csrf": self.csrf()}).encode()
        answer = self.request("POST", path, data=data,
                              headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"})
        assert answer.status in expect, f"POST {path}: {answer.status} {answer.text[:300]}"
        return answer

    # --- accounts -----------------------------------------------------------

    def register(self, handle: str, display_name: str, email: str, password: str) -> None:
        self.page("/register")  # the anonymous CSRF seed comes with the first visit
        self._csrf = None
        answer = self.post_form("/register", {"handle": handle, "display_name": display_name, "email": email,
                                              "password": password, "accept_rules": "1"}, expect=(302, 303))
        assert answer.headers.get("location", "").endswith("/"), f"registration of {handle} went to {answer.headers}"
        self._csrf = None

    def log_in(self, login: str, password: str) -> None:
        self.page("/login")
        self._csrf = None
        self.post_form("/login", {"login": login, "password": password}, expect=(302, 303))
        self._csrf = None

    def make_token(self, name: str = "e2e") -> str:
        """A personal access token from Settings → API tokens (no password check, unlike POST /auth/token)."""
        found = NEW_TOKEN.search(self.post_form("/settings/tokens", {"name": name}, expect=(200,)).text)
        assert found, "the token page did not show the new token"
        self.token = found.group(1).strip()
        return self.token

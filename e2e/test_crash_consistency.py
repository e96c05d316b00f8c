"""Crash consistency: Kring loses no acknowledged write and leaves no half-written record when it is
killed with SIGKILL under a concurrent write load, and it rides out PostgreSQL restarts under load
without being restarted itself.

SQLite: a server on its own data dir takes a load of 8 threads writing topics (some with tags, some
in a group), replies, reactions and polls with options (a topic's poll too); after a random 0.2-1.5 s
it is killed with `kill -9` and started again on the same data dir, 20 times. Every write that got a
2xx is in the ledger with its id and a unique marker in its text. After every restart:
  * every acknowledged write is there through the API, exactly once (the topic list, and each topic
    and poll written to since the last check; all of them at the end);
  * the SQLite file, opened read-only with python's sqlite3, passes `PRAGMA integrity_check` and
    `foreign_key_check`, holds every acknowledged write exactly once and no half-written record
    (INVARIANTS below: topics with their opening post, counters that agree with the rows, polls with
    their options, search documents and activity events for what was written, ...).

PostgreSQL (skipped without /usr/lib/postgresql/*/bin/initdb): a throwaway cluster from
scripts/pg-cluster, one Kring process against it, the same load; PostgreSQL is restarted under load
twice (`pg_ctl restart -m fast`, then `-m immediate` with a second of downtime). The Kring process
must stay up and serve writes again within RECOVERY_LIMIT seconds of PostgreSQL accepting connections;
afterwards every acknowledged write is there (API) and the invariants hold (psql).

The figures (kills, acknowledged writes, recovery times) are printed (`pytest -s`).
"""
from __future__ import annotations

import collections
import glob
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
ARTIFACTS = os.path.join(HERE, "artifacts")

KILLS = 20
THREADS = 8
LOAD_SECONDS = (0.2, 1.5)
RECOVERY_LIMIT = 10.0  # seconds for Kring to serve writes again after PostgreSQL is back
REACTIONS = ("like", "thanks", "insightful")
ADMIN = {"handle": "crash-admin", "name": "Crash Beheerder", "email": "crash-admin@kring.example",
         "password": "crash-consistency-2026"}
MARKER = re.compile(r"cc[0-9a-f]{16}")


# --- the server -------------------------------------------------------------

def binary() -> str:
    path = os.environ.get("KRING_BIN", ".build/debug/kring")
    if not os.path.isabs(path):
        path = os.path.join(REPO, path)
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"Kring server binary not found or not executable: {path} (set KRING_BIN)", pytrace=False)
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path: str, lines: int = 60) -> str:
    try:
        with open(path, "r", encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError as e:
        return f"(could not read {path}: {e})"


class Kring:
    """One Kring server (restartable on the same data dir and port); its log is appended to."""

    def __init__(self, workdir: str, database_url: str | None = None):
        self.data_dir = os.path.join(workdir, "data")
        os.makedirs(self.data_dir, exist_ok=True)
        self.log_path = os.path.join(workdir, "server.log")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ)
        self.env.update({"KRING_DATA_DIR": self.data_dir, "KRING_PORT": str(self.port), "KRING_BASE_URL": self.base,
                         "KRING_LOG_LEVEL": os.environ.get("KRING_LOG_LEVEL", "warning"), "KRING_MAIL_INTERVAL": "0"})
        if database_url:
            self.env["KRING_DATABASE_URL"] = database_url
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def command(self, *args: str) -> None:
        with open(self.log_path, "ab") as log:
            done = subprocess.run([binary(), *args], cwd=REPO, env=self.env, stdin=subprocess.DEVNULL, stdout=log,
                                  stderr=subprocess.STDOUT, timeout=300)
        assert done.returncode == 0, f"kring {' '.join(args[:2])} failed:\n{tail(self.log_path)}"

    def start(self, timeout: float = 60) -> float:
        """Starts the server and waits for /healthz; returns the seconds that took."""
        started = time.monotonic()
        with open(self.log_path, "ab") as log:
            log.write(f"\n===== start {self.starts + 1} =====\n".encode())
            log.flush()
            self.process = subprocess.Popen([binary(), "serve"], cwd=REPO, env=self.env, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=subprocess.STDOUT)
        self.starts += 1
        deadline = started + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"kring exited with {self.process.returncode} at start {self.starts}:\n{tail(self.log_path)}",
                            pytrace=False)
            if http_status(self.base, "/healthz") == 200:
                return time.monotonic() - started
            time.sleep(0.05)  # readiness poll interval
        pytest.fail(f"kring did not answer /healthz within {timeout:.0f}s:\n{tail(self.log_path)}", pytrace=False)

    def kill9(self) -> None:
        assert self.process is not None and self.process.poll() is None, "the server died before it was killed"
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def http_status(base: str, path: str) -> int | None:
    try:
        conn = http.client.HTTPConnection(base.split("//", 1)[1], timeout=2)
        conn.request("GET", path)
        status = conn.getresponse().status
        conn.close()
        return status
    except (OSError, http.client.HTTPException):
        return None


class Client:
    """A keep-alive JSON client for one thread."""

    def __init__(self, base: str, token: str | None = None, timeout: float = 30):
        self.host = base.split("//", 1)[1]
        self.token = token
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None

    def call(self, method: str, path: str, body=None):
        """(status, parsed JSON or None); raises OSError/HTTPException when the connection fails."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, timeout=self.timeout)
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        try:
            return response.status, json.loads(raw) if raw else None
        except ValueError:
            return response.status, raw.decode("utf-8", "replace")

    def ok(self, method: str, path: str, body=None, expect=(200,)):
        """The answer, which must have a status in `expect`; a 503 (the database just came back and the
        pool is reconnecting) is retried as its Retry-After asks, for up to RECOVERY_LIMIT seconds."""
        deadline = time.monotonic() + RECOVERY_LIMIT
        status, answer = self.call(method, path, body)
        while status == 503 and time.monotonic() < deadline:
            time.sleep(0.5)
            status, answer = self.call(method, path, body)
        assert status in expect, (method, path, status, answer)
        return answer

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def set_up_community(server: Kring) -> None:
    server.command("admin", "create", "--community", "Crashtest Kring", "--handle", ADMIN["handle"], "--name", ADMIN["name"],
                   "--email", ADMIN["email"], "--password", ADMIN["password"], "--language", "nl")


def make_token(server: Kring) -> str:
    answer = Client(server.base).ok("POST", "/api/v1/auth/token",
                                    {"login": ADMIN["handle"], "password": ADMIN["password"], "name": "crash test"}, expect=(201,))
    return answer["token"]


# --- the write load and its ledger -------------------------------------------

def new_marker() -> str:
    return "cc" + uuid.uuid4().hex[:16]


class Ledger:
    """Every write that got a 2xx, with its id and marker, and what went wrong with the others."""

    def __init__(self):
        self.lock = threading.Lock()
        self.topics: dict[str, dict] = {}     # topic id -> {marker, first_post, tags, group, replies: {post id: marker}}
        self.posts: dict[str, str] = {}       # post id -> topic id (opening posts and replies)
        self.reactions: set[tuple[str, str]] = set()  # (post id, kind)
        self.polls: dict[str, dict] = {}      # poll id -> {marker, options, topic, group}
        self.touched_topics: set[str] = set()  # written to since the last API check
        self.touched_polls: set[str] = set()
        self.acks = collections.Counter()     # kind -> acknowledged writes
        self.refused = collections.Counter()  # "phase kind status" -> answers that were no 2xx (phase: up or outage)
        self.failures: list[str] = []         # the first few of those, with their bodies
        self.in_flight = 0                    # requests whose connection broke (the kill, or a restart)

    def count(self) -> int:
        return sum(self.acks.values())

    def recent_topics(self, n: int = 25) -> list[str]:
        with self.lock:
            return list(self.topics)[-n:]

    def random_post(self) -> str | None:
        with self.lock:
            if not self.posts:
                return None
            keys = list(self.posts)
        return random.choice(keys[-200:])


class Load:
    """THREADS workers writing through the API until stopped."""

    def __init__(self, base: str, token: str, ledger: Ledger, groups: list[str]):
        self.base, self.token, self.ledger, self.groups = base, token, ledger, groups
        self.stop_event = threading.Event()
        self.threads: list[threading.Thread] = []
        self.last_ack = 0.0  # time.monotonic() of the latest acknowledged write
        self.phase = "up"    # "outage" while the database is being restarted

    def start(self) -> None:
        self.stop_event.clear()
        self.threads = [threading.Thread(target=self.work, args=(n,), daemon=True) for n in range(THREADS)]
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout=60)
        assert not any(t.is_alive() for t in self.threads), "a load thread hangs"

    def work(self, n: int) -> None:
        client = Client(self.base, self.token, timeout=20)
        rng = random.Random()
        while not self.stop_event.is_set():
            op = rng.choices(("topic", "reply", "reaction", "poll"), weights=(25, 45, 20, 10))[0]
            if op != "topic" and not self.ledger.topics:
                op = "topic"
            try:
                getattr(self, op)(client, rng)
            except (OSError, http.client.HTTPException):
                with self.ledger.lock:
                    self.ledger.in_flight += 1
                if self.stop_event.wait(0.05):
                    break
        client.close()

    def refused(self, kind: str, status: int, answer) -> None:
        with self.ledger.lock:
            self.ledger.refused[f"{self.phase} {kind} {status}"] += 1
            if self.phase == "up" and len(self.ledger.failures) < 10:
                self.ledger.failures.append(f"{kind}: {status} {str(answer)[:300]}")
        if status >= 500:
            self.stop_event.wait(0.02)  # no busy loop against a server that cannot write

    def acked(self, kind: str) -> None:
        self.ledger.acks[kind] += 1
        self.last_ack = time.monotonic()

    def topic(self, client: Client, rng: random.Random) -> None:
        marker = new_marker()
        body = {"title": f"Crashtest {marker}", "body": f"Opening post {marker}: what happens when the power goes?",
                "kind": rng.choice(("discussion", "question"))}
        if rng.random() < 0.6:
            body["tags"] = ["crashtest", f"tag{rng.randrange(8)}", f"x{marker[-6:]}"]
        if self.groups and rng.random() < 0.5:
            body["group"] = rng.choice(self.groups)
        status, answer = client.call("POST", "/api/v1/topics", body)
        if status != 201:
            return self.refused("topic", status, answer)
        topic_id, first = answer["id"].lower(), answer["posts"][0]["id"].lower()
        with self.ledger.lock:
            self.ledger.topics[topic_id] = {"marker": marker, "first_post": first, "tags": sorted(body.get("tags", [])),
                                            "group": body.get("group"), "replies": {}}
            self.ledger.posts[first] = topic_id
            self.ledger.touched_topics.add(topic_id)
            self.acked("topic")

    def reply(self, client: Client, rng: random.Random) -> None:
        topic_id = rng.choice(self.ledger.recent_topics())
        marker = new_marker()
        status, answer = client.call("POST", f"/api/v1/topics/{topic_id}/replies", {"body": f"Reply {marker}, still here."})
        if status != 201:
            return self.refused("reply", status, answer)
        with self.ledger.lock:
            self.ledger.topics[topic_id]["replies"][answer["id"].lower()] = marker
            self.ledger.posts[answer["id"].lower()] = topic_id
            self.ledger.touched_topics.add(topic_id)
            self.acked("reply")

    def reaction(self, client: Client, rng: random.Random) -> None:
        post_id = self.ledger.random_post()
        kind = rng.choice(REACTIONS)
        status, answer = client.call("POST", f"/api/v1/posts/{post_id}/reactions", {"kind": kind})
        if status != 204:
            return self.refused("reaction", status, answer)
        with self.ledger.lock:
            self.ledger.reactions.add((post_id, kind))
            self.ledger.touched_topics.add(self.ledger.posts[post_id])
            self.acked("reaction")

    def poll(self, client: Client, rng: random.Random) -> None:
        marker = new_marker()
        options = [f"{marker} option {n}" for n in range(rng.randrange(2, 6))]
        body: dict = {"question": f"Poll {marker}?", "options": options}
        where = rng.random()
        topic_id = None
        if where < 0.3:
            topic_id = rng.choice(self.ledger.recent_topics())
            body["topicId"] = topic_id
        elif where < 0.6 and self.groups:
            body["group"] = rng.choice(self.groups)
        status, answer = client.call("POST", "/api/v1/polls", body)
        if status != 201:
            return self.refused("poll", status, answer)
        with self.ledger.lock:
            self.ledger.polls[answer["id"].lower()] = {"marker": marker, "options": options, "topic": topic_id, "group": body.get("group")}
            self.ledger.touched_polls.add(answer["id"].lower())
            self.acked("poll")


# --- checks through the API ---------------------------------------------------

def all_topics(client: Client) -> list[dict]:
    topics, cursor = [], None
    while True:
        path = "/api/v1/topics?limit=100" + (f"&after={cursor}" if cursor else "")
        page = client.ok("GET", path)
        topics += page["topics"]
        cursor = page.get("nextCursor")
        if not cursor:
            return topics


def check_api(client: Client, ledger: Ledger, everything: bool = False) -> None:
    """Every acknowledged topic is in the topic list exactly once with at least its acknowledged
    replies; every topic and poll written to since the last check (all of them when `everything`)
    holds exactly what was acknowledged. (A topic the list's cursor shows on two pages counts once
    here: test_topic_list_pages_never_repeat_a_topic is about that.)"""
    by_id = {t["id"].lower(): t for t in all_topics(client)}
    titles = collections.Counter(m for t in by_id.values() for m in MARKER.findall(t["title"]))
    with ledger.lock:
        topics = {k: {**v, "replies": dict(v["replies"])} for k, v in ledger.topics.items()}
        reactions = set(ledger.reactions)
        polls = dict(ledger.polls)
        touched = set(topics) if everything else set(ledger.touched_topics)
        touched_polls = set(polls) if everything else set(ledger.touched_polls)
        ledger.touched_topics.clear()
        ledger.touched_polls.clear()
    for topic_id, topic in topics.items():
        assert topic_id in by_id, f"acknowledged topic {topic_id} ({topic['marker']}) is not in the topic list"
        assert titles[topic["marker"]] == 1, f"topic {topic['marker']} is listed {titles[topic['marker']]} times"
        assert by_id[topic_id]["replyCount"] >= len(topic["replies"]), (topic_id, by_id[topic_id]["replyCount"], len(topic["replies"]))
        assert sorted(by_id[topic_id]["tags"]) == topic["tags"], (topic_id, by_id[topic_id]["tags"], topic["tags"])
        if topic["group"]:
            assert by_id[topic_id]["group"] == topic["group"], (topic_id, by_id[topic_id]["group"], topic["group"])
    for topic_id in touched:
        topic = topics[topic_id]
        page = client.ok("GET", f"/api/v1/topics/{topic_id}")
        posts = page["posts"]
        numbers = [p["number"] for p in posts]
        assert numbers == list(range(1, len(posts) + 1)), f"topic {topic_id} has post numbers {numbers}"
        assert by_id[topic_id]["replyCount"] == len(posts) - 1, (topic_id, by_id[topic_id]["replyCount"], len(posts))
        assert posts[0]["id"].lower() == topic["first_post"] and topic["marker"] in posts[0]["body"], f"topic {topic_id} lost its opening post"
        bodies = collections.Counter(m for p in posts for m in MARKER.findall(p["body"]))
        by_post = {p["id"].lower(): p for p in posts}
        for post_id, marker in topic["replies"].items():
            assert post_id in by_post, f"acknowledged reply {post_id} ({marker}) of topic {topic_id} is missing"
            assert marker in by_post[post_id]["body"], (post_id, by_post[post_id]["body"])
            assert bodies[marker] == 1, f"reply {marker} is in topic {topic_id} {bodies[marker]} times"
        for post_id, kind in reactions:
            if post_id in by_post:
                assert ADMIN["name"] in by_post[post_id]["reactions"].get(kind, []), \
                    f"acknowledged reaction {kind} on post {post_id} is missing: {by_post[post_id]['reactions']}"
    for poll_id in touched_polls:
        poll = polls[poll_id]
        answer = client.ok("GET", f"/api/v1/polls/{poll_id}")
        assert [o["label"] for o in answer["options"]] == poll["options"], (poll_id, answer["options"], poll["options"])
        assert poll["marker"] in answer["question"], (poll_id, answer["question"])
        assert (answer.get("topicId") or "").lower() == (poll["topic"] or ""), (poll_id, answer.get("topicId"), poll["topic"])


# --- checks in the database -----------------------------------------------------

# Each query lists records that are half-written or whose counters disagree with their rows; every
# one must come back empty. They hold for any history of this load (nothing is deleted or moved).
INVARIANTS = {
    "topic without exactly one opening post":
        "SELECT t.id FROM topics t WHERE (SELECT COUNT(*) FROM posts p WHERE p.topic_id = t.id AND p.post_number = 1) <> 1",
    "topic whose post numbers are not 1..last_post_number":
        "SELECT t.id FROM topics t WHERE t.last_post_number <> (SELECT COUNT(*) FROM posts p WHERE p.topic_id = t.id)"
        " OR t.last_post_number <> (SELECT MAX(p.post_number) FROM posts p WHERE p.topic_id = t.id)",
    "topic whose reply_count disagrees with its replies":
        "SELECT t.id FROM topics t WHERE t.reply_count <> (SELECT COUNT(*) FROM posts p WHERE p.topic_id = t.id"
        " AND p.post_number > 1 AND p.deleted_at IS NULL)",
    "topic whose last poster is not the author of its last post":
        "SELECT t.id FROM topics t WHERE t.last_poster_id IS NULL OR t.last_poster_id <> (SELECT p.author_id FROM posts p"
        " WHERE p.topic_id = t.id AND p.post_number = t.last_post_number)",
    "group whose topic_count disagrees with its topics":
        "SELECT g.id FROM groups g WHERE g.topic_count <> (SELECT COUNT(*) FROM topics t WHERE t.group_id = g.id"
        " AND t.deleted_at IS NULL)",
    "group whose member_count disagrees with its memberships":
        "SELECT g.id FROM groups g WHERE g.member_count <> (SELECT COUNT(*) FROM group_memberships m WHERE m.group_id = g.id"
        " AND m.status = 'active')",
    "poll with fewer than two options, or options out of order":
        "SELECT p.id FROM polls p WHERE (SELECT COUNT(*) FROM poll_options o WHERE o.poll_id = p.id) < 2"
        " OR (SELECT MAX(o.position) FROM poll_options o WHERE o.poll_id = p.id)"
        " <> (SELECT COUNT(*) FROM poll_options o WHERE o.poll_id = p.id) - 1",
    "topic without its search document":
        "SELECT t.id FROM topics t WHERE t.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM search_documents s"
        " WHERE s.kind = 'topic' AND s.ref_id = t.id)",
    "reply without its search document":
        "SELECT p.id FROM posts p JOIN topics t ON t.id = p.topic_id WHERE p.post_number > 1 AND p.deleted_at IS NULL"
        " AND t.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM search_documents s WHERE s.kind = 'post' AND s.ref_id = p.id)",
    "search document of a topic or reply that does not exist":
        "SELECT s.id FROM search_documents s WHERE (s.kind = 'topic' AND NOT EXISTS (SELECT 1 FROM topics t WHERE t.id = s.ref_id))"
        " OR (s.kind = 'post' AND NOT EXISTS (SELECT 1 FROM posts p WHERE p.id = s.ref_id))",
    "topic without its topic_created event":
        "SELECT t.id FROM topics t WHERE NOT EXISTS (SELECT 1 FROM activity_events a WHERE a.kind = 'topic_created'"
        " AND a.subject_id = t.id)",
    "reply without its reply_created event":
        "SELECT p.id FROM posts p WHERE p.post_number > 1 AND NOT EXISTS (SELECT 1 FROM activity_events a"
        " WHERE a.kind = 'reply_created' AND a.subject_id = p.id)",
    "poll without its poll_created event":
        "SELECT p.id FROM polls p WHERE NOT EXISTS (SELECT 1 FROM activity_events a WHERE a.kind = 'poll_created'"
        " AND a.subject_id = p.id)",
    "reactions without their reaction_added events":
        "SELECT r.post_id FROM reactions r GROUP BY r.post_id HAVING COUNT(*) > (SELECT COUNT(*) FROM activity_events a"
        " WHERE a.kind = 'reaction_added' AND a.subject_id = r.post_id)",
    "event of a topic, reply or poll that does not exist":
        "SELECT a.id FROM activity_events a WHERE (a.kind = 'topic_created' AND NOT EXISTS (SELECT 1 FROM topics t"
        " WHERE t.id = a.subject_id)) OR (a.kind = 'reply_created' AND NOT EXISTS (SELECT 1 FROM posts p WHERE p.id = a.subject_id))"
        " OR (a.kind = 'poll_created' AND NOT EXISTS (SELECT 1 FROM polls p WHERE p.id = a.subject_id))",
    "topic without its author's read mark":
        "SELECT t.id FROM topics t WHERE NOT EXISTS (SELECT 1 FROM topic_reads r WHERE r.topic_id = t.id"
        " AND r.member_id = t.author_id)",
    "tag link to a missing topic or tag":
        "SELECT l.id FROM topic_tags l WHERE NOT EXISTS (SELECT 1 FROM topics t WHERE t.id = l.topic_id)"
        " OR NOT EXISTS (SELECT 1 FROM tags g WHERE g.id = l.tag_id)",
    "poll of a missing topic":
        "SELECT p.id FROM polls p WHERE p.topic_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM topics t WHERE t.id = p.topic_id)",
}
SQLITE_INVARIANTS = {
    "search document without its FTS row":
        "SELECT s.id FROM search_documents s WHERE NOT EXISTS (SELECT 1 FROM search_fts_map m JOIN search_fts f"
        " ON f.rowid = m.fts_rowid WHERE upper(m.doc_id) = upper(s.id) AND upper(f.doc_id) = upper(s.id))",
    "FTS row without its search document":
        "SELECT f.doc_id FROM search_fts f WHERE NOT EXISTS (SELECT 1 FROM search_documents s WHERE upper(s.id) = upper(f.doc_id))",
}
POSTGRES_INVARIANTS = {
    "search document without its tsvector": "SELECT s.id FROM search_documents s WHERE s.tsv IS NULL",
}


def norm(value) -> str:
    if isinstance(value, (bytes, bytearray)) and len(value) == 16:
        return str(uuid.UUID(bytes=bytes(value)))
    return str(value).lower()


class SQLiteFile:
    def __init__(self, path: str):
        self.path = path

    def __enter__(self):
        self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
        return self

    def __exit__(self, *exc):
        self.db.close()

    def rows(self, query: str) -> list[tuple]:
        return self.db.execute(query).fetchall()


class Psql:
    def __init__(self, url: str, bindir: str):
        self.url, self.psql = url, os.path.join(bindir, "psql")

    def rows(self, query: str) -> list[tuple]:
        done = subprocess.run([self.psql, self.url, "-X", "-q", "-A", "-t", "-F", "\x1f", "-R", "\x1e", "-v", "ON_ERROR_STOP=1",
                               "-c", query], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, (query, done.stderr)
        return [tuple(r.split("\x1f")) for r in done.stdout.rstrip("\n").split("\x1e") if r.strip("\n")]


def check_database(db, ledger: Ledger, extra: dict[str, str]) -> None:
    """No half-written record, and every acknowledged write exactly once, in the database itself."""
    broken = {}
    for name, query in {**INVARIANTS, **extra}.items():
        found = db.rows(query)
        if found:
            broken[name] = [norm(r[0]) for r in found[:5]] + ([f"... {len(found)} in all"] if len(found) > 5 else [])
    assert not broken, "half-written records or counters that disagree:\n" + json.dumps(broken, indent=2)

    topics = {norm(i): t for i, t in db.rows("SELECT id, title FROM topics")}
    posts = {norm(i): (norm(t), b) for i, t, b in db.rows("SELECT id, topic_id, body FROM posts")}
    reactions = {(norm(p), k) for p, k in db.rows("SELECT post_id, kind FROM reactions")}
    polls = {norm(i): q for i, q in db.rows("SELECT id, question FROM polls")}
    options = collections.defaultdict(list)
    for poll_id, label, position in db.rows("SELECT poll_id, label, position FROM poll_options"):
        options[norm(poll_id)].append((int(position), label))
    tags = collections.defaultdict(list)
    for topic_id, name in db.rows("SELECT l.topic_id, g.name FROM topic_tags l JOIN tags g ON g.id = l.tag_id"):
        tags[norm(topic_id)].append(name)
    in_titles = collections.Counter(m for t in topics.values() for m in MARKER.findall(t))
    in_posts = collections.Counter(m for _, b in posts.values() for m in MARKER.findall(b))
    in_polls = collections.Counter(m for q in polls.values() for m in MARKER.findall(q))
    twice = {m: n for c in (in_titles, in_posts, in_polls) for m, n in c.items() if n > 1}
    assert not twice, f"writes stored more than once: {twice}"

    with ledger.lock:
        acked_topics = {k: {**v, "replies": dict(v["replies"])} for k, v in ledger.topics.items()}
        acked_reactions = set(ledger.reactions)
        acked_polls = dict(ledger.polls)
    for topic_id, topic in acked_topics.items():
        assert topic_id in topics and topic["marker"] in topics[topic_id], f"acknowledged topic {topic_id} is not in the database"
        first = posts.get(topic["first_post"])
        assert first and first[0] == topic_id and topic["marker"] in first[1], f"acknowledged topic {topic_id} lost its opening post"
        assert sorted(tags[topic_id]) == topic["tags"], (topic_id, tags[topic_id], topic["tags"])
        for post_id, marker in topic["replies"].items():
            assert posts.get(post_id, ("", ""))[0] == topic_id and marker in posts[post_id][1], \
                f"acknowledged reply {post_id} ({marker}) is not in the database"
    missing = acked_reactions - reactions
    assert not missing, f"acknowledged reactions not in the database: {sorted(missing)[:5]}"
    for poll_id, poll in acked_polls.items():
        assert poll_id in polls and poll["marker"] in polls[poll_id], f"acknowledged poll {poll_id} is not in the database"
        assert [label for _, label in sorted(options[poll_id])] == poll["options"], (poll_id, options[poll_id], poll["options"])


def sqlite_file_checks(path: str, ledger: Ledger) -> None:
    with SQLiteFile(path) as db:
        assert db.rows("PRAGMA integrity_check") == [("ok",)], db.rows("PRAGMA integrity_check")
        assert db.rows("PRAGMA foreign_key_check") == [], db.rows("PRAGMA foreign_key_check")[:5]
        check_database(db, ledger, SQLITE_INVARIANTS)


def summary(ledger: Ledger) -> str:
    acks = ", ".join(f"{n} {k.replace('reply', 'replie')}s" for k, n in sorted(ledger.acks.items()))
    def listed(phase):
        return ", ".join(f"{n}x {k.split(' ', 1)[1]}" for k, n in sorted(ledger.refused.items()) if k.startswith(phase + " ")) or "none"
    return (f"{ledger.count()} acknowledged writes ({acks}); {ledger.in_flight} requests cut off in flight; "
            f"answers other than 2xx while up: {listed('up')}" + (f"; while the database was down: {listed('outage')}"
                                                                  if any(k.startswith("outage ") for k in ledger.refused) else ""))


def keep_log(server: Kring, name: str) -> None:
    os.makedirs(ARTIFACTS, exist_ok=True)
    try:
        shutil.copyfile(server.log_path, os.path.join(ARTIFACTS, name))
    except OSError:
        pass


# --- SQLite: kill -9 under load ---------------------------------------------------

def test_sqlite_kill_9_under_write_load_loses_nothing():
    began = time.monotonic()
    workdir = tempfile.mkdtemp(prefix="kring-crash-")
    server = Kring(workdir)
    ledger = Ledger()
    try:
        set_up_community(server)
        server.start()
        token = make_token(server)
        api = Client(server.base, token)
        groups = [api.ok("POST", "/api/v1/groups", {"name": f"Crashgroep {n}", "visibility": v}, expect=(201,))["slug"]
                  for n, v in ((1, "open"), (2, "closed"))]
        load = Load(server.base, token, ledger, groups)
        startups, loads = [], []
        for kill in range(1, KILLS + 1):
            before = ledger.count()
            load.start()
            seconds = random.uniform(*LOAD_SECONDS)
            time.sleep(seconds)  # the load runs for a random while, then the server dies mid-write
            server.kill9()
            load.stop()
            loads.append(seconds)
            startups.append(server.start())
            api.close()
            check_api(api, ledger, everything=(kill == KILLS))
            sqlite_file_checks(os.path.join(server.data_dir, "kring.sqlite"), ledger)
            print(f"kill {kill:2d}: {seconds:.2f} s of load, {ledger.count() - before} writes acknowledged, "
                  f"restart {startups[-1]:.2f} s, all present", flush=True)
        assert ledger.count() >= KILLS * 5, "the load hardly wrote anything: " + summary(ledger)
        assert ledger.acks["topic"] and ledger.acks["reply"] and ledger.acks["reaction"] and ledger.acks["poll"], summary(ledger)
        print(f"\nSQLite crash consistency: {KILLS} kill -9s after {min(loads):.2f}-{max(loads):.2f} s of load from {THREADS} threads; "
              f"{summary(ledger)}; restarts {min(startups):.2f}-{max(startups):.2f} s; integrity_check ok, no half-written "
              f"record, every acknowledged write present exactly once; {time.monotonic() - began:.0f} s in all", flush=True)
        refused = {k: n for k, n in ledger.refused.items()}
        assert not refused, f"writes refused under load: {refused}; first answers: {ledger.failures}"
    finally:
        server.stop()
        keep_log(server, "crash-sqlite-server.log")
        shutil.rmtree(workdir, ignore_errors=True)


# --- PostgreSQL: restarts under load ------------------------------------------------

def pg_bindir() -> str | None:
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: [int(x) for x in re.findall(r"\d+", p)])
    return os.path.dirname(dirs[-1]) if dirs else None


class Cluster:
    """A scripts/pg-cluster cluster that can be restarted."""

    def __init__(self):
        self.bindir = pg_bindir()
        self.base = tempfile.mkdtemp(prefix="kring-pgc.", dir="/tmp")
        os.chmod(self.base, 0o755)
        self.dir = os.path.join(self.base, "pg")
        with tempfile.TemporaryFile() as err:
            done = subprocess.run([os.path.join(REPO, "scripts", "pg-cluster"), "start", self.dir], stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=err, text=True, timeout=180)
            err.seek(0)
            assert done.returncode == 0, err.read().decode(errors="replace")
        self.url = done.stdout.strip().splitlines()[-1]
        self.port = open(os.path.join(self.dir, "port")).read().strip()
        # pg-cluster turns synchronous_commit off for speed; an immediate shutdown may then lose commits
        # PostgreSQL already acknowledged. Kring's durability is what is tested here, so commit synchronously.
        Psql(self.url, self.bindir).rows("ALTER DATABASE kring_test SET synchronous_commit = on")

    def pg_ctl(self, *args: str) -> None:
        command = [os.path.join(self.bindir, "pg_ctl"), "-D", os.path.join(self.dir, "data"), *args]
        if os.getuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        # Output to a file, not a pipe: the postmaster pg_ctl starts would hold a pipe open.
        with tempfile.TemporaryFile() as out:
            done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, timeout=120)
            out.seek(0)
            assert done.returncode == 0, (args, out.read().decode(errors="replace"))

    def start(self) -> None:
        self.pg_ctl("-o", f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off -c full_page_writes=off "
                          "-c synchronous_commit=off -c max_connections=500", "-l", os.path.join(self.dir, "log"), "-w", "-t", "60",
                    "start")

    def destroy(self) -> None:
        subprocess.run([os.path.join(REPO, "scripts", "pg-cluster"), "stop", self.dir], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
        shutil.rmtree(self.base, ignore_errors=True)


def test_postgres_restarts_under_write_load_kring_recovers():
    if pg_bindir() is None:
        pytest.skip("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb); apt-get install postgresql")
    began = time.monotonic()
    cluster = Cluster()
    workdir = tempfile.mkdtemp(prefix="kring-crash-pg-")
    server = Kring(workdir, database_url=cluster.url)
    ledger = Ledger()
    try:
        set_up_community(server)
        server.start()
        pid = server.process.pid
        token = make_token(server)
        api = Client(server.base, token)
        groups = [api.ok("POST", "/api/v1/groups", {"name": f"Crashgroep {n}", "visibility": v}, expect=(201,))["slug"]
                  for n, v in ((1, "open"), (2, "closed"))]
        load = Load(server.base, token, ledger, groups)
        load.start()
        time.sleep(1.5)  # the load warms up
        recoveries = []
        for mode in ("fast", "immediate"):
            before = ledger.count()
            assert before > 0 and load.last_ack > 0, "no writes before the restart: " + summary(ledger)
            load.phase = "outage"
            down = time.monotonic()
            if mode == "fast":
                cluster.pg_ctl("-m", "fast", "-l", os.path.join(cluster.dir, "log"), "-w", "-t", "60", "restart")
            else:
                cluster.pg_ctl("-m", "immediate", "-w", "-t", "60", "stop")
                time.sleep(1.0)  # a second without a database: the load keeps knocking
                cluster.start()
            back = time.monotonic()
            # Kring serves writes again: an acknowledged write after PostgreSQL came back, and /readyz.
            deadline = back + 60
            while time.monotonic() < deadline and not (load.last_ack > back and http_status(server.base, "/readyz") == 200):
                assert server.process.poll() is None, f"Kring died when PostgreSQL restarted:\n{tail(server.log_path)}"
                time.sleep(0.05)  # recovery poll interval
            recovered = time.monotonic() - back
            recoveries.append((mode, back - down, recovered))
            print(f"PostgreSQL restart -m {mode}: down {back - down:.2f} s, Kring writing again {recovered:.2f} s after it was back",
                  flush=True)
            assert recovered < RECOVERY_LIMIT, f"Kring did not recover within {RECOVERY_LIMIT:.0f} s of PostgreSQL's restart " \
                                               f"({mode}):\n{tail(server.log_path)}"
            time.sleep(1.0)  # requests sent during the outage come back
            load.phase = "up"
            time.sleep(1.5)  # load after the recovery
        load.stop()
        assert server.process.poll() is None and server.process.pid == pid, "Kring was restarted"
        api.close()
        # Every event loop serves again: each new HTTP connection lands on the next loop, and each loop
        # has its own connection pool. A transaction stuck on a dead connection (its ROLLBACK never
        # answered) once kept its pooled connection for good; four of them left one loop's pool empty
        # and every request on that loop answered 503 from then on.
        statuses = [Client(server.base, token).call("GET", "/api/v1/topics?limit=1")[0] for _ in range(4 * os.cpu_count())]
        assert statuses == [200] * len(statuses), f"fresh connections after the restarts answered {statuses}"
        check_api(api, ledger, everything=True)
        check_database(Psql(cluster.url, cluster.bindir), ledger, POSTGRES_INVARIANTS)
        print(f"\nPostgreSQL restarts under load: {len(recoveries)} restarts (" +
              "; ".join(f"-m {m}: down {d:.2f} s, recovered {r:.2f} s later" for m, d, r in recoveries) +
              f") with {THREADS} writer threads, the Kring process never restarted; {summary(ledger)}; every acknowledged write "
              f"present exactly once, no half-written record; {time.monotonic() - began:.0f} s in all", flush=True)
        refused = {k: n for k, n in ledger.refused.items() if k.startswith("up ")}
        assert not refused, f"writes refused while PostgreSQL was up: {refused}; first answers: {ledger.failures}"
        # While it was down, Kring said so: 503 with Retry-After (a retry will work), never a 500.
        crashed = {k: n for k, n in ledger.refused.items() if k.startswith("outage ") and not k.endswith(" 503")}
        assert not crashed, f"answers other than 503 while PostgreSQL was down: {crashed}"
    finally:
        server.stop()
        keep_log(server, "crash-postgres-server.log")
        cluster.destroy()
        shutil.rmtree(workdir, ignore_errors=True)

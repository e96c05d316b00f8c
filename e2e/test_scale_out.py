"""Scale-out: two Kring processes on one PostgreSQL database behind nginx, on loopback.

Proves what running several stateless processes needs: a post made through one process is read
through the other; a live update (Server-Sent Events) crosses processes through LISTEN/NOTIFY; a
scheduled job (a content-calendar item) runs exactly once; killing one process with SIGKILL loses no
acknowledged write, and nginx carries on with the other. Skipped when PostgreSQL's server binaries
or nginx are missing (.ci/run installs both).
"""
from __future__ import annotations

import glob
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from api import api, call

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.environ.get("KRING_BIN", os.path.join(ROOT, ".build/debug/kring"))
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PASSWORD = "schaal-wachtwoord-2026"

pytestmark = pytest.mark.skipif(
    not glob.glob("/usr/lib/postgresql/*/bin/initdb") or not os.path.exists(NGINX),
    reason="needs PostgreSQL server binaries and nginx (apt-get install postgresql nginx-light)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`url(path)` for the api helpers."""

    def __init__(self, base: str):
        self.base = base

    def url(self, path: str) -> str:
        return self.base + path


def wait_ready(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{base} did not become ready")


@pytest.fixture(scope="module")
def farm():
    # PostgreSQL runs as its own user: the folder must be one it can reach.
    base = pathlib.Path(tempfile.mkdtemp(prefix="kring-scale-"))
    os.chmod(base, 0o755)
    url = subprocess.run([os.path.join(ROOT, "scripts/pg-cluster"), "start", str(base / "pg")], check=True,
                         capture_output=True, text=True).stdout.strip()
    balancer = free_port()
    env = dict(os.environ, KRING_DATABASE_URL=url, KRING_DATA_DIR=str(base / "data"), KRING_MAIL_INTERVAL="1",
               KRING_TRUST_PROXY="1", KRING_BASE_URL=f"http://127.0.0.1:{balancer}", KRING_LOG_LEVEL="warning",
               KRING_BCRYPT_COST="12")
    subprocess.run([BINARY, "admin", "create", "--community", "Schaal", "--handle", "beheer", "--name", "Beheer",
                    "--email", "beheer@schaal.test", "--password", PASSWORD, "--language", "nl"],
                   env=env, check=True, capture_output=True, stdin=subprocess.DEVNULL)
    processes = {}
    logs = {}

    def start(name: str) -> None:
        port = free_port()
        logs[name] = open(base / f"{name}.log", "ab")
        processes[name] = (subprocess.Popen([BINARY, "serve"], env=dict(env, KRING_PORT=str(port)), stdout=logs[name],
                                            stderr=subprocess.STDOUT), port)
        wait_ready(f"http://127.0.0.1:{port}")

    start("a")
    start("b")
    conf = base / "nginx.conf"
    conf.write_text(f"""
worker_processes 1;
daemon on;
pid {base}/nginx.pid;
error_log {base}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {base}/nginx-body;
    proxy_temp_path {base}/nginx-proxy;
    fastcgi_temp_path {base}/nginx-fastcgi;
    uwsgi_temp_path {base}/nginx-uwsgi;
    scgi_temp_path {base}/nginx-scgi;
    upstream kring {{
        server 127.0.0.1:{processes['a'][1]} max_fails=1 fail_timeout=30s;
        server 127.0.0.1:{processes['b'][1]} max_fails=1 fail_timeout=30s;
    }}
    server {{
        listen 127.0.0.1:{balancer};
        location / {{
            proxy_pass http://kring;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_buffering off;
            proxy_read_timeout 1h;
            proxy_next_upstream error timeout;
        }}
    }}
}}
""")
    subprocess.run([NGINX, "-c", str(conf), "-p", str(base)], check=True)
    token = api(f"http://127.0.0.1:{processes['a'][1]}", "POST", "/auth/token",
                body={"login": "beheer", "password": PASSWORD, "name": "schaal"})["token"]
    yield {"balancer": f"http://127.0.0.1:{balancer}", "processes": processes, "token": token, "url": url, "base": base}
    subprocess.run([NGINX, "-c", str(conf), "-p", str(base), "-s", "stop"], check=False)
    for process, _ in processes.values():
        process.terminate()
    for process, _ in processes.values():
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    for log in logs.values():
        log.close()
    subprocess.run([os.path.join(ROOT, "scripts/pg-cluster"), "stop", str(base / "pg")], check=False, capture_output=True)
    shutil.rmtree(base, ignore_errors=True)


def direct(farm, name: str) -> str:
    return f"http://127.0.0.1:{farm['processes'][name][1]}"


def psql(farm, query: str) -> str:
    return subprocess.run(["psql", farm["url"], "-tAc", query], check=True, capture_output=True, text=True).stdout.strip()


def test_a_post_made_through_one_process_is_read_through_the_other(farm):
    topic = api(direct(farm, "a"), "POST", "/topics", farm["token"], {"title": "Geschreven via proces A", "body": "Hallo B"})
    read = api(direct(farm, "b"), "GET", f"/topics/{topic['id']}", farm["token"])
    assert read["title"] == "Geschreven via proces A"
    api(direct(farm, "b"), "POST", f"/topics/{topic['id']}/replies", farm["token"], {"body": "Antwoord via proces B"})
    again = api(direct(farm, "a"), "GET", f"/topics/{topic['id']}", farm["token"])
    assert [post["body"] for post in again["posts"]] == ["Hallo B", "Antwoord via proces B"]


def anonymous_page(base: str, path: str) -> tuple[str | None, str]:
    """(the Kring-Cache header, the page) as a signed-out visitor without cookies sees it."""
    with urllib.request.urlopen(base + path, timeout=10) as answer:
        return answer.headers.get("Kring-Cache"), answer.read().decode()


def kept(base: str, path: str, timeout: float = 5) -> bool:
    """Whether `base` comes to serve `path` from its page cache. A write's notification reaches the
    other process a moment after the write, and each one makes the next visitor render afresh."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if anonymous_page(base, path)[0] == "hit":
            return True
        time.sleep(0.1)
    return False


def test_a_page_kept_for_visitors_follows_writes_made_elsewhere(farm):
    topic = api(direct(farm, "a"), "POST", "/topics", farm["token"], {"title": "Bewaard voor bezoekers", "body": "Eerste bericht"})
    path = f"/t/{topic['id']}"
    assert kept(direct(farm, "b"), path), "B keeps the page for the next visitor"

    def b_shows(predicate) -> bool:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if predicate(anonymous_page(direct(farm, "b"), path)[1]):
                return True
            time.sleep(0.1)
        return False

    api(direct(farm, "a"), "POST", f"/topics/{topic['id']}/replies", farm["token"], {"body": "Nieuw via proces A"})
    assert b_shows(lambda page: "Nieuw via proces A" in page), "a reply through A reaches B's visitors"
    assert kept(direct(farm, "b"), path)
    # A moderator's hand in the database (or any other process) hides the reply: B's visitors lose it.
    psql(farm, "UPDATE posts SET hidden_at = now(), hidden_reason = 'flags' WHERE body = 'Nieuw via proces A'")
    assert b_shows(lambda page: "Nieuw via proces A" not in page), "hidden content leaves B's kept page"


def test_a_live_update_crosses_processes(farm):
    topic = api(direct(farm, "a"), "POST", "/topics", farm["token"], {"title": "Live over processen", "body": "Start"})
    # A keeps pages only while its LISTEN connection is up: then notifications reach it.
    assert kept(direct(farm, "a"), f"/t/{topic['id']}"), "A listens"
    received: list[str] = []
    connected = threading.Event()

    def listen():
        request = urllib.request.Request(direct(farm, "a") + f"/live?topic={topic['id']}", headers={"Accept": "text/event-stream"})
        with urllib.request.urlopen(request, timeout=30) as stream:
            connected.set()
            for raw in stream:
                line = raw.decode().strip()
                received.append(line)
                if line.startswith("data:") and '"number":2' in line:
                    return

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    assert connected.wait(15), "the event stream opened"
    time.sleep(0.5)
    api(direct(farm, "b"), "POST", f"/topics/{topic['id']}/replies", farm["token"], {"body": "Via B, gezien door A"})
    thread.join(15)
    assert "event: reply" in received and 'data: {"number":2}' in received, received


def test_a_scheduled_calendar_item_is_published_exactly_once(farm):
    # Both processes work the job queue every second; the item is due two seconds from now.
    due = time.strftime("%Y-%m-%dT%H:%M", time.localtime(time.time() + 60))
    psql(farm, f"""
        INSERT INTO content_items (id, title, kind, status, owner_id, scheduled_at, body, location, notes, created_at, updated_at)
        SELECT gen_random_uuid(), 'Precies een keer gepubliceerd', 'post', 'scheduled', id, now() + interval '2 seconds',
               'Eén keer, niet twee', '', '', now(), now() FROM members WHERE handle = 'beheer'""")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and psql(farm, "SELECT count(*) FROM content_items WHERE status = 'published'") != "1":
        time.sleep(0.5)
    time.sleep(3)  # a second run would have happened by now
    assert psql(farm, "SELECT count(*) FROM topics WHERE title = 'Precies een keer gepubliceerd'") == "1", due
    workers = psql(farm, "SELECT count(DISTINCT locked_by) FROM jobs WHERE kind = 'tick'")
    assert int(workers) == 2, "both processes take jobs from the queue"
    per_slot = psql(farm, "SELECT max(n) FROM (SELECT count(*) AS n FROM jobs WHERE kind = 'hourly' GROUP BY unique_key) s")
    assert per_slot == "1", "each slot of a periodic job is one row, whichever process scheduled it"


def test_killing_one_process_loses_no_acknowledged_write(farm):
    topic = api(farm["balancer"], "POST", "/topics", farm["token"], {"title": "Schrijven tijdens een crash", "body": "Begin"})
    acknowledged: list[str] = []
    lock = threading.Lock()

    def write(index: int) -> None:
        body = f"Bericht {index} tijdens de crash"
        status, _, _ = call(Server(farm["balancer"]), "POST", f"/api/v1/topics/{topic['id']}/replies",
                            {"body": body}, token=farm["token"])
        if status == 201:
            with lock:
                acknowledged.append(body)

    process, _ = farm["processes"]["a"]
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(write, index) for index in range(60)]
        time.sleep(0.4)
        process.send_signal(signal.SIGKILL)
        for future in futures:
            future.result()
    assert len(acknowledged) >= 30, f"nginx kept serving through process B ({len(acknowledged)} of 60 acknowledged)"
    stored = api(direct(farm, "b"), "GET", f"/topics/{topic['id']}", farm["token"])
    bodies = {post["body"] for post in stored["posts"]}
    missing = [body for body in acknowledged if body not in bodies]
    assert not missing, f"acknowledged but lost: {missing}"
    # Only acknowledged writes or ones whose answer was lost with the process: never a duplicate.
    numbers = [post["number"] for post in stored["posts"]]
    assert len(numbers) == len(set(numbers))

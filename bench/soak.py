#!/usr/bin/env python3
"""Soak: mixed read/write load at ~80 % of measured capacity for a long while; zero errors and flat memory.

    bench/soak.py [--minutes 10] [--binary .build/release/kring] [--threads 8] [--fraction 0.8]

Fills a fresh data dir with the demo community (`kring demo`: ~300 members, six groups, a year of
conversations), starts `kring serve` on it and signs in as `demo-admin` (an administrator, so the
posting limits that answer 429 do not apply): pages through a browser session from the login form,
the API with a token. Then:

  1. capacity: --threads workers send the mixed load as fast as the server answers for
     --capacity-seconds (default 20); the rate reached is the capacity;
  2. soak: the same mix, paced at --fraction (default 0.8) of that rate, for --minutes.

The mix: topic lists, topic pages, group pages, search, the cockpit (pages); topic lists, topics,
search, groups, notifications (API reads); replies, reactions and new topics (API writes). Every
answer other than 2xx/3xx and every connection error is an error. The server's RSS is read from
/proc/PID/status every --sample-seconds.

Prints requests, errors, p50/p99 latency (in all and per kind), RSS at start and end, and the
least-squares slope of RSS over the second half of the soak in MiB per minute, with the verdict
"flat" when it is below --flat (1 MiB/min). Exits 1 when there were errors or memory grew. Python's
standard library only. Record the figures in bench/README.md.
"""
from __future__ import annotations

import argparse
import collections
import http.client
import http.cookiejar
import json
import os
import pathlib
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
LOGIN = "demo-admin"
PASSWORD = "kring-demo-2026"
SEARCH_TERMS = ["energie", "zonnepanelen", "warmtepomp", "isolatie", "subsidie", "buurt", "vergadering", "laadpaal",
                "dak", "coöperatie", "windmolen", "besparen", "thuisbatterij", "energy", "solar"]
REACTIONS = ("like", "thanks", "insightful")

# kind -> weight. Pages (browser session), API reads and API writes (token).
MIX = {
    "page topic list": 14,
    "page topic": 22,
    "page group": 6,
    "page search": 6,
    "page cockpit": 1,
    "api topic list": 10,
    "api topic": 12,
    "api search": 5,
    "api groups": 3,
    "api notifications": 3,
    "write reply": 9,
    "write reaction": 7,
    "write topic": 2,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid: int) -> int:
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of y over x."""
    n = len(points)
    if n < 2:
        return 0.0
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else 0.0


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Community:
    """What the load picks from: topics, groups, posts, and the credentials."""

    def __init__(self, base: str):
        self.base = base
        self.host = base.split("//", 1)[1]
        self.lock = threading.Lock()
        request = urllib.request.Request(base + "/api/v1/auth/token", method="POST",
                                         data=json.dumps({"login": LOGIN, "password": PASSWORD, "name": "soak"}).encode(),
                                         headers={"Content-Type": "application/json"})
        self.token = json.load(urllib.request.urlopen(request, timeout=60))["token"]
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        form = browser.open(base + "/login", timeout=60).read().decode()
        csrf = re.search(r'name="_csrf" value="([^"]+)"', form).group(1)
        browser.open(base + "/login", data=urllib.parse.urlencode({"_csrf": csrf, "login": LOGIN, "password": PASSWORD}).encode(),
                     timeout=60)
        self.cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
        if "kring_session=" not in self.cookie:
            raise SystemExit("signing in through the login form gave no session cookie")
        self.topics: list[str] = []
        cursor = None
        while len(self.topics) < 1000:
            page = self.api_json("/api/v1/topics?limit=100" + (f"&after={cursor}" if cursor else ""))
            self.topics += [t["id"] for t in page["topics"]]
            cursor = page.get("nextCursor")
            if not cursor:
                break
        self.groups = [g["slug"] for g in self.api_json("/api/v1/groups")["groups"] if not g["isArchived"]]
        self.posting_groups = [g["slug"] for g in self.api_json("/api/v1/groups")["groups"]
                               if g.get("membership") == "active" and not g["isArchived"]]
        self.posts: list[str] = []
        for topic in random.sample(self.topics, min(40, len(self.topics))):
            self.posts += [p["id"] for p in self.api_json(f"/api/v1/topics/{topic}")["posts"] if not p["isDeleted"]]
        if not self.topics or not self.groups or not self.posts:
            raise SystemExit(f"the community is empty: {len(self.topics)} topics, {len(self.groups)} groups")

    def api_json(self, path: str):
        request = urllib.request.Request(self.base + path, headers={"Authorization": "Bearer " + self.token,
                                                                    "Accept": "application/json"})
        return json.load(urllib.request.urlopen(request, timeout=60))

    def topic(self, rng: random.Random) -> str:
        with self.lock:
            return rng.choice(self.topics)

    def post(self, rng: random.Random) -> str:
        with self.lock:
            return rng.choice(self.posts)

    def request_for(self, kind: str, rng: random.Random) -> tuple[str, str, dict | None, bool]:
        """(method, path, JSON body, is_api) for one request of this kind."""
        if kind == "page topic list":
            return "GET", rng.choice(["/topics", "/topics?filter=unanswered", "/topics?filter=solved", "/"]), None, False
        if kind == "page topic":
            return "GET", f"/t/{self.topic(rng)}", None, False
        if kind == "page group":
            return "GET", f"/g/{rng.choice(self.groups)}", None, False
        if kind == "page search":
            return "GET", "/search?q=" + urllib.parse.quote(rng.choice(SEARCH_TERMS)), None, False
        if kind == "page cockpit":
            return "GET", rng.choice(["/cockpit", "/cockpit?period=week", "/cockpit?period=day"]), None, False
        if kind == "api topic list":
            return "GET", rng.choice(["/api/v1/topics?limit=30", "/api/v1/topics?filter=unanswered&limit=30",
                                      f"/api/v1/topics?group={rng.choice(self.groups)}&limit=30"]), None, True
        if kind == "api topic":
            return "GET", f"/api/v1/topics/{self.topic(rng)}", None, True
        if kind == "api search":
            return "GET", "/api/v1/search?q=" + urllib.parse.quote(rng.choice(SEARCH_TERMS)), None, True
        if kind == "api groups":
            return "GET", "/api/v1/groups", None, True
        if kind == "api notifications":
            return "GET", "/api/v1/notifications", None, True
        if kind == "write reply":
            return "POST", f"/api/v1/topics/{self.topic(rng)}/replies", {
                "body": f"Soak reply {rng.getrandbits(48):012x}: wij hebben de zonnepanelen vorige week laten plaatsen."}, True
        if kind == "write reaction":
            return "POST", f"/api/v1/posts/{self.post(rng)}/reactions", {"kind": rng.choice(REACTIONS)}, True
        if kind == "write topic":
            body: dict = {"title": f"Soak-onderwerp {rng.getrandbits(32):08x}", "tags": ["soak", rng.choice(["energie", "buurt"])],
                          "body": "Hoe zit het met de salderingsregeling na 2027? Wie weet er meer van?"}
            if self.posting_groups and rng.random() < 0.5:
                body["group"] = rng.choice(self.posting_groups)
            return "POST", "/api/v1/topics", body, True
        raise ValueError(kind)

    def learn(self, kind: str, answer: bytes) -> None:
        """New topics and replies become targets too (bounded, so the lists stay small)."""
        try:
            data = json.loads(answer)
        except ValueError:
            return
        with self.lock:
            if kind == "write topic":
                self.topics.append(data["id"])
                self.posts.append(data["posts"][0]["id"])
            elif kind == "write reply" and len(self.posts) < 5000:
                self.posts.append(data["id"])


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = collections.defaultdict(list)
        self.errors = collections.Counter()
        self.examples: list[str] = []
        self.requests = 0

    def record(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.requests += 1
            self.latencies[kind].append(seconds)
            if error:
                self.errors[f"{kind}: {error.split(':')[0]}"] += 1
                if len(self.examples) < 10:
                    self.examples.append(f"{kind}: {error}")

    def all_latencies(self) -> list[float]:
        return [v for values in self.latencies.values() for v in values]


class Worker(threading.Thread):
    """Sends requests from the mix; paced by `slots` (None: as fast as the server answers)."""

    def __init__(self, community: Community, stats: Stats, stop: threading.Event, slots=None):
        super().__init__(daemon=True)
        self.community, self.stats, self.stop, self.slots = community, stats, stop, slots
        self.rng = random.Random()
        self.conn: http.client.HTTPConnection | None = None
        self.kinds = list(MIX)
        self.weights = [MIX[k] for k in self.kinds]

    def run(self) -> None:
        while not self.stop.is_set():
            if self.slots is not None:
                at = self.slots()
                delay = at - time.monotonic()
                if delay > 0 and self.stop.wait(delay):
                    break
            kind = self.rng.choices(self.kinds, self.weights)[0]
            self.one(kind)
        if self.conn:
            self.conn.close()

    def one(self, kind: str) -> None:
        method, path, body, is_api = self.community.request_for(kind, self.rng)
        headers = {"Accept": "application/json" if is_api else "text/html"}
        if is_api:
            headers["Authorization"] = "Bearer " + self.community.token
        else:
            headers["Cookie"] = self.community.cookie
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        error = None
        started = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.community.host, timeout=60)
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            answer = response.read()
            if not 200 <= response.status < 400:
                error = f"{response.status}: {method} {path} {answer[:200]!r}"
            elif kind in ("write topic", "write reply"):
                self.community.learn(kind, answer)
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
        except (OSError, http.client.HTTPException) as e:
            error = f"{type(e).__name__}: {method} {path} {e}"
            if self.conn:
                self.conn.close()
            self.conn = None
        self.stats.record(kind, time.perf_counter() - started, error)


def run_load(community: Community, threads: int, seconds: float, rate: float | None, stats: Stats,
             on_tick=None, tick: float = 5.0) -> float:
    """Runs the mix for `seconds`; returns the elapsed time."""
    stop = threading.Event()
    slots = None
    if rate:
        lock = threading.Lock()
        start = time.monotonic()
        counter = [0]

        def slots():
            with lock:
                n = counter[0]
                counter[0] += 1
            return start + n / rate
    workers = [Worker(community, stats, stop, slots) for _ in range(threads)]
    began = time.monotonic()
    for worker in workers:
        worker.start()
    end = began + seconds
    while True:
        now = time.monotonic()
        if now >= end:
            break
        time.sleep(min(tick, end - now))
        if on_tick:
            on_tick(time.monotonic() - began)
    stop.set()
    for worker in workers:
        worker.join(timeout=120)
    return time.monotonic() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=None, help="default .build/release/kring, else .build/debug/kring")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--fraction", type=float, default=0.8, help="share of the measured capacity to soak at")
    parser.add_argument("--capacity-seconds", type=float, default=20)
    parser.add_argument("--sample-seconds", type=float, default=5)
    parser.add_argument("--flat", type=float, default=1.0, help="MiB per minute below which memory counts as flat")
    parser.add_argument("--members", type=int, default=300, help="members in the demo community")
    parser.add_argument("--keep-data", action="store_true")
    args = parser.parse_args()

    binary = args.binary
    if binary is None:
        release, debug = ROOT / ".build/release/kring", ROOT / ".build/debug/kring"
        binary = str(release if release.exists() else debug)
    binary = str(pathlib.Path(binary).resolve())
    if not os.access(binary, os.X_OK):
        raise SystemExit(f"no Kring binary at {binary}")
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="kring-soak-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, KRING_DATA_DIR=str(workdir / "data"), KRING_PORT=str(port), KRING_BASE_URL=base,
               KRING_MAIL_INTERVAL="5", KRING_LOG_LEVEL="warning")
    log = open(workdir / "server.log", "ab")
    print(f"binary {binary}; data {workdir}")
    started = time.monotonic()
    subprocess.run([binary, "demo", "--members", str(args.members)], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                   check=True)
    print(f"demo community filled in {time.monotonic() - started:.0f} s")
    server = subprocess.Popen([binary, "serve"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/readyz", timeout=1)
                break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit(f"kring serve exited with {server.returncode}; see {workdir / 'server.log'}")
                time.sleep(0.1)
        community = Community(base)
        print(f"community: {len(community.topics)} topics, {len(community.groups)} groups; signed in as {LOGIN}")

        capacity_stats = Stats()
        elapsed = run_load(community, args.threads, args.capacity_seconds, None, capacity_stats)
        capacity = capacity_stats.requests / elapsed
        lat = capacity_stats.all_latencies()
        print(f"capacity: {capacity:.1f} req/s with {args.threads} threads flat out over {elapsed:.0f} s "
              f"(p50 {percentile(lat, 50) * 1000:.0f} ms, p99 {percentile(lat, 99) * 1000:.0f} ms, "
              f"{sum(capacity_stats.errors.values())} errors)"
              + "".join(f"\n  {n}x {k}" for k, n in capacity_stats.errors.most_common()))

        rate = capacity * args.fraction
        seconds = args.minutes * 60
        sample_every = min(args.sample_seconds, max(1.0, seconds / 30))
        samples: list[tuple[float, float]] = [(0.0, rss_kib(server.pid) / 1024)]
        stats = Stats()
        progress = {"next": 60.0}

        def on_tick(t: float) -> None:
            if server.poll() is not None:
                return
            samples.append((t, rss_kib(server.pid) / 1024))
            if t >= progress["next"]:
                progress["next"] += 60
                with stats.lock:
                    done, errors = stats.requests, sum(stats.errors.values())
                print(f"  {t / 60:4.1f} min: {done} requests ({done / t:.1f}/s), {errors} errors, RSS {samples[-1][1]:.1f} MiB",
                      flush=True)

        print(f"soak: {rate:.1f} req/s ({args.fraction:.0%} of capacity) for {args.minutes:g} min, {args.threads} threads, "
              f"RSS every {sample_every:g} s", flush=True)
        elapsed = run_load(community, args.threads, seconds, rate, stats, on_tick=on_tick, tick=sample_every)
        alive = server.poll() is None
        if alive:
            samples.append((elapsed, rss_kib(server.pid) / 1024))

        lat = stats.all_latencies()
        errors = sum(stats.errors.values())
        second_half = [(t / 60, mib) for t, mib in samples if t >= elapsed / 2]
        growth = slope(second_half)
        flat = growth < args.flat
        print(f"\nrequests: {stats.requests} in {elapsed:.0f} s ({stats.requests / elapsed:.1f}/s; target {rate:.1f}/s)")
        print(f"errors: {errors}" + (" — " + ", ".join(f"{n}x {k}" for k, n in stats.errors.most_common()) if errors else ""))
        for example in stats.examples:
            print(f"  {example}")
        print(f"latency: p50 {percentile(lat, 50) * 1000:.1f} ms, p99 {percentile(lat, 99) * 1000:.1f} ms, "
              f"max {max(lat) * 1000:.0f} ms")
        print(f"\n{'kind':20} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8}")
        for kind in MIX:
            values = stats.latencies.get(kind, [])
            print(f"{kind:20} {len(values):9} {percentile(values, 50) * 1000:8.1f} {percentile(values, 99) * 1000:8.1f}")
        print(f"\nRSS: {samples[0][1]:.1f} MiB at the start, {samples[-1][1]:.1f} MiB at the end, "
              f"peak {max(m for _, m in samples):.1f} MiB ({len(samples)} samples)")
        print(f"RSS slope over the second half ({len(second_half)} samples): {growth:+.2f} MiB/min — "
              f"{'flat' if flat else 'GROWING'} (threshold {args.flat:g} MiB/min)")
        if not alive:
            print(f"the server died during the soak (exit {server.returncode}); see {workdir / 'server.log'}")
        verdict = alive and errors == 0 and flat
        print(f"\nverdict: {'PASS' if verdict else 'FAIL'} — {errors} errors, memory {'flat' if flat else 'growing'}")
        if not verdict:
            log.flush()
            lines = (workdir / "server.log").read_text(errors="replace").splitlines()
            print("\n--- last lines of the server log ---\n" + "\n".join(lines[-30:]))
        return 0 if verdict else 1
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        if args.keep_data:
            print(f"data kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

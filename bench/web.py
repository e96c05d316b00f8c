#!/usr/bin/env python3
"""Benchmark: Kring's pages under load with wrk, against Vapor's own ceiling and the Python forum Spirit.

    bench/web.py [--binary .build/release/kring] [--connections 32] [--duration 10] [--no-spirit]
                 [--database-url postgres://…] [--community small|large]

Fills a community of the comparison's shape once (`kring demo --members 200`, then 1,000 topics and one
topic with 101 posts through the API) into bench/results/web-small/ (SQLite) or the given PostgreSQL
database, starts Kring on loopback and loads each page with `wrk -t2 -cN -dS --latency`: the topic list,
the 101-post topic on one page, search, the cockpit dashboard, GET /api/v1/metrics and posting a reply;
then a fixed response of the 101-post page's size (Vapor's ceiling, `KRING_BENCH=1`). With
bench/spirit/ set up (bench/spirit/setup.sh), Spirit (Django, gunicorn with 2 workers, SQLite, the same
shape) is measured on the same two pages, alternating with Kring, and the ratios printed. Memory: the
server's VmHWM and its peak RssAnon (without the database pages SQLite maps in). Latency percentiles (p50, p95, p99) come from wrk's own histogram.

`--community large` runs the same pages on the community that bench/cockpit.py generates (100,000
members, 1,000,000 posts; `kring reindex` fills its search index first) with a 101-post topic added,
and times generating a monthly report. With `--database-url` too, the large community is the one
generated into that PostgreSQL database (`KRING_DATABASE_URL=… kring generate`, then `kring reindex`). A benchmark, not a test: it prints figures; record them in
bench/README.md.
"""
import argparse
import http.cookiejar
import json
import os
import pathlib
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
PASSWORD = "kring-demo-2026"
SPIRIT = ROOT / "bench/spirit"
PSQL = "/usr/lib/postgresql/15/bin/psql"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(url, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer")


def api(base, method, path, token=None, body=None):
    request = urllib.request.Request(base + "/api/v1" + path, method=method, data=json.dumps(body).encode() if body else None,
                                     headers={"Content-Type": "application/json"})
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=60) as answer:
        text = answer.read()
        return json.loads(text) if text else None


PERCENTILES = """
done = function(summary, latency, requests)
  io.write(string.format("PERCENTILES %d %d %d\\n", latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def wrk(url, connections, duration, headers=(), script=None):
    """(requests per second, p50 ms, p95 ms, p99 ms, errors: non-2xx/3xx answers and socket errors) from wrk."""
    # A slow peer must show its real tail, not wrk's default 2-second cut-off.
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s"]
    for header in headers:
        command += ["-H", header]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write((pathlib.Path(script).read_text() if script else "") + PERCENTILES)
    command += ["-s", lua.name]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    os.unlink(lua.name)
    p50, p95, p99 = (int(n) / 1000 for n in re.search(r"PERCENTILES (\d+) (\d+) (\d+)", out).groups())
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(bad.group(1)) if bad else 0) + (sum(int(n) for n in sockets.groups()) if sockets else 0)
    return rps, p50, p95, p99, errors


class MemoryWatch(threading.Thread):
    """Peaks of the server's memory, sampled five times a second: all resident pages (VmHWM, which
    counts the pages of the database file SQLite maps into memory, the kernel's page cache) and the
    process's own (RssAnon: heap and stacks)."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.anonymous, self.stopped = pid, 0, threading.Event()
        self.start()

    def status(self):
        lines = pathlib.Path(f"/proc/{self.pid}/status").read_text().splitlines()
        return {line.split(":")[0]: int(line.split()[1]) / 1024 for line in lines if line.endswith(" kB")}

    def run(self):
        while not self.stopped.wait(0.2):
            try:
                self.anonymous = max(self.anonymous, self.status()["RssAnon"])
            except (OSError, KeyError):
                return

    def report(self):
        return f"peak resident (VmHWM) {self.status()['VmHWM']:.0f} MiB, of which its own (RssAnon) at most {self.anonymous:.0f} MiB"


def fill(base, data, sqlite_file, login, password, topics=1000, database_url=None):
    """The comparison's shape: `topics` topics and one topic of 101 posts, written through the API."""
    token = api(base, "POST", "/auth/token", body={"login": login, "password": password, "name": "bench"})["token"]
    # Posting limits are for people; the benchmark posts as fast as it can.
    unlimited = "UPDATE community SET posts_per_minute = 1000000, posts_per_hour = 100000000"
    if sqlite_file:
        with sqlite3.connect(sqlite_file) as db:
            db.execute(unlimited)
    else:
        subprocess.run([PSQL, database_url, "-qc", unlimited], check=True)
    marker = data / "filled.json"
    if marker.exists():
        return token, json.loads(marker.read_text())
    print(f"filling: {topics:,} topics and one of 101 posts …", flush=True)
    for index in range(topics):
        api(base, "POST", "/topics", token, {"title": f"Onderwerp nummer {index} over energie", "body": f"Tekst van onderwerp {index}."})
    long = api(base, "POST", "/topics", token, {"title": "Honderd reacties", "body": "Het begin van een lang gesprek."})
    for index in range(100):
        api(base, "POST", f"/topics/{long['id']}/replies", token, {"body": f"Reactie {index + 1}: zo doen wij het thuis."})
    replies = api(base, "POST", "/topics", token, {"title": "Hier komen de benchmarkreacties", "body": "Begin."})
    ids = {"long": long["id"], "replies": replies["id"]}
    marker.write_text(json.dumps(ids))
    return token, ids


def time_monthly_report(browser, base, repeat=3):
    """Seconds to generate last month's report through the cockpit's form, `repeat` times."""
    today = time.gmtime()
    year, month = (today.tm_year, today.tm_mon - 1) if today.tm_mon > 1 else (today.tm_year - 1, 12)
    timings = []
    for _ in range(repeat):
        page = browser.open(base + "/reports").read().decode()
        csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
        started = time.monotonic()
        browser.open(base + "/reports/generate",
                     data=urllib.parse.urlencode({"_csrf": csrf, "kind": "monthly", "date": f"{year:04d}-{month:02d}-01"}).encode()).read()
        timings.append(time.monotonic() - started)
    return timings


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=str(ROOT / ".build/release/kring"))
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--no-spirit", action="store_true")
    parser.add_argument("--community", choices=["small", "large"], default="small")
    args = parser.parse_args()

    large = args.community == "large"
    if large:
        # On PostgreSQL the data directory only holds uploads: generate into the database first
        # (KRING_DATABASE_URL=… kring generate, then kring reindex).
        data = ROOT / "bench/results" / ("community-large-postgres" if args.database_url else "community-100000-1000000-5000000")
        if not args.database_url and not (data / "kring.sqlite").exists():
            raise SystemExit(f"{data} holds no community: run bench/cockpit.py (kring generate) and kring reindex first")
        login, password, search = "gen-manager", "kring-bench-2026", "/search?q=warmtepomp"
    else:
        data = ROOT / "bench/results" / ("web-postgres" if args.database_url else "web-small")
        login, password, search = "sanne", PASSWORD, "/search?q=energie"
    data.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = dict(os.environ, KRING_DATA_DIR=str(data), KRING_PORT=str(port), KRING_MAIL_INTERVAL="0", KRING_LOG_LEVEL="error",
               KRING_BENCH="1")
    if args.database_url:
        env["KRING_DATABASE_URL"] = args.database_url
    sqlite_file = None if args.database_url else data / "kring.sqlite"
    if not large and not (data / "filled.json").exists():
        subprocess.run([args.binary, "demo", "--members", "200"], env=env, check=True, stdout=subprocess.DEVNULL)
    server = subprocess.Popen([args.binary, "serve"], env=env)
    memory = MemoryWatch(server.pid)
    base = f"http://127.0.0.1:{port}"
    spirit = None
    try:
        wait(base + "/readyz")
        token, ids = fill(base, data, sqlite_file, login, password, topics=0 if large else 1000, database_url=args.database_url)
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        form = browser.open(base + "/login").read().decode()
        csrf = re.search(r'name="_csrf" value="([^"]+)"', form).group(1)
        browser.open(base + "/login", data=urllib.parse.urlencode({"_csrf": csrf, "login": login, "password": password}).encode())
        cookie = "Cookie: " + "; ".join(f"{c.name}={c.value}" for c in jar)
        topic_page = browser.open(base + f"/t/{ids['long']}").read()
        assert topic_page.count(b'id="post-') >= 101, "the 101-post topic on one page"
        with urllib.request.urlopen(base + f"/t/{ids['long']}") as answer:
            anonymous_page = answer.read()
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write(f"""
counter = 0
request = function()
  counter = counter + 1
  local body = '{{"body":"Benchmarkreactie ' .. counter .. ' uit thread ' .. tostring(math.random(1, 1000000)) .. '"}}'
  return wrk.format("POST", "/api/v1/topics/{ids['replies']}/replies",
    {{["Content-Type"] = "application/json", ["Authorization"] = "Bearer {token}"}}, body)
end
""")
        pages = [
            ("topic list, signed out", "/topics", [], None),
            ("101-post topic, signed out", f"/t/{ids['long']}", [], None),
            ("topic list, signed in", "/topics", [cookie], None),
            ("101-post topic, signed in", f"/t/{ids['long']}", [cookie], None),
            ("search, signed in", search, [cookie], None),
            ("search, signed in, one at a time", search, [cookie], None),
            ("cockpit dashboard", "/cockpit", [cookie], None),
            ("GET /api/v1/metrics", "/api/v1/metrics", [f"Authorization: Bearer {token}"], None),
            ("post a reply (API)", "/", [], lua.name),
            (f"ceiling: fixed {len(anonymous_page) // 1000} kB (signed-out topic)", f"/bench/static?bytes={len(anonymous_page)}", [], None),
            (f"ceiling: fixed {len(topic_page) // 1000} kB (signed-in topic)", f"/bench/static?bytes={len(topic_page)}", [], None),
        ]
        results = {}
        print(f"\nKring ({'PostgreSQL' if args.database_url else 'SQLite'}, {args.community} community), "
              f"wrk -t2 -c{args.connections} -d{args.duration}s")
        print(f"{'page':44} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
        for name, path, headers, script in pages:
            time.sleep(2)  # the previous row's last requests finish first
            results[name] = wrk(base + path, 1 if name.endswith("one at a time") else args.connections, args.duration, headers, script)
            rps, p50, p95, p99, bad = results[name]
            print(f"{name:44} {rps:9.0f} {p50:8.1f} {p95:8.1f} {p99:8.1f} {bad:7}", flush=True)
        print(f"\nKring memory: {memory.report()}")
        ceilings = [name for name in results if name.startswith("ceiling")]
        for page, ceiling in zip(["101-post topic, signed out", "101-post topic, signed in"], ceilings):
            print(f"{page} at {results[page][0] / results[ceiling][0]:.0%} of Vapor's ceiling for its size")
        if large or args.database_url is None:
            timings = time_monthly_report(browser, base)
            print("monthly report generated in " + ", ".join(f"{t:.2f} s" for t in timings))

        if not args.no_spirit and not large and (SPIRIT / ".venv").exists():
            spirit_port = free_port()
            spirit = subprocess.Popen([str(SPIRIT / "serve.sh"), str(spirit_port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            spirit_base = f"http://127.0.0.1:{spirit_port}"
            wait(spirit_base + "/")
            urls = json.loads((SPIRIT / "site" / "bench-urls.json").read_text())
            print(f"\nKring against Spirit (gunicorn, 2 workers, SQLite), alternating, wrk -t2 -c{args.connections} -d{args.duration}s")
            print(f"{'page':26} {'Kring req/s':>12} {'Spirit req/s':>13} {'ratio':>7} {'Kring p99':>10} {'Spirit p99':>11}")
            for name, kring_path, spirit_path in [("topic list", "/topics", urls["topic_list"]),
                                                  ("101-post topic", f"/t/{ids['long']}", urls["long_topic"])]:
                # Both anonymous, as a visitor reads them.
                kring = wrk(base + kring_path, args.connections, args.duration)
                peer = wrk(spirit_base + spirit_path, args.connections, args.duration)
                print(f"{name:26} {kring[0]:12.0f} {peer[0]:13.1f} {kring[0] / max(peer[0], 0.001):6.0f}x {kring[3]:9.1f}ms {peer[3]:10.1f}ms",
                      flush=True)
    finally:
        if spirit:
            spirit.terminate()
            spirit.wait(timeout=30)
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())

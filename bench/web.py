#!/usr/bin/env python3
"""Benchmark: Kring's pages under load with wrk, against Vapor's own ceiling and the Python forum Spirit.

    bench/web.py [--binary .build/release/kring] [--connections 32] [--duration 10] [--no-spirit]
                 [--database-url postgres://…]

Fills a community of the comparison's shape once (`kring demo --members 200`, then 1,000 topics and one
topic with 101 posts through the API) into bench/results/web-small/ (SQLite) or the given PostgreSQL
database, starts Kring on loopback and loads each page with `wrk -t2 -cN -dS --latency`: the topic list,
the 101-post topic on one page, search, the cockpit dashboard, GET /api/v1/metrics and posting a reply;
then a fixed response of the 101-post page's size (Vapor's ceiling, `KRING_BENCH=1`). With
bench/spirit/ set up (bench/spirit/setup.sh), Spirit (Django, gunicorn with 2 workers, SQLite, the same
shape) is measured on the same two pages, alternating with Kring, and the ratios printed. Peak memory
is the server's VmHWM. A benchmark, not a test: it prints figures; record them in bench/README.md.
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
import time
import urllib.parse
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
PASSWORD = "kring-demo-2026"
SPIRIT = ROOT / "bench/spirit"


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


def wrk(url, connections, duration, headers=(), script=None):
    """(requests per second, p50 ms, p99 ms, errors: non-2xx/3xx answers and socket errors) from wrk --latency."""
    # A slow peer must show its real tail, not wrk's default 2-second cut-off.
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", script]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout

    def ms(label):
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not match:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(bad.group(1)) if bad else 0) + (sum(int(n) for n in sockets.groups()) if sockets else 0)
    return rps, ms("50"), ms("99"), errors


def peak_memory(pid):
    status = pathlib.Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))) / 1024


def fill(base, data, sqlite_file):
    """The comparison's shape: 1,000 topics and one topic of 101 posts, written through the API."""
    token = api(base, "POST", "/auth/token", body={"login": "sanne", "password": PASSWORD, "name": "bench"})["token"]
    if sqlite_file:
        # Posting limits are for people; the benchmark posts as fast as it can.
        with sqlite3.connect(sqlite_file) as db:
            db.execute("UPDATE community SET posts_per_minute = 1000000, posts_per_hour = 100000000")
    marker = data / "filled.json"
    if marker.exists():
        return token, json.loads(marker.read_text())
    print("filling: 1,000 topics and one of 101 posts …", flush=True)
    for index in range(1000):
        api(base, "POST", "/topics", token, {"title": f"Onderwerp nummer {index} over energie", "body": f"Tekst van onderwerp {index}."})
    long = api(base, "POST", "/topics", token, {"title": "Honderd reacties", "body": "Het begin van een lang gesprek."})
    for index in range(100):
        api(base, "POST", f"/topics/{long['id']}/replies", token, {"body": f"Reactie {index + 1}: zo doen wij het thuis."})
    replies = api(base, "POST", "/topics", token, {"title": "Hier komen de benchmarkreacties", "body": "Begin."})
    ids = {"long": long["id"], "replies": replies["id"]}
    marker.write_text(json.dumps(ids))
    return token, ids


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=str(ROOT / ".build/release/kring"))
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--no-spirit", action="store_true")
    args = parser.parse_args()

    data = ROOT / "bench/results" / ("web-postgres" if args.database_url else "web-small")
    data.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = dict(os.environ, KRING_DATA_DIR=str(data), KRING_PORT=str(port), KRING_MAIL_INTERVAL="0", KRING_LOG_LEVEL="error",
               KRING_BENCH="1")
    if args.database_url:
        env["KRING_DATABASE_URL"] = args.database_url
    sqlite_file = None if args.database_url else data / "kring.sqlite"
    if not (data / "filled.json").exists():
        subprocess.run([args.binary, "demo", "--members", "200"], env=env, check=True, stdout=subprocess.DEVNULL)
    server = subprocess.Popen([args.binary, "serve"], env=env)
    base = f"http://127.0.0.1:{port}"
    spirit = None
    try:
        wait(base + "/readyz")
        token, ids = fill(base, data, sqlite_file)
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        form = browser.open(base + "/login").read().decode()
        csrf = re.search(r'name="_csrf" value="([^"]+)"', form).group(1)
        browser.open(base + "/login", data=urllib.parse.urlencode({"_csrf": csrf, "login": "sanne", "password": PASSWORD}).encode())
        cookie = "Cookie: " + "; ".join(f"{c.name}={c.value}" for c in jar)
        topic_page = browser.open(base + f"/t/{ids['long']}").read()
        assert topic_page.count(b'id="post-') >= 101, "the 101-post topic on one page"
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
            ("topic list", "/topics", [cookie], None),
            ("101-post topic, one page", f"/t/{ids['long']}", [cookie], None),
            ("search", "/search?q=energie", [cookie], None),
            ("cockpit dashboard", "/cockpit", [cookie], None),
            ("GET /api/v1/metrics", "/api/v1/metrics", [f"Authorization: Bearer {token}"], None),
            ("post a reply (API)", "/", [], lua.name),
            ("Vapor ceiling: fixed response, same size", f"/bench/static?bytes={len(topic_page)}", [], None),
        ]
        results = {}
        print(f"\nKring ({'PostgreSQL' if args.database_url else 'SQLite'}), wrk -t2 -c{args.connections} -d{args.duration}s")
        print(f"{'page':44} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
        for name, path, headers, script in pages:
            results[name] = wrk(base + path, args.connections, args.duration, headers, script)
            rps, p50, p99, bad = results[name]
            print(f"{name:44} {rps:9.0f} {p50:8.1f} {p99:8.1f} {bad:7}", flush=True)
        print(f"\nKring peak memory (VmHWM): {peak_memory(server.pid):.0f} MiB")
        ceiling = results["Vapor ceiling: fixed response, same size"][0]
        print(f"101-post topic at {results['101-post topic, one page'][0] / ceiling:.0%} of Vapor's ceiling")

        if not args.no_spirit and (SPIRIT / ".venv").exists():
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
                print(f"{name:26} {kring[0]:12.0f} {peer[0]:13.1f} {kring[0] / max(peer[0], 0.001):6.0f}x {kring[2]:9.1f}ms {peer[2]:10.1f}ms",
                      flush=True)
    finally:
        if spirit:
            spirit.terminate()
            spirit.wait(timeout=30)
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())

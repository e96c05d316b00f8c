"""Fixtures for Kring's browser tests (pytest + Selenium + headless Chromium).

Environment:
  KRING_BIN                 server binary (default .build/debug/kring, relative
                            to the repository root)
  KRING_E2E_STARTUP_TIMEOUT seconds to wait for GET /healthz (default 60)
  KRING_E2E_KEEP_DATA       set to 1 to keep the server's data dir afterwards
  KRING_CHROMIUM / KRING_CHROMEDRIVER   override /usr/bin/chromium, /usr/bin/chromedriver

The server gets KRING_DATA_DIR (a fresh temp dir), KRING_PORT (a free port) and
KRING_BASE_URL, and runs with the repository root as its working directory.
Its log goes to a temp file, moved to e2e/artifacts/server.log at the end; its
tail is printed in the summary when anything failed.

Screenshots of every step land in e2e/artifacts/<test name>/NN-<step>.png, and a
failing test also leaves failure.png and failure.html there.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
ARTIFACTS = os.path.join(HERE, "artifacts")

sys.path.insert(0, HERE)

from browser import make_driver  # noqa: E402

LOG_TAIL_LINES = 80


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path: str, lines: int = LOG_TAIL_LINES) -> str:
    try:
        with open(path, "r", encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError as e:
        return f"(could not read {path}: {e})"


@dataclass
class KringServer:
    base_url: str
    port: int
    data_dir: str
    log_path: str
    process: subprocess.Popen
    extra: dict = field(default_factory=dict)

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        return tail(self.log_path, lines)


_server_log_path: str | None = None


def _wait_healthy(proc: subprocess.Popen, url: str, timeout: float, log_path: str) -> None:
    deadline = time.monotonic() + timeout
    last_error = "no attempt"
    while time.monotonic() < deadline:
        code = proc.poll()
        if code is not None:
            raise RuntimeError(
                f"kring exited with status {code} before becoming healthy.\n"
                f"--- last lines of {log_path} ---\n{tail(log_path)}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
                last_error = f"status {resp.status}"
        except urllib.error.HTTPError as e:
            last_error = f"status {e.code}"
        except (urllib.error.URLError, OSError) as e:
            last_error = str(e)
        # Poll interval of the readiness probe (not a test sleep).
        time.sleep(0.2)
    raise RuntimeError(
        f"kring did not answer 200 on {url} within {timeout:.0f}s (last: {last_error}).\n"
        f"--- last lines of {log_path} ---\n{tail(log_path)}"
    )


@pytest.fixture(scope="session")
def kring() -> KringServer:
    """Starts `$KRING_BIN serve` on a fresh data dir and a free port."""
    global _server_log_path
    binary = os.environ.get("KRING_BIN", ".build/debug/kring")
    if not os.path.isabs(binary):
        binary = os.path.join(REPO, binary)
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        pytest.fail(f"Kring server binary not found or not executable: {binary} "
                    f"(build it with `swift build` or set KRING_BIN)", pytrace=False)

    data_dir = tempfile.mkdtemp(prefix="kring-e2e-data-")
    log_fd, log_path = tempfile.mkstemp(prefix="kring-e2e-server-", suffix=".log")
    _server_log_path = log_path
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    env.update({
        "KRING_DATA_DIR": data_dir,
        "KRING_PORT": str(port),
        "KRING_BASE_URL": base_url,
    })
    proc = subprocess.Popen(
        [binary, "serve"],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log_fd,
        stderr=subprocess.STDOUT,
    )
    os.close(log_fd)
    server = KringServer(base_url=base_url, port=port, data_dir=data_dir,
                         log_path=log_path, process=proc)
    try:
        timeout = float(os.environ.get("KRING_E2E_STARTUP_TIMEOUT", "60"))
        try:
            _wait_healthy(proc, server.url("/healthz"), timeout, log_path)
        except RuntimeError as e:
            pytest.fail(str(e), pytrace=False)
        yield server
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        os.makedirs(ARTIFACTS, exist_ok=True)
        kept = os.path.join(ARTIFACTS, "server.log")
        try:
            shutil.copyfile(log_path, kept)
            os.unlink(log_path)
            _server_log_path = kept
        except OSError:
            pass
        if os.environ.get("KRING_E2E_KEEP_DATA") != "1":
            shutil.rmtree(data_dir, ignore_errors=True)


# --- browser ---------------------------------------------------------------

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:120]


class Shots:
    """Numbered screenshots for one test: shot("after-login")."""

    def __init__(self, driver, test_name: str):
        self.driver = driver
        self.dir = os.path.join(ARTIFACTS, _safe_name(test_name))
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir, exist_ok=True)
        self.n = 0

    def __call__(self, step: str) -> str:
        self.n += 1
        path = os.path.join(self.dir, f"{self.n:02d}-{_safe_name(step)}.png")
        try:
            self.driver.save_screenshot(path)
        except Exception as e:  # an open alert, a dead browser: never hide the real failure
            print(f"screenshot {path} failed: {e}", file=sys.stderr)
        return path


@pytest.fixture
def driver(request):
    """A fresh headless Chromium per test (own cookie jar)."""
    drv = make_driver()
    drv.shot = Shots(drv, request.node.name)
    try:
        yield drv
    finally:
        rep = getattr(request.node, "rep_call", None)
        if rep is not None and rep.failed:
            for _ in range(5):  # a test that failed on a dialog may have left more open
                try:
                    drv.switch_to.alert.dismiss()
                except Exception:
                    break
            try:
                drv.save_screenshot(os.path.join(drv.shot.dir, "failure.png"))
                with open(os.path.join(drv.shot.dir, "failure.html"), "w", encoding="utf-8") as f:
                    f.write(f"<!-- {drv.current_url} -->\n{drv.page_source}")
            except Exception as e:
                print(f"could not save failure artifacts: {e}", file=sys.stderr)
        drv.quit()


@pytest.fixture
def shot(driver):
    return driver.shot


# --- reporting -------------------------------------------------------------

def pytest_terminal_summary(terminalreporter, exitstatus, config):
    failed = terminalreporter.stats.get("failed", []) + terminalreporter.stats.get("error", [])
    if not failed or not _server_log_path:
        return
    terminalreporter.section(f"kring server log (last {LOG_TAIL_LINES} lines of {_server_log_path})")
    terminalreporter.write(tail(_server_log_path))
    terminalreporter.write_line("")
    terminalreporter.write_line(f"screenshots: {ARTIFACTS}")


def path_of(url: str) -> str:
    return urlparse(url).path or "/"


def pytest_collection_modifyitems(session, config, items):
    """test_journey needs a fresh server (it runs the setup page): always run it first."""
    items.sort(key=lambda item: 0 if item.name == "test_journey" else 1)

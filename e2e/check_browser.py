"""Quick check that headless Chromium + chromedriver work on this machine.

    .venv/bin/python e2e/check_browser.py

Loads a data: URL and prints the title, the versions and a screenshot path.
Exits non-zero if the browser cannot start.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from browser import make_driver  # noqa: E402

ARTIFACTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "artifacts")


def main() -> int:
    driver = make_driver()
    try:
        driver.get("data:text/html;charset=utf-8,<html lang='en'><title>kring-check</title>"
                   "<h1 id='x'>hallo wereld</h1></html>")
        title = driver.title
        text = driver.find_element("id", "x").text
        caps = driver.capabilities
        os.makedirs(ARTIFACTS, exist_ok=True)
        shot = os.path.join(ARTIFACTS, "check_browser.png")
        driver.save_screenshot(shot)
        print(f"title={title!r} text={text!r}")
        print(f"browser={caps.get('browserName')} {caps.get('browserVersion')}")
        print(f"chromedriver={caps.get('chrome', {}).get('chromedriverVersion', '?').split(' ')[0]}")
        print(f"screenshot={shot}")
        ok = title == "kring-check" and text == "hallo wereld"
    finally:
        driver.quit()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Headless Chromium (Debian's chromium + chromium-driver) for the e2e suite."""
import os

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = os.environ.get("KRING_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("KRING_CHROMEDRIVER", "/usr/bin/chromedriver")


def make_driver() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--disable-gpu",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-sync",
        "--disable-component-update",
        "--lang=en-US",
    ):
        options.add_argument(arg)
    # Keep Accept-Language stable so the server's language negotiation starts in English.
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    # Selenium Manager must never try to download anything: we pass explicit paths.
    service = Service(CHROMEDRIVER)
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(30)
    return driver

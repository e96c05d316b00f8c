"""Events in real Chromium: create an event, fill it, wait on the waitlist, move up when someone
cancels; and the iCalendar feeds, parsed by Python's icalendar package."""
from __future__ import annotations

import urllib.request

import icalendar
from selenium.webdriver.common.by import By

from pages import css, navigation, path, submit, visible
from test_smoke import configured  # noqa: F401  (the shared set-up instance)

HOST = {"handle": "gastvrouw", "display_name": "Greet Gastvrouw", "email": "greet@buurtkring.example",
        "password": "koffie-en-koek-2026"}
GUEST = {"handle": "wachter", "display_name": "Wim Wachter", "email": "wim@buurtkring.example",
         "password": "geduld-is-een-schone-zaak"}


def register(configured, driver, person):
    driver.delete_all_cookies()
    driver.get(configured.url("/register"))
    submit(driver, "form#register-form", "#register-submit", person)
    assert visible(driver, "#current-member").text.strip() == person["display_name"]


def log_in(configured, driver, person):
    driver.delete_all_cookies()
    driver.get(configured.url("/login"))
    submit(driver, "form#login-form", "#login-submit", {"login": person["handle"], "password": person["password"]})


def click(driver, selector):
    with navigation(driver):
        driver.find_element(By.CSS_SELECTOR, selector).click()


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/calendar")
        return response.read()


def test_event_rsvp_full_waitlist_cancel_promotion(configured, driver, shot):
    register(configured, driver, HOST)
    driver.get(configured.url("/events/new"))
    form = css(driver, "form#event-form")
    # datetime-local inputs take typed digits in Chromium; set them directly.
    driver.execute_script("document.getElementById('starts_at').value='2031-03-14T19:30';"
                          "document.getElementById('ends_at').value='2031-03-14T22:00';")
    submit(driver, "form#event-form", "#event-submit", {"title": "Pi-avond in het buurthuis", "description": "Taart; koffie, en π",
                                                        "time_zone": "Europe/Amsterdam", "location": "Buurthuis, Kanaalstraat 1",
                                                        "capacity": "1"})
    event_path = path(driver)
    assert event_path.startswith("/events/")
    click(driver, "#rsvp-going")
    assert "You are going" in visible(driver, "#my-answer").text
    shot("host-going")

    register(configured, driver, GUEST)
    driver.get(configured.url(event_path))
    assert "1 of 1 places taken" in visible(driver, "#event-places").text
    assert "waitlist" in driver.find_element(By.CSS_SELECTOR, "#rsvp-going").text
    click(driver, "#rsvp-going")
    assert "waitlist" in visible(driver, "#my-answer").text
    shot("guest-waitlisted")

    log_in(configured, driver, HOST)
    driver.get(configured.url(event_path))
    click(driver, "#rsvp-not_going")

    log_in(configured, driver, GUEST)
    driver.get(configured.url(event_path))
    assert "You are going" in visible(driver, "#my-answer").text
    driver.get(configured.url("/notifications"))
    assert "A place came free" in visible(driver, "#notification-list").text
    shot("guest-promoted")

    # The event's own feed and the guest's personal feed parse as iCalendar.
    event = icalendar.Calendar.from_ical(fetch(configured.url(event_path + "/calendar.ics")))
    vevents = [c for c in event.walk() if c.name == "VEVENT"]
    assert len(vevents) == 1
    assert str(vevents[0]["SUMMARY"]) == "Pi-avond in het buurthuis"
    assert str(vevents[0]["DESCRIPTION"]) == "Taart; koffie, en π"
    start = vevents[0].decoded("DTSTART")
    assert start.utcoffset().total_seconds() == 0 and (start.hour, start.minute) == (18, 30)
    driver.get(configured.url("/settings/calendar"))
    feed_url = visible(driver, "#calendar-url").text.strip()
    personal = icalendar.Calendar.from_ical(fetch(feed_url))
    assert [str(c["SUMMARY"]) for c in personal.walk() if c.name == "VEVENT"] == ["Pi-avond in het buurthuis"]

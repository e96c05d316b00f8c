"""Task 4, coaching members, in real Chromium: the members page with its levels, funnel and
segments; a custom segment saved from the form and messaged; the champions page."""
from __future__ import annotations

import email
import email.policy
import os
import time

from selenium.webdriver.common.by import By

from pages import css, navigation, submit, visible
from test_moderation import log_in
from test_smoke import ADMIN, configured  # noqa: F401  (the shared set-up instance)


def open_details(driver, selector: str) -> None:
    details = css(driver, selector)
    if details.get_attribute("open") is None:
        details.find_element(By.CSS_SELECTOR, "summary").click()


def mails_with_subject(server, subject: str) -> list[email.message.EmailMessage]:
    folder = os.path.join(server.data_dir, "mail")
    found = []
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if name.endswith(".eml"):
            with open(os.path.join(folder, name), "rb") as f:
                message = email.message_from_bytes(f.read(), policy=email.policy.default)
            if message["Subject"] == subject:
                found.append(message)
    return found


def test_members_segments_and_champions(configured, driver, shot):
    log_in(configured, driver, ADMIN)
    driver.get(configured.url("/cockpit/members"))
    assert visible(driver, "#level-champion .stat-number").text.strip().isdigit()
    chart = visible(driver, "#chart-funnel svg")
    assert chart.get_attribute("role") == "img"
    assert len(driver.find_elements(By.CSS_SELECTOR, "#chart-funnel polyline")) == 4, "one line per level"
    for segment in ["newcomer", "champion", "regular", "at_risk", "lurker"]:
        assert visible(driver, f"#segment-{segment}")
    shot("members")

    # The administrator is staff: never in the member figures. Save a segment of everyone who
    # joined since 2000 and look at it.
    open_details(driver, "#new-segment")
    submit(driver, "form#segment-form", "#segment-submit", {"name": "", "joined_from": ""}, server_validation=True)
    assert "Choose at least one filter." in visible(driver, "#form-error").text
    open_details(driver, "#new-segment")
    driver.execute_script("arguments[0].value = '2000-01-01'", css(driver, "#joined_from"))
    submit(driver, "form#segment-form", "#segment-submit", {"name": "Sinds de eeuwwisseling"})
    assert "saved" in visible(driver, ".flash").text.lower()
    assert css(driver, ".saved-segment[aria-current='page']").text == "Sinds de eeuwwisseling"
    assert "joined on or after" in visible(driver, "#segment-definition").text
    rows = driver.find_elements(By.CSS_SELECTOR, "#members-table tbody tr")
    assert rows, "the members who joined since 2000"
    assert all(ADMIN["handle"] not in row.text for row in rows)
    shot("segment")

    # Message the segment: every member in it gets the mail, through the outbox.
    subject = f"Welkom terug {int(time.time())}"
    open_details(driver, "#action-message")
    submit(driver, "form#message-form", "#message-submit", {"subject": subject, "message": "Fijn dat je er bent.\n\nTot snel!"})
    flash = visible(driver, ".flash").text
    assert "on its way to" in flash
    count = int("".join(ch for ch in flash.split("to", 1)[1] if ch.isdigit()))
    assert count >= len(rows), "the whole list, not just the first page"
    deadline = time.monotonic() + 30
    while len(mails_with_subject(configured, subject)) < count and time.monotonic() < deadline:
        time.sleep(0.5)
    mails = mails_with_subject(configured, subject)
    assert len(mails) == count
    assert "Fijn dat je er bent." in mails[0].get_body(preferencelist=("plain",)).get_content()
    assert mails[0]["List-Unsubscribe"], "members can turn this kind of mail off"

    # The champions page answers with its sections, each with its explanation.
    with navigation(driver):
        driver.find_element(By.CSS_SELECTOR, "#tab-cockpit-champions").click()
    for section in ["helpers", "influencers", "bridges", "rising", "expertise"]:
        assert visible(driver, f"#section-{section} h2").text
    assert visible(driver, "#champions-how summary")
    shot("champions")

    # And the saved segment can go again.
    driver.get(configured.url("/cockpit/members"))
    with navigation(driver):
        css(driver, ".saved-segment").click()
    with navigation(driver):
        css(driver, "#segment-delete").click()
    assert "deleted" in visible(driver, ".flash").text.lower()
    assert driver.find_elements(By.CSS_SELECTOR, ".saved-segment") == []

"""The manager's tools for members, in real Chromium: the content calendar (plan a post on a day,
publish it now), an insight marked under a post and put on the calendar, a watched term that the
listening job finds in a new post, and the member update with its one-click unsubscribe link."""
from __future__ import annotations

import datetime
import email
import email.policy
import os
import re
import time
import uuid

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from api import Visitor
from browser import make_driver
from conftest import Shots
from pages import css, navigation, path, submit, visible, wait_text
from test_moderation import log_in
from test_smoke import ADMIN, configured  # noqa: F401  (the shared set-up instance)

RUN = uuid.uuid4().hex[:6]
MANAGER = {"handle": f"planner{RUN}", "display_name": "Paula Planner", "email": f"paula-{RUN}@buurtkring.example",
           "password": "agenda-vol-ideeen-8"}
NEIGHBOUR = {"handle": f"buurvrouw{RUN}", "display_name": "Betty Buurvrouw", "email": f"betty-{RUN}@buurtkring.example",
             "password": "stoepkrijt-en-thee-4"}
LISTEN_WAIT = 15  # seconds: the listening job hears new posts every few seconds


@pytest.fixture(scope="module")
def people(configured):  # noqa: F811
    """A community manager (the role, not an administrator) and a member with an API token."""
    admin = Visitor(configured)
    admin.log_in(ADMIN["handle"], ADMIN["password"])
    for person in (MANAGER, NEIGHBOUR):
        Visitor(configured).register(person["handle"], person["display_name"], person["email"], person["password"])
    admin.post_form(f"/admin/members/{MANAGER['handle']}", {"role": "manager"})
    neighbour = Visitor(configured)
    neighbour.log_in(NEIGHBOUR["handle"], NEIGHBOUR["password"])
    neighbour.make_token("member-tools")
    return {"neighbour": neighbour}


def page_shot(driver, shot, step: str) -> str:
    """A screenshot of the whole page, not just the window: the window grows to the page's height for it."""
    width, height = driver.get_window_size()["width"], driver.get_window_size()["height"]
    full = driver.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
    driver.set_window_size(width, min(max(height, full + 120), 6000))
    try:
        return shot(step)
    finally:
        driver.set_window_size(width, height)


def click(driver, selector: str) -> None:
    with navigation(driver):
        css(driver, selector).click()


def open_details(driver, summary_selector: str) -> None:
    summary = css(driver, summary_selector)
    details = summary.find_element(By.XPATH, "..")
    if details.get_attribute("open") is None:
        summary.click()


def set_value(driver, selector: str, value: str) -> None:
    """datetime-local inputs take typed digits in the browser's locale; set the value as a script would."""
    driver.execute_script("arguments[0].value = arguments[1]", css(driver, selector), value)


def flash(driver) -> str:
    return visible(driver, ".flash").text


def mails_to(server, address: str) -> list[email.message.EmailMessage]:
    folder = os.path.join(server.data_dir, "mail")
    found = []
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if name.endswith(".eml"):
            with open(os.path.join(folder, name), "rb") as f:
                message = email.message_from_bytes(f.read(), policy=email.policy.default)
            if address.lower() in str(message["To"]).lower():
                found.append(message)
    return found


# --- (a) the content calendar ------------------------------------------------------------------

def test_plan_a_post_on_the_calendar_and_publish_it(configured, people, driver, shot):
    log_in(configured, driver, MANAGER)
    day = datetime.date.today() + datetime.timedelta(days=3)
    year, week, _ = day.isocalendar()
    driver.get(configured.url(f"/cockpit/calendar?month={day:%Y-%m}"))
    assert visible(driver, "#content-calendar")
    assert css(driver, f"#day-{day.isoformat()}")

    # The day's "+" opens the form with that day at ten.
    click(driver, f"#day-{day.isoformat()} a.calendar-add")
    assert path(driver) == "/cockpit/calendar/new"
    assert css(driver, "#scheduled_at").get_attribute("value") == f"{day.isoformat()}T10:00"
    assert css(driver, "#owner").get_attribute("value") == MANAGER["handle"]
    title = f"Fietsenreparatie op het plein {RUN}"
    set_value(driver, "#scheduled_at", f"{day.isoformat()}T09:30")
    submit(driver, "form#calendar-form", "#calendar-submit",
           {"title": title, "kind": "post", "status": "scheduled", "group": "",
            "body": "Zaterdag repareren we samen fietsen.\n\nNeem je eigen bel mee."})
    assert flash(driver) == "The item is saved."
    assert path(driver) == "/cockpit/calendar"
    entry = visible(driver, f"#day-{day.isoformat()} .calendar-entries a.calendar-item")
    assert entry.text == f"9:30 {title}"
    assert "status-scheduled" in entry.get_attribute("class")
    assert "is-gap" not in (css(driver, f"#week-{year:04d}-W{week:02d}").get_attribute("class") or "")
    page_shot(driver, shot, "calendar-month")

    # Publish it now: the topic is there, in the owner's name, and the item moves to today.
    with navigation(driver):
        entry.click()
    assert visible(driver, "#title").get_attribute("value") == title
    click(driver, "#publish-now")
    assert flash(driver) == "Published."
    topic_path = path(driver)
    assert re.fullmatch(r"/t/[0-9a-f-]{36}", topic_path), topic_path
    assert visible(driver, "#topic-title").text == title
    assert "Neem je eigen bel mee." in driver.find_element(By.TAG_NAME, "main").text
    shot("published-topic")

    driver.get(configured.url("/cockpit/calendar"))
    published = [e for e in driver.find_elements(By.CSS_SELECTOR, "#content-calendar a.calendar-item.status-published")
                 if title in e.text]
    assert published, "the published item is on today's date"
    today_cell = published[0].find_element(By.XPATH, "ancestor::td")
    assert "is-today" in today_cell.get_attribute("class")
    with navigation(driver):
        published[0].click()
    notice = visible(driver, "#item-published")
    assert notice.find_element(By.TAG_NAME, "a").get_attribute("href").endswith(topic_path)
    assert driver.find_elements(By.CSS_SELECTOR, "#publish-now") == [], "published once"


# --- (b) insights ---------------------------------------------------------------------------------

def test_mark_an_insight_and_plan_it(configured, people, driver, shot):
    title = f"Te weinig fietsenrekken bij het station {RUN}"
    topic = people["neighbour"].api("POST", "/topics",
                                    {"title": title, "body": "Elke ochtend staat alles vol. Kan de gemeente iets doen?"})
    topic_id = topic["id"].lower()

    log_in(configured, driver, MANAGER)
    driver.get(configured.url(f"/t/{topic_id}"))
    open_details(driver, "#insight-1")
    Select(visible(driver, "#insight-kind-1")).select_by_value("wish")
    visible(driver, "#insight-note-1").send_keys("Vaker gevraagd; meenemen in de nieuwsbrief.")
    shot("insight-form")
    click(driver, "#insight-submit-1")
    assert flash(driver) == "The post is on the insights board."
    assert path(driver) == f"/t/{topic_id}"

    driver.get(configured.url("/cockpit/insights"))
    cards = [c for c in driver.find_elements(By.CSS_SELECTOR, "#column-wish .insight-card") if title in c.text]
    assert len(cards) == 1, "the insight is on the board, under wishes"
    card = cards[0]
    assert "Vaker gevraagd" in card.find_element(By.CSS_SELECTOR, ".insight-note").text
    assert "Elke ochtend staat alles vol." in card.find_element(By.CSS_SELECTOR, ".mention-excerpt").text
    plan = card.find_element(By.CSS_SELECTOR, "button[id^='plan-']")
    assert plan.text == "Put on the content calendar"
    page_shot(driver, shot, "insights-board")

    with navigation(driver):
        plan.click()
    assert re.fullmatch(r"/cockpit/calendar/[0-9a-f-]{36}", path(driver)), driver.current_url
    assert flash(driver) == "The insight is an idea on the content calendar now: give it a date."
    assert css(driver, "#title").get_attribute("value") == f"Wish: {title}"
    assert Select(css(driver, "#status")).first_selected_option.get_attribute("value") == "idea"
    notes = css(driver, "#notes").get_attribute("value")
    assert "Vaker gevraagd; meenemen in de nieuwsbrief." in notes
    assert f"/t/{topic_id}#post-1" in notes
    shot("planned-item")

    # On the board it is handled now: only under "show all", with a link to its calendar item.
    driver.get(configured.url("/cockpit/insights?show=all"))
    card = next(c for c in driver.find_elements(By.CSS_SELECTOR, "#column-wish .insight-card") if title in c.text)
    assert "on the calendar" in card.text
    assert card.find_elements(By.CSS_SELECTOR, "button[id^='plan-']") == []


# --- (c) listening --------------------------------------------------------------------------------

def test_watched_term_finds_a_new_post(configured, people, driver, shot):
    word = f"zonnedak{RUN}"
    log_in(configured, driver, MANAGER)
    driver.get(configured.url("/cockpit/listening"))
    assert visible(driver, "#section-sentiment")
    submit(driver, "form#term-form", "#term-submit", {"term": word, "kind": "word"})
    assert flash(driver) == "You are watching the term now; its past year is counted."
    term_path = path(driver)
    assert re.fullmatch(r"/cockpit/listening/terms/[0-9a-f-]{36}", term_path), term_path
    assert word in visible(driver, "h1").text
    assert visible(driver, "#section-mentions").text.endswith("No posts you may read mention it yet.")

    title = f"Gezamenlijk inkopen {RUN}"
    people["neighbour"].api("POST", "/topics",
                            {"title": title, "body": f"Wie doet mee met een {word} voor het buurthuis? Ik ben blij!"})
    posted = time.monotonic()
    while True:
        driver.get(configured.url(term_path))
        mentions = driver.find_elements(By.CSS_SELECTOR, "#mention-list .mention")
        if any(title in m.text for m in mentions):
            break
        assert time.monotonic() - posted < LISTEN_WAIT, f"the term page does not list the post after {LISTEN_WAIT}s"
        time.sleep(1)
    mention = next(m for m in mentions if title in m.text)
    assert word in mention.find_element(By.CSS_SELECTOR, ".mention-excerpt").text
    assert "Betty Buurvrouw" in mention.text
    assert visible(driver, "#term-summary").text.startswith("1 mention")
    assert visible(driver, "#chart-mentions svg")
    page_shot(driver, shot, "term-page")

    # Alerts were on: the manager has a notification about it.
    driver.get(configured.url("/notifications"))
    wait_text(driver, "main", f"mentioned a term you watch in “{title}”")

    driver.get(configured.url("/cockpit/listening"))
    rows = driver.find_elements(By.CSS_SELECTOR, "#terms-table tbody tr")
    row = next((r for r in rows if word.upper() in r.text.upper()), None)
    assert row, f"{word} is not in the watched terms: {[r.text for r in rows]} {[r.get_attribute('textContent') for r in rows]}"
    assert row.find_element(By.CSS_SELECTOR, "td.number").text == "1"
    page_shot(driver, shot, "listening")


# --- (d) the member update and its unsubscribe link -------------------------------------------------

def test_member_update_and_one_click_unsubscribe(configured, people, driver, shot):
    note = f"Op 14 december is de buurtborrel in het buurthuis. Tot dan! ({RUN})"
    log_in(configured, driver, MANAGER)
    driver.get(configured.url("/cockpit/mail"))
    enabled = css(driver, "#update_enabled")
    if not enabled.is_selected():
        enabled.click()
    submit(driver, "form#update-form", "#update-submit", {"note": note})
    assert flash(driver) == "Settings saved."
    assert css(driver, "#note").get_attribute("value") == note
    assert css(driver, "#update_enabled").is_selected()

    # The preview as the member: their name, the note at the top.
    submit(driver, "form#preview-form", "#preview-submit", {"preview": NEIGHBOUR["handle"]})
    preview = visible(driver, "#update-preview").text
    assert f"Hello {NEIGHBOUR['display_name']}," in preview
    assert note in preview
    page_shot(driver, shot, "member-mail")

    click(driver, "#update-send")
    sent = flash(driver)
    assert re.fullmatch(r"The member update is on its way to \d+ members\.", sent), sent
    assert int(re.search(r"\d+", sent).group()) >= 1
    click(driver, "#update-send")
    assert flash(driver) == "The member update is on its way to 0 members.", "once per member and period"

    # The outbox writes the mail: the note, and a one-click unsubscribe link, in the body and the header.
    deadline = time.monotonic() + 30
    while not (mails := [m for m in mails_to(configured, NEIGHBOUR["email"]) if "member update" in str(m["Subject"])]):
        assert time.monotonic() < deadline, "no member update reached the member"
        time.sleep(0.5)
    assert len(mails) == 1
    mail = mails[0]
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert note in body
    link = re.search(r"https?://\S+/unsubscribe/[A-Za-z0-9_.-]+", body)
    assert link, body
    assert mail["List-Unsubscribe"] == f"<{link.group()}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # A fresh browser, not signed in: the link asks, the button unsubscribes.
    fresh = make_driver()
    try:
        fresh_shot = Shots(fresh, os.path.basename(shot.dir) + "-fresh-browser")
        fresh.get(link.group())
        question = visible(fresh, "#unsubscribe-question").text
        assert NEIGHBOUR["email"] in question and "the member update" in question
        assert fresh.find_elements(By.CSS_SELECTOR, "#current-member") == [], "not signed in"
        fresh_shot("unsubscribe-question")
        click(fresh, "#unsubscribe-submit")
        assert visible(fresh, "h1").text == "You are unsubscribed"
        assert "We no longer send the member update to" in visible(fresh, "#unsubscribe-done").text
        fresh_shot("unsubscribed")
    finally:
        fresh.quit()

    # The member's settings say so.
    log_in(configured, driver, NEIGHBOUR)
    driver.get(configured.url("/settings/notifications"))
    choice = Select(visible(driver, "#community-mail select[name='member_update']"))
    assert choice.first_selected_option.get_attribute("value") == "never"
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", css(driver, "#community-mail"))
    shot("settings-never")

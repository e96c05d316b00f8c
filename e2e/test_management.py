"""The community manager's tasks 1–3 in real Chromium: set a goal on a business figure, generate
a monthly report, evaluate and publish it, and work the advice it leads to in the action inbox."""
from __future__ import annotations

import datetime
import re

from selenium.webdriver.common.by import By

from pages import css, navigation, submit, visible
from test_moderation import log_in
from test_smoke import ADMIN, configured  # noqa: F401  (the shared set-up instance)


def months_back(count: int) -> str:
    today = datetime.date.today().replace(day=1)
    year, month = today.year, today.month - count
    while month < 1:
        year, month = year - 1, month + 12
    return f"{year:04d}-{month:02d}"


def set_date(driver, selector: str, value: str) -> None:
    """Typing into a date input follows the browser's locale; set the ISO value as a script would."""
    driver.execute_script("arguments[0].value = arguments[1]", css(driver, selector), value)


def test_goal_report_and_inbox(configured, driver, shot):
    log_in(configured, driver, ADMIN)

    # Newsletter subscribers, entered for the last three months: slowly falling.
    driver.get(configured.url("/goals/figures"))
    rows = "\n".join(f"Newsletter subscribers,{months_back(n)},{value}" for n, value in [(3, 120), (2, 115), (1, 110)])
    submit(driver, "form#figures-form", "#figures-submit", {"csv": rows})
    assert "newsletter subscribers" in visible(driver, "#figures-table").text.lower()

    # A goal on it that the trend will not reach: off track.
    driver.get(configured.url("/goals"))
    form = css(driver, "form#goal-form")
    form.find_element(By.CSS_SELECTOR, '#measure option[value="figure:Newsletter subscribers"]').click()
    start = months_back(4) + "-01"
    deadline = (datetime.date.today() + datetime.timedelta(days=120)).isoformat()
    set_date(driver, "#starts_at", start)
    set_date(driver, "#deadline", deadline)
    submit(driver, "form#goal-form", "#goal-submit", {"title": "Twee keer zoveel abonnees", "target": "240"}, server_validation=True)
    card = visible(driver, ".goal-card")
    assert "Twee keer zoveel abonnees" in card.text
    assert "off track" in card.find_element(By.CSS_SELECTOR, ".goal-status").text.lower()
    shot("goal")

    # A monthly report on demand: a draft with the goal in it; publishing needs the evaluation.
    driver.get(configured.url("/reports"))
    css(driver, '#generate-form #kind option[value="monthly"]').click()
    set_date(driver, "#date", datetime.date.today().isoformat())
    submit(driver, "form#generate-form", "#generate-submit", {})
    assert visible(driver, "#report-status").text.lower() == "draft"
    assert "Twee keer zoveel abonnees" in visible(driver, "#report-goals").text
    assert visible(driver, "#report-figures")
    submit(driver, "form#evaluation-form", "#publish-report", {"evaluation": ""}, server_validation=True)
    assert "Write the evaluation before you publish." in visible(driver, "#form-error").text
    submit(driver, "form#evaluation-form", "#publish-report",
           {"evaluation": "Een rustige maand. De nieuwsbrief loopt terug: daar gaan we iets aan doen."})
    assert "published" in visible(driver, ".flash").text
    assert visible(driver, "#report-status").text.lower() == "published"
    assert "De nieuwsbrief loopt terug" in visible(driver, "#report-evaluation").text
    assert driver.find_elements(By.CSS_SELECTOR, "#evaluation-form") == [], "a published report is no longer edited"
    shot("report")

    # The inbox turns the off-track goal into work: assign it, then mark it done.
    driver.get(configured.url("/inbox"))
    with navigation(driver):
        driver.find_element(By.CSS_SELECTOR, "#advice-refresh").click()
    item = visible(driver, ".advice-goal_off_track")
    assert "Twee keer zoveel abonnees" in item.text
    item_id = item.get_attribute("id").removeprefix("advice-")
    shot("inbox")
    css(driver, f'#assignee-{item_id} option[value="{ADMIN["handle"]}"]').click()
    with navigation(driver):
        driver.find_element(By.CSS_SELECTOR, f"#assign-{item_id}").click()
    assert f"assigned to @{ADMIN['handle']}" in visible(driver, f"#advice-state-{item_id}").text
    with navigation(driver):
        driver.find_element(By.CSS_SELECTOR, f"#done-{item_id}").click()
    assert driver.find_elements(By.CSS_SELECTOR, f"#advice-{item_id}") == [], "done items leave the to-do list"
    driver.get(configured.url("/inbox?show=done"))
    assert "done" in visible(driver, f"#advice-state-{item_id}").text.lower()
    shot("inbox-done")


def test_strategy_and_maturity(configured, driver, shot):
    log_in(configured, driver, ADMIN)
    driver.get(configured.url("/strategy/edit"))
    submit(driver, "form#strategy-form", "#strategy-submit", {
        "purpose": "Buren helpen elkaar met klussen, tips en spullen.",
        "audiences": "Bewoners van Lombok; de gemeente en de woningcorporatie als belanghebbenden.",
        "success_measures": "Maandelijks actieve leden, opgeloste vragen.",
        "team": f"@{ADMIN['handle']} builder",
    })
    assert "Buren helpen elkaar" in visible(driver, "#strategy-purpose").text
    assert "@" + ADMIN["handle"] in visible(driver, "#strategy-team").text
    shot("strategy")

    driver.get(configured.url("/maturity/new"))
    assert "met" in visible(driver, "#criterion-strategy\\.1\\.a").text.lower(), "the canvas answers strategy 1a"
    driver.find_element(By.CSS_SELECTOR, "#answer-strategy\\.1\\.b").click()
    driver.find_element(By.CSS_SELECTOR, "#answer-tools\\.1\\.b").click()
    with navigation(driver):
        driver.find_element(By.CSS_SELECTOR, "#maturity-submit").click()
    assert visible(driver, "#maturity-radar svg")
    stage = re.search(r"Stage (\d)", visible(driver, "#stage-strategy").text)
    assert stage and int(stage.group(1)) >= 1, "purpose written and a person named: stage 1 at least"
    shot("maturity")

"""A member lives in the community: create a group, ask a question, get a reply, accept it, react,
and find it again by search — in real Chromium."""
from __future__ import annotations

from selenium.webdriver.common.by import By

from pages import css, navigation, path, submit, visible
from test_smoke import configured  # noqa: F401  (the shared set-up instance)

OWNER = {"handle": "grietje", "display_name": "Grietje de Boer", "email": "grietje@buurtkring.example",
         "password": "tulpen-en-molens-2026"}
HELPER = {"handle": "henk", "display_name": "Henk Visser", "email": "henk@buurtkring.example",
          "password": "fietsen-in-de-regen-7"}


def register(configured, driver, person):
    driver.delete_all_cookies()
    driver.get(configured.url("/register"))
    submit(driver, "form#register-form", "#register-submit", person)
    assert visible(driver, "#current-member").text.strip() == person["display_name"]


def click_and_wait(driver, selector):
    with navigation(driver):
        driver.find_element(By.CSS_SELECTOR, selector).click()


def test_ask_answer_accept_react_and_find(configured, driver, shot):
    register(configured, driver, OWNER)
    driver.get(configured.url("/groups/new"))
    submit(driver, "form#group-form", "#group-submit", {"name": "Warmtepompen Lombok", "description": "Ervaringen met warmtepompen in de wijk.",
                                                        "welcome_message": "Welkom! Stel je voor in een eerste onderwerp."})
    assert path(driver) == "/g/warmtepompen-lombok"
    shot("group-created")
    click_and_wait(driver, "#new-topic")
    css(driver, "form#topic-form")
    driver.find_element(By.CSS_SELECTOR, '#kind option[value="question"]').click()
    submit(driver, "form#topic-form", "#topic-submit", {"title": "Welke hybride warmtepomp raden jullie aan?",
                                                        "body": "Ons huis is uit **1932** en half geïsoleerd.", "tags": "warmtepomp, isolatie"})
    topic_path = path(driver)
    assert topic_path.startswith("/t/")
    assert "Welke hybride warmtepomp" in visible(driver, "#topic-title").text
    assert driver.find_element(By.CSS_SELECTOR, ".post-body strong").text == "1932"
    shot("question")

    register(configured, driver, HELPER)
    driver.get(configured.url("/g/warmtepompen-lombok"))
    click_and_wait(driver, "#join-group")
    assert visible(driver, "#group-welcome")
    driver.get(configured.url(topic_path))
    submit(driver, "form#reply-form", "#reply-submit", {"body": "Begin met isoleren, @grietje. Daarna volstaat een hybride pomp."})
    assert visible(driver, "#post-2")
    assert driver.find_element(By.CSS_SELECTOR, "#post-2 a.mention").text == "@grietje"
    shot("reply")

    driver.delete_all_cookies()
    driver.get(configured.url("/login"))
    submit(driver, "form#login-form", "#login-submit", {"login": OWNER["handle"], "password": OWNER["password"]})
    assert visible(driver, "#unread-count").text.strip() == "2"
    driver.get(configured.url(topic_path))
    click_and_wait(driver, "#accept-2")
    assert "SOLVED" in visible(driver, "#solved-badge").text.upper()
    assert "is-solution" in driver.find_element(By.CSS_SELECTOR, "#post-2").get_attribute("class")
    click_and_wait(driver, "#react-thanks-2")
    thanks = driver.find_element(By.CSS_SELECTOR, "#react-thanks-2")
    assert "is-mine" in thanks.get_attribute("class")
    assert thanks.text.strip().endswith("1")
    shot("accepted-and-thanked")

    driver.get(configured.url("/search?q=warmtepompen"))
    results = visible(driver, "#search-results")
    assert "Welke hybride warmtepomp raden jullie aan?" in results.text
    shot("search")
    driver.get(configured.url("/topics?filter=solved"))
    assert "Welke hybride warmtepomp" in visible(driver, "#topic-list").text

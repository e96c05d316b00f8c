"""Browser smoke test of Kring: setup -> register -> log out -> log in -> edit
profile -> switch language, plus form errors and escaping of hostile text.

test_journey must run first (it checks that a fresh instance sends / to
/setup); the other tests use the `configured` fixture, which runs the setup
itself when the journey did not. Each test gets its own browser.
"""
from __future__ import annotations

import urllib.request
from urllib.parse import urlparse

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from browser import make_driver
from pages import (absent, assert_no_alert, css, field_value, html_lang, path,
                   navigation, post_form_status, submit, visible, wait_label, wait_lang, wait_path,
                   wait_text)

COMMUNITY = {
    "community_name": "Buurtkring Lombok",
    "tagline": "Samen maken we de wijk",
    "default_language": "en",
}
ADMIN = {
    "handle": "anneke",
    "display_name": "Anneke de Vries",
    "email": "anneke@buurtkring.example",
    "password": "tulpen-en-molens-42",
}
MEMBER = {
    "handle": "joost",
    "display_name": "Joost van den Berg",
    "email": "joost@buurtkring.example",
    "password": "fietsbel-Utrecht-7",
}
PROFILE = {
    "display_name": "Joost van den Berg-de Jong",
    "bio": "Ik woon al twintig jaar in Lombok en zet me in voor duurzaamheid, "
           "de buurtmoestuin en veilige fietsroutes. Coördinator van het repaircafé.",
    "organisation": "Stichting Groen Lombok",
    "interests": "duurzaamheid, moestuinieren, fietsen",
    "expertise": "zonnepanelen, subsidieaanvragen",
    "preferred_language": "",
}
INTERESTS = ["duurzaamheid", "moestuinieren", "fietsen"]

HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_BIO = '"><script>alert(2)</script>'


# --- flows -----------------------------------------------------------------

def run_setup(driver, kring, shot=None):
    driver.get(kring.url("/"))
    wait_path(driver, "/setup")
    css(driver, "form#setup-form")
    if shot:
        shot("setup-form")
    submit(driver, "form#setup-form", "#setup-submit", {**COMMUNITY, **ADMIN})
    wait_path(driver, "/")
    wait_text(driver, "header", COMMUNITY["community_name"])
    wait_text(driver, "#current-member", ADMIN["display_name"])


def register(driver, kring, member):
    driver.get(kring.url("/register"))
    submit(driver, "form#register-form", "#register-submit", member)
    wait_path(driver, "/")
    wait_text(driver, "#current-member", member["display_name"])


def log_in(driver, kring, login, password, display_name):
    driver.get(kring.url("/login"))
    submit(driver, "form#login-form", "#login-submit", {"login": login, "password": password})
    wait_path(driver, "/")
    wait_text(driver, "#current-member", display_name)


def log_out(driver):
    button = visible(driver, "header form#logout-form #logout-button")
    with navigation(driver):
        button.click()
    css(driver, "a#login-link")


def switch_language(driver, lang):
    button = css(driver, f"footer form#language-form #lang-{lang}")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    with navigation(driver):
        button.click()
    wait_lang(driver, lang)


def final_path(url):
    """Path after following redirects, without cookies (as a stranger sees it)."""
    with urllib.request.urlopen(url, timeout=10) as resp:
        return urlparse(resp.geturl()).path


@pytest.fixture(scope="session")
def configured(kring):
    """An instance that has been through setup (runs it when test_journey did not)."""
    if final_path(kring.url("/")) == "/setup":
        drv = make_driver()
        try:
            run_setup(drv, kring)
        finally:
            drv.quit()
    return kring


def option_values(select_el):
    return [o.get_attribute("value") for o in Select(select_el).options]


# --- the journey -----------------------------------------------------------

def test_journey(kring, driver, shot):
    # 1. A fresh instance sends everyone to /setup.
    driver.get(kring.url("/"))
    if path(driver) != "/setup":
        pytest.fail(f"a fresh instance should redirect / to /setup, got {driver.current_url} "
                    "(test_journey must run first, on a fresh server)")
    form = css(driver, "form#setup-form")
    assert option_values(form.find_element(By.NAME, "default_language")) == ["en", "nl"]
    for name in ("community_name", "tagline", "handle", "display_name", "email", "password"):
        assert form.find_elements(By.NAME, name), f"setup form lacks an input named {name!r}"
    shot("setup-form")

    submit(driver, "form#setup-form", "#setup-submit", {**COMMUNITY, **ADMIN})
    wait_path(driver, "/")
    wait_text(driver, "header", COMMUNITY["community_name"])
    assert css(driver, "#current-member").text.strip() == ADMIN["display_name"]
    assert html_lang(driver) == "en"
    shot("after-setup-admin-home")

    # 2. Log out.
    log_out(driver)
    assert css(driver, "a#login-link").text.strip() == "Log in"
    assert css(driver, "a#register-link").text.strip() == "Register"
    assert absent(driver, "#current-member")
    assert absent(driver, "#logout-button")
    shot("logged-out")

    # 3. Register a member through the header link.
    register_link = css(driver, "a#register-link")
    with navigation(driver):
        register_link.click()
    wait_path(driver, "/register")
    css(driver, "form#register-form")
    shot("register-form")
    submit(driver, "form#register-form", "#register-submit", MEMBER)
    wait_path(driver, "/")
    assert css(driver, "#current-member").text.strip() == MEMBER["display_name"]
    shot("registered-member-home")

    # 4. Log out and back in with the handle.
    log_out(driver)
    shot("member-logged-out")
    login_link = css(driver, "a#login-link")
    with navigation(driver):
        login_link.click()
    wait_path(driver, "/login")
    css(driver, "form#login-form")
    shot("login-form")
    submit(driver, "form#login-form", "#login-submit",
           {"login": MEMBER["handle"], "password": MEMBER["password"]})
    wait_path(driver, "/")
    assert css(driver, "#current-member").text.strip() == MEMBER["display_name"]
    shot("logged-in")

    # 5. Edit the profile.
    driver.get(kring.url("/settings/profile"))
    form = css(driver, "form#profile-form")
    assert form.find_element(By.NAME, "bio").tag_name.lower() == "textarea"
    assert option_values(form.find_element(By.NAME, "preferred_language")) == ["", "en", "nl"]
    assert field_value(driver, "form#profile-form", "display_name") == MEMBER["display_name"]
    shot("profile-form")
    submit(driver, "form#profile-form", "#profile-submit", PROFILE)
    wait_path(driver, "/settings/profile")
    wait_text(driver, ".flash", "Profile saved")
    for name in ("display_name", "organisation"):
        assert field_value(driver, "form#profile-form", name) == PROFILE[name]
    assert css(driver, 'form#profile-form [name="bio"]').get_attribute("value").strip() == PROFILE["bio"]
    for interest in INTERESTS:
        assert interest in field_value(driver, "form#profile-form", "interests")
    assert "zonnepanelen" in field_value(driver, "form#profile-form", "expertise")
    wait_text(driver, "#current-member", PROFILE["display_name"])
    shot("profile-saved")

    # 6. The public profile shows it.
    driver.get(kring.url(f"/members/{MEMBER['handle']}"))
    wait_text(driver, "h1", PROFILE["display_name"])
    assert css(driver, "h1").text.strip() == PROFILE["display_name"]
    assert PROFILE["bio"] in css(driver, ".profile-bio").text
    assert PROFILE["organisation"] in css(driver, ".profile-organisation").text
    tags = [t.text.strip() for t in driver.find_elements(By.CSS_SELECTOR, ".profile-interests .tag")]
    assert sorted(tags) == sorted(INTERESTS)
    shot("public-profile")

    # 7. Switch the interface to Dutch and back.
    switch_language(driver, "nl")
    wait_label(driver, "#logout-button", "Uitloggen")
    assert css(driver, "#current-member").text.strip() == PROFILE["display_name"]
    shot("dutch")
    switch_language(driver, "en")
    wait_label(driver, "#logout-button", "Log out")
    shot("english-again")


# --- form errors -------------------------------------------------------------

def test_register_invalid_input_shows_field_errors(configured, driver, shot):
    bad = {"handle": "", "display_name": "Pieter Bakker", "email": "geen-email", "password": "x"}
    driver.get(configured.url("/register"))
    css(driver, "form#register-form")
    assert post_form_status(driver, "form#register-form", bad) == 422
    submit(driver, "form#register-form", "#register-submit", bad, server_validation=True)
    assert path(driver) == "/register"
    css(driver, "form#register-form")
    for field in ("handle", "email", "password"):
        error = visible(driver, f"#{field}-error")
        assert error.text.strip(), f"#{field}-error is empty"
    assert absent(driver, "#current-member")
    shot("register-errors")


def test_register_duplicate_handle(configured, driver, shot):
    dup = {"handle": ADMIN["handle"], "display_name": "Nog een Anneke",
           "email": "andere.anneke@buurtkring.example", "password": "klompen-en-kaas-99"}
    driver.get(configured.url("/register"))
    css(driver, "form#register-form")
    assert post_form_status(driver, "form#register-form", dup) == 422
    submit(driver, "form#register-form", "#register-submit", dup)
    assert path(driver) == "/register"
    assert visible(driver, "#handle-error").text.strip()
    assert absent(driver, "#current-member")
    shot("duplicate-handle")


def test_login_wrong_password(configured, driver, shot):
    driver.get(configured.url("/login"))
    submit(driver, "form#login-form", "#login-submit",
           {"login": ADMIN["handle"], "password": "verkeerd-wachtwoord"})
    assert path(driver) == "/login"
    css(driver, "form#login-form")
    assert visible(driver, ".form-error").text.strip()
    assert absent(driver, "#current-member")
    shot("wrong-password")


def test_login_with_email(configured, driver, shot):
    log_in(driver, configured, ADMIN["email"], ADMIN["password"], ADMIN["display_name"])
    shot("logged-in-by-email")


def test_language_switch_logged_out(configured, driver, shot):
    driver.get(configured.url("/"))
    wait_text(driver, "a#login-link", "Log in")
    assert html_lang(driver) == "en"
    switch_language(driver, "nl")
    wait_text(driver, "a#login-link", "Inloggen")
    shot("dutch-anonymous")
    switch_language(driver, "en")
    wait_text(driver, "a#login-link", "Log in")
    shot("english-anonymous")


# --- escaping ----------------------------------------------------------------

def test_hostile_profile_text_is_shown_as_text(configured, driver, shot):
    member = {"handle": "mallory", "display_name": HOSTILE_NAME,
              "email": "mallory@buurtkring.example", "password": "stroopwafel-123"}
    register(driver, configured, member)
    assert_no_alert(driver)
    assert css(driver, "#current-member").text.strip() == HOSTILE_NAME
    shot("home-with-hostile-name")

    driver.get(configured.url("/settings/profile"))
    css(driver, "form#profile-form")
    assert field_value(driver, "form#profile-form", "display_name") == HOSTILE_NAME
    submit(driver, "form#profile-form", "#profile-submit",
           {"display_name": HOSTILE_NAME, "bio": HOSTILE_BIO, "interests": "duurzaamheid"})
    wait_path(driver, "/settings/profile")
    wait_text(driver, ".flash", "Profile saved")
    assert_no_alert(driver)
    assert css(driver, 'form#profile-form [name="bio"]').get_attribute("value").strip() == HOSTILE_BIO

    driver.get(configured.url(f"/members/{member['handle']}"))
    assert_no_alert(driver)
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert
    h1 = css(driver, "h1")
    assert h1.text.strip() == HOSTILE_NAME
    assert HOSTILE_BIO in css(driver, ".profile-bio").text
    # Nothing was turned into markup: no <img src=x>, no injected <script>.
    assert absent(driver, 'img[src="x"]')
    assert driver.execute_script(
        "return [...document.scripts].some(s => s.textContent.includes('alert(2)'))") is False
    shot("public-profile-hostile")

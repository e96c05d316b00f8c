"""Small helpers over Selenium for Kring's page contract (explicit waits only)."""
from __future__ import annotations

import uuid
from urllib.parse import urlparse

from selenium.common.exceptions import (NoAlertPresentException, TimeoutException,
                                        UnexpectedAlertPresentException, WebDriverException)
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

WAIT = 15  # seconds for any page transition


def wait(driver, timeout: float = WAIT) -> WebDriverWait:
    return WebDriverWait(driver, timeout)


def path(driver) -> str:
    return urlparse(driver.current_url).path or "/"


def css(driver, selector: str, timeout: float = WAIT) -> WebElement:
    """Waits until `selector` is present and returns it."""
    try:
        return wait(driver, timeout).until(EC.presence_of_element_located((By.CSS_SELECTOR, selector)))
    except TimeoutException:
        raise AssertionError(f"no element {selector!r} on {driver.current_url} after {timeout}s") from None


def visible(driver, selector: str, timeout: float = WAIT) -> WebElement:
    try:
        return wait(driver, timeout).until(EC.visibility_of_element_located((By.CSS_SELECTOR, selector)))
    except TimeoutException:
        raise AssertionError(f"element {selector!r} not visible on {driver.current_url} after {timeout}s") from None


def absent(driver, selector: str) -> bool:
    return len(driver.find_elements(By.CSS_SELECTOR, selector)) == 0


def wait_path(driver, expected: str, timeout: float = WAIT) -> None:
    try:
        wait(driver, timeout).until(lambda d: path(d) == expected)
    except TimeoutException:
        raise AssertionError(f"expected to be on {expected!r}, still on {driver.current_url}") from None


class navigation:
    """Context manager: the action inside it must load a new document.

        with navigation(driver):
            button.click()

    Marks the current document with a token and waits until a document without
    the token has finished loading. (staleness_of() on the old <html> races
    with chromedriver during navigation and can raise a generic
    "Node with given id does not belong to the document".)
    """

    def __init__(self, driver, timeout: float = WAIT):
        self.driver = driver
        self.timeout = timeout

    def __enter__(self):
        self.token = uuid.uuid4().hex
        self.driver.execute_script("window.__kringNavToken = arguments[0]", self.token)
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            return False
        token = self.token

        def loaded_new_document(d):
            try:
                return d.execute_script(
                    "return window.__kringNavToken !== arguments[0] && document.readyState === 'complete'",
                    token)
            except UnexpectedAlertPresentException:
                raise
            except WebDriverException:
                return False  # mid-navigation: the old context is gone, the new one not ready

        try:
            wait(self.driver, self.timeout).until(loaded_new_document)
        except TimeoutException:
            raise AssertionError(
                f"no new page loaded within {self.timeout}s (still {self.driver.current_url})") from None
        return False


def wait_text(driver, selector: str, text: str, timeout: float = WAIT) -> WebElement:
    """Waits until the element's visible text contains `text`."""
    try:
        wait(driver, timeout).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, selector), text))
    except TimeoutException:
        found = [e.text for e in driver.find_elements(By.CSS_SELECTOR, selector)]
        raise AssertionError(
            f"{selector!r} should contain {text!r} on {driver.current_url}; found {found!r}") from None
    return driver.find_element(By.CSS_SELECTOR, selector)


def label(element: WebElement) -> str:
    """Visible label of a button: text for <button>, value for <input type=submit>."""
    text = element.text.strip()
    if not text and element.tag_name.lower() == "input":
        text = (element.get_attribute("value") or "").strip()
    return text


def wait_label(driver, selector: str, expected: str, timeout: float = WAIT) -> WebElement:
    try:
        wait(driver, timeout).until(
            lambda d: any(label(e) == expected for e in d.find_elements(By.CSS_SELECTOR, selector)))
    except TimeoutException:
        found = [label(e) for e in driver.find_elements(By.CSS_SELECTOR, selector)]
        raise AssertionError(f"{selector!r} should read {expected!r}; found {found!r}") from None
    return driver.find_element(By.CSS_SELECTOR, selector)


def html_lang(driver) -> str:
    return driver.find_element(By.TAG_NAME, "html").get_attribute("lang") or ""


def wait_lang(driver, lang: str, timeout: float = WAIT) -> None:
    try:
        wait(driver, timeout).until(lambda d: html_lang(d) == lang)
    except TimeoutException:
        raise AssertionError(f'<html lang> should be {lang!r}, is {html_lang(driver)!r}') from None


def fill(form: WebElement, values: dict[str, str]) -> None:
    """Fills inputs/textarea/select of `form` by name."""
    for name, value in values.items():
        el = form.find_element(By.CSS_SELECTOR, f'[name="{name}"]')
        tag = el.tag_name.lower()
        if tag == "select":
            Select(el).select_by_value(value)
        else:
            el.clear()
            if value:
                el.send_keys(value)


def submit(driver, form_selector: str, button_selector: str, values: dict[str, str],
           server_validation: bool = False) -> None:
    """Fills the form, clicks its button, and waits for the next page to load.
    With server_validation, the browser's own checks (required, type=email) are switched
    off first, so the server's answer to bad input is what the test sees."""
    form = css(driver, form_selector)
    if server_validation:
        driver.execute_script("arguments[0].noValidate = true", form)
    fill(form, values)
    button = driver.find_element(By.CSS_SELECTOR, button_selector)
    with navigation(driver):
        button.click()


def field_value(driver, form_selector: str, name: str) -> str:
    el = css(driver, f'{form_selector} [name="{name}"]')
    return el.get_attribute("value") or ""


def post_form_status(driver, form_selector: str, values: dict[str, str]) -> int:
    """Submits the form's current data (plus `values`) with fetch() from the page and
    returns the HTTP status, without following redirects. Uses the page's cookies
    and any hidden fields (CSRF tokens) in the form. Does not navigate."""
    return driver.execute_async_script(
        """
        const [sel, values, done] = arguments;
        const form = document.querySelector(sel);
        const data = new URLSearchParams(new FormData(form));
        for (const [k, v] of Object.entries(values)) data.set(k, v);
        fetch(form.action || location.href, {
            method: (form.getAttribute('method') || 'POST').toUpperCase(),
            body: data, redirect: 'manual', credentials: 'same-origin',
        }).then(r => done(r.status), e => done(-1));
        """,
        form_selector, values)


def assert_no_alert(driver, within: float = 2.0) -> None:
    """No JavaScript dialog opens within `within` seconds, and none is open now."""
    try:
        WebDriverWait(driver, within).until(EC.alert_is_present())
    except TimeoutException:
        pass
    else:
        text = driver.switch_to.alert.text
        driver.switch_to.alert.dismiss()
        raise AssertionError(f"a JavaScript dialog opened: {text!r}")
    try:
        alert = driver.switch_to.alert
    except NoAlertPresentException:
        return
    text = alert.text
    alert.dismiss()
    raise AssertionError(f"a JavaScript dialog is open: {text!r}")

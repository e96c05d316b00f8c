"""Hostile text in every user-controlled field, shown on every page that shows it, in real Chromium:
no script may run, no dialog open, and no markup from the payloads may reach the DOM as markup.

Content goes in through the JSON API (as a member with a token), so every field gets every payload
without a form per payload; the pages are then loaded as a person would, signed in. Each payload
carries the marker `xss` in an element id or an attribute, so markup that survived escaping is found
even where the Content-Security-Policy would have stopped the script itself."""
from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
from selenium.webdriver.common.by import By

from api import Visitor, api
from pages import assert_no_alert, submit, visible
from test_smoke import ADMIN, configured  # noqa: F401  (the shared set-up instance)

# Script tags, event handlers, javascript: and data: URLs, entity tricks, Markdown link and image
# tricks, SVG, attribute breakouts, template and CSS tricks: 56 in all.
PAYLOADS = [
    "<script id=xss1>alert('xss1')</script>",
    "<SCRIPT id=xss2 SRC=//example.invalid/x.js></SCRIPT>",
    "<img id=xss3 src=x onerror=alert('xss3')>",
    "<img id=xss4 src=x onerror=\"alert('xss4')\">",
    "<svg id=xss5 onload=alert('xss5')>",
    "<svg><script id=xss6>alert('xss6')</script></svg>",
    "<body id=xss7 onload=alert('xss7')>",
    "<iframe id=xss8 src=\"javascript:alert('xss8')\"></iframe>",
    "<a id=xss9 href=\"javascript:alert('xss9')\">xss9</a>",
    "<a id=xss10 href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">xss10</a>",
    "\"><script id=xss11>alert('xss11')</script>",
    "'><img id=xss12 src=x onerror=alert('xss12')>",
    "\" onmouseover=\"alert('xss13')\" data-xss=\"13",
    "' autofocus onfocus='alert(14)' data-xss='14",
    "</textarea><script id=xss15>alert('xss15')</script>",
    "</title><script id=xss16>alert('xss16')</script>",
    "</style><script id=xss17>alert('xss17')</script>",
    "<details id=xss18 open ontoggle=alert('xss18')>",
    "<input id=xss19 autofocus onfocus=alert('xss19')>",
    "<video id=xss20><source onerror=alert('xss20')></video>",
    "<object id=xss21 data=\"javascript:alert('xss21')\"></object>",
    "<embed id=xss22 src=\"javascript:alert('xss22')\">",
    "<math><mtext><table><mglyph><style><img id=xss23 src=x onerror=alert('xss23')>",
    "<form id=xss24 action=\"javascript:alert('xss24')\"><button>go</button></form>",
    "<meta id=xss25 http-equiv=\"refresh\" content=\"0;url=javascript:alert('xss25')\">",
    "<link id=xss26 rel=stylesheet href=\"javascript:alert('xss26')\">",
    "<div id=xss27 style=\"background:url(javascript:alert('xss27'))\">x</div>",
    "<marquee id=xss28 onstart=alert('xss28')>x</marquee>",
    "&lt;script id=xss29&gt;alert('xss29')&lt;/script&gt;",
    "&#60;img id=xss30 src=x onerror=alert('xss30')&#62;",
    "<scr<script>ipt id=xss31>alert('xss31')</scr</script>ipt>",
    "<img id=xss32 src=`x` onerror=alert('xss32')>",
    "<IMG id=xss33 SRC=JaVaScRiPt:alert('xss33')>",
    "<a id=xss34 href=\"jav&#x09;ascript:alert('xss34')\">xss34</a>",
    "<a id=xss35 href=\" javascript:alert('xss35')\">xss35</a>",
    "[xss36](javascript:alert('xss36'))",
    "[xss37](JaVaScRiPt:alert('xss37'))",
    "[xss38](data:text/html,<script>alert('xss38')</script>)",
    "![xss39](javascript:alert('xss39'))",
    "![xss40\" onerror=\"alert('xss40')](x)",
    "[xss41](<javascript:alert('xss41')>)",
    "[xss42][ref]\n\n[ref]: javascript:alert('xss42')",
    "<https://example.org/\" onmouseover=\"alert('xss43')>",
    "[xss44](https://example.org/\"onmouseover=\"alert('xss44'))",
    "``<img id=xss45 src=x onerror=alert('xss45')>``",
    "<svg id=xss46><a xlink:href=\"javascript:alert('xss46')\"><text x=20 y=20>x</text></a></svg>",
    "<svg id=xss47><animate onbegin=alert('xss47') attributeName=x dur=1s>",
    "<noscript><p title=\"</noscript><img id=xss48 src=x onerror=alert('xss48')>\">",
    "{{constructor.constructor('alert(49)')()}}",
    "${alert('xss50')}",
    "<base id=xss51 href=\"javascript:alert('xss51')//\">",
    "<template><script id=xss52>alert('xss52')</script></template>",
    "\u2028<script id=xss53>alert('xss53')</script>",
    "<img id=xss54 src=x onerror=&#97;&#108;&#101;&#114;&#116;(54)>",
    "<a id=xss55 href=\"vbscript:msgbox('xss55')\">xss55</a>",
    "<isindex id=xss56 type=image src=1 onerror=alert('xss56')>",
]

# Any element the payloads would create, or any link they would make dangerous.
INJECTED = (
    "[id^='xss'], [data-xss], [onerror], [onload], [onmouseover], [onfocus], [ontoggle], [onstart], [onbegin], "
    "a[href^='javascript:' i], a[href^='data:' i], a[href^='vbscript:' i], a[href*='javascript:' i], "
    "iframe, object, embed, base, meta[http-equiv], form[action^='javascript:' i]"
)


def injected_markup(driver):
    """Elements or inline scripts on the current page that only a payload could have made."""
    found = driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.outerHTML.slice(0, 160))", INJECTED)
    # The app's own scripts are external files; an inline <script> would be the payload's.
    inline = driver.execute_script(
        "return Array.from(document.scripts).filter(s => !s.src && s.type !== 'application/json').map(s => s.text.slice(0, 80))")
    return found, inline


def check_page(driver, url, shot, name):
    driver.get(url)
    assert_no_alert(driver, within=0.3)
    assert "xss" in driver.find_element(By.TAG_NAME, "body").text, f"{url}: the payloads are not on the page at all"
    found, inline = injected_markup(driver)
    if found or inline:
        shot(name)
    assert not found, f"{url}: markup from the payloads reached the page: {found[:5]}"
    assert not inline, f"{url}: inline scripts on the page: {inline[:3]}"


@pytest.fixture(scope="module")
def hostile(configured):  # noqa: F811
    """A member's content with every payload in every field; returns what to visit."""
    base = configured.url("")
    token = api(base, "POST", "/auth/token", body={"login": ADMIN["handle"], "password": ADMIN["password"], "name": "xss"})["token"]
    joined = " ".join(PAYLOADS)
    pages = {"home": "/", "groups": "/groups", "events": "/events", "ideas": "/ideas", "tags": "/tags", "cockpit": "/cockpit"}
    api(base, "PATCH", "/me", token, {"displayName": PAYLOADS[2][:60], "bio": joined[:2000], "organisation": PAYLOADS[12][:100],
                                       "interests": [p[:40] for p in PAYLOADS[:5]], "expertise": [p[:40] for p in PAYLOADS[5:10]]})
    pages["profile"] = "/members/" + ADMIN["handle"]
    pages["members"] = "/members"
    group = api(base, "POST", "/groups", token, {"name": "Groep " + PAYLOADS[0][:50], "description": joined,
                                                 "welcomeMessage": joined, "visibility": "open"})
    slug = group["slug"]
    pages["group"] = "/g/" + slug
    for index, payload in enumerate(PAYLOADS):
        topic = api(base, "POST", "/topics", token, {"title": payload[:150], "body": payload, "group": slug,
                                                     "tags": ["xss" + str(index)]})
        if index % 8 == 0:
            pages[f"topic {index}"] = f"/t/{topic['id']}"
    tagged = api(base, "POST", "/topics", token, {"title": "Tags vol payloads", "body": "Zie de tags.", "group": slug,
                                                   "tags": [p[:40] for p in PAYLOADS[:5]]})
    pages["topic with payload tags"] = f"/t/{tagged['id']}"
    topic = api(base, "POST", "/topics", token, {"title": "Alles bij elkaar", "body": joined, "group": slug, "kind": "question"})
    for payload in PAYLOADS:
        api(base, "POST", f"/topics/{topic['id']}/replies", token, {"body": payload})
    pages["topic with every payload"] = f"/t/{topic['id']}"
    event = api(base, "POST", "/events", token, {"title": PAYLOADS[4][:120], "description": joined, "group": slug,
                                                 "startsAt": "2031-05-01T18:00:00Z", "durationMinutes": 60,
                                                 "timeZone": "Europe/Amsterdam", "location": PAYLOADS[11][:120]})
    pages["event"] = f"/events/{event['id']}"
    api(base, "POST", "/polls", token, {"question": PAYLOADS[3][:200], "options": [p[:100] for p in PAYLOADS[:8]],
                                        "topicId": topic["id"]})
    idea = api(base, "POST", "/ideas", token, {"title": PAYLOADS[10][:150], "description": joined})
    pages["idea"] = f"/ideas/{idea['id']}"
    pages.update(hostile_documents(configured, token, slug, joined))
    pages.update(hostile_notifications(configured, topic["id"], slug))
    for term in ("<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)"):
        pages["search " + term] = "/search?q=" + urllib.parse.quote(term)
    return pages


def hostile_documents(server, token, slug, joined):
    """Documents whose titles, descriptions and file names are payloads (uploaded as a browser would:
    a quote in a file name goes as %22); returns the group's document list and one document page."""
    owner = Visitor(server, token=token)
    made = None
    for payload in PAYLOADS[:16]:
        name = payload.replace("\n", " ").replace('"', "%22")[:90] + ".txt"
        made = owner.upload(f"/groups/{slug}/documents", {"title": payload[:150], "description": joined[:2000]},
                            {"file": (name, b"xss\n", "text/plain")})
    return {"documents": f"/g/{slug}/documents", "document": f"/documents/{made['id']}"}


def hostile_notifications(server, topic_id, slug):
    """A second member with a payload for a name replies to the admin's topic and mentions them, so the
    admin's notifications page shows the payload name and the payload title."""
    other = Visitor(server)
    suffix = uuid.uuid4().hex[:8]
    other.register(f"xss-{suffix}", PAYLOADS[3][:60], f"xss-{suffix}@kring.example", "xss-wachtwoord-2026")
    other.make_token("xss")
    other.api("POST", f"/groups/{slug}/join")
    other.api("POST", f"/topics/{topic_id}/replies", {"body": f"@{ADMIN['handle']} " + PAYLOADS[0]})
    return {"notifications": "/notifications"}


def test_no_payload_runs_or_becomes_markup_anywhere(configured, hostile, driver, shot):  # noqa: F811
    driver.get(configured.url("/login"))
    submit(driver, "form#login-form", "#login-submit", {"login": ADMIN["handle"], "password": ADMIN["password"]})
    visible(driver, "#current-member")
    assert len(PAYLOADS) >= 50
    for name, page in hostile.items():
        check_page(driver, configured.url(page), shot, name.replace(" ", "-")[:40])
    # The payloads are shown as text: the topic page shows the first one literally.
    driver.get(configured.url(hostile["topic 0"]))
    assert "<script id=xss1>" in driver.find_element(By.CSS_SELECTOR, "#topic-title").text


def test_the_detector_sees_injected_markup(driver):
    """The check above can fail: on a page where a payload did become markup, it finds it."""
    driver.get("data:text/html," + urllib.parse.quote("<p>x</p>" + PAYLOADS[2] + PAYLOADS[8] + "<script>1</script>"))
    with pytest.raises(AssertionError, match="xss3"):
        assert_no_alert(driver, within=2)
    found, inline = injected_markup(driver)
    assert any("xss3" in element for element in found) and any("xss9" in element for element in found)
    assert inline == ["1"]


def test_every_kind_of_response_carries_the_content_security_policy(configured):  # noqa: F811
    """Pages, JSON (also errors), calendar feeds, static files, health checks and 404s."""
    for path in ("/", "/login", "/api/v1/me", "/api/v1/groups", "/calendar.ics", "/css/kring.css", "/healthz",
                 "/no-such-page", "/t/not-a-topic"):
        request = urllib.request.Request(configured.url(path), headers={"Accept": "*/*"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                headers = response.headers
        except urllib.error.HTTPError as error:
            headers = error.headers
        policy = headers.get("Content-Security-Policy", "")
        assert "script-src 'self'" in policy and "object-src 'none'" in policy, f"{path}: CSP {policy!r}"
        assert headers.get("X-Content-Type-Options") == "nosniff", path

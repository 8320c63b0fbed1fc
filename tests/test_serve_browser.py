"""The workspace as a person uses it: a real `graphrisk serve` and headless Chromium (issue 13).

An analyst signs in, opens the top alert, reveals the identity with a reason, sets the alert to
in review with a note and dismisses another with a reason; the auditor then finds all of it in the
audit view and verifies the chain. Around it: a conflict between two analysts keeps the second
one's note, names with HTML in them stay text, a manager sees only trends, the liaison explores,
finds paths, exports and runs a named query. No page logs an error. Screenshots go to
test-artifacts/serve/ (and $GRAPHRISK_ARTIFACTS when set).
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from serve_browser_support import (
    PASSWORD,
    XSS,
    Console,
    build_world,
    chromium,
    stop_server,
)

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
# auto-waiting assertions: generous, since CI's two cores also run the server and its layouts
expect.set_options(timeout=20_000)

PSEUDONYM = re.compile(r"^EMP-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$")


@pytest.fixture(scope="module")
def world(tmp_path_factory, request):
    world = build_world(tmp_path_factory.mktemp("serve-world"))
    yield world
    stop_server(world)
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\nbrowser test screenshots: {world.artifacts} (server log: {world.log})")


@pytest.fixture(scope="module")
def browser():
    path = chromium()
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, world):
    """Opens a fresh browser window (its own cookies) on the workspace; at the end, no errors."""
    opened = []

    def open_page():
        context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        console = Console(page)
        opened.append((context, page, console))
        page.goto(world.url + "/")
        return page, console

    yield open_page
    for context, page, console in opened:
        assert page.evaluate("window.__xss") is None, "a name from the data set ran as HTML"
        leaked = re.search(r"\b(undefined|NaN)\b|\[object Object\]", page.locator("body").inner_text())
        assert leaked is None, f"the page shows {leaked.group(0)!r}"
        context.close()
        assert console.errors == [], console.errors


def sign_in(page, user: str, password: str = PASSWORD) -> None:
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#who-user")).to_have_text(user)


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.locator("main")).to_contain_text("You have signed out.")


def queue_pseudonyms(page) -> list[str]:
    table = page.get_by_role("table", name="Alerts")
    expect(table.locator("tbody tr").first).to_be_visible()
    return table.locator("tbody tr td:nth-child(2) a").all_inner_texts()


def open_alert(page, pseudonym: str) -> None:
    page.get_by_role("table", name="Alerts").get_by_role("link", name=pseudonym, exact=True).click()
    expect(page.locator("#dossier-title")).to_have_text(pseudonym)


def save_triage(page, *, state: str, note: str = "", why: str = "") -> None:
    """Sets the state (a dismissal takes the first reason of the list and ``why`` in words)."""
    page.get_by_label("State").select_option(state)
    if why:
        page.locator("#triage-dismiss-reason").select_option(index=1)
        page.locator("#triage-dismiss-text").fill(why)
    if note:
        page.get_by_label("Note").fill(note)
    page.get_by_role("button", name="Save").click()


def test_an_analyst_triages_and_the_auditor_sees_it_all(world, open_page):
    page, console = open_page()
    expect(page.get_by_role("heading", name="Sign in to the workspace")).to_be_visible()
    world.screenshot(page, "01-sign-in.png")
    # a wrong password says so and keeps the form
    console.expect(401, "/api/login")
    page.get_by_label("User name").fill("ann")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("main [role=alert]")).to_have_text("Wrong user name or password.")

    # the queue: pseudonyms only, highest first; the nav offers what an analyst may use
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#who-user")).to_have_text("ann")
    names = queue_pseudonyms(page)
    assert names and all(PSEUDONYM.match(n) for n in names), names
    nav = page.get_by_role("navigation", name="Workspace")
    analyst_views = ["Alert queue", "Network", "Named queries", "Prevention trends"]
    expect(nav.get_by_role("link")).to_have_text(analyst_views)
    world.screenshot(page, "02-queue.png")
    top, other = names[0], names[1]

    # the dossier of the top alert: parts in words, timeline, evidence, network
    open_alert(page, top)
    expect(page.locator("table.parts tbody tr").first).to_be_visible()
    expect(page.locator("#evidence tbody tr").first).to_be_visible()
    expect(page.locator("#timeline-chart")).to_be_visible()
    expect(page.locator(".graph-wrap[data-ready='1']")).to_have_count(1)
    expect(page.locator("#identity")).to_have_count(0)  # no identity before a reveal

    # reveal with a reason: the identity is shown, its name (with HTML in it) as text
    page.get_by_role("button", name="Reveal identity…").click()
    page.get_by_label("Reason (at least 8 characters)").fill("short")
    page.get_by_role("button", name="Reveal and log").click()
    expect(page.get_by_role("dialog")).to_contain_text("at least 8 characters")
    reason = "Integrity case 2026-114: interview planned"
    page.get_by_label("Reason (at least 8 characters)").fill(reason)
    page.get_by_role("button", name="Reveal and log").click()
    identity = page.locator("#identity")
    expect(identity).to_contain_text(XSS)
    expect(identity.locator("img")).to_have_count(0)
    employee_id = re.search(r"employee (\S+?),", identity.inner_text()).group(1)
    assert not PSEUDONYM.match(employee_id)

    # triage: in review with a note; the history shows it
    note = "Checked the first look-up with the case file; asking the team leader."
    save_triage(page, state="in_review", note=note)
    expect(page.locator("#triage-status")).to_contain_text("Saved: in review")
    history = page.locator("#triage-history")
    expect(history).to_contain_text("in review")
    expect(history).to_contain_text(note)
    expect(page.locator("#triage-note")).to_have_value("")
    world.screenshot(page, "03-dossier.png")

    # another alert dismissed with a reason from the list and a word of explanation
    page.get_by_role("link", name="← Alert queue").click()
    open_alert(page, other)
    save_triage(page, state="dismissed", why="Explained by the duty roster.")
    expect(page.locator("#triage-status")).to_contain_text("Saved: dismissed")
    expect(page.locator("#triage-history")).to_contain_text("dismissed")
    expect(page.locator("#triage-history")).to_contain_text("Explained by the duty roster.")
    page.get_by_role("link", name="← Alert queue").click()
    row = page.locator(f"tr[data-pseudonym='{top}']")
    expect(row).to_contain_text("in review")
    sign_out(page)

    # the auditor: only the audit view, and in it every look, the reveal and its reason, the changes
    sign_in(page, "aud")
    expect(nav.get_by_role("link")).to_have_text(["Audit log"])
    table = page.locator("#audit-table")
    expect(table.locator("tbody tr").first).to_be_visible()
    ann = table.locator("tbody tr", has=page.get_by_role("cell", name="ann", exact=True))
    expect(ann.filter(has_text="serve.dossier").filter(has_text=top).first).to_be_visible()
    expect(ann.filter(has_text=reason).filter(has_text=top)).to_have_count(1)
    expect(ann.filter(has_text="serve.triage").filter(has_text=top).first).to_be_visible()
    expect(ann.filter(has_text="serve.triage").filter(has_text=other).first).to_be_visible()
    # search by subject: only entries about the top alert (a queue view names everyone in it)
    page.get_by_label("Subject").fill(top)
    page.get_by_role("button", name="Search").click()
    expect(page.locator(f"#audit-table[data-subject='{top}']")).to_have_count(1)
    expect(table.locator("tbody tr").filter(has_text=reason)).to_have_count(1)
    rows = table.locator("tbody tr")
    assert rows.count() == rows.filter(has_text=top).count() > 0
    page.get_by_role("button", name="Verify the chain").click()
    expect(page.locator("#audit-verdict")).to_contain_text("The chain is intact")
    world.screenshot(page, "04-audit.png")
    # the auditor sees no risk data: the queue is not theirs
    page.goto(world.url + "/#/alerts")
    expect(page.locator("main")).to_contain_text("Your role may not use this view.")


def test_a_conflict_shows_the_other_change_and_keeps_the_note(world, open_page):
    first, _ = open_page()
    second, console = open_page()
    sign_in(first, "ann")
    sign_in(second, "bob")
    pseudonym = queue_pseudonyms(first)[2]
    open_alert(first, pseudonym)
    # the queue works from the keyboard: the pseudonym is a link
    second.get_by_role("table", name="Alerts").get_by_role("link", name=pseudonym, exact=True).focus()
    second.keyboard.press("Enter")
    expect(second.locator("#dossier-title")).to_have_text(pseudonym)
    save_triage(first, state="confirmed")
    expect(first.locator("#triage-status")).to_contain_text("Saved: confirmed")

    console.expect(409, f"/api/alerts/{pseudonym}")
    note = "My own note, typed before the other change arrived."
    save_triage(second, state="resolved", note=note)
    status = second.locator("#triage-status")
    expect(status).to_contain_text("Someone else changed this alert")
    expect(status).to_contain_text("confirmed")
    expect(second.get_by_label("State")).to_have_value("confirmed")
    expect(second.get_by_label("Note")).to_have_value(note)
    world.screenshot(second, "05-conflict.png")
    # saving again now writes the note on top of the other change
    second.get_by_role("button", name="Save").click()
    expect(status).to_contain_text("Saved: confirmed")
    expect(second.locator("#triage-history")).to_contain_text(note)


def test_a_manager_sees_only_trends_and_no_individual(world, open_page):
    page, console = open_page()
    sign_in(page, "man")
    nav = page.get_by_role("navigation", name="Workspace")
    expect(nav.get_by_role("link")).to_have_text(["Prevention trends"])
    table = page.locator("#trends-table")
    expect(table.locator("tbody tr").first).to_be_visible()
    expect(page.locator("#trends-chart")).to_be_visible()
    text = page.locator("main").inner_text()
    assert not re.search(r"EMP-[0-9A-F]{4}", text) and XSS not in text
    world.screenshot(page, "06-trends.png")
    # per team, most teams have fewer than 5 employees: their cells are suppressed, shown as "< 5"
    page.get_by_label("Group by").select_option("team")
    expect(table.locator("thead th").first).to_have_text("team")
    expect(table.locator("td.suppressed").first).to_have_text("< 5")
    assert not re.search(r"EMP-[0-9A-F]{4}", page.locator("main").inner_text())
    for view in ("alerts", "explore", "queries", "audit"):
        page.goto(f"{world.url}/#/{view}")
        expect(page.locator("main")).to_contain_text("Your role may not use this view.")

    # a session that ended (idle timeout, signed out elsewhere): back to the sign-in form, saying so
    page.goto(f"{world.url}/#/trends")
    expect(page.locator("#trends-table")).to_be_visible()
    page.context.clear_cookies()
    console.expect(401, "/api/trends")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Your session has ended")
    sign_in(page, "man")
    expect(page.locator("#trends-table")).to_be_visible()


def test_names_with_html_in_them_stay_text(world, open_page):
    """Every name in the data set ends in <img src=x onerror=...>: it shows as text, nothing runs."""
    page, console = open_page()
    sign_in(page, "ann")
    organisation = _first_id(world.folder / "data" / "organisations.csv")
    page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Network").click()
    page.get_by_label("Start from").select_option("organisation")
    page.get_by_label("Id or pseudonym").fill(organisation)
    page.get_by_role("button", name="Explore", exact=True).click()
    expect(page.locator(".graph-wrap[data-ready='1']")).to_have_count(1)
    page.locator("details.node-list summary").click()
    expect(page.locator(f"table.nodes tr[data-node='Organisation:{organisation}']")).to_contain_text(XSS)
    # a link with markup in it: the server's answer is shown as text
    crafted = quote(XSS, safe="")
    for status in (404, 422):
        console.expect(status, f"/api/alerts/{crafted}")
    page.goto(f"{world.url}/#/alerts/{crafted}")
    expect(page.locator("main [role=alert]")).to_be_visible()
    assert page.locator("main img").count() == 0
    # revealed: the employee's own name, as text
    page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Alert queue").click()
    open_alert(page, queue_pseudonyms(page)[0])
    page.get_by_role("button", name="Reveal identity…").click()
    page.get_by_label("Reason (at least 8 characters)").fill("Checking that names are shown as text")
    page.get_by_role("button", name="Reveal and log").click()
    expect(page.locator("#identity .identity-name")).to_contain_text(XSS)
    assert page.locator("img").count() == 0
    assert page.evaluate("window.__xss") is None


def test_the_liaison_explores_finds_paths_exports_and_queries(world, open_page, tmp_path):
    page, console = open_page()
    sign_in(page, "lia")
    nav = page.get_by_role("navigation", name="Workspace")
    expect(nav.get_by_role("link")).to_have_text(["Network", "Named queries", "Prevention trends"])
    organisation = _first_id(world.folder / "data" / "organisations.csv")

    # start from an organisation, expand one of its members from the node list
    page.get_by_label("Start from").select_option("organisation")
    page.get_by_label("Id or pseudonym").fill(organisation)
    page.get_by_role("button", name="Explore", exact=True).click()
    graph = page.locator(".graph-wrap[data-ready='1']")
    expect(graph).to_have_count(1)
    before = int(graph.get_attribute("data-nodes"))
    page.locator("details.node-list summary").click()
    person = page.locator("table.nodes tbody tr").filter(has_text="Person").first
    person_id = person.get_attribute("data-node")
    person.get_by_role("button", name="Expand").click()
    expect(page.locator("main")).to_contain_text("new node")
    assert int(graph.get_attribute("data-nodes")) >= before
    world.screenshot(page, "07-explore.png")

    # paths between the organisation and that person
    page.get_by_label("From", exact=True).fill(f"Organisation:{organisation}")
    page.get_by_label("To", exact=True).fill(person_id)
    page.get_by_role("button", name="Find paths").click()
    expect(page.locator(".paths")).to_contain_text("path")

    # export the view as JSON: a download with the drawn nodes
    with page.expect_download() as download:
        page.get_by_role("button", name="JSON").click()
    saved = tmp_path / "view.json"
    download.value.save_as(saved)
    assert json.loads(saved.read_text(encoding="utf-8"))

    # a named query: a form made from its header; on the embedded store it says why it cannot run
    nav.get_by_role("link", name="Named queries").click()
    page.get_by_role("link", name=re.compile("organisation", re.I)).first.click()
    for param in ("organisation_id", "since", "until", "limit"):
        expect(page.get_by_label(re.compile(f"^{param}"))).to_be_visible()
    expect(page.get_by_label(re.compile("^limit"))).to_have_value("200")
    page.get_by_label(re.compile("^organisation_id")).fill(organisation)
    query = page.url.rsplit("/", 1)[1]
    console.expect(422, f"/api/queries/{query}")
    page.get_by_role("button", name="Run").click()
    expect(page.locator(".result")).to_contain_text("Neo4j")
    world.screenshot(page, "08-query.png")


def test_the_page_never_parses_text_as_html():
    """No script of the page turns a string into markup, and the page has no inline script or style
    (the server's CSP allows neither): data reaches the DOM as text nodes only."""
    static = Path(__file__).resolve().parent.parent / "graphrisk" / "serve" / "static"
    sinks = re.compile(
        r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function|setHTML"
    )
    for script in sorted(static.glob("*.js")):
        code = "\n".join(line.split("//")[0] for line in script.read_text(encoding="utf-8").splitlines())
        assert not sinks.search(code), f"{script.name}: {sinks.search(code).group(0)}"
    page = (static / "index.html").read_text(encoding="utf-8")
    assert "<style" not in page and " style=" not in page
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", page)), "inline script in index.html"


def _first_id(table) -> str:
    with open(table, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        next(rows)  # the header
        return next(rows)[0]

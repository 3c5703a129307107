"""The web view in a real headless Chromium (Debian's `chromium`, driven by Playwright with its
executable_path; no browser download). `.ci/run` installs Chromium and sets
ROSTERING_E2E_REQUIRED=1, so there a missing browser fails instead of skipping.
ROSTERING_SCREENSHOTS=<folder> writes the README's screenshots there."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from builders import TINY
from rostering.io.roster_file import read_roster
from rostering.io.scenario_file import load_scenario
from rostering.web.app import create_app
from rostering.web.server import background
from rostering.web.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
NORD = ROOT / "scenarios" / "hjemmepleje_nord.yaml"
NORD_ROSTER = ROOT / "tests" / "data" / "web" / "hjemmepleje_nord.csv"  # a 20 s solve, compliant
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Chromium as root in a sandbox with no network: no sandbox, no calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

playwright_api = pytest.importorskip("playwright.sync_api")

if not Path(CHROMIUM).exists():
    if os.environ.get("ROSTERING_E2E_REQUIRED"):
        raise RuntimeError(f"ROSTERING_E2E_REQUIRED is set but there is no Chromium at {CHROMIUM}")
    pytest.skip("no Chromium installed (Debian package `chromium`)", allow_module_level=True)


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


def _serve(scenario: Path, roster: Path | None, tmp_path: Path, token: str | None = None):
    copy = None
    if roster is not None:
        copy = tmp_path / roster.name
        copy.write_bytes(roster.read_bytes())
    return background(create_app(Workspace.open(load_scenario(scenario), copy), token))


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, accept_downloads=True)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda exc: errors.append(str(exc)))
    yield opened
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#grid td.cell")
    page.wait_for_function("document.querySelector('#status').textContent === 'Ready'")


def _set_cell(page, employee: str, date: str, shift: str) -> None:
    page.click(f'td[data-emp="{employee}"][data-date="{date}"]')
    page.select_option("#shift-select", shift)


def _status(page) -> str:
    return page.text_content("#status")


def test_grid_edit_breaks_rest_finding_shown_and_undo(page, tiny_roster_csv, tmp_path):
    with _serve(TINY, tiny_roster_csv, tmp_path) as url:
        _open(page, url)
        assert page.locator("#grid tbody tr[data-emp]").count() == 9
        assert page.locator("#grid td.cell").count() == 9 * 7
        assert page.text_content("#findings-count") == "0"
        # An evening shift (ends 23:00) followed by a day shift (07:00): 8 h of rest, not 11.
        employee, day, after = page.evaluate("""() => {
            for (const td of document.querySelectorAll('#grid td.cell')) {
              const next = td.nextElementSibling;
              if (next && td.textContent.startsWith('aft') && !next.textContent)
                return [td.dataset.emp, td.dataset.date, next.dataset.date];
            }}""")
        _set_cell(page, employee, after, "dag")
        finding = page.locator('#findings li[data-rule="rest.daily"]').filter(has_text=employee)
        finding.first.wait_for()
        assert "§" in finding.first.text_content()
        assert "re-checked in" in _status(page)

        finding.first.click()
        highlighted = page.eval_on_selector_all("td.hl", "tds => tds.map(td => td.dataset.emp + ' ' + td.dataset.date)")
        assert {f"{employee} {day}", f"{employee} {after}"} <= set(highlighted)

        page.click("#export-payroll")  # no pay lines for a roster that breaks the law
        page.wait_for_function("document.querySelector('#status').textContent.includes('refused')")
        assert "hard rule" in _status(page)

        page.click("#undo")
        page.wait_for_function("!document.querySelector('#findings li[data-rule]')")
        assert page.text_content("#findings-count") == "0"
        assert page.text_content(f'td[data-emp="{employee}"][data-date="{after}"]') == ""

        # The same break from the keyboard: select the evening, arrow right, Enter, choose dag;
        # Delete takes the shift away again.
        page.click(f'td[data-emp="{employee}"][data-date="{day}"]')
        page.keyboard.press("ArrowRight")
        assert page.get_attribute("td.selected", "data-date") == after
        page.keyboard.press("Enter")
        page.select_option("#shift-select", "dag")
        finding.first.wait_for()
        page.click(f'td[data-emp="{employee}"][data-date="{after}"]')
        page.keyboard.press("Delete")
        page.wait_for_function("!document.querySelector('#findings li[data-rule]')")


def test_short_solve_shows_progress_and_the_new_grid(page, tmp_path):
    with _serve(NORD, NORD_ROSTER, tmp_path) as url:
        _open(page, url)
        before = page.text_content("#version")
        # Record every status line the page shows, so the live progress cannot slip by unseen.
        page.evaluate("""() => { window.statusLines = [];
            new MutationObserver(() => window.statusLines.push(document.querySelector('#status').textContent))
              .observe(document.querySelector('#status'), {childList: true, characterData: true, subtree: true}); }""")
        page.fill("#time-limit", "4")
        page.click("#solve")
        page.wait_for_function("document.querySelector('#status').textContent.startsWith('solve done')", timeout=90_000)
        lines = page.evaluate("window.statusLines")
        live = [
            line
            for line in lines
            if re.search(r"solve · [\d.]+ s of 4(\.0)? s · objective -?[\d.]+ · bound -?[\d.]+ · gap", line)
        ]
        assert live, lines[-8:]
        assert re.search(r"solve done: \d+ shifts, objective -?[\d.]+", _status(page))
        assert page.text_content("#version") != before
        assert page.locator("#grid td.cell .shift").count() > 800  # the new roster, drawn


def test_lock_then_sick_leave_and_replan_lists_the_changes(page, tiny_roster_csv, tmp_path):
    with _serve(TINY, tiny_roster_csv, tmp_path) as url:
        _open(page, url)
        # The employee with the most shifts falls ill for the last three days.
        days = page.eval_on_selector(
            "#grid tbody tr[data-emp]", "tr => [...tr.querySelectorAll('td.cell')].map(td => td.dataset.date)"
        )
        sick = page.evaluate("""() => [...document.querySelectorAll('#grid tbody tr[data-emp]')]
            .map(tr => [tr.dataset.emp, tr.querySelectorAll('.shift').length]).sort((a, b) => b[1] - a[1])[0][0]""")
        other = next(
            e
            for e in page.eval_on_selector_all("#grid tbody tr[data-emp]", "trs => trs.map(tr => tr.dataset.emp)")
            if e != sick
        )  # whose last day, shift or day off, is locked: the re-plan keeps it
        page.click(f'td[data-emp="{other}"][data-date="{days[6]}"]')
        page.click("#lock")
        page.wait_for_selector(f'td.locked[data-emp="{other}"][data-date="{days[6]}"]')
        kept = page.text_content(f'td[data-emp="{other}"][data-date="{days[6]}"]')

        page.select_option("#sick-employee", sick)
        page.fill("#sick-from", days[4])
        page.fill("#sick-to", days[6])
        page.click("#replan")
        page.wait_for_function(
            "!document.querySelector('#status').className.includes('busy')"
            " && document.querySelector('#status').textContent.startsWith('replan')",
            timeout=60_000,
        )
        assert _status(page).startswith("replan done"), _status(page)
        assert page.locator("#changes tbody tr").filter(has_text=sick).count() >= 1
        for day in days[4:]:
            cell = page.locator(f'td[data-emp="{sick}"][data-date="{day}"]')
            assert "absent" in cell.get_attribute("class") and cell.locator(".shift").count() == 0
        assert page.text_content(f'td[data-emp="{other}"][data-date="{days[6]}"]') == kept


def test_export_csv_downloads_the_current_roster(page, tiny_roster_csv, tmp_path):
    with _serve(TINY, tiny_roster_csv, tmp_path) as url:
        _open(page, url)
        with page.expect_download() as download:
            page.click("#export-csv")
        saved = tmp_path / "export.csv"
        download.value.save_as(saved)
        assert download.value.suggested_filename == "roster.csv"
        assert read_roster(saved).assignments == read_roster(tiny_roster_csv).assignments


def test_with_a_token_the_page_works_and_without_it_nothing_loads(page, tiny_roster_csv, tmp_path):
    with _serve(TINY, tiny_roster_csv, tmp_path, token="s3cret-token") as url:
        response = page.goto(url)
        assert response.status == 401
        assert "token" in page.text_content("body")
        _open(page, f"{url}/?token=s3cret-token")  # scripts, styles and API calls carry it
        with page.expect_download() as download:
            page.click("#export-csv")
        assert download.value.failure() is None
        page.context.clear_cookies()
        assert page.request.get(f"{url}/api/roster").status == 401


def test_api_docs_render_offline(page, tmp_path):
    """The browser here has no network: Swagger UI must come from the package, not a CDN."""
    with _serve(TINY, None, tmp_path) as url:
        page.goto(f"{url}/docs")
        page.wait_for_selector(".swagger-ui .opblock")
        paths = page.eval_on_selector_all(".opblock-summary-path", "spans => spans.map(s => s.textContent)")
        assert {"/api/edits", "/api/solve", "/api/replan", "/api/export/payroll.csv"} <= {
            p.replace("\u200b", "") for p in paths
        }


def test_screenshots_of_grid_and_heatmap(page, tmp_path):
    """The README's pictures: the 60-employee home-care district, four weeks."""
    folder = Path(os.environ.get("ROSTERING_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    with _serve(NORD, NORD_ROSTER, tmp_path) as url:
        _open(page, url)
        assert page.locator("#grid tbody tr[data-emp]").count() == 60
        assert page.locator("#coverage td.heat").count() > 0
        page.click("#findings")  # nothing selected: the grid as a planner first sees it
        page.screenshot(path=str(folder / "grid.png"))
        page.locator("#coverage-pane").screenshot(path=str(folder / "heatmap.png"))
    assert (folder / "grid.png").stat().st_size > 10_000
    assert (folder / "heatmap.png").stat().st_size > 5_000

"""The web view in a real headless Chromium (Debian's `chromium`, driven by Playwright with its
executable_path; no browser download). `.ci/run` installs Chromium and sets
ROSTERING_E2E_REQUIRED=1, so there a missing browser fails instead of skipping.
ROSTERING_SCREENSHOTS=<folder> writes the docs' screenshots there (docs/screenshots)."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from builders import TINY
from rostering.io.roster_file import read_roster
from rostering.io.scenario_file import load_scenario
from rostering.web.app import create_app
from rostering.web.server import background, free_port
from rostering.web.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
NORD = ROOT / "scenarios" / "hjemmepleje_nord.yaml"
NORD_ROSTER = ROOT / "tests" / "data" / "web" / "hjemmepleje_nord.csv"  # a 20 s solve, compliant
SOLBAKKEN = ROOT / "scenarios" / "plejehjem_solbakken.yaml"
SOLBAKKEN_ROSTER = ROOT / "tests" / "data" / "web" / "plejehjem_solbakken.csv"  # 45 employees, 4 weeks, compliant
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
SOLVE_SECONDS = "3"  # the tiny plan is solved to its optimum well within this

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


def _copy(roster: Path | None, tmp_path: Path) -> Path | None:
    if roster is None:
        return None
    copy = tmp_path / roster.name
    if not copy.exists():
        copy.write_bytes(roster.read_bytes())
    return copy


def _app(scenario: Path, roster: Path | None, token: str | None = None, autosave: bool = False):
    return create_app(Workspace.open(load_scenario(scenario), roster, autosave_on=autosave), token)


def _serve(scenario: Path, roster: Path | None, tmp_path: Path, token: str | None = None):
    return background(_app(scenario, _copy(roster, tmp_path), token))


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
    page.wait_for_function("['Klar', 'Ready'].includes(document.querySelector('#status').textContent)")


def _cell(page, employee: str, date: str):
    return page.locator(f'#grid td[data-emp="{employee}"][data-date="{date}"]')


def _choose(page, employee: str, date: str, shift: str | None) -> None:
    """Click the cell and pick a shift (None: a day off) from its menu."""
    _cell(page, employee, date).click()
    page.click(f'#cell-menu [data-value="{f"shift:{shift}" if shift else "off"}"]')


def _keys(page, selector: str) -> list[str]:
    """ "employee date" of every element `selector` finds (grid cells, change-list rows)."""
    return page.eval_on_selector_all(selector, "nodes => nodes.map(n => n.dataset.emp + ' ' + n.dataset.date)")


def _status(page) -> str:
    return page.text_content("#status")


def _wait_status(page, text: str, timeout: float = 30_000) -> None:
    script = f"document.querySelector('#status').textContent.includes({json.dumps(text)})"
    page.wait_for_function(script, timeout=timeout)


def _grid(page) -> dict[str, str]:
    """Every employee cell's shown shift code (a proposal's old shift not included)."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#grid td.cell')].map(td =>
        [td.dataset.emp + ' ' + td.dataset.date, td.querySelector('.shift')?.textContent || '']))""")


def _evening_then_free(page) -> tuple[str, str, str]:
    """An evening shift (ends 23:00) followed by a free, available day."""
    return page.evaluate("""() => {
        for (const td of document.querySelectorAll('#grid td.cell')) {
          const next = td.nextElementSibling;
          if (next && td.querySelector('.shift')?.textContent === 'aft' && !next.querySelector('.shift')
              && !/absent|unavailable|locked/.test(next.className))
            return [td.dataset.emp, td.dataset.date, next.dataset.date];
        }}""")


def _solve(page, seconds: str = SOLVE_SECONDS) -> None:
    """Start a solve; `_wait_job_end` then waits for it (the status line is busy while it runs)."""
    page.evaluate("""() => { window.jobEnded = false;
        const status = document.querySelector('#status');
        new MutationObserver((changes, observer) => {
          if (status.getAttribute('aria-busy') === 'false') { window.jobEnded = true; observer.disconnect(); }
        }).observe(status, {attributes: true, attributeFilter: ['aria-busy']}); }""")
    page.fill("#time-limit", seconds)
    page.click("#solve")


def _wait_job_end(page, timeout: float = 90_000) -> None:
    page.wait_for_function("window.jobEnded === true", timeout=timeout)


# ------------------------------------------------------------------ the grid shows rule breaks


def _as_preferences(route) -> None:
    """The server's findings, every one made a preference's (severity "preference")."""
    answer = route.fetch()
    found = answer.json()
    for finding in found["findings"]:
        finding.update(severity="preference", points=10)
    route.fulfill(response=answer, json=found)


def test_a_new_rest_break_is_marked_in_its_cells_and_announced(page, tiny_roster_csv, tmp_path):
    with _serve(TINY, tiny_roster_csv, tmp_path) as url:
        _open(page, url)
        assert page.locator("#grid tbody tr[data-emp]").count() == 9
        assert page.locator("#grid td.cell").count() == 9 * 7
        assert page.text_content("#findings-count") == "0"
        # An evening shift (ends 23:00) followed by a day shift (07:00): 8 h of rest, not 11.
        employee, day, after = _evening_then_free(page)
        _choose(page, employee, after, "dag")

        # Marked in both cells at once, with a sign (not colour alone), nothing clicked.
        for date in (day, after):
            _cell(page, employee, date).locator(".mark.hard").wait_for()
            assert _cell(page, employee, date).locator(".mark.hard").text_content() == "!"
            assert "hard" in _cell(page, employee, date).get_attribute("class")
        assert page.locator("#grid td.hl").count() == 0
        # Told beside the cell and to a screen reader.
        assert page.locator("#callout").is_visible()
        assert re.search(r"ny[te]? regelbrud", page.text_content("#callout"), re.IGNORECASE)
        assert employee in page.text_content("#announce")
        assert "reglerne tjekket på" in _status(page)

        finding = page.locator('#findings li[data-rule="rest.daily"]').filter(has_text=employee)
        assert "§" in finding.first.text_content()
        assert "Daglig hviletid (11-timers-reglen)" in finding.first.text_content()  # the rule's Danish title
        finding.first.locator("button").focus()
        page.keyboard.press("Enter")  # findings open from the keyboard, and highlight their cells
        assert {f"{employee} {day}", f"{employee} {after}"} <= set(_keys(page, "td.hl"))

        # The same findings as preferences (a rule held soft): another sign, listed apart.
        findings = re.compile(r".*/api/findings$")
        page.route(findings, _as_preferences)
        page.reload()
        _wait_status(page, "Klar")
        assert page.locator("#grid .mark.hard").count() == 0
        assert _cell(page, employee, after).locator(".mark.soft").text_content() == "~"
        assert page.locator("#soft-findings li").count() >= 1 and "præference" in page.text_content("#soft-count")
        page.unroute(findings)
        page.reload()
        _wait_status(page, "Klar")

        page.click("#export-payroll")  # no pay lines for a roster that breaks the law
        _wait_status(page, "afvist")
        assert "hard rule" in _status(page)

        page.click("#undo")
        page.wait_for_function("!document.querySelector('#findings li[data-rule]')")
        assert page.text_content("#findings-count") == "0"
        assert page.locator("#grid .mark.hard").count() == 0
        assert _cell(page, employee, after).locator(".shift").count() == 0


def test_an_edit_redraws_only_its_row(page, tiny_roster_csv, tmp_path):
    """The edit's delta replaces one row, its findings and its day's coverage; the rest stays the
    same DOM, and what is shown equals a fresh load."""
    with _serve(TINY, tiny_roster_csv, tmp_path) as url:
        _open(page, url)
        employee, _, after = _evening_then_free(page)
        page.evaluate("""() => { window.touched = new Set();
            new MutationObserver(changes => changes.forEach(m => {
              const node = m.target.nodeType === 1 ? m.target : m.target.parentElement;
              window.touched.add(node.closest('tr').dataset.emp || 'other');
            })).observe(document.querySelector('#grid tbody'),
              {subtree: true, childList: true, characterData: true, attributeFilter: ['class']}); }""")
        _choose(page, employee, after, "dag")
        page.locator(f'#grid td.hard[data-emp="{employee}"][data-date="{after}"]').wait_for()
        assert page.evaluate("[...window.touched]") == [employee], "only the edited employee's row is redrawn"

        shown = page.evaluate("""() => [document.querySelector('#grid tfoot').innerText,
            document.querySelector('#findings').innerText, document.querySelector('#totals').innerText,
            document.querySelector('#grid tbody').innerText]""")
        page.reload()
        page.wait_for_selector("#grid td.cell")
        _wait_status(page, "Klar")
        assert shown == page.evaluate("""() => [document.querySelector('#grid tfoot').innerText,
            document.querySelector('#findings').innerText, document.querySelector('#totals').innerText,
            document.querySelector('#grid tbody').innerText]""")


def test_keyboard_edit_in_the_grid(page, tiny_roster_csv, tmp_path):
    with _serve(TINY, tiny_roster_csv, tmp_path) as url:
        _open(page, url)
        assert page.get_attribute("#grid", "role") == "grid"
        assert page.locator('#grid [role="columnheader"][data-date]').count() == 7
        assert page.locator('#grid tbody [role="rowheader"]').count() >= 9
        assert page.locator('#grid td[tabindex="0"]').count() == 1  # one roving tab stop
        employee, day, after = _evening_then_free(page)
        rows = page.eval_on_selector_all("#grid tbody tr[data-emp]", "trs => trs.map(tr => tr.dataset.emp)")
        days = page.eval_on_selector_all("#grid thead th[data-date]", "ths => ths.map(th => th.dataset.date)")

        page.focus('#grid td[tabindex="0"]')
        for _ in range(rows.index(employee)):
            page.keyboard.press("ArrowDown")
        page.keyboard.press("End")
        assert page.evaluate("document.activeElement.dataset.date") == days[-1]
        page.keyboard.press("Home")
        for _ in range(days.index(after)):
            page.keyboard.press("ArrowRight")
        focused = "document.activeElement.dataset.emp + ' ' + document.activeElement.dataset.date"
        assert page.evaluate(focused) == f"{employee} {after}"

        page.keyboard.press("Enter")  # the shift menu; Escape leaves it back to the cell
        page.wait_for_selector("#cell-menu:not([hidden])")
        assert page.evaluate("document.activeElement.getAttribute('role')") == "menuitemradio"
        page.keyboard.press("Escape")
        assert page.is_hidden("#cell-menu")
        assert page.evaluate(focused) == f"{employee} {after}"

        page.keyboard.press("Enter")
        page.keyboard.press("d")  # jumps to "dag"
        assert page.evaluate("document.activeElement.textContent").startswith("dag")
        page.keyboard.press("Enter")
        _cell(page, employee, after).locator(".mark.hard").wait_for()
        assert _cell(page, employee, after).locator(".shift").text_content() == "dag"
        assert page.evaluate(focused) == f"{employee} {after}"  # still there after the row redrew

        page.keyboard.press("Delete")  # a day off again
        page.wait_for_function("!document.querySelector('#grid .mark.hard')")
        assert _cell(page, employee, after).locator(".shift").count() == 0
        page.keyboard.press("Control+z")
        _cell(page, employee, after).locator(".shift").wait_for()


# ------------------------------------------------------------------ solve and re-plan: proposals


def test_a_solve_is_a_proposal_the_grid_takes_only_on_accept(page, tiny_roster_csv, tmp_path):
    with _serve(TINY, tiny_roster_csv, tmp_path) as url:
        _open(page, url)
        # Take three shifts away: the roster falls below minimum, the solver puts people back.
        cleared = page.evaluate("""() => [...document.querySelectorAll('#grid td.cell')]
            .filter(td => td.querySelector('.shift')).slice(0, 3).map(td => [td.dataset.emp, td.dataset.date])""")
        for employee, date in cleared:
            _choose(page, employee, date, None)
            _cell(page, employee, date).locator(".shift").wait_for(state="detached")
        before, version = _grid(page), page.text_content("#version")
        page.evaluate("""() => { window.statusLines = [];
            new MutationObserver(() => window.statusLines.push(document.querySelector('#status').textContent))
              .observe(document.querySelector('#status'), {childList: true, characterData: true, subtree: true}); }""")

        _solve(page)
        page.locator("#review #accept").wait_for(timeout=60_000)
        lines = page.evaluate("window.statusLines")
        assert any(re.search(r"Beregning i gang · [\d,]+ af 3 s", line) for line in lines), lines[-5:]
        assert not any("gap" in line.lower() for line in lines), lines
        review = page.text_content("#review")
        assert re.search(r"(\d+ vagt(er)? (stadig )?|ingen vagter )under minimum \(før \d+\)", review), review
        assert re.search(r"strafpoint [\d.]+ \(før [\d.]+\)", review), review
        assert "%" not in review and "gap" not in review.lower()
        proposed, listed = _keys(page, "#grid td.proposed"), _keys(page, "#proposal-changes tbody tr")
        assert proposed and sorted(proposed) == sorted(listed)
        assert page.text_content("#version") == version  # nothing taken yet

        page.click("#discard")
        page.wait_for_selector("#review", state="hidden")
        assert page.locator("#grid td.proposed").count() == 0
        assert _grid(page) == before and page.text_content("#version") == version

        _solve(page)
        page.locator("#review #accept").wait_for(timeout=60_000)
        proposal = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#grid td.proposed')]
            .map(td => [td.dataset.emp + ' ' + td.dataset.date, td.querySelector('.shift')?.textContent || '']))""")
        page.click("#accept")
        _wait_status(page, "Forslaget er taget")
        assert page.locator("#grid td.proposed").count() == 0
        assert page.text_content("#version") != version
        after = _grid(page)
        assert all(after[k] == v for k, v in proposal.items())
        assert {k for k in before if before[k] != after[k]} == set(proposal)


def test_an_edit_while_solving_makes_the_proposal_stale(page, tiny_roster_csv, tmp_path):
    with _serve(TINY, tiny_roster_csv, tmp_path) as url:
        _open(page, url)
        employee, _, after = _evening_then_free(page)
        _solve(page)
        page.locator("#review progress").wait_for()
        _choose(page, employee, after, "dag")
        page.locator("#review .warning").filter(has_text="resultatet").wait_for()
        _wait_job_end(page)
        page.locator("#review .stale").wait_for()
        assert page.is_disabled("#accept")
        page.click("#discard")
        page.wait_for_selector("#review", state="hidden")


def test_a_worse_proposal_asks_before_it_is_taken_and_no_roster_keeps_the_current(page, tiny_roster_csv, tmp_path):
    """The server's verdicts, forced: a proposal flagged worse, then a solve that found nothing."""
    verdict = {"status": "proposal"}

    def patch(route):
        answer = route.fetch()
        job = answer.json()
        if job["status"] == "proposal" and verdict["status"] == "proposal":
            job["proposal"]["worse"] = True
        elif job["status"] == "proposal":
            job.update(status="no roster", proposal=None, message="no roster found within the time limit")
        route.fulfill(response=answer, json=job)

    with _serve(TINY, tiny_roster_csv, tmp_path) as url:
        page.route(re.compile(r".*/api/jobs/\d+$"), patch)
        _open(page, url)
        version, before = page.text_content("#version"), _grid(page)
        _solve(page)
        page.locator("#review #accept").wait_for(timeout=60_000)
        assert "dårligere" in page.text_content("#review .worse")
        page.click("#accept")
        page.locator("#accept-confirm").wait_for()  # asked first, nothing taken
        assert page.text_content("#version") == version
        page.click("#accept-cancel")
        assert page.locator("#accept-confirm").count() == 0
        page.click("#accept")
        page.click("#accept-confirm")
        _wait_status(page, "Forslaget er taget")
        version, before = page.text_content("#version"), _grid(page)

        verdict["status"] = "no roster"
        _solve(page)
        _wait_job_end(page)
        assert "den nuværende plan beholdes" in _status(page)
        assert page.is_hidden("#review")
        assert page.text_content("#version") == version and _grid(page) == before


def test_replan_covers_only_the_absence_and_lists_every_change(page, tiny_roster_csv, tmp_path):
    with _serve(TINY, tiny_roster_csv, tmp_path) as url:
        _open(page, url)
        days = page.eval_on_selector_all("#grid thead th[data-date]", "ths => ths.map(th => th.dataset.date)")
        # The employee with the most shifts falls ill for the last three days.
        sick = page.evaluate("""() => [...document.querySelectorAll('#grid tbody tr[data-emp]')]
            .map(tr => [tr.dataset.emp, tr.querySelectorAll('.shift').length]).sort((a, b) => b[1] - a[1])[0][0]""")
        other = next(
            e
            for e in page.eval_on_selector_all("#grid tbody tr[data-emp]", "trs => trs.map(tr => tr.dataset.emp)")
            if e != sick
        )  # whose last day, shift or day off, is locked: the re-plan keeps it
        _cell(page, other, days[6]).click()
        page.click('#cell-menu [data-value="lock"]')
        page.wait_for_selector(f'td.locked[data-emp="{other}"][data-date="{days[6]}"]')
        kept = _grid(page)[f"{other} {days[6]}"]
        sick_shifts = sum(1 for d in days[4:] if _grid(page)[f"{sick} {d}"])

        page.select_option("#sick-employee", sick)
        page.fill("#sick-from", days[4])
        page.fill("#sick-to", days[6])
        assert not page.is_checked("#fill-other-gaps")  # by default only the absence's gaps
        page.click("#replan")
        page.locator("#review #accept").wait_for(timeout=60_000)
        listed, proposed = _keys(page, "#proposal-changes tbody tr"), _keys(page, "#grid td.proposed")
        assert sorted(listed) == sorted(proposed)
        assert sick_shifts <= len(listed) <= 2 * sick_shifts + 1, listed  # the gaps and who fills them
        assert all(change.split()[1] in days[4:] for change in listed), listed
        assert f"{other} {days[6]}" not in listed

        if os.environ.get("ROSTERING_SCREENSHOTS"):  # the review panel, for the docs
            page.locator("#review").screenshot(path=str(Path(os.environ["ROSTERING_SCREENSHOTS"]) / "review.png"))
        page.click("#accept")
        _wait_status(page, "Forslaget er taget")
        for day in days[4:]:
            cell = _cell(page, sick, day)
            assert "absent" in cell.get_attribute("class") and cell.locator(".shift").count() == 0
        assert _cell(page, sick, days[4]).locator(".absence").text_content() == "sygdom"  # the whole word
        assert page.locator("#taken-changes tbody tr").count() == len(listed)
        assert _grid(page)[f"{other} {days[6]}"] == kept


# ------------------------------------------------------------------ filters, gaps, exports


def test_filters_and_who_can_take_a_gap(page, tiny_roster_csv, tmp_path):
    def named(route):  # the tiny scenario has no display names: give e03 one
        answer = route.fetch()
        roster = answer.json()
        next(e for e in roster["employees"] if e["id"] == "e03")["name"] = "Anne Holm"
        route.fulfill(response=answer, json=roster)

    with _serve(TINY, tiny_roster_csv, tmp_path) as url:
        page.route(re.compile(r".*/api/roster$"), named)
        _open(page, url)
        who = page.locator('#grid tr[data-emp="e03"] th.who')
        assert who.text_content() == "Anne Holm" and "e03" in who.get_attribute("title")
        assert page.text_content('#grid tr[data-emp="e04"] th.who') == "e04"
        visible = "() => [...document.querySelectorAll('#grid tr[data-emp]:not([hidden])')].map(tr => tr.dataset.emp)"
        page.fill("#search", "e03")
        assert page.evaluate(visible) == ["e03"]
        page.fill("#search", "holm")  # the name too
        assert page.evaluate(visible) == ["e03"]
        page.fill("#search", "")
        page.select_option("#filter-competence", "ssa")
        assert set(page.evaluate(visible)) == {"e01", "e02", "e08", "e09"}
        page.select_option("#filter-competence", "")
        assert len(page.evaluate(visible)) == 9

        # Take a day shift away and ask who can take it.
        date = page.eval_on_selector("#grid thead th[data-date]", "th => th.dataset.date")
        employee = page.evaluate(f"""() => [...document.querySelectorAll('#grid td.cell[data-date="{date}"]')]
            .find(td => td.querySelector('.shift')?.textContent === 'dag').dataset.emp""")
        _choose(page, employee, date, None)
        _cell(page, employee, date).locator(".shift").wait_for(state="detached")
        page.click(f'#grid tfoot td[data-shift="dag"][data-date="{date}"]')
        page.locator("#gap-body .gap-heading").wait_for()
        assert "dag" in page.text_content("#gap-body .gap-heading")
        assert page.locator("#gap-body li").count() >= 1
        cannot = page.text_content("#gap-body details")  # why the others cannot, in Danish
        assert re.search(r"ville bryde|har allerede vagt|må ikke tage|fraværende|ikke til rådighed", cannot)
        assert not re.search(r"already on duty|would break|may not|absent \(|rest\.daily", cannot)
        assign = page.locator("#gap-body button.assign")
        if assign.count():
            taker = assign.first.get_attribute("data-emp")
            assign.first.click()
            _cell(page, taker, date).locator(".shift").filter(has_text="dag").wait_for()


def _download(page, link: str, folder: Path, name: str) -> Path:
    """Click an export link, check the file's suggested name and save it in `folder`."""
    with page.expect_download() as download:
        page.click(link)
    assert download.value.suggested_filename == name
    saved = folder / name
    download.value.save_as(saved)
    return saved


def test_export_csv_downloads_the_current_roster_with_the_payroll_profile(page, tiny_roster_csv, tmp_path):
    with _serve(TINY, tiny_roster_csv, tmp_path) as url:
        _open(page, url)
        saved = _download(page, "#export-csv", tmp_path, "roster.csv")
        assert read_roster(saved).assignments == read_roster(tiny_roster_csv).assignments
        page.select_option("#payroll-profile", "kmd_opus")
        assert "profile=kmd_opus" in page.get_attribute("#export-payroll", "href")
        with page.expect_download() as download:
            page.click("#export-payroll")
        assert download.value.suggested_filename == "payroll.csv"


def test_a_workbook_scenario_round_trips_through_the_page(page, tmp_path):
    """Served from the planner's workbook, the page exports the scenario as a workbook again, and
    it reads back as that scenario, nothing left out (with reported sick leave: test_web_grid)."""
    book = ROOT / "scenarios" / "plejehjem_solbakken.xlsx"
    with _serve(book, SOLBAKKEN_ROSTER, tmp_path) as url:
        _open(page, url)
        saved = _download(page, "#export-scenario", tmp_path, "scenario.xlsx")
        page.wait_for_function("document.querySelector('#status').textContent.includes('hentet')")
        assert "kan ikke rumme" not in page.text_content("#status")
    assert load_scenario(saved) == load_scenario(book) == load_scenario(ROOT / "scenarios" / "plejehjem_solbakken.yaml")


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


# ------------------------------------------------------------------ robustness


def test_server_loss_shows_a_banner_keeps_the_page_and_recovers(page, tiny_roster_csv, tmp_path):
    roster, port = _copy(tiny_roster_csv, tmp_path), free_port()
    with background(_app(TINY, roster), port=port) as url:
        _open(page, url)
        before, version = _grid(page), page.text_content("#version")
        employee, _, after = _evening_then_free(page)
    # The server is gone: an edit is not sent, the banner says so, the page keeps its state.
    _choose(page, employee, after, "dag")
    page.locator("#offline").wait_for()
    assert "Ingen forbindelse til serveren" in page.text_content("#offline")
    assert "ikke sendt" in _status(page)
    assert _grid(page) == before and page.text_content("#version") == version
    page.click("#export-csv")
    _wait_status(page, "ingen forbindelse")

    with background(_app(TINY, roster), port=port):
        page.wait_for_selector("#offline", state="hidden", timeout=15_000)
        _wait_status(page, "Forbindelsen er tilbage")
        _choose(page, employee, after, "dag")
        _cell(page, employee, after).locator(".mark.hard").wait_for()


def test_the_page_says_when_work_was_restored_from_an_autosave(page, tiny_roster_csv, tmp_path):
    roster = _copy(tiny_roster_csv, tmp_path)
    with background(_app(TINY, roster, autosave=True)) as url:
        _open(page, url)
        assert page.is_hidden("#autosaved")
        employee, _, after = _evening_then_free(page)
        _choose(page, employee, after, "dag")
        _cell(page, employee, after).locator(".mark.hard").wait_for()
    with background(_app(TINY, roster, autosave=True)) as url:  # a restart resumes the work
        _open(page, url)
        assert "autogemt" in page.text_content("#autosaved")
        assert _cell(page, employee, after).locator(".shift").text_content() == "dag"


def test_language_switch_to_english_is_remembered(page, tiny_roster_csv, tmp_path):
    with _serve(TINY, tiny_roster_csv, tmp_path) as url:
        _open(page, url)
        assert page.get_attribute("html", "lang") == "da"
        assert page.text_content("#undo") == "Fortryd"
        page.select_option("#lang", "en")
        assert page.get_attribute("html", "lang") == "en"
        assert page.text_content("#undo") == "Undo"
        assert page.text_content("#solve") == "Compute proposal"
        assert page.text_content("#grid thead th[data-date]").startswith("Mo")
        page.reload()
        page.wait_for_selector("#grid td.cell")
        _wait_status(page, "Ready")
        assert page.get_attribute("html", "lang") == "en" and page.text_content("#undo") == "Undo"
        page.select_option("#lang", "da")
        assert page.text_content("#undo") == "Fortryd"


def test_api_docs_render_offline(page, tmp_path):
    """The browser here has no network: Swagger UI must come from the package, not a CDN."""
    with _serve(TINY, None, tmp_path) as url:
        page.goto(f"{url}/docs")
        page.wait_for_selector(".swagger-ui .opblock")
        paths = page.eval_on_selector_all(".opblock-summary-path", "spans => spans.map(s => s.textContent)")
        assert {"/api/edits", "/api/solve", "/api/replan", "/api/export/payroll.csv"} <= {
            p.replace("\u200b", "") for p in paths
        }


# ------------------------------------------------------------------ layout and print


def _columns_fit(page) -> dict:
    """Where the day columns end, how far the grid scrolls sideways, and how many coverage cells
    are not exactly under their day."""
    return page.evaluate("""() => {
        const scroll = document.querySelector('#grid-scroll');
        const boxes = (selector) => [...document.querySelectorAll(selector)].map(n => n.getBoundingClientRect());
        const heads = boxes('#grid thead th[data-date]');
        const foot = boxes('#grid tfoot tr:first-child td');
        const apart = (a, b) => Math.abs(a.left - b.left) > 1 || Math.abs(a.width - b.width) > 1;
        return {days: heads.length, right: Math.max(...heads.map(r => r.right)),
          scrollRight: scroll.getBoundingClientRect().right, overflow: scroll.scrollWidth - scroll.clientWidth,
          misaligned: heads.filter((r, i) => apart(r, foot[i])).length};
    }""")


def test_four_weeks_fit_1366_pixels_and_the_screenshots(page, tmp_path):
    """Solbakken, 45 employees x 28 days, on a 1366 x 768 laptop: every day column in view, no
    horizontal scrolling, coverage under its day. ROSTERING_SCREENSHOTS=docs/screenshots writes
    the docs' pictures (1366 x 768 here, 1920 x 1080 of the 60-employee district)."""
    folder = Path(os.environ.get("ROSTERING_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 768})
    with _serve(SOLBAKKEN, SOLBAKKEN_ROSTER, tmp_path) as url:
        _open(page, url)
        fit = _columns_fit(page)
        assert fit["days"] == 28 and fit["right"] <= min(fit["scrollRight"], 1366), fit
        assert fit["overflow"] <= 0 and fit["misaligned"] == 0, fit
        assert page.locator("#grid tfoot td.heat.below-min .sym").first.text_content() == "!"
        # Hours are marked only beyond the hours.norm rule's tolerance, with an arrow besides colour.
        wrong = page.evaluate("""async () => (await (await fetch('/api/roster')).json()).employees.filter(e => {
            const marked = /over|under/.test(document.querySelector(`#grid tr[data-emp="${e.id}"] td.hours`).className);
            return marked !== (Math.abs(e.planned_hours - e.norm_hours) > e.norm_tolerance_hours); }).map(e => e.id)""")
        assert wrong == [], wrong
        page.screenshot(path=str(folder / "grid-1366.png"))
        foot, legend = page.locator("#grid tfoot").bounding_box(), page.locator("#legend").bounding_box()
        assert foot and legend
        top = foot["y"] - 80  # a few employee rows above the coverage rows
        page.screenshot(
            path=str(folder / "heatmap.png"),
            clip={
                "x": 0,
                "y": top,
                "width": legend["x"] + legend["width"],
                "height": legend["y"] + legend["height"] - top,
            },
        )
    page.set_viewport_size({"width": 1920, "height": 1080})
    with _serve(NORD, NORD_ROSTER, tmp_path) as url:
        _open(page, url)
        assert page.locator("#grid tbody tr[data-emp]").count() == 60
        fit = _columns_fit(page)
        assert fit["overflow"] <= 0 and fit["misaligned"] == 0, fit
        page.screenshot(path=str(folder / "grid.png"))
    assert (folder / "grid.png").stat().st_size > 10_000
    assert (folder / "grid-1366.png").stat().st_size > 10_000
    assert (folder / "heatmap.png").stat().st_size > 5_000


def _pdf_pages(pdf: bytes) -> int:
    try:
        from pypdf import PdfReader
    except ImportError:
        return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
    import io

    return len(PdfReader(io.BytesIO(pdf)).pages)


def test_print_is_the_grid_on_two_landscape_a4_pages(page, tmp_path):
    with _serve(SOLBAKKEN, SOLBAKKEN_ROSTER, tmp_path) as url:
        _open(page, url)
        page.emulate_media(media="print")
        assert page.is_hidden("header") and page.is_hidden("aside") and page.is_hidden("#filters")
        assert page.is_visible("#grid th.week") and page.is_visible("#legend") and page.is_visible("#print-head")
        assert page.text_content("#grid th.week").startswith("Uge 17")
        pdf = page.pdf(format="A4", landscape=True, print_background=True)
    pages = _pdf_pages(pdf)
    assert 1 <= pages <= 2, pages

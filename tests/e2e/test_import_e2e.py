"""An evaluator brings a ledger with a mistake: reads what to fix, fixes it, imports it, and the scores move."""
import re

from tests.e2e.conftest import open_app, shot, wait_idle
from tests.e2e.test_app_e2e import go, metric, no_error
from tests.e2e.test_raters_e2e import click_button

HEADER = "need_id,station_id,category,title,source,raised_on,urgency,households_affected,status,resolved_on\n"
# Three urgent needs of S03 (a show-window station) raised and resolved within the year.
ROWS = [f"NEW{n},S03,elderly_care,独居老人助餐{n},council,2024-03-0{n},{urgency},40,resolved,2024-03-1{n}\n"
        for n, urgency in ((1, 5), (2, 9), (3, 4))]


def upload(page, tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    page.locator('[data-testid="stFileUploader"] input[type=file]').set_input_files(str(path))


def test_a_ledger_with_a_mistake_is_explained_then_imported(page, server, tmp_path):
    open_app(page, server)
    go(page, "Scores")
    before = metric(page, "Median score")
    go(page, "Records")
    page.get_by_text("Import records", exact=True).click()
    # The table box still says Stations: the app sees a needs file, checks it as one at once and says so.
    upload(page, tmp_path, "needs.csv", HEADER + "".join(ROWS))          # and urgency 9 is out of range
    page.get_by_text(re.compile(r"The headers of needs\.csv are those of Needs")).wait_for()
    problems = page.get_by_text(re.compile(r"1 problem\(s\); nothing was imported"))
    problems.wait_for()
    assert "urgency" in page.locator('[data-testid="stTable"]').inner_text()
    no_error(page)
    shot(page, "import-problems-en")

    page.locator('[data-testid="stFileUploader"]').get_by_role("button", name=re.compile("Remove|Delete", re.I)).first.click()
    page.get_by_text("needs.csv", exact=True).wait_for(state="detached")
    wait_idle(page)
    upload(page, tmp_path, "needs_fixed.csv", HEADER + "".join(ROWS).replace(",9,", ",5,"))
    # A click that lands while the upload's run is still drawing can be lost with that run: click once it is done.
    click_button(page, re.compile(r"Import 3 rows"))
    page.get_by_text(re.compile(r"Imported 3 new rows")).wait_for()
    no_error(page)
    shot(page, "import-done-en")

    go(page, "Scores")
    page.wait_for_function(
        "m => ![...document.querySelectorAll('[data-testid=stMetric]')].some(e => e.innerText.includes(m))",
        arg=f"Median score\n{before}")
    assert metric(page, "Median score") != before

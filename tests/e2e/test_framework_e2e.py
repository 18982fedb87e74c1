"""An evaluator brings their own 指标体系 as a table: a mistake is listed by row and column; the manual's XLSX
opens as the working scheme and the Scores page ranks the stations by it, values from elsewhere included."""
import re
from pathlib import Path

from tests.e2e.conftest import open_app, shot, wait_idle
from tests.e2e.test_app_e2e import go, no_error, selected

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "sample_data" / "framework" / "framework.xlsx"
BAD = "code,name,level,parent,points\nd1,Outcomes,2,,\na1,Satisfaction,1,d1,\na2,Visits,1,d9,5\n"


def framework_input(page):
    box = page.locator('[data-testid="stFileUploader"]', has_text="Framework table")
    return box.locator("input[type=file]")


def test_a_framework_table_is_checked_then_opened_and_scored(page, server, tmp_path):
    open_app(page, server)
    go(page, "Schemes")
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD, encoding="utf-8")
    framework_input(page).set_input_files(str(bad))
    page.get_by_text(re.compile(r"cannot be imported \(2 problems\)")).wait_for()
    wait_idle(page)
    table = page.locator('[data-testid="stTable"]').last.inner_text()
    assert "is not the code of any dimension row" in table and "points" in table
    no_error(page)
    shot(page, "framework-problems-en")

    framework_input(page).set_input_files(str(EXAMPLE))
    page.get_by_text(re.compile(r"Read 8 indicators in 9 dimensions")).wait_for()
    wait_idle(page)
    page.get_by_role("button", name=re.compile(r"Open as working scheme framework")).click()
    page.get_by_text(re.compile(r"Opened framework")).wait_for()
    wait_idle(page)
    no_error(page)
    go(page, "Scores")
    no_error(page)
    assert selected(page, "Current scheme").startswith("framework")
    shot(page, "framework-scores-en")

"""An evaluator brings a district's 千分制 as bureaus hand it out and the site-visit score sheet: the import shows the
grade bands its notes state (优秀 ≥ 900 points), they are confirmed and the table opened as the scheme, the sheet is
imported on the Records page, and the Scores page gives a station the sum of its row of the sheet, graded by the
table's own bands."""
import re
from pathlib import Path

import pandas as pd
from playwright.sync_api import expect

from indicators.i18n import t
from tests.e2e.conftest import open_app, shot, wait_idle
from tests.e2e.test_app_e2e import go, no_error
from tests.e2e.test_raters_e2e import click_button, main

ROOT = Path(__file__).resolve().parents[2]
QIANFEN = ROOT / "sample_data" / "qianfen"
TABLE = QIANFEN / "table_district.xlsx"
SHEET = QIANFEN / "scores_district_wide.xlsx"
STATION = "S01"
NOT_ITEMS = {"站点编号", "站点名称", "一票否决", "扣分说明"}


def sheet_sum(station: str) -> float:
    """The station's row of the score sheet added up as the evaluator's spreadsheet does: every item column."""
    sheet = pd.read_excel(SHEET, dtype=object)
    row = sheet.loc[sheet["站点编号"] == station].iloc[0]
    return float(sum(float(v) for col, v in row.items() if col not in NOT_ITEMS and pd.notna(v)))


def station_name(station: str) -> str:
    stations = pd.read_csv(ROOT / "sample_data" / "demo" / "stations.csv")
    return stations.set_index("station_id").at[station, "name_en"]


def pick(page, box, text: str) -> None:
    """Choose the option holding `text` in a select box by typing, as a person does: Enter only once the list's
    first option holds it (an Enter pressed while the list still shows the old options picks one of those)."""
    from playwright.sync_api import TimeoutError as Timeout
    for _ in range(3):   # a click landing while the page redraws the box opens nothing: click until the list is open
        box.click()
        try:
            page.get_by_role("option").first.wait_for(timeout=5_000)
            break
        except Timeout:
            wait_idle(page)
    page.keyboard.type(text)
    expect(page.get_by_role("option").first).to_contain_text(text)
    page.keyboard.press("Enter")


def uploader(page, label: str):
    return page.locator('[data-testid="stFileUploader"]', has_text=label).locator("input[type=file]")


def test_a_bureau_table_and_its_score_sheet_give_the_sheets_totals(page, server):
    open_app(page, server)
    go(page, "Schemes")
    uploader(page, "Framework table").set_input_files(str(TABLE))
    page.get_by_text("What the table gave").wait_for()
    wait_idle(page)
    review = main(page).inner_text()
    assert "1,000 points in all, 2 levels, 31 items in 4 modules" in review
    assert "Grade bands read from the table's notes" in review
    assert "names no item: a station is vetoed by the score sheet's 一票否决 column" in review
    # the bands the notes state, in the editor to confirm: 优秀 from 900 points
    # (the editor draws on a canvas and keeps its cells in a table for screen readers: read those, once attached)
    grades = page.locator('[class*="st-key-fw_grades"] td')
    grades.nth(15).wait_for(state="attached")
    assert grades.all_inner_texts()[:16] == ["优秀", "优秀", "Excellent", "900", "良好", "良好", "Good", "800",
                                            "合格", "合格", "Pass", "600", "不合格", "不合格", "Fail", "0"]
    no_error(page)
    click_button(page, re.compile(r"Open as working scheme"))
    page.get_by_text(re.compile(r"Opened .* as the current scheme")).wait_for()
    wait_idle(page)

    go(page, "Records")
    page.get_by_text("Import records", exact=True).click()
    wait_idle(page)
    table = page.locator('input[role=combobox][aria-label="Table"]')
    expect(table).to_have_count(1)
    pick(page, table, "Indicator values")
    # the app has taken the choice once its template button names the table (the box alone changes first)
    main(page).get_by_role("button", name=re.compile(r"^Template: Indicator values")).wait_for()
    wait_idle(page)
    page.locator('[data-testid="stMain"] [data-testid="stFileUploader"] input[type=file]').first.set_input_files(
        str(SHEET))
    page.get_by_role("button", name=re.compile(r"Import .* values?")).wait_for()
    wait_idle(page)
    no_error(page)
    click_button(page, re.compile(r"Import .* values?"))
    page.get_by_text(re.compile(r"written to indicator_values")).wait_for()
    wait_idle(page)

    go(page, "Scores")
    no_error(page)
    pick(page, page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]', has_text="Station"), f"({STATION})")
    # the card is the station's once its report card is offered under its name (the run the choice starts is over)
    main(page).get_by_role("button", name=t("io.dl.report", "en", station=station_name(STATION))).wait_for()
    wait_idle(page)
    total = main(page).get_by_text(re.compile(r"of 1,000 points")).first.inner_text()
    shown = float(re.match(r"([\d,.]+) of 1,000 points", total).group(1).replace(",", ""))
    assert abs(shown - sheet_sum(STATION)) < 1e-9, (total, sheet_sum(STATION))
    assert "grade 优秀" in total if sheet_sum(STATION) >= 900 else "grade 优秀" not in total
    shot(page, "qianfen-scores-en")

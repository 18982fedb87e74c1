"""A Chinese evaluator's long table counts 层级 from the top (一级指标 = 1): on the Schemes page, in Chinese, a level
that does not fit its row's place is refused naming the row, and the corrected table is read (screenshots:
framework-levels-refused-zh.png, framework-levels-read-zh.png)."""
from indicators.i18n import t
from tests.e2e.conftest import ARTIFACTS, wait_idle, open_app
from tests.e2e.shots import shoot
from tests.e2e.test_app_e2e import no_error
from tests.test_error_codes import english_left

GOOD = ("代码,名称,层级,上级,分值\n"
        "A,服务成效,1,,\n"
        "A1,需求回应,2,A,\n"
        "u,紧急需求解决率,3,A1,30\n"
        "s,居民满意度,3,A1,30\n"
        "v,入户探访,2,A,20\n"
        "B,专业管理,1,,\n"
        "c,人均成本,2,B,20\n")
BAD = GOOD.replace("u,紧急需求解决率,3,", "u,紧急需求解决率,2,")   # row 4: under 需求回应 (二级) it is 三级


def test_a_chinese_table_counted_from_the_top_is_checked_then_read(browser, server, tmp_path):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    try:
        open_app(page, server, "schemes")
        box = page.locator('[data-testid="stFileUploader"]', has_text=t("fw.upload", "zh"))
        bad, good = tmp_path / "区指标体系（有误）.csv", tmp_path / "区指标体系.csv"
        bad.write_text(BAD, encoding="utf-8")
        good.write_text(GOOD, encoding="utf-8")

        box.locator("input[type=file]").set_input_files(str(bad))
        page.get_by_text(t("fw.problems", "zh", n=1)).wait_for()
        wait_idle(page)
        table = page.locator('[data-testid="stTable"]').last.inner_text()
        assert "本行在A1之下，是第3级" in table and "一级指标为1" in table, table
        assert not english_left(table), table
        no_error(page)
        ARTIFACTS.mkdir(exist_ok=True)
        shoot(page, ARTIFACTS / "framework-levels-refused-zh.png")

        box.locator("input[type=file]").set_input_files(str(good))
        page.get_by_text(t("fw.ok", "zh", n=4, d=3, weighting=t("fw.points", "zh"))).wait_for()
        wait_idle(page)
        no_error(page)
        shoot(page, ARTIFACTS / "framework-levels-read-zh.png")
    finally:
        ctx.close()

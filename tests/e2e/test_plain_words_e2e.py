"""Plain Chinese in Chromium (issue 22, items 4 and 5): a resident's phone (390 x 844) votes in Chinese and reads
您 and no programming word; an evaluator imports a garbled CSV on the Records page and is told, in Chinese, to save
it as CSV UTF-8 or .xlsx. Screenshots: test-artifacts/phones-vote-zh.png, test-artifacts/phones-import-refused-zh.png.
Every wait is on the page's state."""
from __future__ import annotations

import re

from indicators.i18n import t

from .conftest import ARTIFACTS, open_app, shot, wait_idle
from .test_app_e2e import go, no_error
from .test_meeting_e2e import LAPTOP, WAIT, press
from .test_raters_e2e import click_button, new_page
from .test_workshop_e2e import PHONE, expect, full_shot, main

PROGRAMMING = ("哈希", "明文", "YAML", "HTML", "UTC", "pip", "KeyError", "字节", "None", "映射", "字段", "U+", "0x",
               "控制字符", "解析器")


def open_meeting(browser, server) -> tuple[str, list[str]]:
    """The facilitator (Chinese) opens a meeting of S01 with three voting codes: its code and the codes."""
    ctx, lead = new_page(browser, "zh", LAPTOP)
    open_app(lead, server, "meeting")
    m = main(lead)
    expect()(m.locator('[data-testid="stMultiSelect"]').filter(has_text=t("mt.items", "zh")).locator("[data-tag]")
             ).to_have_count(5)
    n_box = m.get_by_role("spinbutton", name=t("mt.n_codes", "zh"))
    n_box.fill("3")
    n_box.press("Enter")
    wait_idle(lead)
    click_button(lead, t("mt.start_button", "zh"))
    expect()(m.get_by_text(re.compile(r"评议会[A-Z2-9]{6} · "))).to_be_visible(timeout=WAIT)
    code = lead.evaluate("() => document.querySelector('[data-testid=stMain]').innerText"
                         ".match(/评议会([A-Z2-9]{6}) ·/)[1]")
    with lead.expect_download() as dl:
        m.get_by_role("button", name=t("mt.sheet_download", "zh")).click()
    sheet = open(dl.value.path(), encoding="utf-8").read()
    ctx.close()
    return code, [c.replace("-", "") for c in re.findall(r'class="code">([A-Z2-9]{3}-[A-Z2-9]{3})<', sheet)]


def test_a_resident_votes_in_plain_chinese_on_a_phone(browser, server):
    code, codes = open_meeting(browser, server)
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN")
    ph = ctx.new_page()
    ph.set_default_timeout(30_000)
    open_app(ph, server, f"vote?m={code}&v={codes[0]}")
    m = main(ph)
    expect()(m.get_by_text("您投了什么，谁也看不到（主持人也看不到）", exact=False)).to_be_visible(timeout=WAIT)
    expect()(m.get_by_text(re.compile(r"\d{4}年\d{1,2}月\d{1,2}日提出的需求"))).to_be_visible()
    press(ph, t("vt.met.yes", "zh"), option=True)
    press(ph, "4", option=True)
    text = m.inner_text()
    assert "您满意吗？请打分（1分＝很不满意，5分＝很满意）" in text
    assert not [w for w in PROGRAMMING if w in text], text
    no_error(ph)
    full_shot(ph, "phones-vote-zh", PHONE["width"])
    press(ph, t("vt.send", "zh"))
    expect()(m.get_by_text(t("vt.item_of", "zh", n=2, total=5))).to_be_visible(timeout=WAIT)
    ctx.close()


def test_a_garbled_csv_is_refused_in_chinese_with_what_to_do(browser, server, tmp_path):
    ctx, page = new_page(browser, "zh", LAPTOP)
    open_app(page, server)
    go(page, t("page.records", "zh"))
    page.get_by_text(t("io.panel", "zh"), exact=True).click()
    path = tmp_path / "stations.csv"
    path.write_bytes(b"station_id,name,name_en,district,street,population,profile\n"
                     b"S91,\xff\xfe\xfa\xfb,x,d,s,1000,urban\n")
    page.locator('[data-testid="stFileUploader"] input[type=file]').set_input_files(str(path))
    refusal = main(page).get_by_text(re.compile("文字编码无法识别"))
    refusal.first.wait_for()
    text = main(page).inner_text()
    assert "CSV UTF-8（逗号分隔）" in text and "从第2行起是乱码" in text, text
    assert not [w for w in ("字节", "0x", "UTF-16", "GB18030") if w in text], text
    no_error(page)
    shot(page, "phones-import-refused-zh")
    assert (ARTIFACTS / "phones-import-refused-zh.png").exists()
    ctx.close()

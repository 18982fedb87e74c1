"""Streamlit's own words on a page (the file box, the hints under text boxes, the skip link), as the app puts them
in the reader's language, and the word for an address that names no page. The English is what Streamlit says itself;
the page frame (app_pages/frame.py) puts the Chinese in its place."""

EN: dict[str, str] = {
    "sw.upload": "Upload",
    "sw.per_file": "{size} per file",
    "sw.drop_here": "Drag and drop files here",
    "sw.press_apply": "Press Enter to apply",
    "sw.press_keys_apply": "Press {mod}+Enter to apply",
    "sw.press_submit": "Press Enter to submit form",
    "sw.press_keys_submit": "Press {mod}+Enter to submit form",
    "sw.skip": "Skip to main content",
    "sw.no_page": "There is no page at /{page}: the first page is open instead.",
}

ZH: dict[str, str] = {
    "sw.upload": "上传",
    "sw.per_file": "单个文件不超过 {size}",
    "sw.drop_here": "把文件拖到这里",
    "sw.press_apply": "按回车键确认",
    "sw.press_keys_apply": "按 {mod}+回车键确认",
    "sw.press_submit": "按回车键提交",
    "sw.press_keys_submit": "按 {mod}+回车键提交",
    "sw.skip": "跳到正文",
    "sw.no_page": "没有 /{page} 这个页面，已为您打开首页。",
}

"""Words for the XLSX limits (records/xlsx_guard.py): why a workbook is refused before it is read, in English and
Chinese. A problem line already names the file and the row, so these say what and how far. Also the Records page's
line for a file with nothing under its header to preview."""

EN: dict[str, str] = {
    "io.preview_no_rows": "{file} has no rows under its header to show.",
    "err.import.xlsx.doctype": "its part {part} declares a DTD (<!DOCTYPE>), which no spreadsheet program writes",
    "err.import.xlsx.xml_mb": "its part {part} unpacks to more than {limit} MB; at most {limit} MB of a sheet or of "
                              "the shared strings are read: save it as CSV",
    "err.import.xlsx.part_mb": "its part {part} unpacks to {mb} MB; a part other than a sheet or the shared strings "
                               "may hold at most {limit} MB",
    "err.import.xlsx.strings": "its shared-strings table holds {n} strings; at most {limit} are read: save it as CSV",
    "err.import.xlsx.strings_more": "its shared-strings table holds more than {limit} strings; at most {limit} are "
                                    "read: save it as CSV",
    "err.import.xlsx.string_parts": "shared string {n} has more than {limit} parts (rich-text runs)",
    "err.import.xlsx.other": "its part {part} holds more than {limit} elements outside the cells",
    "err.import.xlsx.elements": "by this row the workbook holds more than {limit} XML elements (its shared strings "
                                "and sheets together); save it as CSV",
    "err.import.xlsx.elements_strings": "its shared-strings table holds more than {limit} XML elements; save it as "
                                        "CSV",
    "err.import.xlsx.column": "column {letters} ({col}): at most {limit} columns are read",
    "err.import.xlsx.row_cells": "the row holds more than {limit} cells: at most {limit} columns are read",
    "err.import.xlsx.cell_parts": "the cell in column {col} has more than {limit} parts (rich-text runs)",
    "err.import.xlsx.run": "its part {part} holds a text or value of more than {limit} characters (Excel's own "
                           "limit for a cell)",
    "err.import.xlsx.rows": "the sheet goes on past row {limit}: at most {limit} rows are read from an XLSX; save it "
                            "as CSV (up to {csv} rows)",
    "err.import.xlsx.rows_declared": "the sheet declares {n} rows and goes on past row {limit}: at most {limit} rows "
                                     "are read from an XLSX; save it as CSV (up to {csv} rows)",
    "err.import.xlsx.cells": "by this row the sheet holds more than {limit} cells (blank cells inside a row "
                             "counted); save it as CSV",
}

ZH: dict[str, str] = {
    "io.preview_no_rows": "{file}的表头下没有可显示的行。",
    "err.import.xlsx.doctype": "其中的部件{part}含有文档类型定义（<!DOCTYPE>），电子表格软件不会写出这种内容",
    "err.import.xlsx.xml_mb": "其中的部件{part}解压后超过{limit} MB；工作表或共享字符串最多读取{limit} MB，"
                              "请另存为 CSV",
    "err.import.xlsx.part_mb": "其中的部件{part}解压后有{mb} MB；工作表和共享字符串以外的部件最多{limit} MB",
    "err.import.xlsx.strings": "共享字符串表有{n}个字符串，最多读取{limit}个，请另存为 CSV",
    "err.import.xlsx.strings_more": "共享字符串表超过{limit}个字符串，最多读取{limit}个，请另存为 CSV",
    "err.import.xlsx.string_parts": "第{n}个共享字符串超过{limit}段（富文本）",
    "err.import.xlsx.other": "其中的部件{part}在单元格以外有超过{limit}个元素",
    "err.import.xlsx.elements": "到这一行，工作簿（共享字符串与工作表合计）已超过{limit}个 XML 元素，请另存为 CSV",
    "err.import.xlsx.elements_strings": "共享字符串表超过{limit}个 XML 元素，请另存为 CSV",
    "err.import.xlsx.column": "第{letters}列（第{col}列）：最多读取{limit}列",
    "err.import.xlsx.row_cells": "该行超过{limit}个单元格：最多读取{limit}列",
    "err.import.xlsx.cell_parts": "{col}列的单元格超过{limit}段（富文本）",
    "err.import.xlsx.run": "其中的部件{part}有超过{limit}个字符的文字或数值（Excel 单元格的上限）",
    "err.import.xlsx.rows": "工作表超过第{limit}行：XLSX 最多读取{limit}行，请另存为 CSV（最多{csv}行）",
    "err.import.xlsx.rows_declared": "工作表声明有{n}行，且超过第{limit}行：XLSX 最多读取{limit}行，"
                                     "请另存为 CSV（最多{csv}行）",
    "err.import.xlsx.cells": "到这一行，工作表已超过{limit}个单元格（行内空白单元格也计算在内），请另存为 CSV",
}

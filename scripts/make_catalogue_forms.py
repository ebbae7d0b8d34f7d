"""Make the blank forms and samples (样表) the sample catalogue refers to (resources/catalogue/forms/,
samples/): an A4 form per ``blank_form`` with the material's name, the usual fields of a Chinese
application form and a signature block; a ``sample`` is the same form filled in with example values in
blue, marked 样表. Run after changing the sample catalogue:

    .venv/bin/python scripts/make_catalogue_forms.py

Deterministic (ReportLab invariant mode), so re-running changes nothing unless the catalogue did."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reportlab import rl_config  # noqa: E402
from reportlab.lib import colors  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from printing.fonts import cjk_font  # noqa: E402

CATALOGUE = ROOT / "resources" / "catalogue"
FIELDS = (
    ("申请人姓名（名称）", "张三丰"),
    ("证件类型及号码", "居民身份证  110105********002X"),
    ("联系电话", "138****8000"),
    ("住所（通讯地址）", "湖北省武汉市江岸区胜利街100号"),
    ("申请事项", "个体工商户设立登记"),
    ("经营场所", "武汉市江岸区胜利街100号一楼门面"),
    ("经营范围", "日用百货零售；文具用品零售"),
    ("组成形式", "个人经营"),
    ("资金数额（万元）", "5"),
    ("申请日期", "2026 年 12 月 3 日"),
)
NOTES = (
    "1. 请用黑色墨水笔或签字笔填写，字迹工整，不得涂改。",
    "2. 所填内容须与身份证件、场所证明一致；无此项的填“无”。",
    "3. 委托他人办理的，另附授权委托书及代理人身份证件。",
)


def form(path: Path, title: str, item_name: str, filled: bool) -> None:
    rl_config.invariant = 1  # no creation date or random id: the same bytes every run
    font = cjk_font()
    path.parent.mkdir(parents=True, exist_ok=True)
    c = Canvas(str(path), pagesize=A4)
    c.setTitle(title + ("（样表）" if filled else ""))
    width, height = A4
    c.setFont(font, 18)
    c.drawCentredString(width / 2, height - 30 * mm, title)
    if filled:
        c.saveState()
        c.setFillColor(colors.Color(0.85, 0.1, 0.1, alpha=0.12))
        c.setFont(font, 150)
        c.translate(width / 2, height / 2)
        c.rotate(30)
        c.drawCentredString(0, -50, "样表")
        c.restoreState()
    left, right, top, row = 25 * mm, width - 25 * mm, height - 45 * mm, 14 * mm
    label_w = 48 * mm
    c.setLineWidth(0.8)
    for i, (label, example) in enumerate(FIELDS):
        y = top - i * row
        c.rect(left, y - row, right - left, row)
        c.line(left + label_w, y, left + label_w, y - row)
        c.setFont(font, 11)
        c.setFillColor(colors.black)
        c.drawString(left + 3 * mm, y - row / 2 - 4, label)
        if filled:
            c.setFillColor(colors.HexColor("#1a4fd6"))
            value = item_name if label == "申请事项" else example
            c.drawString(left + label_w + 3 * mm, y - row / 2 - 4, value)
    y = top - len(FIELDS) * row - 14 * mm
    c.setFillColor(colors.black)
    c.setFont(font, 11)
    c.drawString(left, y, "本人承诺所提交的材料真实、合法、有效，如有虚假，愿承担相应法律责任。")
    c.drawString(left, y - 12 * mm, "申请人（签字或盖章）：")
    c.drawString(right - 70 * mm, y - 12 * mm, "日期：")
    if filled:
        c.setFillColor(colors.HexColor("#1a4fd6"))
        c.drawString(left + 42 * mm, y - 12 * mm, "张三丰")
        c.drawString(right - 58 * mm, y - 12 * mm, "2026 年 12 月 3 日")
    else:
        c.drawString(right - 58 * mm, y - 12 * mm, "      年    月    日")
    c.setFillColor(colors.black)
    c.setFont(font, 9)
    for i, note in enumerate(("填写说明：", *NOTES)):
        c.drawString(left, 40 * mm - i * 5 * mm, note)
    c.drawCentredString(width / 2, 15 * mm, "本表可在政务服务中心窗口免费领取，或从政务服务网下载")
    c.showPage()
    c.save()


def main() -> None:
    made = 0
    for item_file in sorted((CATALOGUE / "items").glob("*.toml")):
        item = tomllib.loads(item_file.read_text(encoding="utf-8"))
        for m in item.get("materials", []):
            for key, filled in (("blank_form", False), ("sample", True)):
                if m.get(key):
                    form(CATALOGUE / m[key], m["name"], item["name"], filled)
                    made += 1
    print(f"{made} forms written under {CATALOGUE}")


if __name__ == "__main__":
    main()

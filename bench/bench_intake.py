"""Intake figures: item search latency on a 5,000-item catalogue, and the clerk's key presses and
clicks for the standard intake (个体工商户设立登记, applicant typed, 3 materials, accept).

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_intake.py
Search: median over the query set and repeated runs; ratio against a floor measured in the same run
(a plain substring scan over the 5,000 names, no ranking, no pinyin).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from clerk_app.catalogue import load_catalogue  # noqa: E402
from clerk_app.catalogue.model import Catalogue  # noqa: E402
from clerk_app.item_search import ItemIndex  # noqa: E402

WORDS = (
    "建设 工程 规划 许可 登记 备案 变更 注销 延续 核发 审批 认定 证明 补办 申领 卫生 食品 药品 交通 运输 "
    "农业 林业 养老 医疗 教育 民政 残疾 住房 公积金 社会 保险 税务 消防 环保 水利 渔业 畜牧 种子 农药 兽药"
).split()


def big_catalogue(n: int = 5000) -> Catalogue:
    base = load_catalogue(ROOT / "resources" / "catalogue")
    rng = random.Random(7)
    templates = list(base.items.values())
    items = {}
    for i in range(n):
        t = templates[i % len(templates)]
        name = "".join(rng.sample(WORDS, 3)) + t.name[-4:]
        code = f"X{i:05d}-{t.code}"
        items[code] = replace(t, code=code, name=name)
    return Catalogue(version="bench", content_hash="-", source="bench", items=items, themes=base.themes)


def bench_search() -> None:
    catalogue = big_catalogue()
    t0 = time.perf_counter()
    index = ItemIndex(catalogue)
    build = time.perf_counter() - t0
    queries = ["gtgsh", "jsgc", "食品", "卫生许可", "X01234", "yl", "登记", "zzzz", "nyzz", "养老保险"]
    names = [(i.name, i.code) for i in catalogue.items.values()]

    def floor(q: str) -> list[str]:
        return [c for n, c in names if q in n or q in c]

    search_t, floor_t = [], []
    for _ in range(15):
        for q in queries:
            s = time.perf_counter()
            index.search(q, limit=50)
            search_t.append(time.perf_counter() - s)
            s = time.perf_counter()
            floor(q)
            floor_t.append(time.perf_counter() - s)
    m, f = statistics.median(search_t), statistics.median(floor_t)
    print(f"item index build (5,000 items, pinyin):    {build * 1000:.0f} ms")
    print(
        f"item search, median over {len(search_t)} queries:   {m * 1000:.2f} ms  "
        f"(p90 {sorted(search_t)[int(len(search_t) * 0.9)] * 1000:.2f} ms)"
    )
    print(f"floor (plain substring scan):              {f * 1000:.2f} ms  ratio {m / f:.1f}x")


def bench_clerk_actions() -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from clerk_app.app_context import build_context
    from clerk_app.demo import seed_demo_users
    from clerk_app.lifecycle import CaseStatus
    from clerk_app.settings import Settings
    from testsupport.ui import ScriptedPrompts, wait_idle
    from ui.app import Translations, create_application
    from ui.main_window import MainWindow

    app = create_application([])
    tr = Translations(app)
    tr.apply("zh_CN")
    settings = Settings(demo=True, data_dir=tempfile.mkdtemp())
    if "customer_window" in Settings.__dataclass_fields__:
        settings = replace(settings, customer_window=False)
    ctx = build_context(settings)
    seed_demo_users(ctx)
    window = MainWindow(ctx, ctx.users.authenticate("clerk", "Clerk2026"), tr)
    window.show()
    window.activateWindow()
    QTest.qWaitForWindowActive(window)
    page = window.pages["intake"]
    page.prompts = ScriptedPrompts()
    counts = {"keys": 0, "typed_text": 0}
    K, CTRL = Qt.Key, Qt.KeyboardModifier.ControlModifier  # noqa: N806 - short aliases of Qt enums

    def key(widget, k, mod=Qt.KeyboardModifier.NoModifier):
        counts["keys"] += 1
        QTest.keyClick(widget, k, mod)

    def type_text(widget, text):
        widget.setFocus()
        counts["typed_text"] += 1  # one field typed (its characters are not counted as actions)
        if text.isascii():
            QTest.keyClicks(widget, text)
        else:
            e = QInputMethodEvent()
            e.setCommitString(text)
            QApplication.sendEvent(widget, e)

    t0 = time.perf_counter()
    key(window, K.Key_F2)
    key(page, K.Key_N, CTRL)
    type_text(page.picker.query, "gtgsh")
    key(page.picker.query, K.Key_Return)
    wait_idle(page)  # the page's core calls run off the GUI thread: the clerk sees the case first
    QTest.qWait(50)
    type_text(page.applicant.name, "张三丰")
    key(page.applicant.name, K.Key_Return)
    type_text(page.applicant.number, "11010519491231002X")
    key(page.applicant.number, K.Key_Return)
    type_text(page.applicant.address, "湖北省武汉市江岸区胜利街100号")
    key(page.applicant.address, K.Key_Return)
    key(page.applicant.phone, K.Key_Return)
    wait_idle(page)
    combo = page.questions.widget("premises")
    combo.setFocus()
    key(combo, K.Key_Down)  # 自有 → 租赁
    key(combo, K.Key_Down)
    wait_idle(page)
    key(page, K.Key_L, CTRL)
    page.table.selectRow(0)
    for _ in range(page.model.rowCount()):
        key(page.table, K.Key_R, CTRL)  # each received; the selection moves down by itself
    wait_idle(page)
    key(page, K.Key_1, CTRL)
    wait_idle(page)
    elapsed = time.perf_counter() - t0
    view = ctx.cases.get(page.actor, page.case_id)
    assert view.status is CaseStatus.ACCEPTED, view.status
    print(f"standard intake (个体工商户设立登记, {len(view.lines)} materials, typed applicant, accept):")
    print(f"  key presses/shortcuts: {counts['keys']}, fields typed: {counts['typed_text']}, mouse clicks: 0")
    print(f"  wall time driving it offscreen: {elapsed * 1000:.0f} ms")
    ctx.close()


if __name__ == "__main__":
    bench_search()
    bench_clerk_actions()

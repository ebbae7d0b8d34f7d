from __future__ import annotations

import pytest

from clerk_app.catalogue import load_catalogue
from clerk_app.item_search import ItemIndex, pinyin_initials
from tests.helpers.core import RESOURCES


@pytest.fixture(scope="module")
def index():
    return ItemIndex(load_catalogue(RESOURCES / "catalogue"))


@pytest.mark.parametrize(
    "query,first",
    [
        ("gtgsh", "个体工商户设立登记"),
        ("GTGSH", "个体工商户设立登记"),
        ("食品", "食品经营许可"),
        ("jszg", "教师资格认定"),
        ("SC-GTGSH-SL", "个体工商户设立登记"),
        ("gaolingjintie", "高龄津贴申领"),
        ("tljhlhsgj", "拖拉机和联合收割机驾驶证申领"),
    ],
)
def test_search_finds_by_name_code_and_pinyin(index, query, first):
    assert index.search(query)[0].name == first


def test_theme_filter_and_no_match(index):
    assert {i.theme for i in index.search("", theme="农林")} == {"农林"}
    assert index.search("zzzzqqq") == []
    assert len(index.search("")) == len(load_catalogue(RESOURCES / "catalogue").items)


def test_pinyin_initials_reads_phrases():
    assert pinyin_initials("个体工商户设立登记") == "gtgshsldj"
    assert pinyin_initials("银行账户") == "yhzh"  # 行 read as hang in 银行

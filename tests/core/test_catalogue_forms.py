"""Blank forms and samples (样表, issue 17): the sample catalogue's ``blank_form``/``sample`` files are
shipped (resources/catalogue/forms, samples; scripts/make_catalogue_forms.py) and checked when a
catalogue folder is imported: inside the folder, a PDF or image, present."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from clerk_app.catalogue.loader import CatalogueError, form_file, load_catalogue

SHIPPED = Path(__file__).resolve().parents[2] / "resources" / "catalogue"


def test_every_form_and_sample_of_the_sample_catalogue_is_shipped():
    catalogue = load_catalogue(SHIPPED)
    refs = [
        (m.name, rel)
        for item in catalogue.items.values()
        for m in item.materials
        for rel in (m.blank_form, m.sample)
        if rel
    ]
    assert len(refs) >= 15 and any("样表" in rel for _, rel in refs)
    for name, rel in refs:
        path = form_file(catalogue.source, rel)
        assert path is not None, rel
        reader = PdfReader(io.BytesIO(path.read_bytes()))
        assert len(reader.pages) == 1 and name in (reader.metadata.title or ""), (rel, reader.metadata.title)
    assert form_file("(pushed)", refs[0][1]) is None  # a pushed catalogue has no folder


def test_a_missing_outside_or_wrong_kind_of_form_is_refused_with_every_problem(tmp_path):
    folder = tmp_path / "catalogue"
    shutil.copytree(SHIPPED, folder)
    item = folder / "items" / "SC-GTGSH-SL.toml"
    text = item.read_text(encoding="utf-8")
    text = text.replace('blank_form = "forms/个体工商户登记申请书.pdf"', 'blank_form = "forms/没有这个表.pdf"')
    text = text.replace('sample = "samples/个体工商户登记申请书-样表.pdf"', 'sample = "../../etc/passwd.pdf"')
    item.write_text(text, encoding="utf-8")
    other = folder / "items" / "SC-SPJY-XK.toml"
    other.write_text(
        other.read_text(encoding="utf-8").replace("forms/食品经营许可申请书.pdf", "forms/食品经营许可申请书.docx"),
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError) as err:
        load_catalogue(folder)
    texts = [i.text_zh() for i in err.value.issues]
    assert len(texts) == 3, texts
    assert any("找不到文件：forms/没有这个表.pdf" in t for t in texts)
    assert any("须为事项清单文件夹内的相对路径" in t for t in texts)
    assert any("须为 PDF、PNG 或 JPEG 文件" in t for t in texts)

"""The catalogue loader refuses every kind of malformed catalogue as a whole.

Each test copies the shipped sample catalogue into a temporary folder, breaks one thing (by editing
the TOML text, as a person editing the files would) and checks that loading fails with an issue that
names the file, the item code and the field.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clerk_app.catalogue import CatalogueError, CatalogueIssue, load_catalogue, parse_catalogue

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "catalogue"
GT = "SC-GTGSH-SL"  # 个体工商户设立登记: person only, agent allowed, bool + choice questions
GT_FILE = f"items/{GT}.toml"


@pytest.fixture
def cat(tmp_path: Path) -> Path:
    folder = tmp_path / "catalogue"
    shutil.copytree(SAMPLE, folder)
    return folder


def edit(folder: Path, code: str, old: str, new: str, count: int = 1) -> None:
    """Replace text in an item file; the text must be there, so a test never breaks nothing."""
    path = folder / "items" / f"{code}.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def append(folder: Path, code: str, text: str) -> None:
    path = folder / "items" / f"{code}.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")


def material(**fields: str | None) -> str:
    """An extra [[materials]] table; a field given as None is left out."""
    body: dict[str, str | None] = {"code": '"EXTRA"', "name": '"补充材料"', "form": '"copy"', "necessity": '"required"'}
    body.update(fields)
    return "[[materials]]\n" + "".join(f"{k} = {v}\n" for k, v in body.items() if v is not None)


def refused(folder: Path) -> list[CatalogueIssue]:
    with pytest.raises(CatalogueError) as info:
        load_catalogue(folder)
    issues = info.value.issues
    assert issues, "a refused catalogue must list its problems"
    # The message shown to the admin lists the problems too, in Chinese (the log's in English).
    assert issues[0].text_zh() in info.value.user_message("zh_CN")
    assert str(issues[0]) in info.value.user_message("en")
    return issues


def find(issues: list[CatalogueIssue], file: str, code: str, field: str) -> CatalogueIssue:
    hits = [i for i in issues if i.file == file and i.item_code == code and i.field == field]
    assert hits, f"no issue for {file} [{code}] {field}; got:\n" + "\n".join(map(str, issues))
    return hits[0]


# --- the sample itself ---------------------------------------------------------------------------


def test_sample_copy_loads(cat: Path) -> None:
    catalogue = load_catalogue(cat)
    assert GT in catalogue.items
    assert catalogue.version


def test_issue_text_names_file_item_and_field() -> None:
    issue = CatalogueIssue("items/X.toml", "X", "legal_days", "missing")
    assert str(issue) == "items/X.toml [X] legal_days: missing"


# --- files and syntax ----------------------------------------------------------------------------


def test_toml_syntax_error(cat: Path) -> None:
    edit(cat, GT, 'legal_days = 3', 'legal_days = = 3')
    issue = find(refused(cat), GT_FILE, "", "(syntax)")
    assert "line" in issue.problem


def test_syntax_error_in_catalogue_toml(cat: Path) -> None:
    (cat / "catalogue.toml").write_text('version = "x\nthemes = []\n', encoding="utf-8")
    find(refused(cat), "catalogue.toml", "", "(syntax)")


def test_missing_catalogue_toml(cat: Path) -> None:
    (cat / "catalogue.toml").unlink()
    find(refused(cat), "catalogue.toml", "", "(file)")


def test_missing_version(cat: Path) -> None:
    head = cat / "catalogue.toml"
    head.write_text(head.read_text(encoding="utf-8").replace('version = "', 'label = "'), encoding="utf-8")
    issues = refused(cat)
    find(issues, "catalogue.toml", "", "version")


def test_no_item_files(cat: Path) -> None:
    for f in (cat / "items").glob("*.toml"):
        f.unlink()
    find(refused(cat), "items/", "", "(files)")


def test_missing_items_folder(cat: Path) -> None:
    shutil.rmtree(cat / "items")
    find(refused(cat), "items/", "", "(files)")


def test_themes_must_be_a_list_of_strings(cat: Path) -> None:
    head = cat / "catalogue.toml"
    text = head.read_text(encoding="utf-8")
    head.write_text(text.replace('themes = [', 'themes = "商事登记"\nold_themes = ['), encoding="utf-8")
    find(refused(cat), "catalogue.toml", "", "themes")


def test_unknown_key_in_catalogue_toml(cat: Path) -> None:
    head = cat / "catalogue.toml"
    head.write_text(head.read_text(encoding="utf-8") + 'verison = "typo"\n', encoding="utf-8")
    find(refused(cat), "catalogue.toml", "", "verison")


# --- item fields ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field", ["name", "department", "theme", "legal_days", "promised_days", "legal_basis", "result_name"]
)
def test_missing_required_item_field(cat: Path, field: str) -> None:
    path = cat / "items" / f"{GT}.toml"
    lines = path.read_text(encoding="utf-8").splitlines()
    first = next(n for n, ln in enumerate(lines) if ln.startswith(f"{field} = "))  # the item's own
    path.write_text("\n".join(lines[:first] + lines[first + 1 :]) + "\n", encoding="utf-8")
    issue = find(refused(cat), GT_FILE, GT, field)
    assert issue.problem == "missing"


def test_missing_code(cat: Path) -> None:
    edit(cat, GT, f'code = "{GT}"\n', "")
    find(refused(cat), GT_FILE, "", "code")


def test_empty_required_string(cat: Path) -> None:
    edit(cat, GT, 'department = "市场监督管理局"', 'department = "  "')
    find(refused(cat), GT_FILE, GT, "department")


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('legal_days = 3', 'legal_days = "3"', "legal_days"),
        ('promised_days = 1', 'promised_days = 1.5', "promised_days"),
        ('legal_days = 3', 'legal_days = true', "legal_days"),
        ('name = "个体工商户设立登记"', 'name = ["个体工商户设立登记"]', "name"),
        ('agent_allowed = true', 'agent_allowed = "false"', "agent_allowed"),
        ('applicant_types = ["person"]', 'applicant_types = "person"', "applicant_types"),
        ('applicant_types = ["person"]', 'applicant_types = 1', "applicant_types"),
        ('delivery_modes = ["window", "express", "electronic"]', 'delivery_modes = "window"', "delivery_modes"),
        ('keywords = ["个体户", "营业执照", "开店", "设立", "小店"]', 'keywords = 7', "keywords"),
        ('keywords = ["个体户",', 'keywords = [1,', "keywords"),
        ('fee = "不收费"', 'fee = 0', "fee"),
    ],
)
def test_wrong_type(cat: Path, old: str, new: str, field: str) -> None:
    edit(cat, GT, old, new)
    find(refused(cat), GT_FILE, GT, field)


def test_unknown_item_field(cat: Path) -> None:
    edit(cat, GT, 'legal_days = 3', 'legal_days = 3\nlegal_dayz = 3')
    issue = find(refused(cat), GT_FILE, GT, "legal_dayz")
    assert issue.problem == "unknown field"


def test_unknown_theme(cat: Path) -> None:
    edit(cat, GT, 'theme = "商事登记"', 'theme = "商事"')
    find(refused(cat), GT_FILE, GT, "theme")


def test_unknown_applicant_type_and_delivery_mode(cat: Path) -> None:
    edit(cat, GT, 'applicant_types = ["person"]', 'applicant_types = ["person", "company"]')
    edit(cat, GT, 'delivery_modes = ["window",', 'delivery_modes = ["post",')
    issues = refused(cat)
    find(issues, GT_FILE, GT, "applicant_types")
    find(issues, GT_FILE, GT, "delivery_modes")


def test_empty_applicant_types(cat: Path) -> None:
    edit(cat, GT, 'applicant_types = ["person"]', 'applicant_types = []')
    find(refused(cat), GT_FILE, GT, "applicant_types")


def test_duplicate_item_code(cat: Path) -> None:
    shutil.copy(cat / "items" / f"{GT}.toml", cat / "items" / "SC-GTGSH-SL-COPY.toml")
    issues = refused(cat)
    dup = [i for i in issues if i.item_code == GT and i.field == "code"]
    assert dup and "duplicate" in dup[0].problem
    assert dup[0].file in (GT_FILE, "items/SC-GTGSH-SL-COPY.toml")


def test_promised_longer_than_legal(cat: Path) -> None:
    edit(cat, GT, 'promised_days = 1', 'promised_days = 4')
    find(refused(cat), GT_FILE, GT, "promised_days")


def test_promised_may_equal_legal_and_be_zero(cat: Path) -> None:
    edit(cat, GT, 'promised_days = 1', 'promised_days = 3')
    load_catalogue(cat)
    edit(cat, GT, 'promised_days = 3', 'promised_days = 0')
    assert load_catalogue(cat).item(GT).promised_days == 0


@pytest.mark.parametrize("field", ["legal_days", "promised_days"])
def test_negative_days(cat: Path, field: str) -> None:
    old = {"legal_days": "legal_days = 3", "promised_days": "promised_days = 1"}[field]
    edit(cat, GT, old, f"{field} = -1")
    issue = find(refused(cat), GT_FILE, GT, field)
    assert "≥ 0" in issue.problem


# --- questions -----------------------------------------------------------------------------------


def test_choice_question_with_fewer_than_two_choices(cat: Path) -> None:
    edit(
        cat,
        GT,
        '''choices = [
  { value = "owned", label = "自有房产" },
  { value = "rented", label = "租赁" },
  { value = "residential", label = "住宅改为经营性用房" },
]''',
        'choices = [{ value = "owned", label = "自有房产" }]',
    )
    find(refused(cat), GT_FILE, GT, "questions[1].choices")


def test_choice_question_without_choices(cat: Path) -> None:
    append(cat, GT, '[[questions]]\nid = "size"\ntext = "规模"\ntype = "choice"\n')
    find(refused(cat), GT_FILE, GT, "questions[3].choices")


def test_bad_question_type(cat: Path) -> None:
    edit(cat, GT, 'type = "bool"', 'type = "yesno"')
    find(refused(cat), GT_FILE, GT, "questions[0].type")


@pytest.mark.parametrize("qid", ["2nd", "has space", "nonlocal", "true"])
def test_question_id_must_be_usable_in_conditions(cat: Path, qid: str) -> None:
    edit(cat, GT, 'id = "uses_name"', f'id = "{qid}"')
    find(refused(cat), GT_FILE, GT, "questions[0].id")


def test_duplicate_question_and_builtin_question(cat: Path) -> None:
    edit(cat, GT, 'id = "family_run"', 'id = "uses_name"')
    append(cat, GT, '[[questions]]\nid = "via_agent"\ntext = "代理？"\ntype = "bool"\n')
    issues = refused(cat)
    find(issues, GT_FILE, GT, "questions[2].id")
    find(issues, GT_FILE, GT, "questions[3].id")


def test_question_without_text(cat: Path) -> None:
    edit(cat, GT, 'text = "是否使用个体工商户名称？"\n', "")
    find(refused(cat), GT_FILE, GT, "questions[0].text")


def test_unknown_question_field(cat: Path) -> None:
    edit(cat, GT, 'default = false\nhelp = ', 'defualt = false\nhelp = ')
    find(refused(cat), GT_FILE, GT, "questions[0].defualt")


def test_questions_must_be_tables(cat: Path) -> None:
    path = cat / "items" / f"{GT}.toml"
    text = path.read_text(encoding="utf-8")
    head, rest = text.split("\n[[questions]]", 1)
    rest = rest[rest.index("[[materials]]") :]
    path.write_text(head + '\nquestions = ["uses_name"]\n\n' + rest, encoding="utf-8")
    find(refused(cat), GT_FILE, GT, "questions[0]")


def test_choice_entries_must_be_tables(cat: Path) -> None:
    edit(
        cat,
        GT,
        '''choices = [
  { value = "owned", label = "自有房产" },''',
        '''choices = [
  "owned",''',
    )
    find(refused(cat), GT_FILE, GT, "questions[1].choices")


# --- materials -----------------------------------------------------------------------------------


def test_empty_materials(cat: Path) -> None:
    path = cat / "items" / f"{GT}.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("[[materials]]")], encoding="utf-8")
    find(refused(cat), GT_FILE, GT, "materials")


def test_materials_must_be_an_array_of_tables(cat: Path) -> None:
    path = cat / "items" / f"{GT}.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("[[materials]]")] + 'materials = "申请书"\n', encoding="utf-8")
    find(refused(cat), GT_FILE, GT, "materials")


def test_duplicate_material_code(cat: Path) -> None:
    edit(cat, GT, 'code = "OPERATOR-ID"', 'code = "APPLY"')
    issue = find(refused(cat), GT_FILE, GT, "materials[1].code")
    assert "duplicate" in issue.problem


@pytest.mark.parametrize("field", ["code", "name", "form", "necessity"])
def test_missing_material_field(cat: Path, field: str) -> None:
    append(cat, GT, material(**{field: None}))
    find(refused(cat), GT_FILE, GT, f"materials[7].{field}")


def test_unknown_material_field(cat: Path) -> None:
    append(cat, GT, material(deferable="true"))
    find(refused(cat), GT_FILE, GT, "materials[7].deferable")


@pytest.mark.parametrize(("field", "value"), [("form", '"scan"'), ("necessity", '"maybe"'), ("source", '"internet"')])
def test_bad_enumerated_value(cat: Path, field: str, value: str) -> None:
    append(cat, GT, material(**{field: value}))
    issue = find(refused(cat), GT_FILE, GT, f"materials[7].{field}")
    assert "not one of" in issue.problem


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("originals", "51"),
        ("copies", "-1"),
        ("copies", '"2"'),
        ("key", '"false"'),
        ("deferrable", "1"),
        ("name", "5"),
        ("notes", "[\"a\"]"),
    ],
)
def test_bad_material_value_type(cat: Path, field: str, value: str) -> None:
    append(cat, GT, material(**{field: value}))
    find(refused(cat), GT_FILE, GT, f"materials[7].{field}")


def test_conditional_without_condition(cat: Path) -> None:
    append(cat, GT, material(necessity='"conditional"'))
    issue = find(refused(cat), GT_FILE, GT, "materials[7].condition")
    assert "needs a condition" in issue.problem


def test_condition_on_a_required_material(cat: Path) -> None:
    append(cat, GT, material(condition='"uses_name"'))
    find(refused(cat), GT_FILE, GT, "materials[7].condition")


@pytest.mark.parametrize(
    "condition",
    [
        'uses_name ==',  # syntax error
        'premises = "owned"',  # assignment, not comparison
        '__import__("os").system("true")',  # function call
        'premises.upper() == "OWNED"',  # attribute access + call
        'premises.real',  # attribute access
        'premises[0] == "o"',  # subscript
        'premises is "owned"',  # identity comparison
        'uses_name + 1 > 0',  # arithmetic
        '[x for x in premises]',  # comprehension
        'lambda: True',  # lambda
        '{"a": 1}',  # dict
        'None == uses_name',  # None literal
    ],
)
def test_condition_syntax_error_or_forbidden_construct(cat: Path, condition: str) -> None:
    append(cat, GT, material(necessity='"conditional"', condition=f"'{condition}'"))  # TOML literal string
    find(refused(cat), GT_FILE, GT, "materials[7].condition")


def test_condition_naming_unknown_question(cat: Path) -> None:
    append(cat, GT, material(necessity='"conditional"', condition="'uses_nmae and premises == \"owned\"'"))
    issue = find(refused(cat), GT_FILE, GT, "materials[7].condition")
    assert "uses_nmae" in issue.problem


def test_condition_on_builtin_question_the_item_does_not_ask(cat: Path) -> None:
    # 个体工商户 is person-only: applicant_type is never asked, so a condition on it is an error.
    append(cat, GT, material(necessity='"conditional"', condition="'applicant_type == \"organisation\"'"))
    issue = find(refused(cat), GT_FILE, GT, "materials[7].condition")
    assert "applicant_type" in issue.problem


def test_condition_on_via_agent_needs_agent_allowed(cat: Path) -> None:
    edit(cat, GT, "agent_allowed = true", "agent_allowed = false")
    append(cat, GT, material(necessity='"conditional"', condition='"via_agent"'))
    find(refused(cat), GT_FILE, GT, "materials[7].condition")


def test_key_and_deferrable_together(cat: Path) -> None:
    edit(
        cat,
        GT,
        'necessity = "required"\nkey = true\nblank_form',
        'necessity = "required"\nkey = true\ndeferrable = true\nblank_form',
    )
    issue = find(refused(cat), GT_FILE, GT, "materials[0].deferrable")
    assert "容缺" in issue.problem


def test_e_licence_without_type(cat: Path) -> None:
    edit(cat, GT, 'e_licence_type = "不动产权证书电子证照"\n', "")
    find(refused(cat), GT_FILE, GT, "materials[3].e_licence_type")


# --- refused as a whole, every problem reported ----------------------------------------------------


def test_several_problems_in_several_files_all_reported_at_once(cat: Path) -> None:
    edit(cat, GT, 'theme = "商事登记"', 'theme = "不存在"')
    edit(cat, GT, 'promised_days = 1', 'promised_days = 9')
    edit(cat, "SC-SPJY-XK", 'legal_days = 10', 'legal_days = -2')
    edit(cat, "GC-RFDXS-BJ", 'condition = "phased"', 'condition = "phased()"')
    edit(cat, "SH-JSZG-RD", 'fee = "不收费"', 'fee = "不收费" color = 1')  # TOML syntax error
    (cat / "catalogue.toml").write_text('published = 2026-11-01\n', encoding="utf-8")
    issues = refused(cat)
    find(issues, GT_FILE, GT, "theme")
    find(issues, GT_FILE, GT, "promised_days")
    find(issues, "items/SC-SPJY-XK.toml", "SC-SPJY-XK", "legal_days")
    find(issues, "items/GC-RFDXS-BJ.toml", "GC-RFDXS-BJ", "materials[7].condition")
    find(issues, "items/SH-JSZG-RD.toml", "", "(syntax)")
    find(issues, "catalogue.toml", "", "version")
    assert len(issues) >= 6


def test_one_bad_item_refuses_the_whole_catalogue(cat: Path) -> None:
    edit(cat, "NL-DWJY-ZM", 'legal_days = 3', 'legal_days = "三"')
    with pytest.raises(CatalogueError) as info:
        load_catalogue(cat)
    text = str(info.value.issues[0])
    assert "items/NL-DWJY-ZM.toml [NL-DWJY-ZM] legal_days" in text


def test_error_message_lists_the_problems() -> None:
    issues = [CatalogueIssue(f"items/I{n}.toml", f"I{n}", "theme", "bad") for n in range(25)]
    err = CatalogueError(issues)
    assert err.issues == issues
    assert err.params["count"] == 25
    assert "items/I0.toml [I0] theme: bad" in err.params["issues"]
    assert "(+5)" in err.params["issues"]


# --- pushed (JSON) catalogues go through the same validation ----------------------------------------


def test_parse_catalogue_rejects_non_table_items() -> None:
    with pytest.raises(CatalogueError) as info:
        parse_catalogue({"version": "v", "items": ["not a table"]}, "push")
    assert info.value.issues[0].file == "(pushed)"


def test_parse_catalogue_round_trips_the_raw_form(cat: Path) -> None:
    first = load_catalogue(cat)
    again = parse_catalogue(dict(first.raw), "db")
    assert again.content_hash == first.content_hash
    assert again.items.keys() == first.items.keys()
    assert again.items[GT] == first.items[GT]

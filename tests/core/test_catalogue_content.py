"""The shipped sample catalogue (resources/catalogue): it loads, covers what the window needs, and its
conditional materials really depend on the intake answers. Plus properties of the condition language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clerk_app.catalogue import Catalogue, MaterialRequirement, Necessity, ServiceItem, load_catalogue
from clerk_app.catalogue.conditions import Condition, ConditionSyntaxError
from clerk_app.catalogue.model import MaterialSource

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "catalogue"

REQUIRED_NAMES = [
    "个体工商户设立登记",
    "食品经营许可",
    "公共场所卫生许可",
    "教师资格认定",
    "医师执业注册",
    "应建防空地下室的民用建筑报建审批",
    "木材运输证核发",
    "动物检疫合格证明",
    "拖拉机和联合收割机驾驶证申领",
    "敬老优待证办理",
    "高龄津贴申领",
]


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(SAMPLE)


def by_name(catalogue: Catalogue, name: str) -> ServiceItem:
    hits = [i for i in catalogue.items.values() if i.name == name]
    assert len(hits) == 1, f"{name}: {len(hits)} items"
    return hits[0]


def lines(item: ServiceItem, **answers: Any) -> set[str]:
    """Material codes that apply for these answers (defaults of the item's questions filled in)."""
    full = {q.id: q.default for q in item.questions}
    full.update(answers)
    return {m.code for m in item.materials if m.applies(full)}


def material(item: ServiceItem, code: str) -> MaterialRequirement:
    return next(m for m in item.materials if m.code == code)


# --- the catalogue as a whole --------------------------------------------------------------------


def test_sample_loads_with_enough_items_and_themes(catalogue: Catalogue) -> None:
    assert catalogue.version == "2026.11-sample"
    assert len(catalogue.items) >= 15
    themes = {i.theme for i in catalogue.items.values()}
    assert len(themes) >= 4
    assert themes <= set(catalogue.themes)


@pytest.mark.parametrize("name", REQUIRED_NAMES + ["有限责任公司设立登记", "建设工程规划许可证核发"])
def test_named_item_exists(catalogue: Catalogue, name: str) -> None:
    by_name(catalogue, name)


def test_file_names_are_item_codes() -> None:
    files = {p.stem for p in (SAMPLE / "items").glob("*.toml")}
    assert files == set(load_catalogue(SAMPLE).items)


def test_every_item_is_complete_and_consistent(catalogue: Catalogue) -> None:
    for item in catalogue.items.values():
        where = item.code
        assert item.name and item.department and item.legal_basis and item.result_name, where
        assert "《" in item.legal_basis, f"{where}: legal basis should cite a law or regulation"
        assert 0 <= item.promised_days <= item.legal_days, where
        assert item.delivery_modes and item.keywords and item.rejection_bodies, where
        assert item.fee, where
        assert item.code.split("-")[0] in {"SC", "GC", "SH", "NL", "JT"}, where
        codes = [m.code for m in item.materials]
        assert len(codes) == len(set(codes)), where
        for m in item.materials:
            assert not (m.key and m.deferrable), f"{where}/{m.code}"
            assert (m.necessity is Necessity.CONDITIONAL) == (m.condition is not None), f"{where}/{m.code}"
            if m.source is MaterialSource.E_LICENCE:
                assert m.e_licence_type, f"{where}/{m.code}"
        for q in item.questions:
            if q.type == "choice":
                values = [v for v, _ in q.choices]
                assert len(values) >= 2 and len(values) == len(set(values)), f"{where}/{q.id}"
                assert q.default is None or q.default in values, f"{where}/{q.id}"


def test_every_choice_value_named_in_a_condition_exists(catalogue: Catalogue) -> None:
    """A typo in a compared value (premises == "own") would silently drop a material: catch it here."""
    import ast

    for item in catalogue.items.values():
        choices = {q.id: {v for v, _ in q.choices} for q in item.questions if q.type == "choice"}
        for m in item.materials:
            if m.condition is None:
                continue
            for node in ast.walk(ast.parse(m.condition.source, mode="eval")):
                if not isinstance(node, ast.Compare):
                    continue
                operands = [node.left, *node.comparators]
                names = [o.id for o in operands if isinstance(o, ast.Name) and o.id in choices]
                values = [e.value for o in operands if isinstance(o, ast.Constant) for e in [o]]
                values += [
                    e.value for o in operands if isinstance(o, ast.List) for e in o.elts if isinstance(e, ast.Constant)
                ]
                for name in names:
                    unknown = set(values) - choices[name]
                    assert not unknown, f"{item.code}/{m.code}: {name} has no choice {unknown}"


def test_every_conditional_material_can_apply_and_can_be_absent(catalogue: Catalogue) -> None:
    """No dead or always-true conditions: try every combination of answers of the item's questions."""
    import itertools

    for item in catalogue.items.values():
        domains = [[True, False] if q.type == "bool" else [v for v, _ in q.choices] for q in item.questions]
        combos = [dict(zip([q.id for q in item.questions], values)) for values in itertools.product(*domains)]
        for m in item.materials:
            if m.necessity is not Necessity.CONDITIONAL:
                continue
            results = {m.applies(a) for a in combos}
            assert results == {True, False}, f"{item.code}/{m.code} does not depend on the answers"


def test_coverage_of_the_features_the_window_needs(catalogue: Catalogue) -> None:
    items = list(catalogue.items.values())
    assert sum(i.agent_allowed for i in items) >= 5
    split = [i for i in items if set(i.applicant_types) == {"person", "organisation"}]
    assert len(split) >= 2
    assert sum(any(m.deferrable for m in i.materials) for i in items) >= 5
    assert sum(any(m.source is MaterialSource.E_LICENCE for m in i.materials) for i in items) >= 5
    assert any(q.type == "choice" for i in items for q in i.questions)
    assert {m for i in items for m in i.delivery_modes} == {"window", "express", "electronic"}


# --- 人防 -------------------------------------------------------------------------------------------


def test_civil_air_defence_item_has_exactly_the_three_key_drawings(catalogue: Catalogue) -> None:
    item = by_name(catalogue, "应建防空地下室的民用建筑报建审批")
    assert item.theme == "工程建设"
    key = [m for m in item.materials if m.key]
    assert sorted(m.name for m in key) == sorted(["人防总平面图", "人防战时平面图", "人防建筑施工图说明"])
    for m in key:
        assert m.necessity is Necessity.REQUIRED and not m.deferrable
        assert m.source is MaterialSource.APPLICANT


# --- conditional materials depend on the answers ----------------------------------------------------


def test_agent_adds_power_of_attorney_and_agent_id(catalogue: Catalogue) -> None:
    item = by_name(catalogue, "个体工商户设立登记")
    assert item.agent_allowed and item.question("via_agent") is not None
    without = lines(item, via_agent=False)
    with_agent = lines(item, via_agent=True)
    assert with_agent - without == {"AGENT-POA", "AGENT-ID"}
    assert material(item, "AGENT-POA").name == "授权委托书"
    assert material(item, "AGENT-POA").key and material(item, "AGENT-ID").key
    # Unanswered counts as "no agent".
    assert "AGENT-POA" not in lines(item, via_agent=None)


def test_every_agent_item_gets_the_agent_materials(catalogue: Catalogue) -> None:
    for item in catalogue.items.values():
        codes = {m.code for m in item.materials}
        if item.agent_allowed:
            assert {"AGENT-POA", "AGENT-ID"} <= codes, item.code
            assert {"AGENT-POA", "AGENT-ID"} <= lines(item, via_agent=True) - lines(item, via_agent=False)
        else:
            assert not {"AGENT-POA", "AGENT-ID"} & codes, item.code
            assert item.question("via_agent") is None


def test_items_without_agent_path_never_ask_for_an_agent(catalogue: Catalogue) -> None:
    item = by_name(catalogue, "应建防空地下室的民用建筑报建审批")
    assert not item.agent_allowed
    assert "AGENT-POA" not in {m.code for m in item.materials}


@pytest.mark.parametrize(
    "name",
    ["有限责任公司设立登记", "建设工程规划许可证核发", "木材运输证核发", "动物检疫合格证明", "道路货物运输经营许可"],
)
def test_organisation_and_person_get_different_lines(catalogue: Catalogue, name: str) -> None:
    item = by_name(catalogue, name)
    assert set(item.applicant_types) == {"person", "organisation"}
    assert item.question("applicant_type") is not None
    person = lines(item, applicant_type="person")
    org = lines(item, applicant_type="organisation")
    only_org = [material(item, c) for c in org - person]
    only_person = [material(item, c) for c in person - org]
    # an organisation shows its business licence (统一社会信用代码) — a shared e-licence or a copy
    assert any("营业执照" in m.name or "统一社会信用代码" in m.name for m in only_org), name
    # a person brings their own identity document
    assert any("身份" in m.name for m in only_person), name


def test_company_formation_split_in_detail(catalogue: Catalogue) -> None:
    item = by_name(catalogue, "有限责任公司设立登记")
    person = lines(item, applicant_type="person", premises="rented")
    org = lines(item, applicant_type="organisation", premises="rented")
    assert "INVESTOR-ID" in person and "INVESTOR-ID" not in org
    assert {"INVESTOR-LICENCE", "INVESTOR-REP-ID"} <= org
    assert not {"INVESTOR-LICENCE", "INVESTOR-REP-ID"} & person
    licence = material(item, "INVESTOR-LICENCE")
    assert licence.source is MaterialSource.E_LICENCE and licence.e_licence_type == "营业执照电子证照"
    # applicant type not yet answered: neither branch is asked for
    assert not {"INVESTOR-ID", "INVESTOR-LICENCE"} & lines(item, applicant_type=None)


def test_choice_answer_adds_and_removes_lines(catalogue: Catalogue) -> None:
    food = by_name(catalogue, "食品经营许可")
    new = lines(food, application_kind="new")
    renewal = lines(food, application_kind="renewal")
    assert "OLD-LICENCE" in renewal and "OLD-LICENCE" not in new
    assert "LAYOUT" in new and "LAYOUT" not in renewal
    assert "RENEWAL-STATEMENT" in renewal - new

    shop = by_name(catalogue, "个体工商户设立登记")
    owned = lines(shop, premises="owned")
    residential = lines(shop, premises="residential")
    assert "PROPERTY-CERT" in owned and "PROPERTY-CERT" not in residential
    assert {"NEIGHBOUR-CONSENT", "PREMISES"} <= residential - owned


def test_bool_answers_and_combined_conditions(catalogue: Catalogue) -> None:
    food = by_name(catalogue, "食品经营许可")
    assert "CATERING-WATER" in lines(food, catering=True, application_kind="new")
    assert "CATERING-WATER" not in lines(food, catering=False, application_kind="new")
    assert "CATERING-WATER" not in lines(food, catering=True, application_kind="renewal")

    teacher = by_name(catalogue, "教师资格认定")
    assert "DIPLOMA" in lines(teacher, student=False) and "STUDENT-STATUS" not in lines(teacher, student=False)
    assert "STUDENT-STATUS" in lines(teacher, student=True) and "DIPLOMA" not in lines(teacher, student=True)


def test_e_licence_materials_are_marked_for_sharing(catalogue: Catalogue) -> None:
    doctor = by_name(catalogue, "医师执业注册")
    qualification = material(doctor, "QUALIFICATION")
    assert qualification.source is MaterialSource.E_LICENCE
    assert qualification.e_licence_type
    licence_types = {
        m.e_licence_type for i in catalogue.items.values() for m in i.materials if m.source is MaterialSource.E_LICENCE
    }
    shared = [
        t
        for t in licence_types
        if sum(any(m.e_licence_type == t for m in i.materials) for i in catalogue.items.values()) >= 3
    ]
    assert "营业执照电子证照" in shared


def test_deferrable_materials_are_never_key(catalogue: Catalogue) -> None:
    deferrable = [(i.code, m.code) for i in catalogue.items.values() for m in i.materials if m.deferrable]
    assert len(deferrable) >= 10
    for item in catalogue.items.values():
        assert all(not (m.key and m.deferrable) for m in item.materials)


# --- the condition language (properties) -----------------------------------------------------------

NAMES = ["a", "b", "kind"]
answer_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=True),
    st.text(max_size=3),
    st.lists(st.text(max_size=2), max_size=3),
)
answers_st = st.dictionaries(st.sampled_from(NAMES + ["other"]), answer_values)
literals = st.one_of(
    st.booleans().map(lambda b: "true" if b else "false"),
    st.integers(-3, 3).map(str),
    st.sampled_from(['"x"', '"true"', '""', '"商事"']),
    st.lists(st.sampled_from(['"x"', '"y"', "1"]), max_size=3).map(lambda v: f"[{', '.join(v)}]"),
)
atoms = st.one_of(st.sampled_from(NAMES), literals)
comparisons = st.builds(
    lambda a, op, b: f"{a} {op} {b}", atoms, st.sampled_from(["==", "!=", "in", "not in", "<", "<=", ">", ">="]), atoms
)
expressions = st.recursive(
    st.one_of(st.sampled_from(NAMES), comparisons),
    lambda inner: st.one_of(
        inner.map(lambda e: f"not ({e})"),
        st.builds(lambda x, op, y: f"({x}) {op} ({y})", inner, st.sampled_from(["and", "or"]), inner),
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(expressions, answers_st)
def test_random_conditions_and_answers_never_raise(source: str, answers: dict[str, Any]) -> None:
    result = Condition(source).evaluate(answers)
    assert isinstance(result, bool)


@settings(max_examples=300, deadline=None)
@given(expressions, answers_st)
def test_not_is_the_negation(source: str, answers: dict[str, Any]) -> None:
    assert Condition(f"not ({source})").evaluate(answers) is (not Condition(source).evaluate(answers))


@settings(max_examples=200, deadline=None)
@given(expressions, expressions, answers_st)
def test_and_or_behave_like_boolean_logic(x: str, y: str, answers: dict[str, Any]) -> None:
    vx, vy = Condition(x).evaluate(answers), Condition(y).evaluate(answers)
    assert Condition(f"({x}) and ({y})").evaluate(answers) is (vx and vy)
    assert Condition(f"({x}) or ({y})").evaluate(answers) is (vx or vy)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(NAMES), st.text(max_size=4), answers_st)
def test_equality_matches_the_answer(name: str, value: str, answers: dict[str, Any]) -> None:
    answers = {**answers, name: value}
    literal = repr(value)  # a valid string literal for any text, quotes and control characters included
    assert Condition(f"{name} == {literal}").evaluate(answers)
    assert not Condition(f"{name} != {literal}").evaluate(answers)


@given(expressions)
def test_names_are_the_questions_used(source: str) -> None:
    names = Condition(source).names
    assert names <= set(NAMES)
    assert "true" not in names and "false" not in names


@given(st.text(max_size=30))
def test_arbitrary_text_is_accepted_or_refused_cleanly(source: str) -> None:
    try:
        condition = Condition(source)
    except ConditionSyntaxError:
        return
    assert isinstance(condition.evaluate({}), bool)


def test_unanswered_questions_are_false() -> None:
    assert not Condition("via_agent").evaluate({})
    assert not Condition('kind == "x"').evaluate({})
    assert not Condition('kind in ["x", "y"]').evaluate({})
    assert not Condition("n > 3").evaluate({})
    assert Condition("not via_agent").evaluate({})


def test_true_false_words_are_literals_but_not_inside_strings() -> None:
    assert Condition("a == true").evaluate({"a": True})
    assert Condition("a == false").evaluate({"a": False})
    assert Condition('a == "true"').evaluate({"a": "true"})  # the text "true", not the boolean
    assert not Condition('a == "true"').evaluate({"a": "True"})
    assert Condition("a == true").names == {"a"}


def test_conditions_compare_by_source() -> None:
    assert Condition("a and b") == Condition("a and b")
    assert hash(Condition("a")) == hash(Condition("a"))
    assert Condition("a") != Condition("b")


@pytest.mark.parametrize(
    "source",
    [
        '__import__("os")',
        "a.b",
        "a[0]",
        "a + 1",
        "a is None",
        "-a",
        "--1",
        "-true",
        "(lambda: 1)()",
        "a if b else c",
        "{1}",
        "a := 1",
        "\x00",
        "",
    ],
)
def test_forbidden_constructs(source: str) -> None:
    with pytest.raises(ConditionSyntaxError):
        Condition(source)

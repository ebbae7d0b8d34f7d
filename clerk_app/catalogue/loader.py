"""Loading and validating the catalogue from human-editable TOML files (docs/catalogue-format.md).

A catalogue folder holds ``catalogue.toml`` (version, themes) and ``items/*.toml`` (one item a file).
Validation collects every problem first and refuses the catalogue as a whole, each problem naming the
file, the item code and the field; the caller keeps the previously active version.
"""

from __future__ import annotations

import copy
import hashlib
import json
import keyword
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clerk_app import i18n
from clerk_app.catalogue.conditions import Condition, ConditionSyntaxError
from clerk_app.catalogue.model import (
    Catalogue,
    IntakeQuestion,
    MaterialForm,
    MaterialRequirement,
    MaterialSource,
    Necessity,
    ServiceItem,
)
from clerk_app.errors import ClerkAppError


@dataclass(frozen=True)
class CatalogueIssue:
    file: str
    item_code: str
    field: str
    problem: str

    def __str__(self) -> str:
        where = f"{self.file}"
        if self.item_code:
            where += f" [{self.item_code}]"
        return f"{where} {self.field}: {self.problem}"

    def text_zh(self) -> str:
        """The same line for the administrator reading Chinese: file, item code and field as written in
        the files, the problem translated (an unknown wording stays as it is)."""
        where = f"{self.file}"
        if self.item_code:
            where += f" [{self.item_code}]"
        fld = _FIELD_ZH.get(self.field, self.field)
        return f"{where} {fld}：{problem_zh(self.problem)}"


_FIELD_ZH = {"(file)": "（文件）", "(files)": "（文件）", "(syntax)": "（语法）"}
_PROBLEMS_ZH = {
    "missing": "缺少此项",
    "unknown field": "未知字段（多为拼写错误）",
    "no item files": "没有事项文件（items/*.toml）",
    "missing or not a string": "缺少或不是文本",
    "must be a list of strings": "须为文本列表",
    "must be a list of items": "须为事项列表",
    "must be a table (object)": "须为表（对象）",
    "duplicate item code": "事项编码重复",
    "must be ≥ 0": "须大于或等于 0",
    "longer than legal_days": "承诺时限不能长于法定时限（legal_days）",
    "at least one applicant type is needed": "至少需要一种申请人类型",
    "must be true or false": "须为 true 或 false",
    "missing, not an identifier or a reserved word": "缺少、不是合法标识符或是保留字",
    "must be bool or choice": "须为 bool 或 choice",
    "a choice question needs at least two choices": "选择题至少需要两个选项",
    "an item needs at least one material": "每个事项至少需要一项材料",
    "must be a whole number 0–50": "须为 0–50 的整数",
    "a conditional material needs a condition": "条件材料必须填写条件（condition）",
    "only a conditional material has a condition": "只有条件材料（conditional）才能填写条件",
    "a key material can never be deferred (容缺)": "关键材料不能容缺",
    "a shared e-licence material must name the licence type": "电子证照材料须填写证照类型（e_licence_type）",
    "must be a path inside the catalogue folder": "须为事项清单文件夹内的相对路径",
    "must be a PDF, PNG or JPEG file": "须为 PDF、PNG 或 JPEG 文件",
}
_TYPES_ZH = {"int": "整数", "str": "文本", "bool": "true 或 false", "list": "列表", "dict": "表"}
_PATTERNS_ZH: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"must be (\w+)"), lambda m: "类型须为" + _TYPES_ZH.get(m[1], m[1])),
    (re.compile(r"must be an array of tables \((.+)\)"), lambda m: f"须为表数组（{m[1]}）"),
    (re.compile(r"must be a table \((.+)\)"), lambda m: f"须为表（{m[1]}）"),
    (re.compile(r"must be a list of (.+)"), lambda m: f"须为列表：{m[1]}"),
    (re.compile(r"(.+) not one of (.+)"), lambda m: f"{m[1]} 不是可用值之一：{m[2]}"),
    (re.compile(r"not one of (.+)"), lambda m: f"不是可用值之一：{m[1]}"),
    (re.compile(r"duplicate question (.+)"), lambda m: f"问题 {m[1]} 重复"),
    (re.compile(r"file not found: (.+)"), lambda m: f"找不到文件：{m[1]}"),
    (re.compile(r"duplicate material code (.+)"), lambda m: f"材料编码 {m[1]} 重复"),
    (re.compile(r"names no intake question: (.+)"), lambda m: f"引用了不存在的受理问题：{m[1]}"),
    (re.compile(r"(.+) \(at line (\d+), column (\d+)\)"), lambda m: f"第 {m[2]} 行第 {m[3]} 列格式错误（{m[1]}）"),
]


def problem_zh(problem: str) -> str:
    if problem in _PROBLEMS_ZH:
        return _PROBLEMS_ZH[problem]
    for pattern, render in _PATTERNS_ZH:
        m = pattern.fullmatch(problem)
        if m:
            return render(m)
    return problem


class CatalogueError(ClerkAppError):
    key = i18n.register(
        "error.catalogue",
        "事项清单有 {count} 处错误，未启用（仍使用原版本）：\n{issues}",
        "The catalogue has {count} error(s) and was not activated (the previous version stays):\n{issues}",
    )

    def __init__(self, issues: list[CatalogueIssue]) -> None:
        self.issues = issues
        more = f"\n… (+{len(issues) - 20})" if len(issues) > 20 else ""
        shown = "\n".join(str(i) for i in issues[:20]) + more
        self._shown_zh = "\n".join(i.text_zh() for i in issues[:20]) + more
        super().__init__(count=len(issues), issues=shown)

    def user_message(self, language: str | None = None) -> str:
        if (language or i18n.current_language()).startswith("zh"):
            return i18n.text(self.key, language, count=len(self.issues), issues=self._shown_zh)
        return super().user_message(language)


THEMES_DEFAULT = ("商事登记", "工程建设", "社会事务", "农林", "交通")
APPLICANT_TYPES = ("person", "organisation")
DELIVERY_MODES = ("window", "express", "electronic")

BUILTIN_QUESTIONS = {
    "applicant_type": IntakeQuestion(
        id="applicant_type",
        text="申请人类型",
        type="choice",
        choices=(("person", "自然人"), ("organisation", "法人或其他组织")),
        default=None,
    ),
    "via_agent": IntakeQuestion(id="via_agent", text="是否委托代理人办理？", type="bool", default=False),
}
AGENT_MATERIALS = (
    MaterialRequirement(
        code="AGENT-POA",
        name="授权委托书",
        form=MaterialForm.ORIGINAL,
        originals=1,
        copies=0,
        necessity=Necessity.CONDITIONAL,
        key=True,
        deferrable=False,
        condition=Condition("via_agent"),
        notes="载明委托事项、权限和期限，由申请人签字（盖章）",
    ),
    MaterialRequirement(
        code="AGENT-ID",
        name="代理人身份证明",
        form=MaterialForm.ORIGINAL_AND_COPY,
        originals=1,
        copies=1,
        necessity=Necessity.CONDITIONAL,
        key=True,
        deferrable=False,
        condition=Condition("via_agent"),
        notes="原件核验后退还，复印件留存",
    ),
)

_ITEM_REQUIRED = {
    "code": str,
    "name": str,
    "department": str,
    "theme": str,
    "legal_days": int,
    "promised_days": int,
    "legal_basis": str,
    "result_name": str,
}
_MATERIAL_REQUIRED = {"code": str, "name": str, "form": str, "necessity": str}
_HEAD_KEYS = {"version", "published", "themes"}
_QUESTION_KEYS = {"id", "text", "type", "choices", "default", "help"}
_RESERVED_NAMES = {"true", "false"}  # literals in conditions, so never question ids


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def load_catalogue(folder: str | Path) -> Catalogue:
    """Read a catalogue folder and validate it; raise CatalogueError listing every problem."""
    folder = Path(folder)
    issues: list[CatalogueIssue] = []
    head_file = folder / "catalogue.toml"
    head: dict[str, Any] = {}
    try:
        head = tomllib.loads(head_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        issues.append(CatalogueIssue(head_file.name, "", "(file)", "missing"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        issues.append(CatalogueIssue(head_file.name, "", "(syntax)", str(exc)))
    for k in head:
        if k not in _HEAD_KEYS:
            issues.append(CatalogueIssue(head_file.name, "", k, "unknown field"))
    items: list[dict[str, Any]] = []
    item_files = sorted((folder / "items").glob("*.toml"))
    if not item_files:
        issues.append(CatalogueIssue("items/", "", "(files)", "no item files"))
    for path in item_files:
        rel = f"items/{path.name}"
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            issues.append(CatalogueIssue(rel, "", "(syntax)", str(exc)))
            continue
        data["_file"] = rel
        items.append(data)
    raw = {"version": head.get("version"), "themes": head.get("themes", list(THEMES_DEFAULT)), "items": items}
    issues += _check_form_files(folder, items)
    if issues:
        # Also validate what did parse, so one run shows every problem.
        try:
            parse_catalogue(raw, str(folder))
        except CatalogueError as more:
            issues.extend(more.issues)
        raise CatalogueError(issues)
    return parse_catalogue(raw, str(folder))


FORM_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg")


def _check_form_files(folder: Path, items: list[dict[str, Any]]) -> list[CatalogueIssue]:
    """A material's ``blank_form`` and ``sample`` name files shipped with the catalogue: a relative
    path inside its folder, a PDF or image, present. Checked when a folder is imported (a catalogue
    pushed by the back office carries no files; its references are shown as given)."""
    out = []
    root = folder.resolve()
    for data in items:
        materials = data.get("materials")
        if not isinstance(materials, list):
            continue
        for i, m in enumerate(materials):
            if not isinstance(m, dict):
                continue
            for key in ("blank_form", "sample"):
                rel = m.get(key)
                if not isinstance(rel, str) or not rel:
                    continue
                where = (data.get("_file", ""), str(data.get("code", "")), f"materials[{i}].{key}")
                target = (folder / rel).resolve()
                if Path(rel).is_absolute() or not target.is_relative_to(root):
                    out.append(CatalogueIssue(*where, "must be a path inside the catalogue folder"))
                elif target.suffix.lower() not in FORM_SUFFIXES:
                    out.append(CatalogueIssue(*where, "must be a PDF, PNG or JPEG file"))
                elif not target.is_file():
                    out.append(CatalogueIssue(*where, f"file not found: {rel}"))
    return out


def form_file(catalogue_source: str, rel: str) -> Path | None:
    """The file a material's ``blank_form``/``sample`` names, for a catalogue imported from a folder
    (None when the catalogue has no folder, e.g. pushed, or the file is gone)."""
    if not rel or not catalogue_source or catalogue_source.startswith("("):
        return None
    root = Path(catalogue_source).resolve()
    target = (root / rel).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        return None
    return target


def content_hash(raw: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def parse_catalogue(raw: dict[str, Any], source: str) -> Catalogue:
    """Validate a raw catalogue (as read from files, the DB or a back-office push)."""
    raw = copy.deepcopy(raw)
    issues: list[CatalogueIssue] = []
    version = raw.get("version")
    if not isinstance(version, str) or not version.strip():
        issues.append(CatalogueIssue("catalogue.toml", "", "version", "missing or not a string"))
    themes_raw = raw.get("themes") or list(THEMES_DEFAULT)
    if not _is_str_list(themes_raw):
        issues.append(CatalogueIssue("catalogue.toml", "", "themes", "must be a list of strings"))
        themes_raw = [t for t in themes_raw if isinstance(t, str)] if isinstance(themes_raw, list) else []
    themes = tuple(themes_raw)
    items: dict[str, ServiceItem] = {}
    raw_items = raw.get("items", [])
    if not isinstance(raw_items, list):
        issues.append(CatalogueIssue("(pushed)", "", "items", "must be a list of items"))
        raw_items = []
    for n, data in enumerate(raw_items):
        if not isinstance(data, dict):
            issues.append(CatalogueIssue("(pushed)", "", f"items[{n}]", "must be a table (object)"))
            continue
        fname = str(data.get("_file", "(pushed)"))
        item = _parse_item(data, fname, themes, issues)
        if item is None:
            continue
        if item.code in items:
            issues.append(CatalogueIssue(fname, item.code, "code", "duplicate item code"))
        items[item.code] = item
    if issues:
        raise CatalogueError(issues)
    return Catalogue(
        version=str(version), content_hash=content_hash(raw), source=source, items=items, themes=themes, raw=raw
    )


def _parse_item(
    data: dict[str, Any], fname: str, themes: tuple[str, ...], issues: list[CatalogueIssue]
) -> ServiceItem | None:
    code = str(data.get("code", "")).strip()
    n_before = len(issues)

    def bad(fld: str, problem: str) -> None:
        issues.append(CatalogueIssue(fname, code, fld, problem))

    known = set(_ITEM_REQUIRED) | {
        "_file",
        "applicant_types",
        "agent_allowed",
        "fee",
        "conditions",
        "delivery_modes",
        "questions",
        "materials",
        "keywords",
        "rejection_bodies",
    }
    for k in data:
        if k not in known:
            bad(k, "unknown field")
    for fld, typ in _ITEM_REQUIRED.items():
        value = data.get(fld)
        if value is None or (typ is str and not str(value).strip()):
            bad(fld, "missing")
        elif not isinstance(value, typ) or isinstance(value, bool):
            bad(fld, f"must be {typ.__name__}")
    if data.get("theme") and data.get("theme") not in themes:
        bad("theme", f"not one of {', '.join(themes)}")
    for fld in ("legal_days", "promised_days"):
        v = data.get(fld)
        if isinstance(v, int) and not isinstance(v, bool) and v < 0:
            bad(fld, "must be ≥ 0")
    if (
        isinstance(data.get("legal_days"), int)
        and isinstance(data.get("promised_days"), int)
        and data["promised_days"] > data["legal_days"]
    ):
        bad("promised_days", "longer than legal_days")
    for fld in ("fee", "conditions", "rejection_bodies"):
        if fld in data and not isinstance(data[fld], str):
            bad(fld, "must be str")
    lists = {}
    for fld, default in (("applicant_types", ["person"]), ("delivery_modes", ["window"]), ("keywords", [])):
        value = data.get(fld, default)
        if not _is_str_list(value):
            bad(fld, "must be a list of strings")
            value = []
        lists[fld] = tuple(value)
    applicant_types = lists["applicant_types"]
    if "applicant_types" in data and not data["applicant_types"]:
        bad("applicant_types", "at least one applicant type is needed")
    for t in applicant_types:
        if t not in APPLICANT_TYPES:
            bad("applicant_types", f"{t!r} not one of {APPLICANT_TYPES}")
    delivery = lists["delivery_modes"]
    for m in delivery:
        if m not in DELIVERY_MODES:
            bad("delivery_modes", f"{m!r} not one of {DELIVERY_MODES}")
    agent_allowed = data.get("agent_allowed", False)
    if not isinstance(agent_allowed, bool):
        bad("agent_allowed", "must be true or false")
        agent_allowed = False

    questions: list[IntakeQuestion] = []
    if len(set(applicant_types)) > 1:
        questions.append(BUILTIN_QUESTIONS["applicant_type"])
    if agent_allowed:
        questions.append(BUILTIN_QUESTIONS["via_agent"])
    raw_questions = data.get("questions", [])
    if not isinstance(raw_questions, list):
        bad("questions", "must be an array of tables ([[questions]])")
        raw_questions = []
    for i, q in enumerate(raw_questions):
        fld = f"questions[{i}]"
        if not isinstance(q, dict):
            bad(fld, "must be a table ([[questions]])")
            continue
        for k in q:
            if k not in _QUESTION_KEYS:
                bad(f"{fld}.{k}", "unknown field")
        qid, qtype = q.get("id"), q.get("type", "bool")
        if not isinstance(qid, str) or not qid.isidentifier() or keyword.iskeyword(qid) or qid in _RESERVED_NAMES:
            bad(f"{fld}.id", "missing, not an identifier or a reserved word")
            continue
        if qid in BUILTIN_QUESTIONS or any(x.id == qid for x in questions):
            bad(f"{fld}.id", f"duplicate question {qid!r}")
            continue
        if qtype not in ("bool", "choice"):
            bad(f"{fld}.type", "must be bool or choice")
        raw_choices = q.get("choices", [])
        choices_ok = isinstance(raw_choices, list) and all(
            isinstance(c, dict) and isinstance(c.get("value"), str) for c in raw_choices
        )
        if not choices_ok:
            bad(f"{fld}.choices", "must be a list of { value = \"…\", label = \"…\" }")
            raw_choices = []
        choices = tuple((c["value"], str(c.get("label", c["value"]))) for c in raw_choices)
        if qtype == "choice" and choices_ok and len(choices) < 2:
            bad(f"{fld}.choices", "a choice question needs at least two choices")
        if not q.get("text"):
            bad(f"{fld}.text", "missing")
        questions.append(
            IntakeQuestion(
                id=qid,
                text=str(q.get("text", "")),
                type=qtype,
                choices=choices,
                default=q.get("default"),
                help=str(q.get("help", "")),
            )
        )
    answer_names = {q.id for q in questions}

    materials: list[MaterialRequirement] = []
    raw_materials = data.get("materials", [])
    if not isinstance(raw_materials, list):
        bad("materials", "must be an array of tables ([[materials]])")
        raw_materials = []
    for i, m in enumerate(raw_materials):
        if not isinstance(m, dict):
            bad(f"materials[{i}]", "must be a table ([[materials]])")
            continue
        mat = _parse_material(m, f"materials[{i}]", answer_names, bad)
        if mat is None:
            continue
        if any(x.code == mat.code for x in materials):
            bad(f"materials[{i}].code", f"duplicate material code {mat.code!r}")
        materials.append(mat)
    if not raw_materials and not data.get("materials"):
        bad("materials", "an item needs at least one material")
    if agent_allowed:
        for am in AGENT_MATERIALS:
            if not any(x.code == am.code for x in materials):
                materials.append(am)
    if len(issues) > n_before:
        return None
    return ServiceItem(
        code=code,
        name=data["name"],
        department=data["department"],
        theme=data["theme"],
        applicant_types=applicant_types,
        agent_allowed=agent_allowed,
        legal_days=data["legal_days"],
        promised_days=data["promised_days"],
        fee=str(data.get("fee", "不收费")),
        conditions=str(data.get("conditions", "")),
        legal_basis=data["legal_basis"],
        result_name=data["result_name"],
        delivery_modes=delivery,
        questions=tuple(questions),
        materials=tuple(materials),
        keywords=lists["keywords"],
        rejection_bodies=str(data.get("rejection_bodies", "")),
    )


def _parse_material(m: dict[str, Any], fld: str, answer_names: set[str], bad: Any) -> MaterialRequirement | None:
    ok = True
    known = set(_MATERIAL_REQUIRED) | {
        "originals",
        "copies",
        "condition",
        "key",
        "deferrable",
        "source",
        "e_licence_type",
        "blank_form",
        "sample",
        "notes",
    }
    for k in m:
        if k not in known:
            bad(f"{fld}.{k}", "unknown field")
            ok = False
    for k in _MATERIAL_REQUIRED:
        if not m.get(k):
            bad(f"{fld}.{k}", "missing")
            ok = False
    for k in (
        "code",
        "name",
        "form",
        "necessity",
        "condition",
        "source",
        "e_licence_type",
        "blank_form",
        "sample",
        "notes",
    ):
        if k in m and not isinstance(m[k], str):
            bad(f"{fld}.{k}", "must be str")
            ok = False
    for k in ("key", "deferrable"):
        if k in m and not isinstance(m[k], bool):
            bad(f"{fld}.{k}", "must be true or false")
            ok = False
    if not ok:
        return None
    try:
        form = MaterialForm(m["form"])
    except ValueError:
        bad(f"{fld}.form", f"{m['form']!r} not one of {[f.value for f in MaterialForm]}")
        return None
    try:
        necessity = Necessity(m["necessity"])
    except ValueError:
        bad(f"{fld}.necessity", f"{m['necessity']!r} not one of {[n.value for n in Necessity]}")
        return None
    try:
        source = MaterialSource(m.get("source", "applicant"))
    except ValueError:
        bad(f"{fld}.source", f"{m.get('source')!r} not one of {[s.value for s in MaterialSource]}")
        return None
    originals, copies = m.get("originals"), m.get("copies")
    if originals is None:
        originals = 1 if form in (MaterialForm.ORIGINAL, MaterialForm.ORIGINAL_AND_COPY) else 0
    if copies is None:
        copies = 1 if form in (MaterialForm.COPY, MaterialForm.ORIGINAL_AND_COPY) else 0
    for name, v in (("originals", originals), ("copies", copies)):
        if not isinstance(v, int) or isinstance(v, bool) or v < 0 or v > 50:
            bad(f"{fld}.{name}", "must be a whole number 0–50")
            return None
    condition = None
    if necessity is Necessity.CONDITIONAL:
        if not m.get("condition"):
            bad(f"{fld}.condition", "a conditional material needs a condition")
            return None
        try:
            condition = Condition(str(m["condition"]))
        except ConditionSyntaxError as exc:
            bad(f"{fld}.condition", str(exc))
            return None
        unknown = condition.names - answer_names
        if unknown:
            bad(f"{fld}.condition", f"names no intake question: {', '.join(sorted(unknown))}")
            return None
    elif m.get("condition"):
        bad(f"{fld}.condition", "only a conditional material has a condition")
        return None
    key = bool(m.get("key", False))
    deferrable = bool(m.get("deferrable", False))
    if key and deferrable:
        bad(f"{fld}.deferrable", "a key material can never be deferred (容缺)")
        return None
    if source is MaterialSource.E_LICENCE and not m.get("e_licence_type"):
        bad(f"{fld}.e_licence_type", "a shared e-licence material must name the licence type")
        return None
    return MaterialRequirement(
        code=str(m["code"]),
        name=str(m["name"]),
        form=form,
        originals=originals,
        copies=copies,
        necessity=necessity,
        key=key,
        deferrable=deferrable,
        source=source,
        condition=condition,
        e_licence_type=str(m.get("e_licence_type", "")),
        blank_form=str(m.get("blank_form", "")),
        sample=str(m.get("sample", "")),
        notes=str(m.get("notes", "")),
    )

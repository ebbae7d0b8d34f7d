"""Catalogue value types (immutable). Loaded by clerk_app.catalogue.loader, stored versioned."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from clerk_app.catalogue.conditions import Condition


class Necessity(str, enum.Enum):
    REQUIRED = "required"
    CONDITIONAL = "conditional"
    OPTIONAL = "optional"


class MaterialForm(str, enum.Enum):
    ORIGINAL = "original"
    COPY = "copy"
    ORIGINAL_AND_COPY = "original_and_copy"
    ELECTRONIC = "electronic"


class MaterialSource(str, enum.Enum):
    APPLICANT = "applicant"
    E_LICENCE = "e_licence"  # shared electronic licence: the window must not ask for it


@dataclass(frozen=True)
class IntakeQuestion:
    id: str
    text: str
    type: str  # bool | choice
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    default: Any = None
    help: str = ""


@dataclass(frozen=True)
class MaterialRequirement:
    code: str
    name: str
    form: MaterialForm
    originals: int
    copies: int
    necessity: Necessity
    key: bool  # key material: never deferrable (容缺 not allowed)
    deferrable: bool
    source: MaterialSource = MaterialSource.APPLICANT
    condition: Condition | None = None
    e_licence_type: str = ""
    blank_form: str = ""
    sample: str = ""
    notes: str = ""

    def applies(self, answers: Mapping[str, Any]) -> bool:
        if self.necessity is Necessity.CONDITIONAL:
            assert self.condition is not None
            return self.condition.evaluate(answers)
        return True


@dataclass(frozen=True)
class ServiceItem:
    code: str
    name: str
    department: str
    theme: str
    applicant_types: tuple[str, ...]  # person | organisation
    agent_allowed: bool
    legal_days: int
    promised_days: int
    fee: str
    conditions: str
    legal_basis: str
    result_name: str
    delivery_modes: tuple[str, ...]
    questions: tuple[IntakeQuestion, ...]
    materials: tuple[MaterialRequirement, ...]
    keywords: tuple[str, ...] = ()
    rejection_bodies: str = ""  # where to apply for reconsideration / litigation

    def question(self, question_id: str) -> IntakeQuestion | None:
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True)
class Catalogue:
    version: str
    content_hash: str
    source: str
    items: Mapping[str, ServiceItem] = field(default_factory=dict)
    themes: tuple[str, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def item(self, code: str) -> ServiceItem:
        from clerk_app.errors import NotFound

        try:
            return self.items[code]
        except KeyError:
            raise NotFound(what=f"事项 {code}", detail=f"item {code} not in catalogue {self.version}") from None

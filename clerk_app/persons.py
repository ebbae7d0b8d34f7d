"""Applicants and agents: personal data encrypted at rest, masked by default, full view audited."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from clerk_app.clock import Clock
from clerk_app.identity import (
    mask_address,
    mask_id_number,
    mask_name,
    mask_phone,
    validate_document_number,
    validate_hmt_residence_permit,
    validate_phone,
    validate_resident_id,
    validate_uscc,
)
from clerk_app.security.crypto import FieldCipher, SearchIndex
from clerk_app.store.models import Person

# What ``Person.pii`` holds once retention purged it (clerk_app/retention.py): not a ciphertext.
TOMBSTONE = b"PURGED"


@dataclass(frozen=True)
class PersonData:
    """Everything personal about an applicant or agent. Lives only encrypted in the store."""

    kind: str = "person"  # person | organisation
    name: str = ""
    sex: str = ""
    birth_date: str = ""  # ISO date
    nationality: str = "CHN"
    # resident_id | passport | hk_macau_permit | taiwan_permit | foreign_prc | hmt_residence_permit | uscc
    document_type: str = "resident_id"
    document_number: str = ""
    address: str = ""
    phone: str = ""
    legal_representative: str = ""  # organisations
    verified_by: str = "manual"  # chip | manual
    passive_auth: str | None = None  # verified | data_altered | issuer_not_trusted | not_checked
    photo_sha256: str | None = None  # chip photo in the attachment store
    face_match: str | None = None  # 人证比对 by the clerk: "match" | "mismatch" (clerk_app/identity_check.py)

    def validated(self) -> PersonData:
        """Normalise and check the document number where a national standard defines it."""
        if self.document_type == "resident_id" and self.document_number:
            out = dataclasses.replace(self, document_number=validate_resident_id(self.document_number))
            return dataclasses.replace(out, phone=validate_phone(self.phone)) if self.phone.strip() else out
        out = self
        if self.document_type == "hmt_residence_permit" and self.document_number:
            out = dataclasses.replace(self, document_number=validate_hmt_residence_permit(self.document_number))
        elif self.document_type == "uscc" and self.document_number:
            out = dataclasses.replace(self, document_number=validate_uscc(self.document_number))
        elif self.document_number:
            out = dataclasses.replace(self, document_number=validate_document_number(self.document_number))
        if self.phone.strip():
            out = dataclasses.replace(out, phone=validate_phone(self.phone))
        return out


@dataclass(frozen=True)
class PersonView:
    """What a screen shows: masked unless the caller asked for (and audited) the full record."""

    id: str
    kind: str
    name: str
    document_type: str
    document_number: str
    address: str
    phone: str
    verified_by: str
    passive_auth: str | None
    masked: bool


class PersonRepository:
    def __init__(self, cipher: FieldCipher, index: SearchIndex, clock: Clock) -> None:
        self._cipher = cipher
        self._index = index
        self._clock = clock

    def save(self, session: Session, data: PersonData, person_id: str | None = None) -> Person:
        data = data.validated()
        pid = person_id or str(uuid.uuid4())
        blob = self._cipher.encrypt(
            json.dumps(dataclasses.asdict(data), ensure_ascii=False).encode(), aad=f"person:{pid}".encode()
        )
        row = session.get(Person, pid) if person_id else None
        if row is None:
            row = Person(id=pid, created_at=self._clock.now())
            session.add(row)
        row.kind = data.kind
        row.pii = blob
        row.id_token = self._index.token("id", data.document_number) if data.document_number else None
        row.name_token = self._index.token("name", data.name) if data.name else None
        row.id_masked = mask_id_number(data.document_number)
        row.name_masked = mask_name(data.name)
        row.verified_by = data.verified_by
        row.passive_auth = data.passive_auth
        session.flush()  # cases reference persons by key only: insert the person first
        return row

    def load(self, row: Person) -> PersonData:
        if row.pii == TOMBSTONE:
            return PersonData(kind=row.kind, verified_by=row.verified_by)
        raw = json.loads(self._cipher.decrypt(row.pii, aad=f"person:{row.id}".encode()))
        return PersonData(**raw)

    def view(self, row: Person, *, full: bool) -> PersonView:
        data = self.load(row)
        if full:
            return PersonView(
                row.id,
                data.kind,
                data.name,
                data.document_type,
                data.document_number,
                data.address,
                data.phone,
                data.verified_by,
                data.passive_auth,
                False,
            )
        return PersonView(
            row.id,
            data.kind,
            mask_name(data.name) if data.kind == "person" else data.name,
            data.document_type,
            row.id_masked,
            mask_address(data.address),
            mask_phone(data.phone) if data.phone else "",
            data.verified_by,
            data.passive_auth,
            True,
        )

    def seal(self, text: str, aad: str) -> bytes:
        """Encrypt one personal text that lives outside ``persons`` (an express address) with the
        hall data key, bound to ``aad``."""
        return self._cipher.encrypt(text.encode(), aad=aad.encode())

    def unseal(self, blob: bytes, aad: str) -> str:
        return self._cipher.decrypt(blob, aad=aad.encode()).decode()

    def id_token(self, document_number: str) -> str:
        return self._index.token("id", document_number)

    def name_token(self, name: str) -> str:
        return self._index.token("name", name)


def birth_date_iso(value: dt.date | None) -> str:
    return value.isoformat() if value else ""

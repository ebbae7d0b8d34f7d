"""From a chip read to the core's applicant record (devices may use the core; never the reverse)."""

from __future__ import annotations

from clerk_app.persons import PersonData
from devices.cards.api import IdentityDocument

_DOC_TYPES = {
    "passport": "passport",
    "hk_macau_permit": "hk_macau_permit",
    "taiwan_permit": "taiwan_permit",
    "foreign_permanent_residence": "foreign_prc",
    "resident_id": "resident_id",
    "other_icao": "passport",
}


def person_from_document(doc: IdentityDocument, photo_sha256: str | None = None) -> PersonData:
    """The applicant as the chip says, marked verified_by=chip with its passive-authentication result."""
    return PersonData(
        kind="person",
        name=doc.full_name,
        sex=doc.sex.value,
        birth_date=doc.birth_date.isoformat() if doc.birth_date else "",
        nationality=doc.nationality,
        document_type=_DOC_TYPES[doc.document_type.value],
        document_number=doc.document_number,
        address=doc.address,
        verified_by="chip",
        passive_auth=doc.passive_auth.status.value,
        photo_sha256=photo_sha256,
    )

"""From a chip read to the core's applicant record (devices may use the core; never the reverse)."""

from __future__ import annotations

import io

from clerk_app.persons import PersonData
from devices.cards.api import FacePhoto, IdentityDocument

_DOC_TYPES = {
    "passport": "passport",
    "hk_macau_permit": "hk_macau_permit",
    "taiwan_permit": "taiwan_permit",
    "foreign_permanent_residence": "foreign_prc",
    "resident_id": "resident_id",
    "hmt_residence_permit": "hmt_residence_permit",
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


def display_image(photo: FacePhoto | None) -> tuple[bytes, str] | None:
    """The chip face as bytes Qt's built-in image plugins load (JPEG or PNG) with its mime type, for
    the 人证比对 view: JPEG and PNG as read, JPEG 2000 converted to PNG with Pillow (Qt has no JP2
    plugin by default), WLT without a decoder → None ("not decodable")."""
    if photo is None or not photo.decodable:
        return None
    if photo.mime in ("image/jpeg", "image/png"):
        return photo.data, photo.mime
    from PIL import Image

    try:
        with Image.open(io.BytesIO(photo.data)) as img:
            out = io.BytesIO()
            img.convert("RGB").save(out, "PNG")
    except Exception:  # Pillow raises many types for bad data
        return None
    return out.getvalue(), "image/png"

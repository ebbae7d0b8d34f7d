"""Cases through the real services for the supervision tests (audit, retention, rotation, logs)."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from clerk_app.attachments import AttachmentStore
from clerk_app.lifecycle import CaseStatus, Decision
from clerk_app.pages import PageService
from clerk_app.persons import PersonData
from clerk_app.roles import system_actor
from clerk_app.security.crypto import FieldCipher

ITEM = "SC-GTGSH-SL"  # 个体工商户设立登记
ID_NUMBER = "11010519491231002X"
NAME = "张三丰"
ADDRESS = "湖北省武汉市江岸区胜利街100号"
APPLICANT = PersonData(
    name=NAME,
    document_number=ID_NUMBER,
    address=ADDRESS,
    phone="13800138000",
    verified_by="chip",
    passive_auth="verified",
)


def page_bytes(number: int, marker: bytes = b"") -> bytes:
    image = Image.new("L", (400 + number, 560), 255)  # unique content per number
    ImageDraw.Draw(image).rectangle((20, 20, 20 + number * 30, 60), fill=0)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue() + marker


def attachment_store(world, root) -> AttachmentStore:
    return AttachmentStore(root, FieldCipher(world.ctx.keys, "attachments"))


def accepted_case(
    world,
    clerk,
    store: AttachmentStore | None = None,
    applicant: PersonData = APPLICANT,
    pages: int = 1,
    page_seed: int = 1,
) -> str:
    cases = world.ctx.cases
    cid = cases.start_case(clerk, ITEM, {"premises": "rented"})
    cases.set_applicant(clerk, cid, applicant)
    for line in cases.get(clerk, cid).lines:
        if line.status.value == "not_required":
            continue
        cases.update_line(
            clerk, cid, line.code, originals_received=line.originals_required, copies_received=line.copies_required
        )
    if store is not None:
        svc = PageService(world.ctx.sessions, world.ctx.clock, world.ctx.auditor, store)
        first = cases.get(clerk, cid).lines[0].code
        for n in range(pages):
            svc.add(clerk, cid, first, page_bytes(page_seed * 10 + n), "image/png")
    cases.decide(cid, Decision.ACCEPT, clerk)
    return cid


def deliver(world, clerk, cid: str) -> None:
    system = system_actor(world.ctx.settings.station_code)
    for status in (CaseStatus.SYNCED, CaseStatus.IN_APPROVAL, CaseStatus.APPROVED, CaseStatus.RESULT_READY):
        world.ctx.cases.apply_server_status(system, cid, status)
    world.ctx.cases.deliver(clerk, cid, "window")

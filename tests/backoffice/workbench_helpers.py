"""Driving the approver workbench over HTTP (as a browser without JavaScript would), and a station that
uploads a case with pages, for tests/backoffice."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import uuid

import httpx

ITEM = "SC-GTGSH-SL"
PASSWORD = "审批密码-2026-abc"


def pdf_bytes(pages: int = 1, text: str = "result") -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    pdf.docinfo["/Title"] = text
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def png_page(seed: int = 0) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (320, 440), (250, 250, 245))
    draw = ImageDraw.Draw(img)
    for i in range(12):
        draw.line((20, 40 + i * 30, 300, 40 + i * 30), fill=(60, 60, 60 + seed % 100), width=2)
    draw.rectangle((20, 10, 120 + seed % 50, 30), fill=(143, 29, 33))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def station_client(backoffice, code: str) -> httpx.Client:
    enrol = backoffice.add_station(code)
    c = httpx.Client(base_url=backoffice.url, timeout=10)
    secret = c.post("/v1/stations/register", json={"station_code": code, "enrolment_code": enrol}).json()[
        "station_secret"
    ]
    token = c.post("/v1/auth/token", json={"station_code": code, "station_secret": secret}).json()["access_token"]
    c.headers["Authorization"] = "Bearer " + token
    return c


def upload_case(
    c: httpx.Client,
    code: str,
    *,
    item: str = ITEM,
    name: str = "张三丰",
    id_number: str = "110101199003071234",
    promised: dt.date | None = None,
    pages: int = 2,
) -> str:
    files = [png_page(i) for i in range(pages)]
    shas = [hashlib.sha256(f).hexdigest() for f in files]
    cid = str(uuid.uuid4())
    packet = {
        "schema_version": "case-packet/1",
        "case_id": cid,
        "case_number": "SL" + cid[:8].upper(),
        "station_code": code,
        "window_no": "03",
        "item_code": item,
        "item_name": "个体工商户设立登记",
        "catalogue_version": "2026.1",
        "decision": "accepted",
        "decided_at": "2026-12-01T09:30:00+08:00",
        "promised_date": (promised or dt.date.today() + dt.timedelta(days=10)).isoformat(),
        "answers": {"premises": "rented"},
        "applicant": {"kind": "person", "name": name, "document_number": id_number, "phone": "13812345678"},
        "agent": None,
        "lines": [
            {
                "requirement_code": "ID",
                "name": "身份证明",
                "form": "original",
                "status": "verified",
                "originals_received": 1,
                "copies_received": 0,
                "pages": [{"position": i, "sha256": s} for i, s in enumerate(shas)],
            }
        ],
        "attachments": [{"sha256": s, "size": len(f), "mime": "image/png"} for s, f in zip(shas, files)],
    }
    r = c.post("/v1/case-packets", json=packet, headers={"Idempotency-Key": cid + ":packet"})
    assert r.status_code == 201, r.text
    for s, f in zip(shas, files):
        r = c.put(f"/v1/cases/{cid}/attachments/{s}", params={"offset": 0}, content=f)
        assert r.json()["complete"], r.text
    return cid


class Bench:
    """One signed-in person's browser session (cookies) against /bench."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=10, follow_redirects=False)

    def close(self) -> None:
        self.http.close()

    def sign_in(self, username: str, password: str = PASSWORD) -> httpx.Response:
        page = self.http.get("/bench/login")
        nonce = hidden(page.text, "csrf_token")
        return self.http.post("/bench/login", data={"username": username, "password": password, "csrf_token": nonce})

    def case(self, case_id: str) -> tuple[httpx.Response, str, str]:
        """The case page, its CSRF token and its one-time form token."""
        r = self.http.get(f"/bench/cases/{case_id}")
        if r.status_code != 200:
            return r, "", ""
        token = hidden(r.text, "form_token") if 'name="form_token"' in r.text else ""
        return r, hidden(r.text, "csrf_token"), token

    def act(self, case_id: str, action: str, **fields: str) -> httpx.Response:
        _page, csrf, token = self.case(case_id)
        data = {"csrf_token": csrf, "form_token": token, **fields}
        return self.http.post(f"/bench/cases/{case_id}/act/{action}", data=data)

    def upload(self, case_id: str, data: bytes, filename: str = "决定书.pdf") -> httpx.Response:
        _page, csrf, token = self.case(case_id)
        return self.http.post(
            f"/bench/cases/{case_id}/result",
            data={"csrf_token": csrf, "form_token": token},
            files={"document": (filename, data, "application/pdf")},
        )


def hidden(html: str, name: str) -> str:
    m = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert m, f"no {name} in the page"
    return m.group(1)


def feed(c: httpx.Client, after: int = 0) -> list[dict]:
    return c.get("/v1/status-feed", params={"after": after}).json()["events"]

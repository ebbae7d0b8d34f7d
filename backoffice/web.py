"""The approver workbench (审批工作台): server-rendered pages (Jinja2, zh_CN) under ``/bench``.

Sign-in with a per-person account sets an HttpOnly, SameSite=Strict session cookie (the session lives
in the database, so any worker process serves any request). Every POST carries the session's CSRF token;
every case action also carries a one-time form token, used in the action's own transaction (a replayed
form is refused, nothing changes). Personal data is masked until revealed with a reason (audited).
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice import accounts, schemas, service, workflow
from backoffice.accounts import Person
from backoffice.models import BackOfficeAudit, BackOfficeUser, Department, DepartmentItem, Publication, Station
from backoffice.service import ApiProblem

T = TypeVar("T")
HERE = Path(__file__).parent
COOKIE = "bo_session"
LOGIN_COOKIE = "bo_login_csrf"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
# What the person reads when something is refused (keyed by ApiProblem.error).
MESSAGES = {
    "other_department": "该案件不属于您所在的科室，无权查看或办理。",
    "not_found": "未找到该案件或文件。",
    "forbidden": "您的角色无权进行此操作。",
    "form_replayed": "此表单已经提交过或已失效，未做任何更改。请在案件页面重新操作。",
    "csrf": "安全校验失败（表单令牌不符），未做任何更改。请刷新页面后重试。",
    "invalid_transition": "案件当前状态不允许此操作，未做任何更改。",
    "not_pdf": "结果文书必须是有效的 PDF 文件，未保存。",
    "too_large": "结果文书超过大小限制（20 MB），未保存。",
    "reason_required": "请填写理由。",
    "legal_basis_required": "不予许可须填写法律依据。",
    "materials_required": "请至少列出一项需补正的材料。",
    "weak_password": f"密码至少 {accounts.MIN_PASSWORD} 位。",
    "user_exists": "该用户名已存在。",
    "department_required": "审批人和科室负责人必须属于一个科室。",
    "invalid_role": "未知的角色。",
    "item_taken": "该事项已属于另一个科室。",
    "invalid_publication": "发布内容无效：须选择类型、填写版本号，内容须为 JSON 对象。未发布。",
    "version_exists": "该版本号已用其他内容发布过，未发布。",
    "unknown_user": "没有这个用户，未做任何更改。",
    "self_forbidden": "不能停用自己的账户，未做任何更改。",
    "last_admin": "至少要保留一个启用的后台管理员，未做任何更改。",
}
# The back-office audit's action codes as the admin reads them (the codes stay in the log).
AUDIT_ACTION_NAMES = {
    "signin": "登录",
    "signin.failed": "登录失败",
    "signin.locked": "锁定账户登录被拒",
    "signout": "退出",
    "user.create": "创建用户",
    "user.disable": "停用账户",
    "user.enable": "启用账户",
    "user.unlock": "解锁账户",
    "user.password_reset": "重置密码",
    "department.save": "保存科室",
    "publication": "发布事项目录或节假日",
    "station.enrol": "登记工作站",
    "pii.reveal": "查看完整个人信息",
    "page.view": "查看扫描页",
    "case.start": "开始审批",
    "case.request_material": "要求补正材料",
    "case.approve": "准予许可",
    "case.disapprove": "不予许可",
    "result.upload": "上传结果文书",
    "case.result_ready": "标记结果可领取",
}
ADMIN_DONE = {
    "user": "用户已创建。",
    "department": "科室已保存。",
    "publication": "已发布到全部窗口。",
    "disable": "账户已停用，其登录会话已全部结束。",
    "enable": "账户已重新启用。",
    "unlock": "账户已解锁。",
    "reset_password": "新密码已设置，账户已解锁，其原有会话已结束。请当面告知本人。",
}
ACTION_DONE = {
    "start": "已开始审批。",
    "request_material": "已发出补正通知，窗口将收到一次性告知。",
    "approve": "已准予许可。",
    "disapprove": "已作出不予许可决定。",
    "upload_result": "结果文书已上传。",
    "result_ready": "已标记结果可领取，窗口将收到通知。",
}


class NotSignedIn(Exception):
    pass


class CsrfRefused(Exception):
    pass


def mount_workbench(app: FastAPI, in_db: Callable[..., Awaitable[Any]], *, max_result_bytes: int) -> None:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(
        queues=workflow.QUEUES, status_names=workflow.STATUS_NAMES, role_names=accounts.ROLE_NAMES
    )
    templates.env.filters["local"] = _local_time
    templates.env.filters["field"] = lambda k: workflow.FIELD_NAMES.get(k, k)
    templates.env.filters["value"] = _value_name
    templates.env.filters["action"] = lambda code: AUDIT_ACTION_NAMES.get(code, code)
    app.mount("/bench/static", StaticFiles(directory=str(HERE / "static")), name="bench-static")

    def page(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        response = templates.TemplateResponse(request, name, ctx, status_code=status)
        response.headers.update(SECURITY_HEADERS)
        return response

    def redirect(url: str) -> RedirectResponse:
        return RedirectResponse(url, status_code=303, headers=SECURITY_HEADERS)

    async def person_of(request: Request) -> Person:
        token = request.cookies.get(COOKIE)
        if not token:
            raise NotSignedIn()
        person = await in_db(accounts.person_for_token, token)
        if person is None:
            raise NotSignedIn()
        return person

    async def form_of(request: Request, person: Person) -> Any:
        form = await request.form()
        presented = form.get("csrf_token")
        if not isinstance(presented, str) or not accounts.csrf_ok(person, presented):
            raise CsrfRefused()
        return form

    @app.exception_handler(NotSignedIn)
    async def _not_signed_in(request: Request, _exc: NotSignedIn) -> Response:
        return redirect("/bench/login?next=" + quote(request.url.path))

    @app.exception_handler(CsrfRefused)
    async def _csrf(request: Request, _exc: CsrfRefused) -> Response:
        return page(request, "error.html", 403, person=None, message=MESSAGES["csrf"])

    def error_page(request: Request, exc: ApiProblem, person: Person | None = None) -> HTMLResponse:
        case_id = request.path_params.get("case_id")
        own_case = case_id and exc.error not in ("other_department", "not_found")
        return page(
            request,
            "error.html",
            exc.status,
            person=person,
            message=MESSAGES.get(exc.error, "请求未能完成，未做任何更改。"),
            back=f"/bench/cases/{case_id}" if own_case else None,
        )

    # -- sign-in ------------------------------------------------------------------------------------
    def login_page(request: Request, status: int = 200, message: str | None = None) -> HTMLResponse:
        nonce = secrets.token_urlsafe(24)
        response = page(
            request, "login.html", status, person=None, nonce=nonce, message=message, next=_safe_next(request)
        )
        response.set_cookie(
            LOGIN_COOKIE, nonce, httponly=True, samesite="strict", secure=_https(request), path="/bench"
        )
        return response

    @app.get("/bench/login", include_in_schema=False)
    async def login_form(request: Request) -> Response:
        return login_page(request)

    @app.post("/bench/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        form = await request.form()
        nonce = request.cookies.get(LOGIN_COOKIE) or ""
        presented = str(form.get("csrf_token") or "")
        if not nonce or not hmac.compare_digest(nonce.encode(), presented.encode()):
            return login_page(request, 403, MESSAGES["csrf"])
        username = str(form.get("username") or "")[:64]
        password = str(form.get("password") or "")[:200]
        try:
            signed = await in_db(accounts.sign_in, username, password)
        except accounts.SignInRefused as exc:
            msg = "账户已被锁定，请 15 分钟后再试或联系管理员。" if exc.locked else "用户名或密码错误。"
            return login_page(request, 401, msg)
        target = _safe_next(request, str(form.get("next") or "")) or "/bench/"
        response = redirect(target)
        response.set_cookie(COOKIE, signed.token, httponly=True, samesite="strict", secure=_https(request), path="/")
        response.delete_cookie(LOGIN_COOKIE, path="/bench")
        return response

    @app.post("/bench/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        person = await person_of(request)
        await form_of(request, person)
        await in_db(accounts.sign_out, person)
        response = redirect("/bench/login")
        response.delete_cookie(COOKIE, path="/")
        return response

    # -- queues ---------------------------------------------------------------------------------------
    @app.get("/bench/", include_in_schema=False)
    async def home(request: Request) -> Response:
        person = await person_of(request)
        return redirect("/bench/admin" if person.role == "admin" else "/bench/queue/new")

    @app.get("/bench/queue/{which}", include_in_schema=False)
    async def queue_page(request: Request, which: str) -> Response:
        person = await person_of(request)
        if person.role == "admin":
            return redirect("/bench/admin")

        def load(s: Session) -> tuple[list[workflow.QueueRow], dict[str, int]]:
            return workflow.queue(s, person, which), workflow.queue_counts(s, person)

        try:
            rows, counts = await in_db(load)
        except ApiProblem as exc:
            return error_page(request, exc, person)
        return page(request, "queue.html", person=person, which=which, rows=rows, counts=counts)

    # -- the case -------------------------------------------------------------------------------------
    async def render_case(
        request: Request, person: Person, case_id: str, *, reveal: str | None = None, status: int = 200, **extra: Any
    ) -> Response:
        def load(s: Session) -> tuple[workflow.CaseView, str]:
            view = workflow.case_view(s, person, case_id, reveal_reason=reveal)
            return view, accounts.issue_form_token(s, person, case_id)

        try:
            view, form_token = await in_db(load)
        except ApiProblem as exc:
            return error_page(request, exc, person)
        done = ACTION_DONE.get(request.query_params.get("done", ""))
        return page(
            request,
            "case.html",
            status,
            person=person,
            v=view,
            c=view.case,
            p=view.case.packet,
            form_token=form_token,
            done=done,
            max_mb=max_result_bytes // (1024 * 1024),
            **extra,
        )

    @app.get("/bench/cases/{case_id}", include_in_schema=False)
    async def case_page(request: Request, case_id: str) -> Response:
        person = await person_of(request)
        return await render_case(request, person, case_id)

    @app.post("/bench/cases/{case_id}/reveal", include_in_schema=False)
    async def reveal(request: Request, case_id: str) -> Response:
        person = await person_of(request)
        form = await form_of(request, person)
        reason = str(form.get("reason") or "")
        if len(reason.strip()) < 2:
            return await render_case(request, person, case_id, status=422, problem="查看完整信息须填写理由。")
        return await render_case(request, person, case_id, reveal=reason)

    @app.post("/bench/cases/{case_id}/act/{action}", include_in_schema=False)
    async def act(request: Request, case_id: str, action: str) -> Response:
        person = await person_of(request)
        form = await form_of(request, person)
        token = str(form.get("form_token") or "")
        calls: dict[str, Callable[[Session], Any]] = {
            "start": lambda s: workflow.start_approval(s, person, case_id, token),
            "request_material": lambda s: workflow.request_material(
                s,
                person,
                case_id,
                token,
                str(form.get("materials") or "").splitlines(),
                str(form.get("reason") or ""),
            ),
            "approve": lambda s: workflow.approve(s, person, case_id, token, str(form.get("opinion") or "")),
            "disapprove": lambda s: workflow.disapprove(
                s, person, case_id, token, str(form.get("reason") or ""), str(form.get("legal_basis") or "")
            ),
            "result_ready": lambda s: workflow.mark_result_ready(s, person, case_id, token),
        }
        if action not in calls:
            return error_page(request, ApiProblem(404, "not_found", "no such action"), person)
        try:
            await in_db(calls[action])
        except ApiProblem as exc:
            return error_page(request, exc, person)
        return redirect(f"/bench/cases/{case_id}?done={action}")

    @app.post("/bench/cases/{case_id}/result", include_in_schema=False)
    async def upload_result(request: Request, case_id: str) -> Response:
        person = await person_of(request)
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > max_result_bytes + 64 * 1024:
            return error_page(request, ApiProblem(413, "too_large", "too large"), person)
        form = await form_of(request, person)
        upload = form.get("document")
        if upload is None or isinstance(upload, str):
            return error_page(request, ApiProblem(422, "not_pdf", "no file"), person)
        data = await upload.read(max_result_bytes + 1)
        if len(data) > max_result_bytes:
            return error_page(request, ApiProblem(413, "too_large", "too large"), person)
        token = str(form.get("form_token") or "")
        try:
            await in_db(
                lambda s: workflow.upload_result(s, person, case_id, token, str(upload.filename or "result.pdf"), data)
            )
        except ApiProblem as exc:
            return error_page(request, exc, person)
        return redirect(f"/bench/cases/{case_id}?done=upload_result")

    @app.get("/bench/cases/{case_id}/pages/{sha256}", include_in_schema=False)
    async def page_image(request: Request, case_id: str, sha256: str) -> Response:
        person = await person_of(request)
        try:
            data, mime = await in_db(workflow.page_bytes, person, case_id, sha256)
        except ApiProblem as exc:
            return error_page(request, exc, person)
        if not (mime.startswith("image/") or mime == "application/pdf"):
            mime = "application/octet-stream"
        headers = dict(SECURITY_HEADERS, **{"Content-Security-Policy": "sandbox; default-src 'none'"})
        return Response(data, media_type=mime, headers=headers)

    @app.get("/bench/cases/{case_id}/view/{sha256}", include_in_schema=False)
    async def page_viewer(request: Request, case_id: str, sha256: str) -> Response:
        person = await person_of(request)

        def load(s: Session) -> workflow.CaseView:
            return workflow.case_view(s, person, case_id)

        try:
            view = await in_db(load)
        except ApiProblem as exc:
            return error_page(request, exc, person)
        pages = [(line, pg) for line in view.lines for pg in line["pages"]]
        index = next((i for i, (_l, pg) in enumerate(pages) if pg["sha256"] == sha256), None)
        if index is None:
            return error_page(request, ApiProblem(404, "not_found", "no such page"), person)
        return page(
            request, "viewer.html", person=person, v=view, c=view.case, pages=pages, index=index, current=pages[index]
        )

    @app.get("/bench/cases/{case_id}/result.pdf", include_in_schema=False)
    async def result_pdf(request: Request, case_id: str) -> Response:
        person = await person_of(request)
        try:
            doc = await in_db(workflow.result_for_person, person, case_id)
        except ApiProblem as exc:
            return error_page(request, exc, person)
        return Response(doc.data, media_type="application/pdf", headers=SECURITY_HEADERS)

    # -- administration -------------------------------------------------------------------------------
    def _require_admin(person: Person) -> None:
        if person.role != "admin":
            raise ApiProblem(403, "forbidden", "back-office admins only")

    @app.get("/bench/admin", include_in_schema=False)
    async def admin_page(request: Request) -> Response:
        person = await person_of(request)
        try:
            _require_admin(person)
        except ApiProblem as exc:
            return error_page(request, exc, person)

        def load(s: Session) -> dict[str, Any]:
            depts = list(s.scalars(select(Department).order_by(Department.code)))
            items: dict[int, list[str]] = {}
            for row in s.scalars(select(DepartmentItem)):
                items.setdefault(row.department_id, []).append(row.item_code)
            users = list(s.scalars(select(BackOfficeUser).order_by(BackOfficeUser.username)))
            now = service.utcnow()
            return {
                "users": users,
                "locked": {u.id for u in users if u.locked_until is not None and service._aware(u.locked_until) > now},
                "departments": depts,
                "dept_items": items,
                "dept_names": {d.id: d.name for d in depts},
                "stations": list(s.scalars(select(Station).order_by(Station.code))),
                "publications": list(s.scalars(select(Publication).order_by(Publication.id.desc()).limit(10))),
                "recent": list(s.scalars(select(BackOfficeAudit).order_by(BackOfficeAudit.id.desc()).limit(20))),
            }

        data = await in_db(load)
        notice = ADMIN_DONE.get(request.query_params.get("notice") or "")
        return page(request, "admin.html", person=person, notice=notice, **data)

    @app.post("/bench/admin/{what}", include_in_schema=False)
    async def admin_post(request: Request, what: str) -> Response:
        person = await person_of(request)
        form = await form_of(request, person)
        try:
            _require_admin(person)
            if what == "users":

                def create(s: Session) -> None:
                    accounts.add_user(
                        s,
                        str(form.get("username") or "").strip()[:64],
                        str(form.get("display_name") or "").strip()[:100],
                        str(form.get("role") or ""),
                        str(form.get("password") or ""),
                        str(form.get("department") or "") or None,
                        actor=person,
                    )

                await in_db(create)
                return redirect("/bench/admin?notice=user")
            if what == "user":  # one account: disable, enable, unlock, reset_password
                operation = str(form.get("operation") or "")

                def manage(s: Session) -> None:
                    accounts.manage_user(
                        s,
                        person,
                        str(form.get("username") or "")[:64],
                        operation,
                        str(form.get("password") or ""),
                    )

                await in_db(manage)
                return redirect("/bench/admin?notice=" + quote(operation))
            if what == "departments":
                items = [i.strip() for i in str(form.get("items") or "").replace("，", ",").split(",") if i.strip()]

                def add_dept(s: Session) -> None:
                    accounts.add_department(
                        s, str(form.get("code") or "").strip()[:32], str(form.get("name") or "").strip()[:100], items
                    )
                    accounts.audit(s, person, "department.save", None, code=str(form.get("code") or "")[:32])
                    s.commit()

                await in_db(add_dept)
                return redirect("/bench/admin?notice=department")
            if what == "publish":
                kind = str(form.get("kind") or "")
                version = str(form.get("version") or "").strip()
                if kind not in ("catalogue", "calendar", "trust") or not version or len(version) > 64:
                    raise ApiProblem(422, "invalid_publication", "kind and version are required")
                try:
                    content = json.loads(str(form.get("content") or ""))
                except ValueError:
                    raise ApiProblem(422, "invalid_publication", "content is not JSON") from None
                if not isinstance(content, dict):
                    raise ApiProblem(422, "invalid_publication", "content must be a JSON object")
                try:
                    schemas.PublishRequest(version=version, content=content)  # the API's own checks
                except ValueError:
                    raise ApiProblem(422, "invalid_publication", "content cannot be stored") from None

                def publish(s: Session) -> None:
                    pub = service.publish(s, kind, version, content)
                    accounts.audit(s, person, "publication", None, kind=kind, version=version, sha256=pub.sha256)
                    s.commit()

                await in_db(publish)
                return redirect("/bench/admin?notice=publication")
            if what == "stations":
                code = str(form.get("code") or "").strip()
                if not code or len(code) > 16 or not code.replace("-", "").replace("_", "").isalnum():
                    raise ApiProblem(422, "invalid_request", "bad station code")

                def add_station(s: Session) -> str:
                    enrolment = service.add_station(s, code, str(form.get("name") or code)[:100])
                    accounts.audit(s, person, "station.enrol", None, code=code)
                    s.commit()
                    return enrolment

                enrolment = await in_db(add_station)
                return page(request, "enrolled.html", person=person, code=code, enrolment=enrolment)
            raise ApiProblem(404, "not_found", "no such admin form")
        except ApiProblem as exc:
            return error_page(request, exc, person)


def _local_time(value: Any) -> str:
    import datetime as dt

    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, dt.datetime):
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(workflow.TZ).strftime("%Y-%m-%d %H:%M")


def _value_name(value: Any) -> Any:
    try:
        return workflow.VALUE_NAMES.get(value, value)
    except TypeError:  # unhashable (a nested object)
        return value


def _https(request: Request) -> bool:
    return request.url.scheme == "https"


def _safe_next(request: Request, value: str | None = None) -> str:
    target = value if value is not None else request.query_params.get("next", "")
    return target if target.startswith("/bench/") and not target.startswith("//") else ""

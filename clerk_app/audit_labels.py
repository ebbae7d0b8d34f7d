"""What the supervisor reads in an audit trail: Chinese labels for action codes and detail keys, and
the detail as a line of text instead of JSON. The codes stay in the store (and in exports); only
what is shown is translated. Unknown codes (a newer station's) are shown as 其他操作（code）."""

from __future__ import annotations

from typing import Any

from clerk_app import i18n
from clerk_app.lifecycle import STATUS_LABELS, CaseStatus

_ACTIONS: dict[str, str] = {
    "audit.export": "导出审计报告",
    "audit.verify": "校验审计链",
    "case.answers": "填写受理问题",
    "case.claim": "开始办理（占用案件）",
    "case.claim_release": "释放占用的案件",
    "case.result_document": "查看或打印办理结果文书",
    "case.applicant": "登记申请人",
    "case.agent": "登记代理人",
    "case.correct": "更正案件信息",
    "case.create": "新建案件",
    "case.customer_confirm": "申请人确认材料清单",
    "case.handover": "结果出件",
    "case.identity_check": "人证比对",
    "case.line": "登记材料",
    "case.open_matters": "读证后查询在办件",
    "case.promised_date_recomputed": "重新计算承诺办结日期",
    "case.rating": "好差评",
    "case.rating_skipped": "未评价",
    "case.search": "查询案件",
    "case.supplements": "收到补交材料",
    "case.material_requested": "后台要求补正材料",
    "catalogue.activate": "启用事项目录",
    "catalogue.import": "导入事项目录版本",
    "catalogue.import_refused": "拒绝导入事项目录",
    "catalogue.rollback": "回退事项目录版本",
    "key.enrol_station": "登记工作站密钥",
    "key.export": "导出密钥",
    "key.import": "导入密钥",
    "key.reencrypt": "重新加密数据",
    "key.revoke_station": "吊销工作站",
    "key.rotate": "轮换密钥",
    "login": "登录",
    "logout": "注销",
    "login.failed": "登录失败",
    "login.lockout": "账户被锁定",
    "login.refused_locked": "锁定账户登录被拒",
    "page.add": "扫描页入卷",
    "page.delete": "删除扫描页",
    "page.move": "调整页序",
    "page.refile": "扫描页改归材料",
    "page.rescan": "重扫",
    "page.rotate": "旋转扫描页",
    "pii.use": "使用个人信息",
    "pii.view": "查看个人信息",
    "pii.view_full": "查看完整个人信息",
    "print.print": "打印",
    "print.reprint": "补打",
    "print.retry": "重新打印",
    "print.direct": "直接打印（空白表格、测试页）",
    "print.confirm": "确认打印",
    "print.decline": "不打印",
    "queue.call": "叫号",
    "queue.recall": "重呼",
    "queue.skip": "过号",
    "queue.transfer": "转窗口",
    "retention.run": "到期数据清理",
    "scan.batch": "批量扫描",
    "session.lock": "锁屏",
    "session.unlock": "解锁",
    "settings.change": "修改设置",
    "settings.language": "切换语言",
    "trust.installed": "启用后台推送的证件验证信任材料",
    "user.create": "新建用户",
    "user.disable": "停用账户",
    "user.enable": "启用账户",
    "user.password_reset": "重置密码",
    "user.role": "更改用户角色",
    "user.password_changed": "修改密码",
    "user.unlock": "解锁账户",
}

_KEYS: dict[str, str] = {
    "item": "事项",
    "line": "材料",
    "status": "状态",
    "from": "原状态",
    "to": "新状态",
    "decision": "决定",
    "reason": "理由",
    "field": "字段",
    "ticket": "排队号",
    "window": "窗口",
    "to_window": "转至窗口",
    "criteria": "查询条件",
    "found": "结果数",
    "kind": "类别",
    "document": "文书",
    "printer": "打印机",
    "job": "打印任务",
    "pages": "页数",
    "count": "数量",
    "matches": "人证一致",
    "rating": "评价",
    "case_number": "受理编号",
    "due_date": "补交期限",
    "username": "用户名",
    "role": "角色",
    "format": "格式",
    "rows": "条数",
    "copies": "复印件",
    "originals": "原件",
    "first_visit": "首次办理",
    "from_status": "原状态",
    "identity_check": "人证比对",
    "document_type": "证件类型",
    "verified_by": "核验方式",
    "purpose": "用途",
    "attempts": "尝试次数",
    "subject": "对象",
    "method": "出件方式",
    "old": "原值",
    "new": "新值",
    "direction": "变化",
    "policy": "打印策略",
    "version": "版本",
    "items": "事项数",
    "previous": "原版本",
    "source": "来源",
    "errors": "错误数",
    "target": "账户",
    "files": "文件数",
    "cscas": "CSCA 证书数",
    "crls": "吊销列表数",
    "master_lists": "主列表数",
    "app_version": "程序版本",
    "blank": "空白页",
    "by": "操作方",
    "cancelled": "已取消",
    "cases": "案件数",
    "changed": "修改项",
    "comment": "意见",
    "correction": "更正内容",
    "days": "天数",
    "dropped_blank": "剔除空白页",
    "failed": "失败数",
    "filed": "入卷页数",
    "filter": "筛选条件",
    "fingerprint": "密钥指纹",
    "from_line": "原材料",
    "from_position": "原位置",
    "held_seconds": "占用秒数",
    "holder": "占用人",
    "holder_station": "占用工作站",
    "ignored": "忽略数",
    "language": "界面语言",
    "lines": "材料",
    "lines_hash": "清单摘要",
    "minutes": "分钟数",
    "persons": "人员记录数",
    "position": "位置",
    "questions": "受理问题",
    "reasons": "理由",
    "reprint": "补打",
    "rescan": "重扫",
    "result": "结果",
    "rotation": "旋转角度",
    "sha256": "SHA-256 摘要",
    "station": "工作站",
    "to_position": "新位置",
    "versions": "版本",
    "who": "核验人",
    "working_days": "工作日数",
    "due": "期限",
    "seq": "序号",
    "expired": "超时自动失效",
    "document_id": "文书编号",
    "size": "大小（字节）",
}

_VALUES: dict[str, str] = {
    "True": "是",
    "False": "否",
    "id_number": "证件号码",
    "name": "姓名",
    "case_number": "受理编号",
    "date_from": "起始日期",
    "date_to": "截止日期",
    "item": "事项",
    "None": "无",
    "resident_id": "居民身份证",
    "passport": "护照",
    "hk_macau_permit": "港澳居民来往内地通行证",
    "taiwan_permit": "台湾居民来往大陆通行证",
    "foreign_prc": "外国人永久居留身份证",
    "hmt_residence_permit": "港澳台居民居住证",
    "uscc": "统一社会信用代码",
    "page_image": "查看扫描页",
    "chip": "芯片读取",
    "manual": "手工录入",
    "print": "打印",
    "view": "查看",
    "result_document": "办理结果文书",
    "form": "空白表格",
    "test_page": "打印测试页",
    "window": "窗口领取",
    "express": "邮寄",
    "applicant": "申请人",
    "agent": "代理人",
    "received": "已收",
    "verified": "已核验",
    "defective": "有缺陷",
    "deferred": "容缺",
    "pending": "未收",
    "not_required": "无需提交",
    "earlier": "提前",
    "later": "推后",
    "same": "不变",
    "already imported": "该版本已导入",
    "version exists with other content": "版本号已存在且内容不同",
    "clerk": "窗口受理人员",
    "prereview": "帮办（预审）",
    "supervisor": "监督管理人员",
    "admin": "系统管理员",
    # print jobs: statuses, document kinds, policies (printing/dispatch.py, printing/model.py)
    "queued": "等待打印",
    "printing": "正在打印",
    "done": "已打印",
    "failed": "打印失败",
    "asking": "待确认",
    "held": "暂存待打",
    "declined": "不打印",
    "receipt": "受理回执",
    "one_time_notice": "一次性告知书",
    "deficiency_commitment": "容缺受理承诺书",
    "rejection_notice": "不予受理通知书",
    "materials_received": "材料接收清单",
    "delivery_receipt": "送达回证",
    "always": "直接打印",
    "ask": "询问后打印",
    "queue": "暂存",
    "never": "不打印",
}


def print_status_label(status: str) -> str:
    """A print job's status as the clerk reads it (已打印, 不打印 …); unknown ones as they are."""
    return _VALUES.get(status, status)


def actor_label(username: str) -> str:
    """Who acted, as the audit page names them: a user name, or 系统 for the station's own workers
    (sync applying the back office's status changes, retention) that record as "system"."""
    if username == "system":
        return "系统"
    if username.startswith("?"):  # a failed login with a name no account has (clerk_app/users.py)
        return f"未知用户（{username[1:]}）"
    return username


def action_label(code: str) -> str:
    """The Chinese label of an audit action code (``case.accepted`` → 状态变更：已受理)."""
    if code in _ACTIONS:
        return _ACTIONS[code]
    prefix, _, rest = code.partition(".")
    if prefix == "case":
        try:
            return "状态变更：" + i18n.text(STATUS_LABELS[CaseStatus(rest)], "zh_CN")
        except ValueError:
            pass
    return f"其他操作（{code}）"


def _value(value: Any) -> str:
    if value is None:
        return "无"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return "、".join(_value(v) for v in value)
    if isinstance(value, dict):
        return "，".join(f"{_KEYS.get(str(k), str(k))}：{_value(v)}" for k, v in value.items())
    text = str(value)
    if text in _VALUES:
        return _VALUES[text]
    try:
        return i18n.text(STATUS_LABELS[CaseStatus(text)], "zh_CN")
    except ValueError:
        return text


def detail_text(detail: dict[str, Any]) -> str:
    """The detail as readable text: 键：值；键：值 (no JSON braces or quotes)."""
    return "；".join(f"{_KEYS.get(k, k)}：{_value(v)}" for k, v in sorted(detail.items()))

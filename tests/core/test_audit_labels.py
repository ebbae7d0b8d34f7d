"""Every action code and detail key the code records has a Chinese label (issue 17 item 5: the
supervisor read ``lines：…``, ``其他操作（print.decline）`` and ``状态：done``). Found by reading the
source: every ``record``/``record_now``/``_audit`` call with a literal action and keyword details."""

from __future__ import annotations

import ast
from pathlib import Path

from clerk_app.audit_labels import _ACTIONS, _KEYS, action_label, actor_label, detail_text, print_status_label

ROOT = Path(__file__).resolve().parents[2]
AUDIT_CALLS = {"record", "record_now", "_audit", "audit", "_answer"}


def _recorded() -> tuple[set[str], set[str]]:
    actions, keys = set(), set()
    for package in ("clerk_app", "printing", "devices", "ui"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                    continue
                if node.func.attr not in AUDIT_CALLS:
                    continue
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and "." in arg.value:
                        if arg.value.split(".")[0] in {"case", "page", "print", "pii", "queue", "key", "audit"}:
                            actions.add(arg.value)
                keys |= {k.arg for k in node.keywords if k.arg and k.arg != "detail"}
    return actions, keys


def test_every_recorded_detail_key_and_action_has_a_label():
    actions, keys = _recorded()
    assert "print.decline" in actions and "lines" in keys  # the scan sees what it should
    assert sorted(a for a in actions if a not in _ACTIONS) == []
    assert sorted(k for k in keys if k not in _KEYS) == []


def test_print_jobs_and_the_system_actor_read_in_chinese():
    text = detail_text({"kind": "materials_received", "status": "declined", "policy": "ask", "lines": ["ID"]})
    assert text == "类别：材料接收清单；材料：ID；打印策略：询问后打印；状态：不打印"
    assert print_status_label("done") == "已打印" and print_status_label("odd") == "odd"
    assert action_label("print.confirm") == "确认打印" and actor_label("system") == "系统"
    assert actor_label("clerk") == "clerk"

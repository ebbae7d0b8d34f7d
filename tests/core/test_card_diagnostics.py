"""What the card reader diagnostics say (clerk_app.card_diagnostics), no Qt and no reader: the
readers with their ATR described in the clerk's language, the last read, the errors."""

from __future__ import annotations

from types import SimpleNamespace

from clerk_app.card_diagnostics import diagnostics_text


class Service:
    family = "composite"
    diagnostics = SimpleNamespace(
        pcscd_running=True,
        context_rebuilds=0,
        last_read=SimpleNamespace(apdus=42, bytes_read=18_000, seconds=1.25, extended=True),
        last_errors=[],
    )

    def monitor_alive(self) -> bool:
        return False

    def list_readers(self):
        return [
            SimpleNamespace(name="ACS ACR1252", family="pcsc", card_present=True, atr=bytes.fromhex("3B8080")),
            SimpleNamespace(name="GA467", family="ga467", card_present=False, atr=b""),
        ]


def test_readers_atr_last_read_and_errors_in_chinese():
    text = diagnostics_text(Service(), lambda atr: "contactless ISO 14443-4 card")
    lines = text.splitlines()
    assert lines[:3] == ["接口：PC/SC 读卡器 + 身份证阅读器", "监听线程：已停止", "PC/SC 服务（pcscd）：运行中"]
    assert "读卡器数量：2" in lines
    assert "  · ACS ACR1252 [PC/SC] 已放卡  ATR 3B 80 80 (非接触 ISO 14443-4 卡)" in lines
    assert "  · GA467 [身份证阅读器] 未放卡  ATR —" in lines
    assert "最近一次读取：42 条 APDU，18000 字节，1250 毫秒，扩展长度 ✓" in lines
    assert lines[-1] == "没有错误记录"


def test_reader_states_in_words():
    from clerk_app import i18n
    from clerk_app.card_diagnostics import state_text

    assert state_text("reader_ready") == "就绪，未放卡" and state_text("read_ok") == "读取成功"
    assert i18n.text("card_state.no_reader", "en") == "no reader"
    assert state_text("warming_up") == "warming_up"  # a state it does not know, as it is

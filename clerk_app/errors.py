"""The core's error hierarchy: every error carries a message safe to show a clerk, in their language.

``str(error)`` is the English technical text for logs and never contains personal data;
``error.user_message()`` is what the UI shows. Modeled on Electrum's UserFacingException.
"""

from __future__ import annotations

from clerk_app import i18n


class ClerkAppError(Exception):
    """Base of all errors raised on purpose by clerk_app, devices and printing."""

    key: str = "error.generic"

    def __init__(self, key: str | None = None, /, detail: str = "", **params: object) -> None:
        self.key = key or type(self).key
        self.params = params
        self.detail = detail
        super().__init__(self._log_text())

    def _log_text(self) -> str:
        text = i18n.text(self.key, "en", **self.params)
        return f"{text} ({self.detail})" if self.detail else text

    def user_message(self, language: str | None = None) -> str:
        return i18n.text(self.key, language, **self.params)


class UserCancelled(ClerkAppError):
    """The user cancelled a long task. Shown to nobody; the UI just stops."""

    key = i18n.register("error.cancelled", "操作已取消", "Cancelled")


class DomainError(ClerkAppError):
    """A business rule said no (forbidden transition, missing reason, ...)."""

    key = i18n.register("error.domain", "该操作不符合业务规则", "This operation breaks a business rule")


class PermissionDenied(DomainError):
    key = i18n.register("error.permission", "当前角色（{role}）无权执行：{action}", "Role {role} may not {action}")


class NotFound(ClerkAppError):
    key = i18n.register("error.not_found", "未找到：{what}", "Not found: {what}")


class ConfigurationError(ClerkAppError):
    key = i18n.register("error.configuration", "配置错误：{problem}", "Configuration error: {problem}")


class DeviceError(ClerkAppError):
    """Base for card reader, scanner and printer errors (devices/ and printing/ subclass it)."""

    key = i18n.register("error.device", "设备错误：{problem}", "Device error: {problem}")


i18n.register("error.generic", "发生错误", "An error occurred")

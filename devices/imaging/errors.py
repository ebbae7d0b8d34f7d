"""Errors of the image pipeline: a file or page refused, with the reason a clerk can act on."""

from __future__ import annotations

from clerk_app import i18n
from clerk_app.errors import DeviceError

# Reasons are message keys too, so the clerk sees the reason in their language.
REASONS = {
    "corrupt": i18n.register("imaging.reason.corrupt", "文件已损坏或不完整", "the file is corrupt or truncated"),
    "unsupported": i18n.register(
        "imaging.reason.unsupported",
        "不支持的文件格式（支持 JPEG、PNG、TIFF、PDF）",
        "unsupported file format (JPEG, PNG, TIFF and PDF are supported)",
    ),
    "mislabelled": i18n.register(
        "imaging.reason.mislabelled", "文件扩展名与内容不符", "the file name extension does not match its content"
    ),
    "too_large": i18n.register("imaging.reason.too_large", "文件过大", "the file is too large"),
    "too_many_pixels": i18n.register(
        "imaging.reason.too_many_pixels",
        "图像尺寸过大（可能是解压炸弹）",
        "the image has too many pixels (possible decompression bomb)",
    ),
    "too_many_pages": i18n.register("imaging.reason.too_many_pages", "页数过多", "the file has too many pages"),
    "password": i18n.register(
        "imaging.reason.password",
        "PDF 文件有密码保护，请提供未加密的文件",
        "the PDF is password-protected; provide an unencrypted file",
    ),
    "empty": i18n.register("imaging.reason.empty", "文件中没有页面", "the file contains no pages"),
}


class ImageRefused(DeviceError):
    """An imported file or a page image that the pipeline will not take; ``reason`` says why."""

    key = i18n.register(
        "error.image_refused",
        "文件“{name}”无法导入：{reason_text}",
        "File \"{name}\" cannot be imported: {reason_text}",
    )

    def __init__(self, reason: str, name: str = "", detail: str = "") -> None:
        self.reason = reason
        super().__init__(detail=detail, name=name, reason=reason)

    def _log_text(self) -> str:
        # File names may carry personal data (e.g. "<name>身份证.jpg"): the log sees only the suffix.
        name = str(self.params.get("name", ""))
        suffix = name[name.rfind(".") :] if "." in name else ""
        reason_text = i18n.text(REASONS.get(self.reason, self.reason), "en")
        text = i18n.text(self.key, "en", name="*" + suffix, reason_text=reason_text)
        return f"{text} ({self.detail})" if self.detail else text

    def user_message(self, language: str | None = None) -> str:
        reason_text = i18n.text(REASONS.get(self.reason, self.reason), language)
        params = {**self.params, "reason_text": reason_text}
        return i18n.text(self.key, language, **params)

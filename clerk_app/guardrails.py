"""Offline guardrails: refuse to begin new intake when the local store could not keep it safe
(too little free disk, or the store is not writable), with the reason shown to the clerk."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from clerk_app import i18n
from clerk_app.errors import ClerkAppError

DEFAULT_MIN_FREE_BYTES = 500 * 1024 * 1024  # a day of scans at a busy window, with margin


class StorageUnavailable(ClerkAppError):
    key = i18n.register(
        "error.storage",
        "暂停新的受理：{why}。请联系管理员处理后再继续。",
        "New intake is paused: {why}. Ask an administrator to fix this first.",
    )


_LOW = i18n.register(
    "why.disk_low",
    "本机磁盘剩余空间不足（剩余 {free} MB，至少需要 {need} MB）",
    "the disk is almost full ({free} MB free, {need} MB needed)",
)
_RO = i18n.register("why.readonly", "本地数据目录无法写入", "the local data folder cannot be written")


class DiskUsage(NamedTuple):
    total: int
    used: int
    free: int


def check_storage(
    data_dir: Path, min_free_bytes: int = DEFAULT_MIN_FREE_BYTES, disk_usage: Callable[[str], DiskUsage] | None = None
) -> None:
    """Raise StorageUnavailable unless ``data_dir`` has room and accepts a write."""
    usage = (disk_usage or shutil.disk_usage)(str(data_dir))
    if usage.free < min_free_bytes:
        raise StorageUnavailable(
            why=i18n.Msg(_LOW, free=usage.free // 2**20, need=min_free_bytes // 2**20), detail=f"free={usage.free}"
        )
    try:
        fd, name = tempfile.mkstemp(prefix=".write-check-", dir=data_dir)
        try:
            os.write(fd, b"ok")
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(name)
    except OSError as exc:
        raise StorageUnavailable(why=i18n.Msg(_RO), detail=f"{type(exc).__name__}: {exc.strerror}") from exc

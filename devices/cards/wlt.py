"""Decoding the resident ID card's WLT face image with the reader vendor's licensed library (ctypes).

WLT is a proprietary wavelet compression (1024 bytes on the card); only the vendors' libraries decode
it. Halls that have one point the setting ``wlt_decoder_library`` at it. The common Linux form
(``libwlt2bmp.so``, ``libdewlt.so`` …) exports ``int unpack(const unsigned char *wlt,
unsigned char *bmp, int save_file)`` filling a 102×126 24-bit BMP (38 862 bytes) and returning 1 on
success; the function name and success code are parameters for libraries that differ. Without a
library, or when decoding fails, the photo stays WLT with ``decodable=False`` ("not decodable").
"""

from __future__ import annotations

import ctypes
import io
import logging
import threading
from pathlib import Path

from clerk_app import i18n
from clerk_app.errors import DeviceError
from devices.cards.api import FacePhoto

log = logging.getLogger(__name__)

WLT_MIME = "application/x-wlt"
BMP_BYTES = 38862  # 54-byte header + 126 rows × 308 bytes (102 × 3 = 306, padded to 4)
OUTPUT_BUFFER = 65536  # generous: some libraries write a larger header or pad rows


class WltDecoderError(DeviceError):
    key = i18n.register(
        "cards.wlt_decoder",
        "身份证照片解码库无法使用：{problem}。照片将显示为“无法解码”，请联系信息技术支持检查设置 wlt_decoder_library。",
        "The WLT photo decoder library cannot be used: {problem}",
    )


class WltDecoder:
    """A loaded vendor library. ``decode`` is serialised: vendor libraries are rarely re-entrant."""

    def __init__(self, library: str | Path, function: str = "unpack", success: int = 1) -> None:
        path = Path(library)
        if not path.is_file():
            raise WltDecoderError(problem="library file not found", detail=str(path.name))
        try:
            self._lib = ctypes.CDLL(str(path))
            self._fn = getattr(self._lib, function)
        except (OSError, AttributeError) as exc:
            raise WltDecoderError(problem=f"cannot load {path.name} / {function}", detail=type(exc).__name__) from None
        self._fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]
        self._fn.restype = ctypes.c_int
        self.success = success
        self.name = path.name
        self._lock = threading.Lock()

    def decode(self, wlt: bytes) -> FacePhoto:
        """The face as PNG (checked with Pillow), or the WLT bytes marked not decodable."""
        if len(wlt) != 1024:
            return FacePhoto(wlt, WLT_MIME, decodable=False)
        out = ctypes.create_string_buffer(OUTPUT_BUFFER)
        with self._lock:
            try:
                code = self._fn(wlt, out, 0)
            except Exception as exc:  # a foreign library: never let it take the read down
                log.warning("WLT decoder %s raised %s", self.name, type(exc).__name__)
                return FacePhoto(wlt, WLT_MIME, decodable=False)
        if code != self.success:
            log.warning("WLT decoder %s returned %d", self.name, code)
            return FacePhoto(wlt, WLT_MIME, decodable=False)
        return _bmp_to_png(out.raw, wlt)


def _bmp_to_png(raw: bytes, wlt: bytes) -> FacePhoto:
    from PIL import Image

    if raw[:2] != b"BM":
        return FacePhoto(wlt, WLT_MIME, decodable=False)
    size = int.from_bytes(raw[2:6], "little")
    try:
        with Image.open(io.BytesIO(raw[: size or len(raw)])) as img:
            img.load()
            png = io.BytesIO()
            img.save(png, "PNG")
            width, height = img.size
    except Exception:  # Pillow raises many types for bad data
        return FacePhoto(wlt, WLT_MIME, decodable=False)
    return FacePhoto(png.getvalue(), "image/png", decodable=True, width=width, height=height)

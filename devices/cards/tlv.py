"""BER-TLV as used by ISO 7816-4 and the ICAO LDS (tags of 1-3 bytes, definite lengths up to 4 bytes).

Any malformed input raises ``GarbageResponseError``: card data is untrusted.
"""

from __future__ import annotations

from dataclasses import dataclass

from devices.cards.api import GarbageResponseError


@dataclass(frozen=True)
class Tlv:
    tag: int
    value: bytes
    constructed: bool
    end: int  # offset just after this element in the parsed buffer

    def children(self) -> list[Tlv]:
        return parse_all(self.value) if self.constructed else []

    def find(self, tag: int) -> Tlv:
        for child in self.children():
            if child.tag == tag:
                return child
        raise GarbageResponseError(detail=f"tag {tag:X} missing in {self.tag:X}")


def read_header(data: bytes, offset: int = 0) -> tuple[int, bool, int, int]:
    """(tag, constructed, length, value offset) of the element at ``offset``."""
    try:
        first = data[offset]
        constructed = bool(first & 0x20)
        tag = first
        pos = offset + 1
        if first & 0x1F == 0x1F:  # multi-byte tag
            for _ in range(3):
                b = data[pos]
                tag = (tag << 8) | b
                pos += 1
                if not b & 0x80:
                    break
            else:
                raise GarbageResponseError(detail="tag longer than 4 bytes")
        lb = data[pos]
        pos += 1
        if lb < 0x80:
            length = lb
        elif lb == 0x80 or lb > 0x84:
            raise GarbageResponseError(detail="indefinite or oversized TLV length")
        else:
            n = lb & 0x7F
            if pos + n > len(data):
                raise GarbageResponseError(detail="TLV length truncated")
            length = int.from_bytes(data[pos : pos + n], "big")
            pos += n
    except IndexError:
        raise GarbageResponseError(detail="TLV header truncated") from None
    return tag, constructed, length, pos


def parse_one(data: bytes, offset: int = 0) -> Tlv:
    tag, constructed, length, pos = read_header(data, offset)
    if pos + length > len(data):
        raise GarbageResponseError(detail="TLV value truncated")
    return Tlv(tag, bytes(data[pos : pos + length]), constructed, pos + length)


def parse_all(data: bytes) -> list[Tlv]:
    out = []
    offset = 0
    while offset < len(data):
        if data[offset] in (0x00, 0xFF) and all(b == data[offset] for b in data[offset:]):
            break  # ISO 7816-4 §5.2.2.2: padding between/after objects
        element = parse_one(data, offset)
        out.append(element)
        offset = element.end
    return out


def encode_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    raw = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def encode(tag: int, value: bytes) -> bytes:
    return tag.to_bytes((tag.bit_length() + 7) // 8 or 1, "big") + encode_length(len(value)) + value

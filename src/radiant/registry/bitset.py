"""Sets of snapshot positions as Python integers: bit ``i`` set means model ``i`` is in."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

__all__ = ["flags", "from_positions", "positions"]

_FLAG = bytes.maketrans(b"01", b"\x00\x01")


def from_positions(items: Iterable[int], size: int) -> int:
    buffer = bytearray((size + 7) // 8)
    for i in items:
        buffer[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(buffer, "little")


def positions(mask: int, skip: int = 0) -> Iterator[int]:
    """Set bits in increasing order, skipping the first ``skip`` of them."""
    bits = bin(mask)[:1:-1]  # least significant bit first
    index = bits.find("1")
    while index != -1 and skip:
        skip -= 1
        index = bits.find("1", index + 1)
    while index != -1:
        yield index
        index = bits.find("1", index + 1)


def flags(mask: int) -> bytes:
    """Byte ``i`` is 1 when bit ``i`` is set, else 0, up to the highest set bit: the
    selector of :func:`itertools.compress`, which picks the members of a column aligned
    with the positions without a Python step per position."""
    return bin(mask)[:1:-1].encode().translate(_FLAG)

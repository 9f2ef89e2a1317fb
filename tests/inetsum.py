"""The Internet checksum (RFC 1071), for the Python capture writers of the
tests (mkflows.py, mkconv.py, mkmalformed.py)."""
import struct


def csum(data):
    """The one's complement of the one's complement sum of @data's 16-bit
    big-endian words, an odd last byte padded with zero."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF

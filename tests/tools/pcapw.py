"""pcapw: the classic pcap file format (the libpcap file header, then a
record header before each frame; microsecond timestamps, host byte order
written little-endian) and the Internet checksum (RFC 1071), for the test
scripts that build captures. Python 3 standard library only."""
import struct

MAGIC_US = 0xA1B2C3D4  # microsecond timestamps
LINKTYPE_ETHERNET = 1


def checksum(data):
    """the 16-bit one's complement of the one's complement sum (RFC 1071)"""
    if len(data) % 2:
        data += b"\x00"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Writer:
    """a pcap file written as it goes (a capture need not fit in memory)"""

    def __init__(self, path, snaplen=262144, linktype=LINKTYPE_ETHERNET):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", MAGIC_US, 2, 4, 0, 0, snaplen, linktype))

    def frame(self, t_us, data):
        """one whole frame captured at t_us microseconds since the epoch"""
        self.f.write(struct.pack("<IIII", t_us // 1_000_000, t_us % 1_000_000, len(data), len(data)))
        self.f.write(data)

    def close(self):
        self.f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

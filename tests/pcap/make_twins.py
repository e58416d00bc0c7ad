#!/usr/bin/env python3
"""tests/pcap/make_twins.py WRAP IN.pcap: the frames of a classic pcap of
Ethernet frames (a reference capture, through editcap -F pcap), each
wrapped in another link type or tunnel, as a text2pcap hex dump on stdout
(timestamp line "%s.%f", then the bytes).  tests/pcap/make_twins.sh runs
it and gives the dump to text2pcap -l LINKTYPE; WRAP's link type is
printed by `make_twins.py --link WRAP`.

Only the wrapping is made here; every byte of the original IP packet (or
Ethernet frame, for the tunnels that carry Ethernet) is kept.  Outer
addresses are documentation prefixes (198.51.100.0/24, 2001:db8::/32).
Deterministic: the same input gives the same output."""
import struct
import sys
import zlib

V4A, V4B = bytes([198, 51, 100, 1]), bytes([198, 51, 100, 2])
V6A = bytes.fromhex("20010db800ff0000000000000000000a")
V6B = bytes.fromhex("20010db800ff0000000000000000000b")
MAC_A, MAC_B = bytes.fromhex("020000000a01"), bytes.fromhex("020000000a02")
BSSID = bytes.fromhex("020000000a0b")


def frames(path):
    """(seconds, microseconds, Ethernet frame) of a classic pcap."""
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        sys.exit("%s: not a little-endian classic pcap" % path)
    nano = magic == 0xA1B23C4D
    if struct.unpack("<I", data[20:24])[0] != 1:
        sys.exit("%s: not Ethernet" % path)
    off = 24
    while off < len(data):
        sec, frac, caplen, wirelen = struct.unpack("<IIII", data[off:off + 16])
        if caplen != wirelen:
            sys.exit("%s: a frame cut by the snap length" % path)
        yield sec, frac // 1000 if nano else frac, data[off + 16:off + 16 + caplen]
        off += 16 + caplen


def ip_of(eth):
    """The IP packet of an untagged Ethernet frame, and its family."""
    etype = struct.unpack(">H", eth[12:14])[0]
    if etype not in (0x0800, 0x86DD):
        sys.exit("ethertype %#x: not IP" % etype)
    return eth[14:], 4 if etype == 0x0800 else 6


def cksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(">%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(proto, payload, n):
    h = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), n & 0xFFFF,
                    0x4000, 64, proto, 0, V4A, V4B)
    return h[:10] + struct.pack(">H", cksum(h)) + h[12:] + payload


def ip6(proto, payload, n):
    return struct.pack(">IHBB16s16s", 0x60000000, len(payload), proto, 64,
                       V6A, V6B) + payload


def udp(outer, sport, dport, payload, n):
    ulen = 8 + len(payload)
    h = struct.pack(">HHHH", sport, dport, ulen, 0)
    if outer == 4:
        pseudo = V4A + V4B + struct.pack(">BBH", 0, 17, ulen)
    else:
        pseudo = V6A + V6B + struct.pack(">IxxxB", ulen, 17)
    c = cksum(pseudo + h + payload) or 0xFFFF
    seg = h[:6] + struct.pack(">H", c) + payload
    return ip4(17, seg, n) if outer == 4 else ip6(17, seg, n)


def gre(outer, flags, proto, payload, n, key=0x16, seq=None):
    opt = b""
    if flags & 0x8000:
        opt += b"\0\0\0\0"
    if flags & 0x2000:
        opt += struct.pack(">I", key)
    if flags & 0x1000:
        opt += struct.pack(">I", n if seq is None else seq)
    g = struct.pack(">HH", flags, proto) + opt + payload
    if flags & 0x8000:
        g = g[:4] + struct.pack(">H", cksum(g)) + g[6:]
    return ip4(47, g, n) if outer == 4 else ip6(47, g, n)


def wlan(ip, fam, n, fcs):
    """An 802.11 data frame: plain from the AP (FromDS) on even frames,
    QoS data between two APs (ToDS and FromDS: 4 addresses) on odd ones."""
    seq = struct.pack("<H", (n & 0xFFF) << 4)
    if n % 2 == 0:
        h = b"\x08\x02" + b"\0\0" + MAC_B + BSSID + MAC_A + seq
    else:
        h = b"\x88\x03" + b"\0\0" + MAC_B + BSSID + MAC_A + seq + MAC_B
        h += b"\x00\x00"                     # QoS control: TID 0
    llc = b"\xaa\xaa\x03\x00\x00\x00" + struct.pack(
        ">H", 0x0800 if fam == 4 else 0x86DD)
    f = h + llc + ip
    if fcs:
        f += struct.pack("<I", zlib.crc32(f) & 0xFFFFFFFF)
    return f


def radiotap(ip, fam, n):
    # Flags, Rate, Channel, Antenna signal: 15 bytes, not a multiple of 4
    # on purpose.  Odd frames carry an FCS (flag 0x10).
    fcs = n % 2 == 1
    fields = struct.pack("<BBHHb", 0x10 if fcs else 0, 12, 5180, 0x0140, -40)
    hdr = struct.pack("<BBHI", 0, 0, 8 + len(fields), 0x2E) + fields
    return hdr + wlan(ip, fam, n, fcs)


def nflog(ip, fam, n):
    def tlv(t, v):
        b = struct.pack("<HH", 4 + len(v), t) + v
        return b + b"\0" * (-len(b) % 4)
    head = struct.pack(">BBH", 2 if fam == 4 else 10, 0, 53)
    hw = struct.pack(">HBx", 0x0800 if fam == 4 else 0x86DD, 3)
    return (head + tlv(1, hw) + tlv(10, b"ednsprobe\0") +
            tlv(11, struct.pack(">I", 0)) + tlv(9, ip))


def pktap(eth, fam):
    h = struct.pack("<III24sIIIII20sIHHI20s", 108, 1, 1, b"en0", 0,
                    2 if fam == 4 else 30, 14, 0, 0, b"dig", 0, 6, 0, 0,
                    b"dig")
    assert len(h) == 108
    return h + eth


def erspan3(eth, n):
    o = n % 2
    # version 2, VLAN 0; session 1; timestamp; SGT 0, P 0, FT 0, hardware
    # id 1 (bits 4..9), D 0, Gra 0, O.
    h = struct.pack(">HHIHH", 0x2000, 0x0001, n * 1000, 0, (1 << 4) | o)
    if o:
        h += struct.pack(">HHI", 0x3 << 10, 0, n)   # platform id 3
    return h + eth


def gtpu(ip, n):
    if n % 2 == 0:
        return struct.pack(">BBHI", 0x30, 0xFF, len(ip), 0x100) + ip
    # E: sequence, N-PDU, next 0x85 (PDU session container, 4 bytes).
    ext = b"\x01\x00\x09\x00"
    body = struct.pack(">HBB", 0, 0, 0x85) + ext + ip
    return struct.pack(">BBHI", 0x34, 0xFF, len(body), 0x100) + body


def vxlan(eth, outer, n):
    return udp(outer, 49152 + n % 4096, 4789, b"\x08\0\0\0\0\0\x2a\0" + eth, n)


# name: (link type, wrap(eth, n) -> frame)
def wrap_null(eth, n):
    ip, fam = ip_of(eth)
    return struct.pack("<I", 2 if fam == 4 else 30) + ip


def wrap_loop(eth, n):
    ip, fam = ip_of(eth)
    return struct.pack(">I", 2 if fam == 4 else 24) + ip


def wrap_gre(eth, n):
    ip, fam = ip_of(eth)
    flags = 0xB000 if n % 2 else 0x3000        # C on odd frames; K, S
    return gre(4, flags, 0x0800 if fam == 4 else 0x86DD, ip, n)


def wrap_geneve(eth, n):
    opt = struct.pack(">HBB", 0x0102, 0x80, 1) + b"\0\0\0\x07"
    if n % 2:
        ip, fam = ip_of(eth)
        proto, inner = (0x0800 if fam == 4 else 0x86DD), ip
    else:
        proto, inner = 0x6558, eth
    h = struct.pack(">BBH", len(opt) // 4, 0, proto) + b"\0\0\x2a\0" + opt
    return udp(6, 49152 + n % 4096, 6081, h + inner, n)


WRAPS = {
    "null": (0, wrap_null),
    "loop": (108, wrap_loop),
    "nflog": (239, lambda e, n: nflog(*ip_of(e), n)),
    "pktap": (258, lambda e, n: pktap(e, ip_of(e)[1])),
    "radiotap": (127, lambda e, n: radiotap(*ip_of(e), n)),
    "wlan": (105, lambda e, n: wlan(*ip_of(e), n, False)),
    "gre": (101, wrap_gre),
    "gretap": (101, lambda e, n: gre(6, 0x2000, 0x6558, e, n)),
    "erspan2": (101, lambda e, n: gre(
        4, 0x1000, 0x88BE, struct.pack(">HHI", 0x1000, 0x0001, n) + e, n)),
    "erspan3": (101, lambda e, n: gre(6, 0x1000, 0x22EB, erspan3(e, n), n)),
    "vxlan": (101, lambda e, n: vxlan(e, 4, n)),
    "geneve": (101, wrap_geneve),
    "gtpu": (101, lambda e, n: udp(4, 2152, 2152, gtpu(ip_of(e)[0], n), n)),
    "gre-vxlan": (101, lambda e, n: gre(4, 0x2000, 0x0800, vxlan(e, 4, n), n)),
}


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--link":
        print(WRAPS[sys.argv[2]][0])
        return
    if len(sys.argv) != 3 or sys.argv[1] not in WRAPS:
        sys.exit("usage: make_twins.py WRAP IN.pcap | --link WRAP")
    wrap = WRAPS[sys.argv[1]][1]
    out = sys.stdout
    for n, (sec, usec, eth) in enumerate(frames(sys.argv[2]), 1):
        b = wrap(eth, n)
        out.write("%d.%06d\n" % (sec, usec))
        for i in range(0, len(b), 16):
            out.write("%06x %s\n" % (i, " ".join("%02x" % x
                                                 for x in b[i:i + 16])))
        out.write("\n")


main()

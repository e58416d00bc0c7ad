#!/usr/bin/env python3
# tests/fuzz/tcpstream_seeds.py PCAP OUT: the TCP segments of a classic
# pcap file (Ethernet, IPv4/IPv6 without extension headers) as one input
# of tests/fuzz/fuzz_tcpstream.c: per segment the direction (toward port
# 53 or back), flags, sequence and ACK numbers, payload.  Used by
# tests/fuzz/make_seeds.sh on pcaps/tcp-*.pcap.
import struct
import sys

data = open(sys.argv[1], "rb").read()
e = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
off, out = 24, b""
while off + 16 <= len(data):
    caplen = struct.unpack(e + "I", data[off + 8:off + 12])[0]
    d = data[off + 16:off + 16 + caplen]
    off += 16 + caplen
    ip = 14
    if d[ip] >> 4 == 4:
        if d[ip + 9] != 6:
            continue
        end = ip + struct.unpack("!H", d[ip + 2:ip + 4])[0]
        tcp = ip + (d[ip] & 15) * 4
    else:
        if d[ip + 6] != 6:
            continue
        end = ip + 40 + struct.unpack("!H", d[ip + 4:ip + 6])[0]
        tcp = ip + 40
    sport, dport, seq, ack = struct.unpack("!HHII", d[tcp:tcp + 12])
    flags = d[tcp + 13]
    payload = d[tcp + (d[tcp + 12] >> 4) * 4:end]
    fl = (flags & 7) | (8 if flags & 0x10 else 0)
    b = (fl << 4) | (1 if sport == 53 else 0)
    out += struct.pack("!BIIH", b, seq, ack, len(payload)) + payload
open(sys.argv[2], "wb").write(out)

#!/usr/bin/env python3
"""tests/bench/bench_analyze.py IN.pcapng OUT.pcap N: a big classic pcap for
the analyze benchmark: the Enhanced Packet Blocks of IN repeated until N
frames, timestamps moving on, so every copy is a new set of exchanges."""
import struct
import sys


def frames(path):
    data = open(path, 'rb').read()
    off, out, tsres = 0, [], 6
    while off + 12 <= len(data):
        btype, blen = struct.unpack_from('<II', data, off)
        if btype == 1:
            linktype, = struct.unpack_from('<H', data, off + 8)
        if btype == 6:
            _, hi, lo, cap, orig = struct.unpack_from('<IIIII', data, off + 8)
            out.append(((hi << 32) | lo, orig, data[off + 28:off + 28 + cap]))
        off += blen
    return linktype, out


def main():
    src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    link, recs = frames(src)
    span = recs[-1][0] - recs[0][0] + 1000
    with open(dst, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, link))
        i = 0
        while i < n:
            for ts, orig, pkt in recs:
                if i == n:
                    break
                t = ts + (i // len(recs)) * span
                f.write(struct.pack('<IIII', t // 1000000, t % 1000000,
                                    len(pkt), orig))
                f.write(pkt)
                i += 1


if __name__ == '__main__':
    main()

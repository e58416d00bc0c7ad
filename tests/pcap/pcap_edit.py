#!/usr/bin/env python3
# tests/pcap/pcap_edit.py IN OUT OP...: edit a classic pcap file (as
# tcpdump -w writes it) frame by frame, for the captures a lab cannot
# make on purpose (tests/pcap/make_tcp_refs.sh).  Frame numbers are the
# input's (1-based), whatever the ops before moved; ops run in order:
#   drop N            the capture missed frame N
#   move N M          frame N just before frame M (out of order)
#   copy N M          a copy of frame N just after frame M (retransmitted)
#   garble-copy N M   the same, its TCP payload bytes changed (XOR 0x5a):
#                     a retransmission with other bytes
# Times: a frame keeps its own, except that a moved frame or a copy takes
# its new neighbour's (M's), so the file stays in time order.
import struct
import sys

LINK_ETHERNET = 1


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise SystemExit("pcap_edit: %s is not a classic pcap file" % path)
    link = struct.unpack(e + "I", data[20:24])[0]
    frames, off, n = [], 24, 0
    while off + 16 <= len(data):
        sec, frac, caplen, wirelen = struct.unpack(e + "IIII",
                                                   data[off:off + 16])
        n += 1
        frames.append({"n": n, "sec": sec, "frac": frac, "wire": wirelen,
                       "data": bytearray(data[off + 16:off + 16 + caplen])})
        off += 16 + caplen
    return data[:24], e, link, frames


def payload_at(frame, link):
    """Offset of the TCP payload in an Ethernet frame of IPv4/IPv6."""
    d = frame["data"]
    if link != LINK_ETHERNET:
        raise SystemExit("pcap_edit: only Ethernet captures")
    off = 14
    if d[off] >> 4 == 4:
        ihl = (d[off] & 0x0f) * 4
        if d[off + 9] != 6:
            raise SystemExit("pcap_edit: frame %d is not TCP" % frame["n"])
        off += ihl
    else:
        if d[off + 6] != 6:
            raise SystemExit("pcap_edit: frame %d is not TCP" % frame["n"])
        off += 40
    return off + (d[off + 12] >> 4) * 4


def index(frames, n):
    for i, f in enumerate(frames):
        if f["n"] == n and not f.get("copy"):
            return i
    raise SystemExit("pcap_edit: no frame %d" % n)


def main():
    if len(sys.argv) < 4:
        raise SystemExit("usage: pcap_edit.py IN OUT OP...")
    head, e, link, frames = read(sys.argv[1])
    for op in sys.argv[3:]:
        w = op.split()
        if w[0] == "drop" and len(w) == 2:
            del frames[index(frames, int(w[1]))]
        elif w[0] == "move" and len(w) == 3:
            f = frames.pop(index(frames, int(w[1])))
            m = frames[index(frames, int(w[2]))]
            f["sec"], f["frac"] = m["sec"], m["frac"]
            frames.insert(index(frames, int(w[2])), f)
        elif w[0] in ("copy", "garble-copy") and len(w) == 3:
            src = frames[index(frames, int(w[1]))]
            at = index(frames, int(w[2]))
            c = dict(src, data=bytearray(src["data"]), copy=True)
            c["sec"], c["frac"] = frames[at]["sec"], frames[at]["frac"]
            if w[0] == "garble-copy":
                for i in range(payload_at(c, link), len(c["data"])):
                    c["data"][i] ^= 0x5a
            frames.insert(at + 1, c)
        else:
            raise SystemExit("pcap_edit: bad op %r" % op)
    with open(sys.argv[2], "wb") as out:
        out.write(head)
        for f in frames:
            out.write(struct.pack(e + "IIII", f["sec"], f["frac"],
                                  len(f["data"]), f["wire"]))
            out.write(f["data"])


if __name__ == "__main__":
    main()

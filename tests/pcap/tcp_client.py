#!/usr/bin/env python3
# tests/pcap/tcp_client.py MODE SERVER: DNS over TCP written the ways a
# stream reassembler must cope with (tests/pcap/make_tcp_refs.sh captures
# them in the lab).  TCP_NODELAY and a pause between send() calls put
# each write in a segment of its own.
#   split     the 2-byte length in one segment, the message in the next
#   pipeline  three queries in one segment, then their three answers
#   large     one query whose answer takes several segments (s4000,
#             through a small receive window)
# Prints one line per answer: id, bytes.  Only lab addresses (RFC 5737,
# RFC 3849 documentation prefixes) are ever asked.
import socket
import struct
import sys
import time


def name(qname):
    out = b""
    for label in qname.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def query(qid, qname, qtype=16, bufsize=1232, do=True):
    """A query with EDNS (OPT, DO as asked), no recursion wanted."""
    hdr = struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 1)
    q = name(qname) + struct.pack("!HH", qtype, 1)
    opt = b"\0" + struct.pack("!HHIH", 41, bufsize, 0x8000 if do else 0, 0)
    return hdr + q + opt


def read_exact(s, n):
    buf = b""
    while len(buf) < n:
        got = s.recv(n - len(buf))
        if not got:
            raise SystemExit("tcp_client: the server closed early")
        buf += got
    return buf


def answers(s, n):
    for _ in range(n):
        (mlen,) = struct.unpack("!H", read_exact(s, 2))
        msg = read_exact(s, mlen)
        print("id %d, %d bytes" % (struct.unpack("!H", msg[:2])[0], mlen))


def main():
    mode, server = sys.argv[1], sys.argv[2]
    family = socket.AF_INET6 if ":" in server else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if mode == "large":
        # A small receive window makes the server send the answer in
        # pieces the window allows, each its own segment on the wire
        # (else the lab's veths carry it as one GSO packet, captured so).
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    s.connect((server, 53))
    if mode == "split":
        q = query(0x5101, "s512.probe.test")
        s.send(struct.pack("!H", len(q)))
        time.sleep(0.05)
        s.send(q)
        answers(s, 1)
    elif mode == "pipeline":
        qs = [query(0x5201 + i, "s%d.probe.test" % n)
              for i, n in enumerate((512, 1200, 1400))]
        s.send(b"".join(struct.pack("!H", len(q)) + q for q in qs))
        answers(s, 3)
    elif mode == "large":
        q = query(0x5301, "s4000.probe.test", bufsize=4096)
        s.send(struct.pack("!H", len(q)) + q)
        answers(s, 1)
    else:
        raise SystemExit("tcp_client: unknown mode " + mode)
    s.close()


if __name__ == "__main__":
    main()

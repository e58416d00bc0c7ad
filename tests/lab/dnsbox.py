#!/usr/bin/env python3
# tests/lab/dnsbox.py PORT: a DNS-inspecting middlebox in miniature, run
# on a router of the lab behind an nftables redirect of UDP/53
# (tests/pcap/make_refs.sh: the answer-forged captures).  Every query it
# gets, on IPv4 or IPv6, is answered at once in the server's name: the
# query's id and question, QR set, NOERROR, no records, no OPT.  Its
# answers leave the router with the router's own initial TTL, so they
# arrive one router closer than the server's (ANSWER_FORGED).  Stop it by
# its PID.
import select
import socket
import sys

port = int(sys.argv[1]) if len(sys.argv) > 1 else 5353
socks = []
for fam, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, port))
    socks.append(s)
while True:
    ready, _, _ = select.select(socks, [], [])
    for s in ready:
        q, peer = s.recvfrom(65535)
        if len(q) < 12 or q[2] & 0x80:
            continue
        i, labels = 12, 0
        while i < len(q) and q[i] != 0 and labels < 128:
            i += 1 + q[i]
            labels += 1
        i += 5	# the root label, QTYPE, QCLASS
        if i > len(q):
            continue
        flags = bytes([0x80 | (q[2] & 0x01), 0x00])	# QR, RD echoed
        s.sendto(q[0:2] + flags + b"\x00\x01" + b"\x00" * 6 + q[12:i],
                 peer)

"""The beacon from plain Python (socket + json, no Gecko code), on loopback only, as another implementation would do it.

  beacon.py ask KEY TIMEOUT          multicast a look-up for KEY; print "IN OUT" of the first answer, or "nothing" (exit 1)
  beacon.py answer KEY IN OUT        answer look-ups for KEY with only {"in_addr", "out_addr"}, as pygecko's core does;
                                     prints "ready", then "answered" per answer; runs until killed
"""
import json
import os
import select
import socket
import sys
import time

GROUP, PORT = "224.3.29.110", 11311
LOOPBACK = socket.inet_aton("127.0.0.1")


def ask(key, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, LOOPBACK)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    request = json.dumps({"key": key, "service": "GeckoCore", "pid": os.getpid(), "name": "beacon.py"}).encode()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        s.sendto(request, (GROUP, PORT))
        if select.select([s], [], [], min(0.25, max(0.0, deadline - time.monotonic())))[0]:
            reply = json.loads(s.recv(2048))
            print(reply["in_addr"], reply["out_addr"])
            return 0
    print("nothing")
    return 1


def answer(key, in_addr, out_addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((GROUP, PORT))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton(GROUP) + LOOPBACK)
    print("ready")
    while True:
        data, asker = s.recvfrom(2048)
        try:
            request = json.loads(data)
        except ValueError:
            continue
        if isinstance(request, dict) and request.get("service") == "GeckoCore" and request.get("key") == key:
            s.sendto(json.dumps({"in_addr": in_addr, "out_addr": out_addr}).encode(), asker)
            print("answered")


if __name__ == "__main__":
    if sys.argv[1] == "ask":
        sys.exit(ask(sys.argv[2], float(sys.argv[3])))
    answer(sys.argv[2], sys.argv[3], sys.argv[4])

"""Registrations a hostile or broken node could send on core_info, then its own with a name meant to drive a terminal."""
import os
import sys
import time

import msgpack
import zmq

socket = zmq.Context().socket(zmq.PUB)
socket.connect(sys.argv[1])
print("ready", flush=True)
hostile = [
    {"proc_info": [1, "init", True]},
    {"proc_info": [-5, "negative", True]},
    {"proc_info": [2 ** 40, "huge pid", True]},
    {"proc_info": ["1", "pid as text", True]},
]
own = {"proc_info": [os.getpid(), "\x1b[2J\x1b[31mred" + "x" * 100000, True]}
for _ in range(1200):  # at most 2 minutes: the test kills it long before
    for registration in hostile + [own]:  # in this order on one socket: the hub handles them in this order
        socket.send_multipart([b"core_info", msgpack.packb(registration)])
    time.sleep(0.1)

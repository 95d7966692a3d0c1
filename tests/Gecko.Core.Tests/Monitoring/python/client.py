"""A pygecko-style client of the hub: 'pub' connects to the in endpoint and registers on core_info, 'sub' connects to out."""
import os
import sys
import time

import msgpack
import zmq

role, endpoint = sys.argv[1], sys.argv[2]
context = zmq.Context()
if role == "pub":
    socket = context.socket(zmq.PUB)
    socket.connect(endpoint)
else:
    socket = context.socket(zmq.SUB)
    socket.setsockopt(zmq.SUBSCRIBE, b"chatter")
    socket.connect(endpoint)
print("ready", flush=True)
registration = msgpack.packb({"proc_info": [os.getpid(), "py-" + role, True]})
for _ in range(1200):  # at most 2 minutes: the test kills it long before
    if role == "pub":
        # Repeated, as nodes do, because the first messages of a new PUB connection may be lost.
        socket.send_multipart([b"core_info", registration])
    time.sleep(0.1)

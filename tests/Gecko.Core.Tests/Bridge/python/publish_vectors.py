"""Publishes pygecko's reference payloads through a Gecko hub, as a plain pyzmq node would.

usage: publish_vectors.py IN_ADDR VECTORS_JSON GO_FILE

Publishes probes on "ctl/probe/py" until GO_FILE exists (the test creates it once its subscriber received a probe,
so the publisher is connected and the subscription in place), then each reference payload once on topic
"vec/<name>", byte for byte as the vectors file has it, then an end marker on "ctl/end/0". Gives up after 30 s.
"""
import json
import os
import sys
import time

import zmq

in_addr, vectors_path, go_file = sys.argv[1:4]
with open(vectors_path) as f:
    vectors = json.load(f)["messages"]

ctx = zmq.Context()
pub = ctx.socket(zmq.PUB)
pub.setsockopt(zmq.SNDHWM, 0)
pub.connect(in_addr)

deadline = time.time() + 30
while not os.path.exists(go_file):
    if time.time() > deadline:
        print("no go within 30 s", flush=True)
        sys.exit(1)
    pub.send_multipart([b"ctl/probe/py", b""])
    time.sleep(0.02)
print("go", flush=True)

for vector in vectors:
    pub.send_multipart([("vec/" + vector["name"]).encode(), bytes.fromhex(vector["hex"])])
pub.send_multipart([b"ctl/end/0", b""])
print("published", len(vectors), flush=True)
pub.close(linger=5000)  # let everything queued reach the hub before exiting
ctx.term()

"""Subscribes to "vec/" through a Gecko hub and prints what arrives, as a plain pyzmq node would.

usage: subscribe_vectors.py OUT_ADDR

Prints "ready" once a control probe ("ctl/...") arrives, so the publisher knows the subscription is in place; then
"<topic> <payload hex>" per message on "vec/..."; "done" on the end marker "ctl/end/...". Gives up after 30 s.
"""
import sys
import time

import zmq

ctx = zmq.Context()
sub = ctx.socket(zmq.SUB)
sub.setsockopt(zmq.RCVHWM, 0)
sub.setsockopt(zmq.SUBSCRIBE, b"vec/")
sub.setsockopt(zmq.SUBSCRIBE, b"ctl/")
sub.connect(sys.argv[1])

ready = False
deadline = time.time() + 30
while time.time() < deadline:
    if not sub.poll(100):
        continue
    frames = sub.recv_multipart()
    if len(frames) != 2:
        print("bad frame count", len(frames), flush=True)
        sys.exit(1)
    topic, payload = frames
    if topic.startswith(b"ctl/probe/"):
        if not ready:
            print("ready", flush=True)
            ready = True
    elif topic.startswith(b"ctl/end/"):
        print("done", flush=True)
        sys.exit(0)
    else:
        print(topic.decode(), payload.hex(), flush=True)
print("timed out", flush=True)
sys.exit(1)

"""Subscribes to a topic and prints each ext message as 'ext CODE FIELDS-AS-JSON', at most N, for at most 30 s."""
import json
import sys
import time

import msgpack
import zmq

out_addr, topic, count = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3])
ctx = zmq.Context()
sub = ctx.socket(zmq.SUB)
sub.connect(out_addr)
sub.setsockopt(zmq.SUBSCRIBE, topic)
print("ready", flush=True)
seen, deadline = 0, time.time() + 30
while seen < count and time.time() < deadline:
    if not sub.poll(100):
        continue
    frames = sub.recv_multipart()
    value = msgpack.unpackb(frames[1])
    if isinstance(value, msgpack.ExtType):
        print("ext", value.code, json.dumps(msgpack.unpackb(value.data)), flush=True)
        seen += 1
ctx.destroy(linger=0)

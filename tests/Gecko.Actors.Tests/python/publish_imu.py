"""Publishes the reference IMU (pygecko's bytes, built with msgpack only) on a topic at 20 Hz for at most 30 s."""
import sys
import time

import msgpack
import zmq

in_addr, topic = sys.argv[1], sys.argv[2].encode()
payload = msgpack.packb(msgpack.ExtType(10, msgpack.packb(
    [[0.0, 0.0, 9.81], [0.01, 0.02, 0.03], [20.0, -5.0, 40.0], 1537100000.25])))
ctx = zmq.Context()
pub = ctx.socket(zmq.PUB)
pub.connect(in_addr)
print("publishing", flush=True)
deadline = time.time() + 30
while time.time() < deadline:
    pub.send_multipart([topic, payload])
    time.sleep(0.05)
ctx.destroy(linger=0)

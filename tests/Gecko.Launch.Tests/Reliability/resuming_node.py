"""A pyzmq node as pygecko's are: a PUB connected to the hub's in address, a SUB to its out address.

Usage: resuming_node.py IN_ADDR OUT_ADDR RATE TOPIC...

Publishes a counter on "pyload" RATE times a second (load for the hub) and subscribes to each TOPIC. For each topic
it prints "resumed TOPIC UNIXTIME" for the first message after half a second without one, which is how a test sees
when traffic comes back after the hub was restarted. Stops after two minutes (the test kills it sooner).
"""
import sys
import time

import msgpack
import zmq

in_addr, out_addr, rate, topics = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4:]
context = zmq.Context()
pub = context.socket(zmq.PUB)
pub.connect(in_addr)
sub = context.socket(zmq.SUB)
for topic in topics:
    sub.setsockopt(zmq.SUBSCRIBE, topic.encode())
sub.connect(out_addr)

last = {}
period = 1.0 / rate
next_send = time.monotonic()
count = 0
deadline = time.monotonic() + 120
print("ready", flush=True)
while time.monotonic() < deadline:
    now = time.monotonic()
    if now >= next_send:
        count += 1
        pub.send_multipart([b"pyload", msgpack.packb(count)])
        next_send = max(next_send + period, now)
    wait_ms = max(0, int((next_send - time.monotonic()) * 1000))
    while sub.poll(timeout=wait_ms):
        wait_ms = 0
        topic = sub.recv_multipart()[0].decode()
        arrived = time.monotonic()
        if topic not in last or arrived - last[topic] > 0.5:
            print(f"resumed {topic} {time.time():.6f}", flush=True)
        last[topic] = arrived
pub.close(0)
sub.close(0)
context.term()

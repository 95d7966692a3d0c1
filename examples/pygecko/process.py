"""pygecko-style node functions, run by `gecko launch examples/pygecko/launch.json`.

Each [module, function, kwargs] entry of launch.json becomes a Python process that imports this module and calls
function(**kwargs); kwargs["geckocore"] holds the hub's {"in_addr", "out_addr"}. Only pyzmq and msgpack are needed
(Debian: apt install python3-zmq python3-msgpack). Ctrl-C on gecko launch stops them with SIGINT, which Python
turns into KeyboardInterrupt: the finally blocks below run.
"""
import time

import msgpack
import zmq


def publish(**kwargs):
    topic, hz = kwargs["topic"], float(kwargs.get("hz", 1))
    context = zmq.Context()
    pub = context.socket(zmq.PUB)
    pub.connect(kwargs["geckocore"]["in_addr"])
    start, count = time.time(), 0
    try:
        while True:
            count += 1
            message = {"time": time.time() - start, "double": 3.14, "int": count, "array": [1, 2, 3, 4, 5]}
            pub.send_multipart([topic.encode(), msgpack.packb(message)])
            time.sleep(1 / hz)
    finally:
        print("published %d messages on %r" % (count, topic))
        pub.close(0)
        context.term()


def subscribe(**kwargs):
    topic = kwargs["topic"]
    context = zmq.Context()
    sub = context.socket(zmq.SUB)
    sub.connect(kwargs["geckocore"]["out_addr"])
    sub.setsockopt(zmq.SUBSCRIBE, topic.encode())
    count = 0
    try:
        while True:
            _, payload = sub.recv_multipart()
            count += 1
            if count % 50 == 0:
                print("%d messages on %r, last: %r" % (count, topic, msgpack.unpackb(payload)))
    finally:
        sub.close(0)
        context.term()

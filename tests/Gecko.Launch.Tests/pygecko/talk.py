"""Functions a pygecko JSON launch file runs in the tests: each gets its kwargs plus kwargs["geckocore"]."""
import json
import time

import msgpack
import zmq


def publish(**kwargs):
    print("publish kwargs " + json.dumps(kwargs, sort_keys=True), flush=True)
    context = zmq.Context()
    pub = context.socket(zmq.PUB)
    pub.connect(kwargs["geckocore"]["in_addr"])
    count = 0
    try:
        while True:
            count += 1
            pub.send_multipart([kwargs["topic"].encode(), msgpack.packb({"text": kwargs["text"], "count": count})])
            time.sleep(0.05)
    finally:
        print("publish stopping after %d messages" % count, flush=True)
        pub.close(0)
        context.term()


def subscribe(**kwargs):
    print("subscribe kwargs " + json.dumps(kwargs, sort_keys=True), flush=True)
    context = zmq.Context()
    sub = context.socket(zmq.SUB)
    sub.connect(kwargs["geckocore"]["out_addr"])
    sub.setsockopt(zmq.SUBSCRIBE, kwargs["topic"].encode())
    try:
        while True:
            topic, payload = sub.recv_multipart()
            message = msgpack.unpackb(payload)
            print("got %s: %s #%d" % (topic.decode(), message["text"], message["count"]), flush=True)
    finally:
        sub.close(0)
        context.term()

#!/usr/bin/env python3
"""A Gecko node in plain Python: pyzmq + msgpack, no Gecko code.

Publishes an IMU on 'imu' at 10 Hz and prints every twist on 'cmd'.
Run a hub first (`gecko core`), then: python3 imu_node.py [IN_ADDR OUT_ADDR]
"""
import os
import sys
import time

import msgpack
import zmq

in_addr = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("GECKO_CORE_IN", "tcp://127.0.0.1:9998")
out_addr = sys.argv[2] if len(sys.argv) > 2 else os.environ.get("GECKO_CORE_OUT", "tcp://127.0.0.1:9999")

IMU, TWIST = 10, 4  # message ids of wire protocol v1


def imu(accel, gyro, mag, ts):
    return msgpack.packb(msgpack.ExtType(IMU, msgpack.packb([accel, gyro, mag, ts])))


ctx = zmq.Context()
pub = ctx.socket(zmq.PUB)
pub.connect(in_addr)
sub = ctx.socket(zmq.SUB)
sub.connect(out_addr)
sub.setsockopt(zmq.SUBSCRIBE, b"cmd")
# Register with the hub so it shows this process's CPU and memory.
pub.send_multipart([b"core_info", msgpack.packb({"proc_info": [os.getpid(), "imu_node", True]})])

try:
    while True:
        pub.send_multipart([b"imu", imu([0.0, 0.0, 9.81], [0.0, 0.0, 0.1], [20.0, -5.0, 40.0], time.time())])
        while sub.poll(0):
            topic, payload = sub.recv_multipart()
            ext = msgpack.unpackb(payload)
            if isinstance(ext, msgpack.ExtType) and ext.code == TWIST:
                linear, angular = msgpack.unpackb(ext.data)
                print("twist linear", linear, "angular", angular, flush=True)
        time.sleep(0.1)
except KeyboardInterrupt:
    pass
finally:
    pub.send_multipart([b"core_info", msgpack.packb({"proc_info": [os.getpid(), "imu_node", False]})])
    ctx.destroy(linger=500)

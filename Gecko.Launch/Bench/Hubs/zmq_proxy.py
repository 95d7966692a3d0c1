"""libzmq's own XSUB -> XPUB forwarding loop (zmq_proxy, in C) as a baseline hub for `gecko bench`.

Usage: python3 zmq_proxy.py RCVHWM SNDHWM
Binds both sides on OS-chosen loopback ports, prints one line with them, forwards until its stdin closes.
"""
import os
import sys
import threading

import zmq

receive_hwm, send_hwm = int(sys.argv[1]), int(sys.argv[2])
context = zmq.Context(io_threads=1)
inbound = context.socket(zmq.XSUB)
inbound.setsockopt(zmq.RCVHWM, receive_hwm)
inbound.setsockopt(zmq.LINGER, 0)
outbound = context.socket(zmq.XPUB)
outbound.setsockopt(zmq.SNDHWM, send_hwm)
outbound.setsockopt(zmq.LINGER, 0)
in_port = inbound.bind_to_random_port("tcp://127.0.0.1")
out_port = outbound.bind_to_random_port("tcp://127.0.0.1")
inbound.send(b"\x01")  # subscribe to everything upstream, as Gecko's hub does


def exit_with_parent():
    sys.stdin.read()  # returns at EOF: the bench closed our stdin, or died
    os._exit(0)


threading.Thread(target=exit_with_parent, daemon=True).start()
print(f"zmq_proxy ready: in tcp://127.0.0.1:{in_port}  out tcp://127.0.0.1:{out_port}  (libzmq {zmq.zmq_version()}; pid {os.getpid()})", flush=True)
zmq.proxy(inbound, outbound)

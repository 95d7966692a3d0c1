"""A pyzmq node with CURVE keys of its own: publishes a counter on TOPIC and prints what it receives on LISTEN.

Usage: curve_node.py IN OUT SERVER_PUBLIC_KEY_FILE CLIENT_SECRET_KEY_FILE TOPIC LISTEN
The key files are Gecko's (`gecko keys generate`), read with pyzmq's own zmq.auth.load_certificate.
"""
import sys
import time

import zmq
import zmq.auth

in_addr, out_addr, server_file, client_file, topic, listen = sys.argv[1:7]
server_public, _ = zmq.auth.load_certificate(server_file)
client_public, client_secret = zmq.auth.load_certificate(client_file)
context = zmq.Context()


def curve(socket):
    socket.curve_serverkey = server_public
    socket.curve_publickey = client_public
    socket.curve_secretkey = client_secret
    socket.linger = 0


pub = context.socket(zmq.PUB)
curve(pub)
pub.connect(in_addr)
sub = context.socket(zmq.SUB)
curve(sub)
sub.setsockopt(zmq.SUBSCRIBE, listen.encode())
sub.connect(out_addr)
print("ready", client_public.decode(), flush=True)

sequence = 0
deadline = time.monotonic() + 120
while time.monotonic() < deadline:
    pub.send_multipart([topic.encode(), str(sequence).encode()])
    sequence += 1
    if sub.poll(50):
        received_topic, payload = sub.recv_multipart()
        print("got", received_topic.decode(), payload.decode(), flush=True)

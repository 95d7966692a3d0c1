"""Prints, as hex, what msgpack-python (as pygecko uses it) makes of json.loads(argv[1])."""
import json
import sys

import msgpack

print(msgpack.packb(json.loads(sys.argv[1])).hex())

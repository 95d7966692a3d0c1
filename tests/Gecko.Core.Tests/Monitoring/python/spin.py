"""A process whose CPU use the monitor test knows: 'busy' spins on one core, 'idle' sleeps. Both end by themselves."""
import sys
import time

mode = sys.argv[1]
deadline = time.monotonic() + 120  # bounded even if the test never stops it
print("ready", flush=True)
if mode == "busy":
    while time.monotonic() < deadline:
        pass
else:
    time.sleep(120)

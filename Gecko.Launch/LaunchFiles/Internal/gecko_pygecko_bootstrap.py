"""Runs one entry of a pygecko JSON launch file: imports MODULE from FOLDER and calls FUNCTION(**kwargs).

gecko launch starts one of these per [module, function, kwargs] entry, as pygecko's geckolaunch did with
multiprocessing. Everything arrives as data (argv), never as code:

    python3 -u gecko_pygecko_bootstrap.py run FOLDER MODULE FUNCTION KWARGS_JSON
    python3 -u gecko_pygecko_bootstrap.py find-modules FOLDER MODULE...   (prints the modules that cannot be found)

kwargs["geckocore"] = {"in_addr": ..., "out_addr": ...} tells the function where the hub is (from GECKO_CORE_IN and
GECKO_CORE_OUT, which gecko launch sets). SIGINT (Ctrl-C, the first stop signal) and SIGTERM end the function with
KeyboardInterrupt / SystemExit, so its finally blocks and shutdown hooks run.
"""
import importlib
import importlib.util
import json
import os
import signal
import sys


def find_modules(folder, modules):
    sys.path.insert(0, folder)
    for module in modules:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            print(module)
    return 0


def run(folder, module_name, function_name, kwargs_json):
    sys.path.insert(0, folder)
    kwargs = json.loads(kwargs_json)
    if not isinstance(kwargs, dict):
        print("gecko: the kwargs of %s.%s are not a JSON object" % (module_name, function_name), file=sys.stderr)
        return 2
    kwargs["geckocore"] = {
        "in_addr": os.environ.get("GECKO_CORE_IN", "tcp://127.0.0.1:9998"),
        "out_addr": os.environ.get("GECKO_CORE_OUT", "tcp://127.0.0.1:9999"),
    }
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        print("gecko: cannot import module %r from %s: %s" % (module_name, folder, e), file=sys.stderr)
        return 2
    function = getattr(module, function_name, None)
    if not callable(function):
        print("gecko: module %r has no function %r" % (module_name, function_name), file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        function(**kwargs)
    except KeyboardInterrupt:
        pass
    return 0


def main(argv):
    if len(argv) >= 2 and argv[0] == "find-modules":
        return find_modules(argv[1], argv[2:])
    if len(argv) == 5 and argv[0] == "run":
        return run(*argv[1:])
    print("usage: gecko_pygecko_bootstrap.py run FOLDER MODULE FUNCTION KWARGS_JSON | find-modules FOLDER MODULE...",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

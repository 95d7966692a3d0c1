"""Runs one entry of a pygecko JSON launch file: imports MODULE from FOLDER and calls FUNCTION(**kwargs).

gecko launch starts one of these per [module, function, kwargs] entry, as pygecko's geckolaunch did with
multiprocessing. Everything arrives as data (argv), never as code:

    python3 -u gecko_pygecko_bootstrap.py run FOLDER MODULE FUNCTION KWARGS_JSON
    python3 -u gecko_pygecko_bootstrap.py check FOLDER MODULE:FUNCTION...

`check` runs before anything starts: for each pair it prints "module MODULE" when the module cannot be found, or
"function MODULE FUNCTION" when the module's source defines no such name at its top level (read with ast, never
imported or run).

kwargs["geckocore"] = {"in_addr": ..., "out_addr": ...} tells the function where the hub is (from GECKO_CORE_IN and
GECKO_CORE_OUT, which gecko launch sets). SIGINT (Ctrl-C, the first stop signal) and SIGTERM end the function with
KeyboardInterrupt / SystemExit, so its finally blocks and shutdown hooks run.
"""
import ast
import importlib
import importlib.util
import json
import os
import signal
import sys


def top_level_names(path):
    """Names a module's source may define at its top level, or None when that cannot be told from the source."""
    try:
        with open(path, "rb") as source:
            tree = ast.parse(source.read(), path)
    except (OSError, SyntaxError, ValueError):
        return None
    names = set()
    if not collect_names(tree.body, names):
        return None
    return names


def collect_names(body, names):
    """Adds what statements may define, through ifs, trys and loops; False on `from x import *`."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    return False
                names.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.If) and is_main_guard(node.test):
            continue  # runs only when the file is run as a script, not when it is imported
        else:
            for field in ("body", "orelse", "finalbody"):
                if not collect_names(getattr(node, field, []), names):
                    return False
            for handler in getattr(node, "handlers", []):
                if not collect_names(handler.body, names):
                    return False
    return True


def is_main_guard(test):
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and len(test.comparators) == 1 and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value == "__main__")


def check(folder, pairs):
    sys.path.insert(0, folder)
    for pair in pairs:
        module, _, function = pair.partition(":")
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            spec = None
        if spec is None:
            print("module %s" % module)
            continue
        names = top_level_names(spec.origin) if spec.origin and spec.origin.endswith(".py") else None
        if names is not None and function not in names:
            print("function %s %s %s" % (module, function, " ".join(sorted(n for n in names if not n.startswith("_")))))
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
    if len(argv) >= 2 and argv[0] == "check":
        return check(argv[1], argv[2:])
    if len(argv) == 5 and argv[0] == "run":
        return run(*argv[1:])
    print("usage: gecko_pygecko_bootstrap.py run FOLDER MODULE FUNCTION KWARGS_JSON | check FOLDER MODULE:FUNCTION...",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

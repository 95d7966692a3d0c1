#!/usr/bin/env bash
# Runs every Gecko test: installs what the tests need when it is missing, builds, tests, and ends with one line
# "N passed, N failed". Usage: ./test.sh [extra dotnet test arguments]
set -uo pipefail
cd "$(dirname "$0")"

# The Python interop tests use Debian's python3 with pyzmq and msgpack.
if ! /usr/bin/python3 -c 'import zmq, msgpack' 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test.sh: installing python3-zmq and python3-msgpack"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-zmq python3-msgpack >/dev/null
  fi
  if ! /usr/bin/python3 -c 'import zmq, msgpack' 2>/dev/null; then
    echo "test.sh: /usr/bin/python3 lacks zmq or msgpack; run: sudo apt-get install -y python3-zmq python3-msgpack" >&2
    echo "0 passed, 1 failed"
    exit 1
  fi
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

dotnet build Gecko.sln -nologo -v q -clp:ErrorsOnly
build=$?
if [ $build -ne 0 ]; then
  echo "test.sh: the build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

dotnet test Gecko.sln --no-build -nologo -v q --logger "trx" --results-directory "$results" "$@"
status=$?

# Add up the counters of every test project's TRX report.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters"); e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
done
# What each failed test said (its message and output), so a red run can be understood from its log alone.
if [ "${failed}" -gt 0 ]; then
  /usr/bin/python3 - "$results"/*.trx <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for path in sys.argv[1:]:
    for result in ET.parse(path).getroot().iterfind(".//t:UnitTestResult[@outcome='Failed']", ns):
        print(f"\n=== FAILED {result.get('testName')} ({result.get('duration')})")
        for tag in ("t:Output/t:ErrorInfo/t:Message", "t:Output/t:StdOut", "t:Output/t:ErrorInfo/t:StackTrace"):
            node = result.find(tag, ns)
            if node is not None and node.text:
                lines = node.text.strip().splitlines()
                print("\n".join(lines[-150:]))
PY
fi
if [ $status -ne 0 ] && [ $failed -eq 0 ]; then failed=1; fi
if [ $passed -eq 0 ] && [ $failed -eq 0 ]; then
  echo "test.sh: no test ran"
  failed=1
fi
if [ $skipped -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
[ $failed -eq 0 ]

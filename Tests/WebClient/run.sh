#!/usr/bin/env bash
# Runs the web client's browser test against a fresh im-server.
#   Tests/WebClient/run.sh [path/to/im-server]     (default: .build/debug/im-server)
# Starts the server on a free port of 127.0.0.1 with a temporary --data directory, waits for
# GET /health, runs test_web_chat.py, stops the server and exits with the test's exit code.
# Needs Debian's chromium and chromium-driver, and selenium from PyPI.
# IM_ARTIFACTS (optional) is where screenshots and the server's log go.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

server="${1:-.build/debug/im-server}"
if [[ ! -x "$server" ]]; then
  echo "run.sh: no executable im-server at $server" >&2
  exit 2
fi
server="$(cd "$(dirname "$server")" && pwd)/$(basename "$server")"

python="${PYTHON:-python3}"
data_dir="$(mktemp -d -t im-web-data-XXXXXX)"
export IM_ARTIFACTS="${IM_ARTIFACTS:-$(mktemp -d -t im-web-artifacts-XXXXXX)}"
mkdir -p "$IM_ARTIFACTS"
server_log="$IM_ARTIFACTS/server.log"
server_pid=""

cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$data_dir"
}
trap cleanup EXIT INT TERM

port="$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
url="http://127.0.0.1:$port"

echo "starting $server on $url (data: $data_dir, log: $server_log)"
# A small send bucket (2/s, burst 5) so that a burst typed in the test is refused in part and the
# client must honour retryAfter (lesson 12); a person typing never reaches it.
"$server" --host 127.0.0.1 --port "$port" --data "$data_dir" --send-rate 2 --send-burst 5 >"$server_log" 2>&1 &
server_pid=$!

healthy=""
for _ in $(seq 1 150); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "run.sh: im-server exited before it was healthy; its log:" >&2
    cat "$server_log" >&2 || true
    exit 1
  fi
  if "$python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/health", timeout=2).read()' "$url" 2>/dev/null; then
    healthy=yes
    break
  fi
  sleep 0.2
done
if [[ -z "$healthy" ]]; then
  echo "run.sh: im-server did not answer GET /health within 30 s; its log:" >&2
  tail -n 50 "$server_log" >&2 || true
  exit 1
fi

status=0
IM_SERVER_URL="$url" "$python" "$here/test_web_chat.py" || status=$?
if [[ $status -ne 0 ]]; then
  echo "--- last lines of the server log ($server_log) ---" >&2
  tail -n 40 "$server_log" >&2 || true
fi
exit "$status"

#!/usr/bin/env bash
# End-to-end smoke test of the two programs as a user runs them: `im-server --demo` as a real
# process on a free loopback port, driven by `im-client` as a script would.
#   Tests/CLI/smoke.sh [bin-dir]     (default: .build/debug)
# Ends with "N passed, M failed" and exits non-zero on any failure.
set -uo pipefail
bin="${1:-.build/debug}"
work="$(mktemp -d -t im-cli-XXXXXX)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

passed=0
failed=0
check() { # check NAME COMMAND... : the command must succeed
  local name="$1"; shift
  if "$@" >>"$work/log" 2>&1; then passed=$((passed + 1)); echo "ok   $name"
  else failed=$((failed + 1)); echo "FAIL $name"; tail -5 "$work/log"; fi
}

"$bin/im-server" --host 127.0.0.1 --port "$port" --data "$work/data" --demo --password-cost 4 >"$work/server.out" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do grep -q "IM server running" "$work/server.out" 2>/dev/null && break; sleep 0.1; done

export IM_SERVER="http://127.0.0.1:$port"
alice() { IM_CLIENT_SESSION="$work/alice.json" "$bin/im-client" "$@"; }
bob() { IM_CLIENT_SESSION="$work/bob.json" "$bin/im-client" "$@"; }

check "server prints its URL" grep -q "Open http://127.0.0.1:$port/" "$work/server.out"
check "the SQLite file is created under --data" test -f "$work/data/im.sqlite"
check "demo user alice logs in" alice login alice password123
check "demo user bob logs in" bob login bob password123
check "a wrong password is refused" bash -c "! IM_CLIENT_SESSION=$work/x.json $bin/im-client login alice wrong-password"
# bob follows over WebSocket while alice sends.
IM_CLIENT_SESSION="$work/bob.json" "$bin/im-client" follow alice --count 1 --json >"$work/follow.out" 2>&1 &
follow_pid=$!
sleep 1
check "alice sends to bob" alice send bob "hello from a script"
for _ in $(seq 1 50); do grep -q "hello from a script" "$work/follow.out" && break; sleep 0.1; done
check "bob's follow receives it live" grep -q '"body":"hello from a script"' "$work/follow.out"
kill "$follow_pid" 2>/dev/null
check "bob's contacts show one unread from alice" bash -c "IM_CLIENT_SESSION=$work/bob.json $bin/im-client contacts | grep -q 'alice (1 unread)'"
check "history shows the message" bash -c "IM_CLIENT_SESSION=$work/alice.json $bin/im-client history bob | grep -q 'me: hello from a script'"
check "the web client is served at /" python3 -c "import urllib.request,sys; sys.exit(0 if b'<html' in urllib.request.urlopen('$IM_SERVER/').read().lower() else 1)"

# Groups (lesson 20): carol is a demo user too.
carol() { IM_CLIENT_SESSION="$work/carol.json" "$bin/im-client" "$@"; }
check "demo user carol logs in" carol login carol password123
check "alice creates a group with bob and carol" alice group create team bob carol
IM_CLIENT_SESSION="$work/carol.json" "$bin/im-client" follow --count 1 --json >"$work/follow-group.out" 2>&1 &
follow_pid=$!
sleep 1
check "alice sends to the group" alice group send team "hello team"
for _ in $(seq 1 50); do grep -q "hello team" "$work/follow-group.out" && break; sleep 0.1; done
check "carol's follow receives the group message live" grep -q '"body":"hello team"' "$work/follow-group.out"
kill "$follow_pid" 2>/dev/null
check "bob's group list shows one unread" bash -c "IM_CLIENT_SESSION=$work/bob.json $bin/im-client group list | grep -q 'team (1 unread)'"
check "bob reads the group's history" bash -c "IM_CLIENT_SESSION=$work/bob.json $bin/im-client group history team | grep -q 'alice: hello team'"
check "bob marks the group read" bash -c "IM_CLIENT_SESSION=$work/bob.json $bin/im-client group read team | grep -q '0 unread'"
check "bob's unread is 0 after reading" bash -c "IM_CLIENT_SESSION=$work/bob.json $bin/im-client group list | grep -q ' team: '"
check "a member who is not an admin cannot remove anyone" bash -c "! IM_CLIENT_SESSION=$work/bob.json $bin/im-client group remove team carol"
check "carol leaves the group" carol group leave team
check "the group lists two members after carol left" bash -c "[ \$(IM_CLIENT_SESSION=$work/alice.json $bin/im-client group members team | wc -l) -eq 2 ]"

# Restart on the same data folder: the message is still there.
kill "$server_pid"; wait "$server_pid" 2>/dev/null
"$bin/im-server" --host 127.0.0.1 --port "$port" --data "$work/data" >"$work/server2.out" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do grep -q "IM server running" "$work/server2.out" 2>/dev/null && break; sleep 0.1; done
check "history survives a restart of the process" bash -c "IM_CLIENT_SESSION=$work/bob.json $bin/im-client history alice | grep -q 'hello from a script'"
check "logout revokes the session" bob logout

echo "smoke: $passed passed, $failed failed"
[[ $failed -eq 0 ]]

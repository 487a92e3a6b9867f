#!/bin/sh
# Smoke run of one release binary on the machine it is built for: it prints
# its version and target, serves a hub, and a node of its own votes on the
# hub's standing question (by majority: its vote decides) and waits for the decision.
#
#   sh .github/release-smoke.sh dist/consensus-linux-x64 x86_64-unknown-linux-gnu
set -eu
binary="$1"
target="$2"

version="$("$binary" --version)"
printf '%s\n' "$version"
printf '%s\n' "$version" | grep -qx "target $target" || {
  printf 'release-smoke: %s is not built for %s\n' "$binary" "$target" >&2
  exit 1
}

work="$(mktemp -d)"
hub=""
cleanup() {
  if [ -n "$hub" ]; then
    kill "$hub" 2>/dev/null || true
    wait "$hub" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$binary" serve --host 127.0.0.1 --port 0 --data :memory: --answer smoke --rule majority </dev/null \
  >"$work/hub.log" 2>&1 &
hub=$!
port=""
tries=0
while [ -z "$port" ]; do
  tries=$((tries + 1))
  if [ "$tries" -gt 100 ] || ! kill -0 "$hub" 2>/dev/null; then
    printf 'release-smoke: the hub did not start:\n' >&2
    cat "$work/hub.log" >&2
    exit 1
  fi
  sleep 0.1
  port="$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$work/hub.log" | head -n 1)"
done
"$binary" join "127.0.0.1:$port" --answer smoke --vote A --wait --timeout 30
printf 'release-smoke: %s served a hub and a node reached a decision on it\n' "$binary"

#!/usr/bin/env bash
# Start-up and shutdown of the default network as a user sees them, N times (default 3):
# `dotnet run --no-build --project AppHost` until it prints "N resources healthy in X s", then SIGTERM and the time
# until the AppHost, DCP, the dashboard and every service it started are gone. Build first: dotnet build AppHost.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
for i in $(seq 1 "$runs"); do
  log=$(mktemp)
  start=$(date +%s.%N)
  dotnet run --no-build --project AppHost -- --run-dir "$(mktemp -d)" >"$log" 2>&1 &
  runner=$!
  until grep -q "resources healthy in" "$log"; do
    sleep 0.1
    kill -0 "$runner" 2>/dev/null || { cat "$log"; exit 1; }
  done
  healthy=$(date +%s.%N)
  apphost=$(pgrep -f "AppHost/bin/.*/AppHost" -P "$runner" | head -1)
  # DCP detaches from the AppHost but names it with --monitor; DCP starts the dashboard and the services.
  dcp=$(pgrep -f -- "--monitor $apphost" | tr '\n' ' ')
  tree=$(for p in $dcp; do echo "$p"; pgrep -P "$p"; for c in $(pgrep -P "$p"); do pgrep -P "$c"; done; done | sort -u | tr '\n' ' ')
  sleep 2
  term=$(date +%s.%N)
  kill -TERM "$apphost"
  alive() { for p in "$apphost" $tree; do [ -d "/proc/$p" ] && ! grep -q '^State:.*Z' "/proc/$p/status" 2>/dev/null && return 0; done; return 1; }
  while alive; do sleep 0.05; done
  gone=$(date +%s.%N)
  printf 'run %d: healthy %.1f s after dotnet run (%s); all %d processes gone %.1f s after SIGTERM; load %s\n' \
    "$i" "$(echo "$healthy - $start" | bc)" "$(grep -o 'resources healthy in [0-9.]* s' "$log")" "$(echo $tree | wc -w)" \
    "$(echo "$gone - $term" | bc)" "$(cut -d' ' -f1 /proc/loadavg)"
  wait "$runner" 2>/dev/null || true
  rm -f "$log"
done

#!/usr/bin/env bash
# Everything the tests need beyond the .NET SDK, installed when missing. The test projects' build runs this
# (tests/Directory.Build.targets), so `dotnet test LivepeerAspire.sln` on a fresh clone sets itself up; it is quick
# when everything is present. Debian packages are installed only as root (as CI runs); otherwise it says what to run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

# Test projects build in parallel: one set-up at a time, the others find it done.
exec 9>"${TMPDIR:-/tmp}/livepeer-aspire-test-prerequisites.lock"
flock 9

# Debian packages: libsecp256k1 (the fast ticket signatures the benchmarks and vector tests check), chromium (the
# dashboard browser test), Node.js and npm (the official JavaScript clients), ffmpeg (ffprobe measures audio, as
# go-livepeer does; the tests also encode MP3, FLAC, Ogg and M4A with it), sox and postgresql (the gateway's usage
# database in the access-postgres network tests; the AppHost runs Debian's server from /usr/lib/postgresql).
need=()
ldconfig -p 2>/dev/null | grep -q 'libsecp256k1\.so\.1' || need+=(libsecp256k1-1)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
command -v sox >/dev/null 2>&1 || need+=(sox)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
# redis-server: the gateway replicas' shared state (scale-out topologies, the Redis unit tests); the AppHost runs it.
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
# podman and runc: the container runner path (issue 18). No Docker engine runs on these machines; podman needs no
# daemon, and Debian's default crun fails here on rlimits and hybrid cgroups, so runc it is.
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v runc >/dev/null 2>&1 || need+=(runc)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test prerequisites: installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "warning: the tests need these Debian packages: sudo apt-get install ${need[*]}" >&2
  fi
fi

# podman's engine settings (only written where none exist, never over an operator's file): runc as the runtime, and
# ulimits the container may have (podman's default nofile exceeds this machine's hard limit and every start fails).
if command -v podman >/dev/null 2>&1; then
  conf=/etc/containers/containers.conf
  if [ ! -f "$conf" ] && [ "$(id -u)" = 0 ]; then
    echo "test prerequisites: writing $conf (runtime runc, default ulimits)"
    mkdir -p /etc/containers
    printf '%s\n' '# Written by LivepeerAspire eng/test-prerequisites.sh.' '[containers]' \
      'default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]' '' '[engine]' 'runtime = "runc"' > "$conf"
  elif [ ! -f "$conf" ]; then
    echo "warning: podman needs $conf with [engine] runtime = \"runc\" and [containers] default_ulimits; see eng/test-prerequisites.sh" >&2
  fi
  # The local runner image (no registry is reachable): built once per change of its sources, a quick check otherwise.
  if ! "$root/eng/build-runner-image.sh" --engine podman >/dev/null; then
    echo "warning: the local runner image could not be built; the container tests will say so" >&2
  fi
fi

# The JavaScript clients the tests drive (@livepeer/ai, openai, ethers, @grpc/grpc-js …) and the dev chain (ganache,
# solc), each reinstalled when its lock file changes.
for js in "$root/tests/js" "$root/chain"; do
  if command -v npm >/dev/null 2>&1 && { [ ! -f "$js/node_modules/.package-lock.json" ] || [ "$js/package-lock.json" -nt "$js/node_modules/.package-lock.json" ]; }; then
    echo "test prerequisites: npm ci in ${js#"$root/"}"
    (cd "$js" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

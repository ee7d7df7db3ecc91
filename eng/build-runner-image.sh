#!/usr/bin/env bash
# Builds the local runner image, offline: Runner.Simulated in ai-runner mode (PIPELINE, MODEL_ID, PORT as the real
# livepeer/ai-runner image takes them), as an OCI image with no base image and no registry:
#   1. a self-contained `dotnet publish` of Runner.Simulated (linux-x64, invariant globalization: no ICU);
#   2. a root filesystem of that output plus the host libraries it loads (ldd of every native file, and OpenSSL,
#      which .NET opens with dlopen);
#   3. `podman import` of the root filesystem's tar with the entrypoint, port and environment.
# The tag is a hash of everything that goes in (the three projects' sources, the build files, this script), so a rerun
# with nothing changed only checks that the image exists (well under a second). The image is also tagged :latest.
# Usage: eng/build-runner-image.sh [--engine podman|docker]   (default: podman, else docker)
# Prints the image reference (localhost/livepeer-aspire/runner-simulated:<hash>) as its last line.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
name=localhost/livepeer-aspire/runner-simulated

engine=""
if [ "${1:-}" = "--engine" ]; then engine=$2; fi
if [ -z "$engine" ]; then
  if command -v podman >/dev/null 2>&1; then engine=podman; elif command -v docker >/dev/null 2>&1; then engine=docker; else
    echo "build-runner-image: neither podman nor docker is installed" >&2; exit 1
  fi
fi

# Concurrent callers (test projects building in parallel, a test fixture) build once; the others find the image.
exec 8>"${TMPDIR:-/tmp}/livepeer-aspire-runner-image.lock"
flock 8

inputs=(Runner.Simulated ServiceDefaults Protocol)
tag=$(cd "$root" && {
  find "${inputs[@]}" -type f -not -path '*/bin/*' -not -path '*/obj/*' -print0 | sort -z | xargs -0 sha256sum
  sha256sum Directory.Build.props Directory.Packages.props global.json eng/Service.props eng/build-runner-image.sh
} | sha256sum | cut -c1-16)
image="$name:$tag"

if "$engine" image exists "$image" 2>/dev/null || { [ "$engine" = docker ] && docker image inspect "$image" >/dev/null 2>&1; }; then
  "$engine" tag "$image" "$name:latest" >/dev/null
  echo "$image"
  exit 0
fi

work="$root/artifacts/runner-image"
rm -rf "$work"
mkdir -p "$work/src" "$work/rootfs/app" "$work/rootfs/tmp"
echo "build-runner-image: publishing Runner.Simulated (self-contained, linux-x64)" >&2
# A copy of the sources, so this publish never shares obj/ with a solution build running at the same time.
(cd "$root" && tar --exclude=bin --exclude=obj -cf - "${inputs[@]}" Directory.Build.props Directory.Packages.props global.json eng/Service.props) | tar -xf - -C "$work/src"
# Run from a test project's build (eng/test-prerequisites.sh), so: none of the outer MSBuild's variables, no build
# servers or reused nodes left holding the outer build's output pipes.
env -u MSBuildExtensionsPath -u MSBuildSDKsPath -u MSBUILD_EXE_PATH -u MSBuildLoadMicrosoftTargetsReadOnly -u MSBUILDNOINPROCNODE \
  DOTNET_CLI_USE_MSBUILD_SERVER=0 UseSharedCompilation=false \
  dotnet publish "$work/src/Runner.Simulated/Runner.Simulated.csproj" -c Release -r linux-x64 --self-contained true \
  -p:InvariantGlobalization=true -p:UseAppHost=true -p:DebugType=none -p:GenerateDocumentationFile=false \
  -o "$work/rootfs/app" -nologo -v quiet -nodeReuse:false --disable-build-servers >&2

# The host's shared libraries the runtime links (ldd of the app host and every native library published with it),
# plus OpenSSL, which System.Security.Cryptography.Native opens at run time.
libs=$( { ldd "$work/rootfs/app/Runner.Simulated"; find "$work/rootfs/app" -name '*.so*' -exec ldd {} \; ; } 2>/dev/null \
  | awk '/=> \// { print $3 } /^\t\/.*ld-linux/ { print $1 }' | sort -u)
for lib in libssl.so.3 libcrypto.so.3; do
  libs+=$'\n'$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64/ { print $NF; exit }')
done
for lib in $libs; do
  [ -n "$lib" ] || continue
  mkdir -p "$work/rootfs$(dirname "$lib")"
  cp -L "$lib" "$work/rootfs$lib"
done
# /lib64/ld-linux-x86-64.so.2 is what the ELF interpreter path names; Debian's /lib64 is a link into /usr/lib64.
if [ ! -e "$work/rootfs/lib64/ld-linux-x86-64.so.2" ]; then
  mkdir -p "$work/rootfs/lib64"
  cp -L /lib64/ld-linux-x86-64.so.2 "$work/rootfs/lib64/"
fi
chmod 1777 "$work/rootfs/tmp"

echo "build-runner-image: importing $image" >&2
tar -C "$work/rootfs" -cf - . | "$engine" import --quiet \
  --change 'ENTRYPOINT ["/app/Runner.Simulated"]' \
  --change 'WORKDIR /app' \
  --change 'EXPOSE 8000' \
  --change 'ENV PORT=8000' \
  --change 'ENV DOTNET_EnableDiagnostics=0' \
  --change 'ENV DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1' \
  --change "LABEL org.opencontainers.image.title=livepeer-aspire-runner-simulated org.opencontainers.image.revision=$tag" \
  - "$image" >/dev/null
"$engine" tag "$image" "$name:latest" >/dev/null
# Older tags of this image are replaced, not kept.
"$engine" images --format '{{.Repository}}:{{.Tag}}' | grep "^$name:" | grep -v -e ":$tag\$" -e ':latest$' | xargs -r "$engine" rmi >/dev/null 2>&1 || true
rm -rf "$work"
echo "$image"

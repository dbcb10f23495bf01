#!/usr/bin/env bash
# Makes the images the demo and the tests need, from local files only: no public registry is
# reachable here (see STACK.md). Prints nothing but errors; idempotent.
#   atoll/busybox:local  one layer: a static busybox with its applets linked
#   atoll/hello:local    busybox + the demo app (two layers)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
docker=${DOCKER:-docker}

if ! $docker image inspect atoll/busybox:local >/dev/null 2>&1; then
  busybox=$(command -v busybox || true)
  if [ -z "$busybox" ] || ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked'; then
    [ -x /bin/busybox ] && busybox=/bin/busybox
  fi
  if [ -z "$busybox" ]; then
    echo "build-images: busybox not found (Debian: apt-get install busybox-static)" >&2
    exit 1
  fi
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/www"
  cp "$busybox" "$root/bin/busybox"
  for applet in $("$root/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  echo 'root:x:0:0:root:/:/bin/sh' > "$root/etc/passwd"
  echo 'nobody:x:65534:65534:nobody:/:/bin/false' >> "$root/etc/passwd"
  tar -C "$root" -c . | $docker import -c 'CMD ["/bin/sh"]' - atoll/busybox:local >/dev/null
fi

# The legacy builder uses the local base image without asking any registry.
DOCKER_BUILDKIT=0 $docker build -q -t atoll/hello:local "$here/hello" >/dev/null 2>"$here/.build.log" || { cat "$here/.build.log" >&2; exit 1; }

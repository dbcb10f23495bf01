# Sourced by script/test and script/server: builds the images the tests start with Testcontainers
# and those build-service uses, from Debian's packages, since no public registry can be reached
# (STACK.md, "Debian-based images, offline").
#   atoll/postgres:15-local  Debian bookworm's postgresql-15 (script/lib/images/postgres)
#   atoll/slapd:local        Debian bookworm's slapd and ldap-utils (script/lib/images/slapd)
#   atoll/builder-java:local, atoll/base-java:local, atoll/base-static:local: see
#                            atoll_build_builder_images
# Each is two images: a root filesystem that mmdebstrap makes from the Debian archive apt's own
# sources name, built only when absent (20 to 40 s each, the slow part), and the rest as a layer
# on top, which the legacy builder rebuilds only when script/lib/images/<name> changed.
# Prints nothing but errors. Needs root (mmdebstrap's root mode) and a running engine.

atoll_build_test_images() {
  local contexts
  contexts="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/images"
  # JIT compiles nothing in a test (jit = off in the entrypoint), so its LLVM (130 MB) stays out;
  # PostgreSQL carries on without JIT when llvmjit cannot be loaded.
  atoll_debian_rootfs atoll/postgres-rootfs:15 postgresql-15 \
    --dpkgopt='path-exclude=/usr/lib/postgresql/*/lib/bitcode/*' \
    --dpkgopt='path-exclude=/usr/lib/x86_64-linux-gnu/libLLVM*' \
    --dpkgopt='path-exclude=/usr/lib/x86_64-linux-gnu/libz3*' \
    --customize-hook='rm -rf "$1"/var/lib/postgresql/15/main "$1"/etc/postgresql/15/main' || return 1
  atoll_debian_rootfs atoll/slapd-rootfs:local slapd,ldap-utils \
    --customize-hook='rm -rf "$1"/etc/ldap/slapd.d "$1"/var/lib/ldap' || return 1
  atoll_docker_build atoll/postgres:15-local "$contexts/postgres" || return 1
  atoll_docker_build atoll/slapd:local "$contexts/slapd"
}

# The images build-service needs (docs/build-service.md), made the same way:
#   atoll/builder-java:local  OpenJDK 17 JDK and Maven 3.8.7: build commands run in it
#   atoll/base-java:local     OpenJDK 17 JRE: the base of java apps
#   atoll/base-static:local   busybox httpd serving /srv/www: the base of static sites
# The bases reach build-service through Atoll's registry (atoll_push_base_images).
atoll_build_builder_images() {
  local here
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  # usr-is-merged instead of usrmerge, which needs perl (about 50 MB) only to merge /usr, done already
  # here. openjdk's postinst registers its man pages as alternatives and fails without man1.
  local -a java=(--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr
    --essential-hook='mkdir -p "$1"/usr/share/man/man1'
    # The class data archive for heaps of 32 GB and more, which turn compressed oops off.
    --dpkgopt='path-exclude=/usr/lib/jvm/*/lib/server/classes_nocoops.jsa')
  # jmods (75 MB) only feed jlink, which makes runtimes, not the jars build-service packages.
  atoll_debian_rootfs atoll/builder-java-rootfs:17 openjdk-17-jdk-headless,maven,ca-certificates-java \
    "${java[@]}" --dpkgopt='path-exclude=/usr/lib/jvm/*/jmods/*' || return 1
  # ct.sym is javac's table of older releases' APIs (--release), no use to a running app.
  atoll_debian_rootfs atoll/base-java-rootfs:17 openjdk-17-jre-headless \
    "${java[@]}" --dpkgopt='path-exclude=/usr/lib/jvm/*/lib/ct.sym' || return 1
  atoll_docker_build_with_local_cas atoll/builder-java:local "$here/images/builder-java" || return 1
  atoll_docker_build_with_local_cas atoll/base-java:local "$here/images/base-java" || return 1
  if ! docker image inspect atoll/busybox:local >/dev/null 2>&1; then
    "$here/../../demo/build-images.sh" || return 1
  fi
  atoll_docker_build atoll/base-static:local "$here/images/base-static"
}

# The Java images trust what this host trusts beyond Debian's list: the certificates an admin
# added under /usr/local/share/ca-certificates (a company's proxy or repository manager, or a
# sandbox's egress proxy). Without them a build's Maven cannot reach a repository through such a
# proxy (PKIX path building failed), though the host's own Maven can.
atoll_docker_build_with_local_cas() { # tag context
  local context status=0
  context=$(mktemp -d)
  cp -a "$2"/. "$context"/
  mkdir -p "$context/local-ca"
  cp /usr/local/share/ca-certificates/*.crt "$context/local-ca/" 2>/dev/null || true
  atoll_docker_build "$1" "$context" || status=1
  rm -rf "$context"
  return $status
}

# Copies the base images into Atoll's registry at $1 (host:port, plain HTTP) as the repositories
# build-service's atoll.build.builder.base-java and base-static name by default. Skipped when the
# registry's image has this engine's image's config already: reading a 300 MB image out of the
# engine takes seconds, asking the registry for one small blob does not.
atoll_push_base_images() { # registry
  local registry=$1 pair source target local_id remote_id log
  log=$(mktemp)
  for pair in atoll/base-java:local=atoll/base-java:17 atoll/base-static:local=atoll/base-static:1; do
    source=${pair%%=*} target=$registry/${pair#*=}
    local_id=$(docker image inspect -f '{{.Id}}' "$source") || { rm -f "$log"; return 1; }
    # The engine's image id is the digest of its config, which skopeo copies unchanged.
    # Absent from the registry (the first time) is no error: script/server runs under set -e and pipefail.
    # (a file, not $(...): the digest is of the config's exact bytes, trailing newline included)
    if skopeo inspect --tls-verify=false --config --raw "docker://$target" >"$log.config" 2>/dev/null; then
      remote_id=sha256:$(sha256sum <"$log.config" | cut -d' ' -f1)
      rm -f "$log.config"
      [ "$remote_id" = "$local_id" ] && continue
    fi
    rm -f "$log.config"
    if ! skopeo copy -q --dest-tls-verify=false "docker-daemon:$source" "docker://$target" >"$log" 2>&1; then
      echo "images: copying $source to $target failed:" >&2
      cat "$log" >&2
      rm -f "$log"
      return 1
    fi
  done
  rm -f "$log"
}

# The archive lines for bookworm (the release that has postgresql-15), on the mirrors apt's
# sources name for this host's release and for its security updates.
atoll_debian_sources() {
  local codename archive security
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  # Both formats: one-line "deb [options] URI SUITE COMPONENTS" and deb822 stanzas.
  local pairs
  pairs=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '
    function flush(  i, j, u, s, nu, ns) {
      if (types ~ /(^| )deb( |$)/ && enabled != "no") {
        nu = split(uris, u, " "); ns = split(suites, s, " ")
        for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++) print u[i], s[j]
      }
      types = uris = suites = ""; enabled = ""
    }
    /^[ \t]*#/ { next }
    /^deb[ \t]/ { sub(/\[[^]]*\][ \t]*/, ""); print $2, $3; next }
    /^Types:/ { types = substr($0, 7) }
    /^URIs:/ { uris = substr($0, 6) }
    /^Suites:/ { suites = substr($0, 8) }
    /^Enabled:/ { enabled = tolower($2) }
    /^[ \t]*$/ { flush() }
    END { flush() }')
  archive=$(awk -v s="$codename" '$2 == s { print $1; exit }' <<<"$pairs")
  security=$(awk -v s="$codename-security" '$2 == s { print $1; exit }' <<<"$pairs")
  if [ -z "$codename" ] || [ -z "$archive" ]; then
    echo "images: no Debian archive for '$codename' in apt's sources" >&2
    return 1
  fi
  echo "deb $archive bookworm main"
  echo "deb $archive bookworm-updates main"
  [ -z "$security" ] || echo "deb $security bookworm-security main"
}

atoll_debian_rootfs() { # tag packages [mmdebstrap options...]
  local tag=$1 packages=$2
  shift 2
  docker image inspect "$tag" >/dev/null 2>&1 && return 0
  local work sources status=0
  sources=$(atoll_debian_sources) || return 1
  work=$(mktemp -d)
  local -a mirrors
  mapfile -t mirrors <<<"$sources"
  if ! mmdebstrap --variant=minbase --include="$packages" \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    "$@" bookworm "$work/rootfs.tar" "${mirrors[@]}" >"$work/log" 2>&1; then
    echo "images: mmdebstrap failed for $tag:" >&2
    cat "$work/log" >&2
    status=1
  # Imported only once whole: a tag is what says "built" to the next run.
  elif ! docker import "$work/rootfs.tar" "$tag" >/dev/null; then
    status=1
  fi
  rm -rf "$work"
  return $status
}

atoll_docker_build() { # tag context
  local log
  log=$(mktemp)
  # The legacy builder uses the local base image without asking any registry.
  if ! DOCKER_BUILDKIT=0 docker build -q -t "$1" "$2" >/dev/null 2>"$log"; then
    echo "images: building $1 failed:" >&2
    cat "$log" >&2
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
}

# Sourced by script/server and script/test: makes sure what Atoll's tests and demo need is on
# this machine, a running Docker engine above all. Installs Debian packages only as root.

atoll_log() { echo "==> $*" >&2; }

atoll_apt_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "missing: $* (install it; this script installs it only as root on Debian)" >&2
    return 1
  fi
  atoll_log "installing Debian packages: $*"
  if [ -z "${ATOLL_APT_UPDATED:-}" ]; then
    apt-get update -qq >/dev/null
    ATOLL_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

atoll_ensure_packages() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  [ -x /bin/busybox ] && file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' || missing+=(busybox-static)
  command -v skopeo >/dev/null || missing+=(skopeo)
  command -v file >/dev/null || missing+=(file)
  # script/lib/images.sh bootstraps the PostgreSQL and slapd test images with it.
  command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
  # The dashboard's screenshot test drives Debian's chromium through chromedriver.
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  if [ ${#missing[@]} -gt 0 ]; then
    atoll_apt_install "${missing[@]}"
  fi
}

atoll_ensure_docker() {
  if docker info >/dev/null 2>&1; then
    return 0
  fi
  if ! command -v dockerd >/dev/null; then
    atoll_apt_install docker.io
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "the Docker engine is not running and only root can start dockerd here" >&2
    return 1
  fi
  atoll_log "starting dockerd (log: /tmp/atoll-dockerd.log)"
  # its own session: the engine outlives whatever started it (a job runner that kills the
  # starter's process group when it ends took the engine down with it), and without the
  # starter's open descriptors: a build lock it holds (flock /tmp/mvn.lock script/test) would
  # otherwise stay held by dockerd for good, blocking every later build on the machine
  setsid nohup bash -c 'for fd in /proc/$$/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done; exec dockerd' \
    >/tmp/atoll-dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "dockerd did not come up; see /tmp/atoll-dockerd.log" >&2
  return 1
}

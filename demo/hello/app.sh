#!/bin/sh
# The demo app: answers / with the name of the instance that served it, and /healthz.
# It writes only under /tmp, so it also runs on a read-only root filesystem.
set -e
www=/tmp/www
mkdir -p "$www"
echo "hello from ${ATOLL_INSTANCE:-$(hostname)} (app ${ATOLL_APP:-none}, release ${ATOLL_RELEASE:-none}, zone ${ATOLL_ZONE:-none})" > "$www/index.html"
echo ok > "$www/healthz"
exec httpd -f -p "${PORT:-8080}" -h "$www"

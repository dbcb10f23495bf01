#!/bin/sh
# atoll/base-static: serves /srv/www with busybox httpd on $PORT (the platform gives every
# instance one; 8080 without), in the foreground, with what it prints going to stdout.
#   -c /etc/httpd.conf  the MIME types busybox does not know; naming it also keeps httpd from
#                       reading a httpd.conf at the site's root as its configuration (it
#                       refuses to serve files of that name, in any directory)
#   ACCESS_LOG=1        (the app's env) logs each request's path and status, two lines each. Off
#                       by default: the node agent probes /healthz every second per instance,
#                       and busybox httpd cannot leave those requests out.
set -u
verbose=
[ "${ACCESS_LOG:-}" = 1 ] && verbose=-vv
# Not exec: httpd as PID 1 has no SIGTERM handler, and the kernel drops such signals for PID 1,
# so a plain `docker stop` would wait out its timeout. This shell turns TERM into an exit, which
# ends httpd with the container (under the node agent's --init, the same).
trap 'exit 0' TERM INT
httpd -f $verbose -p "${PORT:-8080}" -h /srv/www -c /etc/httpd.conf 2>&1 &
wait $!

#!/bin/sh
# A PostgreSQL server for tests: makes a cluster in $PGDATA when it has none (superuser
# POSTGRES_USER with POSTGRES_PASSWORD, a database POSTGRES_DB), then runs postgres in the
# foreground as the postgres user, on 0.0.0.0:5432, password (SCRAM) auth over TCP.
set -eu
: "${POSTGRES_USER:=atoll}" "${POSTGRES_PASSWORD:=atoll}" "${POSTGRES_DB:=atoll}"
: "${PGDATA:=/var/lib/postgresql/data}"

as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

mkdir -p "$PGDATA" /run/postgresql
chown postgres:postgres "$PGDATA" /run/postgresql
chmod 700 "$PGDATA"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  chown postgres "$pwfile"
  # The C collation orders text by code point, as H2 does: a test sees the same order on both.
  as_postgres initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
    --auth-host=scram-sha-256 --auth-local=trust >/dev/null
  rm -f "$pwfile"
  printf 'host all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
  cat >>"$PGDATA/postgresql.conf" <<'CONF'
listen_addresses = '*'
unix_socket_directories = '/run/postgresql'
# Test data only: a crash may lose or corrupt it, and nothing here survives the container anyway,
# so durability is traded for speed.
fsync = off
synchronous_commit = off
full_page_writes = off
# The image leaves LLVM out (script/lib/images.sh).
jit = off
CONF
  if [ "$POSTGRES_DB" != postgres ]; then
    echo "CREATE DATABASE \"$POSTGRES_DB\" OWNER \"$POSTGRES_USER\"" |
      as_postgres postgres --single -D "$PGDATA" postgres >/dev/null
  fi
fi

exec setpriv --reuid=postgres --regid=postgres --init-groups postgres -D "$PGDATA"

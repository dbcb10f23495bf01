#!/bin/sh
# An OpenLDAP slapd for tests, configured afresh at every start: cn=config for the suffix
# LDAP_BASE_DN (rootdn cn=admin,<suffix>, password LDAP_ADMIN_PASSWORD), one mdb database, the
# cosine, inetorgperson and nis schemas; then every /ldif/*.ldif (in name order) is loaded with
# slapadd, after the suffix's entry, ou=people and ou=groups, which are added here unless an
# LDIF has the suffix's entry (then it has all it needs). slapd then serves ldap:/// (port
# 389) in the foreground.
set -eu
: "${LDAP_BASE_DN:=dc=atoll,dc=test}" "${LDAP_ADMIN_PASSWORD:=admin}"
config=/etc/ldap/slapd.d
data=/var/lib/ldap
work=$(mktemp -d)

rm -rf "$config" "$data"
mkdir -p "$config" "$data" /run/slapd

(umask 077 && printf '%s' "$LDAP_ADMIN_PASSWORD" >"$work/pw")
rootpw=$(slappasswd -T "$work/pw")
cat >"$work/config.ldif" <<LDIF
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: /run/slapd/slapd.pid
olcArgsFile: /run/slapd/slapd.args
olcLogLevel: none

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file:///etc/ldap/schema/core.ldif
include: file:///etc/ldap/schema/cosine.ldif
include: file:///etc/ldap/schema/nis.ldif
include: file:///etc/ldap/schema/inetorgperson.ldif

dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcAccess: {0}to * by * none

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcDbDirectory: $data
olcSuffix: $LDAP_BASE_DN
olcRootDN: cn=admin,$LDAP_BASE_DN
olcRootPW: $rootpw
olcDbIndex: objectClass eq
olcDbIndex: uid,cn eq
olcDbIndex: member eq
# Passwords serve binds only; everything else is readable, as a directory's users and groups
# usually are to the services that look them up.
olcAccess: {0}to attrs=userPassword by self write by anonymous auth by * none
olcAccess: {1}to * by * read
LDIF
slapadd -n 0 -F "$config" -l "$work/config.ldif" >/dev/null

has_entry() { # dn: does an LDIF in /ldif hold it?
  for f in /ldif/*.ldif; do
    if [ -f "$f" ] && grep -qix "dn: *$1 *" "$f"; then return 0; fi
  done
  return 1
}
rdn=${LDAP_BASE_DN%%,*}
value=${rdn#*=}
{
  # An LDIF that has the suffix's entry has the entries under it too, in its own order.
  if ! has_entry "$LDAP_BASE_DN"; then
    echo "dn: $LDAP_BASE_DN"
    case $rdn in
      dc=* | DC=*) printf 'objectClass: dcObject\nobjectClass: organization\ndc: %s\no: %s\n' "$value" "$value" ;;
      o=* | O=*) printf 'objectClass: organization\no: %s\n' "$value" ;;
      *) printf 'objectClass: organizationalUnit\nou: %s\n' "$value" ;;
    esac
    echo
    for ou in people groups; do
      has_entry "ou=$ou,$LDAP_BASE_DN" || printf 'dn: ou=%s,%s\nobjectClass: organizationalUnit\nou: %s\n\n' "$ou" "$LDAP_BASE_DN" "$ou"
    done
  fi
} >"$work/base.ldif"
if [ -s "$work/base.ldif" ]; then slapadd -F "$config" -b "$LDAP_BASE_DN" -l "$work/base.ldif" >/dev/null; fi
for f in /ldif/*.ldif; do
  if [ -f "$f" ]; then slapadd -F "$config" -b "$LDAP_BASE_DN" -l "$f" >/dev/null; fi
done
rm -rf "$work"

chown -R openldap:openldap "$config" "$data" /run/slapd
exec slapd -u openldap -g openldap -F "$config" -h ldap:/// -d 0

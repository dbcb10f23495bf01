# The Docker case of bench/gateway/run (`bench/gateway/run docker`, issue 14 item 6), sourced by
# it once ZooKeeper is up: the gateway in front of an nginx that runs in a real container, reached
#   proxy   at 127.0.0.1 and the published port: through Docker's userland docker-proxy, which is
#           what the gateway used before (and still uses with atoll.agent.instance-address=published-port)
#   dnat    at this host's own non-loopback address and the published port: iptables DNAT only,
#           the path every address takes on an engine run with --userland-proxy=false
#   bridge  at the container's address on its bridge and the container port: what the node agent
#           now publishes when the gateway shares its host (atoll.agent.instance-address=auto)
# each with a keep-alive nginx and one that closes every connection. One engine, the one already
# running, with its own flags: dockerd is never restarted. Two containers and their docker-proxy
# processes are this script's own and are removed on exit.
#
# The image is Debian bookworm's nginx-light, made by run before it takes the lock
# (script/lib/images.sh, no registry). Pinning as in the other cases: the containers' nginx, the
# docker-proxy processes and the gateway on CPU 0; wrk on CPU 1.

DOCKER_IMAGE=atoll/bench-nginx:local
PATHS=(proxy dnat bridge)
DKINDS=(keepalive close)
DOCKER_TSV=$OUT/docker.tsv
DOCKER_CONTAINERS=()
docker_cleanup() {
    ((${#DOCKER_CONTAINERS[@]})) && docker rm -f "${DOCKER_CONTAINERS[@]}" >/dev/null 2>&1
    cleanup
}
trap docker_cleanup EXIT

# The host's first non-loopback IPv4 address: a published port there is DNATed, never proxied.
HOST_IP=$(ip -4 -o addr show scope global | awk '{ split($4, a, "/"); print a[1]; exit }')
[[ -n $HOST_IP ]] || { echo "no non-loopback IPv4 address on this host" >&2; exit 1; }

mkdir -p "$WORK/docker"
for kind in "${DKINDS[@]}"; do
    keepalive=$([[ $kind == keepalive ]] && echo 60s || echo 0)
    cat >"$WORK/docker/$kind.conf" <<EOF
daemon off; worker_processes 1; pid /tmp/nginx.pid; error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off; keepalive_requests 1000000; keepalive_timeout $keepalive;
  client_body_temp_path /tmp; proxy_temp_path /tmp; fastcgi_temp_path /tmp; uwsgi_temp_path /tmp; scgi_temp_path /tmp;
  server { listen 80; location / { default_type text/plain; return 200 "hello from the backend\n"; } }
}
EOF
    name=atoll-bench-$kind-$$
    # Published on loopback (docker-proxy) and on the host's address (DNAT), as two host ports.
    docker run -d --name "$name" --label io.atoll.bench=gateway --cpuset-cpus "$SERVER_CPU" \
        -p 127.0.0.1::80 -p "$HOST_IP"::80 -v "$WORK/docker/$kind.conf:/etc/nginx/bench.conf:ro" \
        "$DOCKER_IMAGE" nginx -c /etc/nginx/bench.conf >/dev/null
    DOCKER_CONTAINERS+=("$name")
    proxy_port=$(docker port "$name" 80/tcp | awk -F: '$1 == "127.0.0.1" { print $NF; exit }')
    dnat_port=$(docker port "$name" 80/tcp | awk -F: -v ip="$HOST_IP" '$1 == ip { print $NF; exit }')
    bridge_ip=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$name")
    declare "ADDR_proxy_$kind=127.0.0.1:$proxy_port" "ADDR_dnat_$kind=$HOST_IP:$dnat_port" "ADDR_bridge_$kind=$bridge_ip:80"
    # docker-proxy is started by dockerd, unpinned: put it with the other servers.
    proxies=$(pgrep -f "docker-proxy .*-host-ip 127.0.0.1 -host-port $proxy_port " || true)
    [[ -n $proxies ]] || { echo "no docker-proxy for 127.0.0.1:$proxy_port: is this engine run with --userland-proxy=false?" >&2; exit 1; }
    for pid in $proxies; do taskset -pc "$SERVER_CPU" "$pid" >/dev/null; done
done

# app-20.. in the gateway's table: one app per path and kind.
declare -A DHOST
n=20
for kind in "${DKINDS[@]}"; do
    for path in "${PATHS[@]}"; do
        var=ADDR_${path}_$kind
        on_client java -cp "$FIXTURE_CP" "$HERE/ZkFixture.java" write "127.0.0.1:$ZK_PORT" "$n" 1 "${!var}" >/dev/null
        DHOST[$path-$kind]=app-$n.localhost
        wait_http "http://${!var}/"
        echo "   $kind backend via $path: ${!var} (app-$n.localhost)"
        n=$((n + 1))
    done
done

printf 'case\tbackend\tpath\tround\treq_per_s\tp99_ms\terrors\n' >"$DOCKER_TSV"
row() { # case kind path round url host out
    local rps p99 errors
    on_client timeout $((WARMUP + 10)) wrk -t2 -c64 -d"${WARMUP}s" -H "Host: $6" "$5" >/dev/null
    on_client timeout $((DURATION + 15)) wrk -t2 -c64 -d"${DURATION}s" --latency -H "Host: $6" "$5" >"$7"
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$7")
    p99=$(awk '$1=="99%" {print $2}' "$7" | to_ms)
    errors=$(awk '/Non-2xx|Socket errors/ {print}' "$7" | tr '\n' ' ')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$rps" "$p99" "${errors:-none}" >>"$DOCKER_TSV"
    printf '   %-8s %-9s via %-6s round %s %10s req/s  p99 %8s ms  %s\n' "$1" "$2" "$3" "$4" "$rps" "$p99" "${errors:-}"
}

echo "== wrk straight to the container, each path (no gateway)"
for kind in "${DKINDS[@]}"; do
    for path in "${PATHS[@]}"; do
        var=ADDR_${path}_$kind
        row direct "$kind" "$path" 1 "http://${!var}/" localhost "$OUT/direct-$kind-$path.txt"
    done
done

start_gateway gateway
wait_ready
echo "== gateway JIT warm-up, each backend kind (until C2 is idle, at most ${JIT_WARMUP_MAX}s)"
for kind in "${DKINDS[@]}"; do jit_warmup "${DHOST[bridge-$kind]}"; done
echo "== gateway, $ROUNDS rounds; each path in turn, the order rotating between rounds"
for round in $(seq "$ROUNDS"); do
    order=("${PATHS[@]:$(((round - 1) % 3))}" "${PATHS[@]:0:$(((round - 1) % 3))}")
    for kind in "${DKINDS[@]}"; do
        for path in "${order[@]}"; do
            row gateway "$kind" "$path" "$round" "http://127.0.0.1:$GW_PORT/" "${DHOST[$path-$kind]}" \
                "$OUT/gateway-$kind-$path-$round.txt"
        done
    done
done
stop_gateway

python3 - "$DOCKER_TSV" "$ROUNDS" "$(docker version -f '{{.Server.Version}}')" >"$OUT/summary.md" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
rounds, engine = sys.argv[2], sys.argv[3]
def rps(case, kind, path):
    return statistics.median(float(r["req_per_s"]) for r in rows if (r["case"], r["backend"], r["path"]) == (case, kind, path))
def rounds_of(kind, path):
    return ", ".join(f'{float(r["req_per_s"]):,.0f}' for r in rows if (r["case"], r["backend"], r["path"]) == ("gateway", kind, path))
print(f"Docker {engine}, userland proxy on (this engine's default); gateway figures: median of {rounds} rounds\n")
print("| backend | path | gateway req/s (rounds) | **gateway / via docker-proxy** | wrk straight to it, req/s | straight / via docker-proxy |")
print("|---|---|---:|---:|---:|---:|")
for kind in ("keepalive", "close"):
    for path in ("proxy", "dnat", "bridge"):
        g, d = rps("gateway", kind, path), rps("direct", kind, path)
        print(f"| {kind} | {path} | {g:,.0f} ({rounds_of(kind, path)}) | **{g / rps('gateway', kind, 'proxy'):.2f}x** "
              f"| {d:,.0f} | {d / rps('direct', kind, 'proxy'):.2f}x |")
print("\nproxy = 127.0.0.1:published port (docker-proxy); dnat = host address:published port (iptables only, "
      "as with --userland-proxy=false); bridge = container address:80 (what the node agent publishes by default now)")
PY
echo
cat "$OUT/summary.md"
echo
echo "raw results in $OUT"

# The cold case of bench/gateway/run (`bench/gateway/run cold`), sourced by it once the
# backends, nginx and ZooKeeper are up: a gateway from its first second (issue 14 item 4).
# app-0.localhost routes to the keep-alive nginx, app-1.localhost to the one that closes every
# connection.

COLD=$OUT/cold.tsv
printf 'warmup\tbackend\tround\treq_per_s\tp99_ms\tready_s\twarmup_ms\terrors\n' >"$COLD"
KINDS=(keepalive close)
host_of() { [[ $1 == keepalive ]] && echo app-0.localhost || echo app-1.localhost; }

load_once() { # seconds host out-file [url] — one wrk run; prints req/s, p99 ms and errors
    on_client timeout $(($1 + 15)) wrk -t2 -c64 -d"$1s" --latency -H "Host: $2" "${4:-http://127.0.0.1:$GW_PORT/}" >"$3"
    local rps p99 errors
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$3")
    p99=$(awk '$1=="99%" {print $2}' "$3" | to_ms)
    errors=$(awk '/Non-2xx|Socket errors/ {print}' "$3" | tr '\n' ' ')
    printf '%s\t%s\t%s\n' "$rps" "$p99" "${errors:-none}"
}

warmup_ms() {
    curl -s "http://127.0.0.1:$GW_MGMT_PORT/actuator/health" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["components"]["warmup"]["details"].get("tookMillis", 0))'
}

echo "== cold: $ROUNDS rounds; each a fresh gateway per warm-up setting and backend kind, first ${COLD_SECONDS}s of load"
for round in $(seq "$ROUNDS"); do
    # Alternate the order, so that neither setting always runs on a machine just left by the other.
    if ((round % 2)); then settings=(off on); else settings=(on off); fi
    for setting in "${settings[@]}"; do
        for kind in "${KINDS[@]}"; do
            enabled=$([[ $setting == on ]] && echo true || echo false)
            started=$(date +%s.%N)
            start_gateway "cold-$setting-$kind-$round" --atoll.gateway.warmup.enabled=$enabled
            wait_ready
            ready=$(echo "$(date +%s.%N) - $started" | bc)
            wms=$(warmup_ms)
            IFS=$'\t' read -r rps p99 errors < <(load_once "$COLD_SECONDS" "$(host_of "$kind")" "$OUT/cold-$setting-$kind-$round.txt")
            stop_gateway
            printf '%s\t%s\t%s\t%s\t%s\t%.1f\t%s\t%s\n' "$setting" "$kind" "$round" "$rps" "$p99" "$ready" "$wms" "$errors" >>"$COLD"
            printf '   round %s, warm-up %-3s %-9s %10s req/s  p99 %8s ms  ready after %5.1f s (warm-up %s ms) %s\n' \
                "$round" "$setting" "$kind" "$rps" "$p99" "$ready" "$wms" "${errors/none/}"
        done
    done
done

SETTLED=$OUT/settled.tsv
printf 'case\tbackend\treq_per_s\tp99_ms\terrors\n' >"$SETTLED"
for setting in off on; do
    echo "== settled, warm-up $setting: one gateway loaded until C2 is idle (at most ${JIT_WARMUP_MAX}s per backend kind)"
    start_gateway "settled-$setting" --atoll.gateway.warmup.enabled=$([[ $setting == on ]] && echo true || echo false)
    wait_ready
    for kind in "${KINDS[@]}"; do jit_warmup "$(host_of "$kind")"; done
    for kind in "${KINDS[@]}"; do
        IFS=$'\t' read -r rps p99 errors < <(load_once "$COLD_SECONDS" "$(host_of "$kind")" "$OUT/settled-$setting-$kind.txt")
        printf 'gateway-warmup-%s\t%s\t%s\t%s\t%s\n' "$setting" "$kind" "$rps" "$p99" "$errors" >>"$SETTLED"
        printf '   settled, warm-up %-3s %-9s %10s req/s  p99 %8s ms\n' "$setting" "$kind" "$rps" "$p99"
    done
    stop_gateway
done
for kind in "${KINDS[@]}"; do
    port=$([[ $kind == keepalive ]] && echo "$NGINX_PORT" || echo "$NGINX_CLOSE_PORT")
    on_client timeout $((WARMUP + 10)) wrk -t2 -c64 -d"${WARMUP}s" "http://127.0.0.1:$port/" >/dev/null
    IFS=$'\t' read -r rps p99 errors < <(load_once "$COLD_SECONDS" localhost "$OUT/nginx-$kind.txt" "http://127.0.0.1:$port/")
    printf 'nginx\t%s\t%s\t%s\t%s\n' "$kind" "$rps" "$p99" "$errors" >>"$SETTLED"
    printf '   nginx %-9s %10s req/s  p99 %8s ms\n' "$kind" "$rps" "$p99"
done

python3 - "$COLD" "$SETTLED" "$ROUNDS" "$COLD_SECONDS" "$GATEWAY_JAVA_OPTS $GATEWAY_ARGS" >"$OUT/summary.md" <<'PY'
import csv, statistics, sys
cold = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
settled = {(r["case"], r["backend"]): float(r["req_per_s"]) for r in csv.DictReader(open(sys.argv[2]), delimiter="\t")}
rounds, seconds, config = sys.argv[3], sys.argv[4], sys.argv[5].strip() or "defaults"
print(f"gateway config: {config}; {rounds} rounds; cold = the first {seconds} s of load after readiness UP, median of the rounds\n")
print("| backend | warm-up | cold req/s (rounds) | settled req/s | nginx req/s | cold / settled | cold / nginx | settled / nginx | ready after s | warm-up s |")
print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
for kind in ("keepalive", "close"):
    nginx = settled[("nginx", kind)]
    for setting in ("off", "on"):
        rows = [r for r in cold if r["backend"] == kind and r["warmup"] == setting]
        rps = [float(r["req_per_s"]) for r in rows]
        med = statistics.median(rps)
        s = settled[(f"gateway-warmup-{setting}", kind)]
        ready = statistics.median(float(r["ready_s"]) for r in rows)
        wu = statistics.median(float(r["warmup_ms"]) for r in rows) / 1000
        print(f"| {kind} | {setting} | {med:,.0f} ({', '.join(f'{x:,.0f}' for x in rps)}) | {s:,.0f} | {nginx:,.0f} "
              f"| **{med / s:.2f}x** | {med / nginx:.2f}x | {s / nginx:.2f}x | {ready:.1f} | {wu:.1f} |")
print("\nissue 14 acceptance: cold first 10 s >= 0.9x settled, with either backend kind")
PY
echo
cat "$OUT/summary.md"
echo
echo "raw results in $OUT"

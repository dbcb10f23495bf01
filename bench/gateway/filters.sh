# The filtered-route case of bench/gateway/run (`bench/gateway/run filters`, issue 14 item 3),
# sourced by it once the backends and ZooKeeper are up: a route with one Spring Cloud Gateway
# filter through Atoll's gateway (SCG's filter chain run in-process from the Netty proxy) against
# stock Spring Cloud Gateway (bench/gateway/scg, SCG's defaults) with the same filter and route,
# both in front of the same keep-alive nginx, both JVMs up side by side on CPU 0.
#
# Both JVMs are warmed the same way: alternately loaded in 10 s rounds until each one's C2
# compiler is idle (at most JIT_WARMUP_MAX s each), then ROUNDS rounds of DURATION s each,
# alternating which one goes first. Reported: req/s, p99, and the ratio Atoll / SCG per round.

FILTER=${FILTER:-AddResponseHeader=X-Bench, 1}
SCG_PORT=18090 SCG_MGMT_PORT=18091
SCG_JAR=$HERE/scg/target/scg-peer.jar
FILTERS=$OUT/filters.tsv
printf 'round\tgateway\treq_per_s\tp99_ms\terrors\n' >"$FILTERS"

on_client java -cp "$FIXTURE_CP" "$HERE/FilteredApp.java" "127.0.0.1:$ZK_PORT" filtered filtered.localhost \
    "127.0.0.1:$BACKEND_PORT" "$FILTER"
start_gateway filters-atoll
ATOLL_PID=$GW_PID
# shellcheck disable=SC2086
taskset -c "$SERVER_CPU" "$GATEWAY_JAVA" $GATEWAY_JAVA_OPTS -jar "$SCG_JAR" --server.port=$SCG_PORT \
    --bench.backend=http://127.0.0.1:$BACKEND_PORT "--bench.filter=$FILTER" >"$OUT/filters-scg.log" 2>&1 & SCG_PID=$!
PIDS+=($SCG_PID)
wait_ready
wait_http "http://127.0.0.1:$GW_PORT/" filtered.localhost
wait_http "http://127.0.0.1:$SCG_PORT/" filtered.localhost
for url in "http://127.0.0.1:$GW_PORT/" "http://127.0.0.1:$SCG_PORT/"; do
    curl -s -D - -o /dev/null -H 'Host: filtered.localhost' "$url" | grep -qi '^x-bench: 1' \
        || { echo "no X-Bench header from $url: the filter is not applied" >&2; exit 1; }
done

url_of() { [[ $1 == atoll ]] && echo "http://127.0.0.1:$GW_PORT/" || echo "http://127.0.0.1:$SCG_PORT/"; }
pid_of() { [[ $1 == atoll ]] && echo "$ATOLL_PID" || echo "$SCG_PID"; }

echo "== filters: JIT warm-up of both JVMs, alternately, until each one's C2 is idle (at most ${JIT_WARMUP_MAX}s each)"
declare -A settled=([atoll]=0 [scg]=0) waited=([atoll]=0 [scg]=0) c2=([atoll]=0 [scg]=0)
for name in atoll scg; do GW_PID=$(pid_of $name) c2[$name]=$(c2_cpu_ms); done
while (( ! settled[atoll] || ! settled[scg] )); do
    for name in atoll scg; do
        (( settled[$name] )) && continue
        on_client timeout 20 wrk -t2 -c64 -d10s -H "Host: filtered.localhost" "$(url_of $name)" >/dev/null
        waited[$name]=$((waited[$name] + 10))
        GW_PID=$(pid_of $name)
        now=$(c2_cpu_ms)
        echo "   $name ${waited[$name]}s: C2 used $((now - c2[$name])) ms in the last 10 s"
        if (( now - c2[$name] < JIT_IDLE_MS || waited[$name] >= JIT_WARMUP_MAX )); then settled[$name]=1; fi
        c2[$name]=$now
    done
done
echo "atoll ${waited[atoll]} scg ${waited[scg]}" >"$OUT/filters-jit-warmup-seconds"

for round in $(seq "$ROUNDS"); do
    if ((round % 2)); then order=(atoll scg); else order=(scg atoll); fi
    for name in "${order[@]}"; do
        on_client timeout $((WARMUP + 10)) wrk -t2 -c64 -d"${WARMUP}s" -H "Host: filtered.localhost" "$(url_of $name)" >/dev/null
        on_client timeout $((DURATION + 15)) wrk -t2 -c64 -d"${DURATION}s" --latency -H "Host: filtered.localhost" \
            "$(url_of $name)" >"$OUT/filters-$name-$round.txt"
        rps=$(awk '/^Requests\/sec:/ {print $2}' "$OUT/filters-$name-$round.txt")
        p99=$(awk '$1=="99%" {print $2}' "$OUT/filters-$name-$round.txt" | to_ms)
        errors=$(awk '/Non-2xx|Socket errors/ {print}' "$OUT/filters-$name-$round.txt" | tr '\n' ' ')
        printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$name" "$rps" "$p99" "${errors:-none}" >>"$FILTERS"
        printf '   round %s %-6s %10s req/s  p99 %8s ms %s\n' "$round" "$name" "$rps" "$p99" "${errors:-}"
    done
done
echo "== filters: Atoll / stock SCG, same filter ($FILTER), same backend"
awk -F'\t' 'NR > 1 { rps[$1, $2] = $3; p99[$1, $2] = $4; if ($1 > n) n = $1 }
    END { for (r = 1; r <= n; r++) { ratio = rps[r, "atoll"] / rps[r, "scg"]; sum += ratio
              printf "   round %d: %.2fx req/s, p99 %s ms vs %s ms\n", r, ratio, p99[r, "atoll"], p99[r, "scg"] }
          printf "   mean: %.2fx\n", sum / n }' "$FILTERS" | tee "$OUT/filters-summary.txt"

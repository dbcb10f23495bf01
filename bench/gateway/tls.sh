# The HTTPS case of bench/gateway/run (`bench/gateway/run tls`), sourced by it once the backends,
# nginx and ZooKeeper are up (issue 14, items 1 and 2): the gateway terminating TLS against
# nginx terminating TLS, both proxying to the same keep-alive nginx backend, with the same
# certificate (one ECDSA P-256 leaf made here), TLS 1.3 with the same cipher suite (checked
# and written to tls-ciphers.txt), keep-alive connections. HTTP/1.1 over TLS with wrk; HTTP/2
# with h2load (Debian's nghttp2-client) when it is installed. ROUNDS rounds, the order of the
# two proxies alternating; the gateway's JIT settles first on each protocol.

TLS_DIR=$WORK/tls
mkdir -p "$TLS_DIR"
NGINX_TLS_PORT=18443 GW_TLS_PORT=18444 NGINX_H2_PORT=18445
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=app-0.localhost \
    -addext subjectAltName=DNS:app-0.localhost -keyout "$TLS_DIR/key.pem" -out "$TLS_DIR/cert.pem" 2>/dev/null
# TLS 1.3 with the client's first choice on both sides (wrk's OpenSSL: AES-256-GCM, X25519);
# tls-ciphers.txt shows what each negotiated.
cat >"$TLS_DIR/nginx.conf" <<EOF
daemon off; worker_processes 1; pid $TLS_DIR/nginx.pid; error_log $TLS_DIR/error.log warn;
events { worker_connections 4096; }
http {
  access_log off; keepalive_requests 1000000; keepalive_timeout 60s;
  client_body_temp_path $TLS_DIR; proxy_temp_path $TLS_DIR; fastcgi_temp_path $TLS_DIR;
  uwsgi_temp_path $TLS_DIR; scgi_temp_path $TLS_DIR;
  ssl_certificate $TLS_DIR/cert.pem; ssl_certificate_key $TLS_DIR/key.pem;
  ssl_protocols TLSv1.3;
  http2_max_concurrent_streams 128;
  upstream backend { server 127.0.0.1:$BACKEND_PORT; keepalive 64; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:$NGINX_TLS_PORT ssl;
    location / {
      proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header Host \$host; proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
    }
  }
  server {
    listen 127.0.0.1:$NGINX_H2_PORT ssl http2;
    location / {
      proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header Host \$host; proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
    }
  }
}
EOF
taskset -c "$SERVER_CPU" nginx -c "$TLS_DIR/nginx.conf" -p "$TLS_DIR" & PIDS+=($!)
start_gateway gateway-tls --atoll.gateway.tls.enabled=true --atoll.gateway.tls.port=$GW_TLS_PORT \
    --atoll.gateway.tls.encryption-key="$(openssl rand -base64 32)" \
    --atoll.gateway.tls.default-certificate="$TLS_DIR/cert.pem" --atoll.gateway.tls.default-key="$TLS_DIR/key.pem"
wait_ready
wait_https() { # url
    local i
    for i in $(seq 600); do
        [[ $(curl -sk -o /dev/null -w '%{http_code}' -H "Host: app-0.localhost" "$1" || true) == 200 ]] && return 0
        sleep 0.1
    done
    echo "no 200 from $1" >&2; return 1
}
wait_https "https://127.0.0.1:$NGINX_TLS_PORT/"
wait_https "https://127.0.0.1:$GW_TLS_PORT/"

for port in $NGINX_TLS_PORT $GW_TLS_PORT; do
    printf '%s: ' "$port"
    openssl s_client -connect "127.0.0.1:$port" -servername app-0.localhost </dev/null 2>/dev/null \
        | awk '/^New,/ {printf "%s; ", $0} /Server Temp Key/ {printf "%s", $0} END {print ""}'
done | tee "$OUT/tls-ciphers.txt"
H2=0
command -v h2load >/dev/null && H2=1
[[ $H2 == 1 ]] || echo "   (no h2load here: HTTP/2 is not measured; apt-get install nghttp2-client)"

TLS=$OUT/tls.tsv
printf 'case\tround\treq_per_s\tp99_ms\terrors\n' >"$TLS"
wrk_tls() { # name round port
    on_client timeout $((WARMUP + 10)) wrk -t2 -c64 -d"${WARMUP}s" -H "Host: app-0.localhost" "https://127.0.0.1:$3/" >/dev/null
    on_client timeout $((DURATION + 15)) wrk -t2 -c64 -d"${DURATION}s" --latency -H "Host: app-0.localhost" \
        "https://127.0.0.1:$3/" >"$OUT/$1-$2.txt"
    local rps p99 errors
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$OUT/$1-$2.txt")
    p99=$(awk '$1=="99%" {print $2}' "$OUT/$1-$2.txt" | to_ms)
    errors=$(awk '/Non-2xx|Socket errors/ {print}' "$OUT/$1-$2.txt" | tr '\n' ' ')
    printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$rps" "$p99" "${errors:-none}" >>"$TLS"
    printf '   round %s %-16s %10s req/s  p99 %8s ms  %s\n' "$2" "$1" "$rps" "$p99" "${errors:-}"
}
h2load_tls() { # name round port — 64 connections, 10 streams each
    on_client timeout $((WARMUP + 10)) h2load -t2 -c64 -m10 -D "$WARMUP" -H ':authority: app-0.localhost' \
        "https://127.0.0.1:$3/" >/dev/null 2>&1 || true
    on_client timeout $((DURATION + 15)) h2load -t2 -c64 -m10 -D "$DURATION" -H ':authority: app-0.localhost' \
        "https://127.0.0.1:$3/" >"$OUT/$1-$2.txt" 2>&1 || true
    local rps failed
    rps=$(awk '/^finished in/ {print $4}' "$OUT/$1-$2.txt")
    failed=$(awk '/^requests:/ {print $8 " succeeded, " $10 " failed, " $12 " errored"}' "$OUT/$1-$2.txt")
    local p99=""
    printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "${rps:-0}" "${p99:-0}" "${failed:-unknown}" >>"$TLS"
    printf '   round %s %-16s %10s req/s  %s\n' "$2" "$1" "$rps" "$failed"
}
tls_jit_warmup() { # wrk|h2load
    local waited=0 before after
    before=$(c2_cpu_ms)
    while [ "$waited" -lt "$JIT_WARMUP_MAX" ]; do
        if [[ $1 == wrk ]]; then
            on_client timeout 20 wrk -t2 -c64 -d10s -H "Host: app-0.localhost" "https://127.0.0.1:$GW_TLS_PORT/" >/dev/null
        else
            on_client timeout 20 h2load -t2 -c64 -m10 -D 10 -H ':authority: app-0.localhost' \
                "https://127.0.0.1:$GW_TLS_PORT/" >/dev/null 2>&1 || true
        fi
        waited=$((waited + 10))
        after=$(c2_cpu_ms)
        echo "   JIT warm-up ($1) ${waited}s: C2 used $((after - before)) ms in the last 10 s"
        [ $((after - before)) -lt "$JIT_IDLE_MS" ] && break
        before=$after
    done
}

echo "== HTTPS, HTTP/1.1 (wrk): gateway JIT warm-up, then $ROUNDS rounds"
tls_jit_warmup wrk
for round in $(seq "$ROUNDS"); do
    if ((round % 2)); then order=(gateway nginx); else order=(nginx gateway); fi
    for who in "${order[@]}"; do
        if [[ $who == gateway ]]; then wrk_tls atoll-tls "$round" $GW_TLS_PORT; else wrk_tls nginx-tls "$round" $NGINX_TLS_PORT; fi
    done
done
if [[ $H2 == 1 ]]; then
    echo "== HTTPS, HTTP/2 (h2load, 64 connections x 10 streams): gateway JIT warm-up, then $ROUNDS rounds"
    tls_jit_warmup h2load
    for round in $(seq "$ROUNDS"); do
        if ((round % 2)); then order=(gateway nginx); else order=(nginx gateway); fi
        for who in "${order[@]}"; do
            if [[ $who == gateway ]]; then h2load_tls atoll-h2 "$round" $GW_TLS_PORT; else h2load_tls nginx-h2 "$round" $NGINX_H2_PORT; fi
        done
    done
fi
if [[ $PROFILE == 1 ]]; then
    echo "== profiling the gateway over TLS (JFR, ${DURATION}s of wrk; not part of the figures)"
    "$JCMD" "$GW_PID" JFR.start name=tls settings=profile filename="$OUT/gateway-tls.jfr" >/dev/null
    on_client timeout $((DURATION + 15)) wrk -t2 -c64 -d"${DURATION}s" -H "Host: app-0.localhost" "https://127.0.0.1:$GW_TLS_PORT/" >/dev/null
    "$JCMD" "$GW_PID" JFR.stop name=tls >/dev/null
    jfr print --events jdk.ExecutionSample "$OUT/gateway-tls.jfr" >"$OUT/execution-samples-tls.txt"
    python3 "$HERE/jfr_top.py" "$OUT/execution-samples-tls.txt" >"$OUT/profile-tls.txt"
fi
stop_gateway

python3 - "$TLS" >"$OUT/summary-tls.md" <<'EOF'
import sys, csv, statistics
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
by = {}
for r in rows:
    by.setdefault(r["case"], []).append(r)
print("| case | round | req/s | p99 ms | errors |\n|---|---:|---:|---:|---|")
for r in rows:
    print(f"| {r['case']} | {r['round']} | {float(r['req_per_s']):.0f} | {r['p99_ms']} | {r['errors']} |")
print()
def ratios(a, b):
    pairs = [float(x["req_per_s"]) / float(y["req_per_s"]) for x, y in zip(by[a], by[b]) if float(y["req_per_s"]) > 0]
    return pairs
for a, b, label in (("atoll-tls", "nginx-tls", "HTTPS, HTTP/1.1 keep-alive (acceptance >= 0.7x)"),
                    ("atoll-h2", "nginx-h2", "HTTPS, HTTP/2, 10 streams per connection")):
    if a in by and b in by:
        r = ratios(a, b)
        print(f"- Atoll / nginx {label}: median {statistics.median(r):.2f}x, rounds " + ", ".join(f"{x:.2f}x" for x in r))
EOF
echo
cat "$OUT/summary-tls.md"
[[ -f $OUT/profile-tls.txt ]] && { echo; head -40 "$OUT/profile-tls.txt"; }
echo "raw results in $OUT"

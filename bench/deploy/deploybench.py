#!/usr/bin/env python3
"""The measuring half of bench/deploy/run (see there and docs/benchmarks.md).

(a) an API deploy: PUT the app's config (a new release, so a new container), timed from the call
    to the deploy reading SUCCEEDED: with --watch sse, the `succeeded` step arriving on the deploy's
    event stream (GET .../deploys/{id}/events, opened once the PUT has answered; it replays the
    steps so far); with --watch poll, GET .../deploys/{id} every --poll-ms over one keep-alive
    connection;
(b) the floor: `docker run -d` of the same image with the agent's container settings, `docker
    port`, then GET /healthz every --poll-ms until the first 200; timed the same way.

For every timed deploy it also writes a timeline (the deploy's events, the platform-api and agent
log lines about it) relative to the call, and sums up the steps the logs time.
"""
import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--api", required=True)
    p.add_argument("--app", default="bench")
    p.add_argument("--image", required=True)
    p.add_argument("--node", required=True)
    p.add_argument("--floor-label", required=True)
    p.add_argument("--memory-mb", type=int, default=256)
    p.add_argument("--cpu-shares", type=int, default=256)
    p.add_argument("--container-port", type=int, default=8080)
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--fresh", type=int, default=5)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--poll-ms", type=float, default=10)
    p.add_argument("--watch", choices=["sse", "poll"], default="sse")
    p.add_argument("--settle", type=float, default=1)
    p.add_argument("--agent-log", required=True)
    p.add_argument("--api-log", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--cpu", default="", help="name=pid,... whose CPU time each timed step is charged")
    return p.parse_args()


ARGS = parse_args()
API_HOST, API_PORT = ARGS.api.removeprefix("http://").split(":")
_conn = None


def api(method, path, body=None):
    """One call on a kept-alive connection (reopened if the server closed it)."""
    global _conn
    for attempt in range(2):
        if _conn is None:
            _conn = http.client.HTTPConnection(API_HOST, int(API_PORT), timeout=30)
        try:
            headers = {"Accept": "application/json"}
            data = None
            if body is not None:
                data = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
            _conn.request(method, path, body=data, headers=headers)
            resp = _conn.getresponse()
            raw = resp.read()
            return resp.status, (json.loads(raw) if raw else None)
        except (http.client.HTTPException, OSError):
            _conn.close()
            _conn = None
            if attempt:
                raise


def docker(*args):
    return subprocess.run(["docker", *args], check=True, capture_output=True, text=True).stdout.strip()


def poll_sleep():
    time.sleep(ARGS.poll_ms / 1000)


def wait_deploy(deploy_id, timeout=120):
    """Polls until the deploy ends; returns (perf_counter when SUCCEEDED was read, deploy)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        status, deploy = api("GET", f"/api/v1/apps/{ARGS.app}/deploys/{deploy_id}")
        now = time.perf_counter()
        if status != 200:
            raise SystemExit(f"GET deploy {deploy_id}: HTTP {status} {deploy}")
        if deploy["status"] == "SUCCEEDED":
            return now, deploy
        if deploy["status"] in ("FAILED", "ROLLED_BACK"):
            raise SystemExit(f"deploy {deploy_id} {deploy['status']}: {deploy.get('reason')}")
        poll_sleep()
    raise SystemExit(f"deploy {deploy_id} not done within {timeout} s")


def watch_events(deploy_id, timeout=120):
    """Reads the deploy's event stream until its end; returns perf_counter when `succeeded` arrived."""
    c = http.client.HTTPConnection(API_HOST, int(API_PORT), timeout=timeout)
    try:
        c.request("GET", f"/api/v1/apps/{ARGS.app}/deploys/{deploy_id}/events",
                  headers={"Accept": "text/event-stream"})
        r = c.getresponse()
        if r.status != 200:
            raise SystemExit(f"GET events of {deploy_id}: HTTP {r.status} {r.read()[:300]}")
        while True:
            line = r.readline()
            if not line:
                raise SystemExit(f"the event stream of deploy {deploy_id} ended without 'succeeded'")
            line = line.decode().rstrip("\r\n")
            if line.startswith("event:"):
                kind = line[6:].strip()
                if kind == "succeeded":
                    return time.perf_counter()
                if kind in ("failed", "rolling-back", "rolled-back"):
                    raise SystemExit(f"deploy {deploy_id}: {kind}")
    finally:
        c.close()


def quiet(timeout=60):
    """Waits until the app runs exactly one container and no floor container is left, then SETTLE s."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        agent = docker("ps", "-aq", "--filter", f"label=io.atoll.node={ARGS.node}").split()
        floor = docker("ps", "-aq", "--filter", f"label={ARGS.floor_label}").split()
        if len(agent) == 1 and not floor:
            time.sleep(ARGS.settle)
            return
        time.sleep(0.1)
    raise SystemExit("the previous round's containers did not go away within 60 s")


CPU_PIDS = [(name, int(pid)) for name, pid in (item.split("=") for item in ARGS.cpu.split(",") if item)]


def cpu_ns():
    """CPU time so far of each --cpu process, summed over its threads (/proc/PID/task/*/schedstat)."""
    used = {}
    for name, pid in CPU_PIDS:
        total = 0
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                try:
                    with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                        total += int(f.read().split()[0])
                except OSError:
                    pass  # a thread that ended meanwhile
        except OSError:
            pass
        used[name] = total
    return used


def thread_ns(pid):
    """CPU time so far of each thread of a process, by thread name with its digits dropped."""
    used = {}
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return used
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/comm") as f:
                name = re.sub(r"[0-9]+", "#", f.read().strip())
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                used[name] = used.get(name, 0) + int(f.read().split()[0])
        except OSError:
            pass
    return used


THREADS = {name: {} for name, _ in CPU_PIDS if name in ("platform-api", "node-agent")}


def thread_deltas(before):
    """CPU ns per JVM and thread name since {@code before}."""
    deltas = {}
    for name, pid in CPU_PIDS:
        if name in THREADS:
            after = thread_ns(pid)
            # Clamped at 0: a thread that ends (the JVM retires idle compiler threads) takes its
            # CPU time with it, and a namesake's smaller count would read as negative.
            deltas[name] = {thread: max(0, ns - before[name].get(thread, 0)) for thread, ns in after.items()}
    return deltas


def jit_ms(deltas):
    """CPU the JIT compiler threads of the JVMs used."""
    return sum(ns for threads in deltas.values() for thread, ns in threads.items()
               if "CompilerThre" in thread) / 1e6


def charged(before, after):
    return {name: (after[name] - before[name]) / 1e6 for name in before}


def deploy_round(n, timed):
    wall = time.time()
    threads0 = {name: thread_ns(pid) for name, pid in CPU_PIDS if name in THREADS}
    cpu0 = cpu_ns()
    t0 = time.perf_counter()
    status, body = api("PUT", f"/api/v1/apps/{ARGS.app}/config", {"BENCH_ROUND": str(n)})
    answered = time.perf_counter()
    if status != 202:
        raise SystemExit(f"PUT config: HTTP {status} {body}")
    deploy_id = body["deploy"]["id"]
    if ARGS.watch == "sse":
        done = watch_events(deploy_id)
    else:
        done, deploy = wait_deploy(deploy_id)
    cpu = charged(cpu0, cpu_ns())
    deltas = thread_deltas(threads0)
    if timed:
        for name, threads in deltas.items():
            for thread, ns in threads.items():
                THREADS[name][thread] = THREADS[name].get(thread, 0) + ns
    if ARGS.watch == "sse":
        _, deploy = wait_deploy(deploy_id)
    return {"total": done - t0, "put": answered - t0, "wall": wall, "deploy": deploy, "cpu": cpu,
            "jit": jit_ms(deltas)}


def floor_round(n, image):
    name = f"bench-floor-{os.getpid()}-{n}"
    wall = time.time()
    cpu0 = cpu_ns()
    t0 = time.perf_counter()
    # The container the agent makes: on Atoll's network (which the agent made on its first
    # deploy), with its confinement (docs/node-agent.md, Hardening) and CPU quota.
    cpus = min(os.cpu_count(), ARGS.cpu_shares / 1024 * 4)
    cid = docker("run", "-d", "--name", name, "--label", ARGS.floor_label,
                 "-e", f"PORT={ARGS.container_port}", "-p", f"0.0.0.0::{ARGS.container_port}",
                 "--memory", f"{ARGS.memory_mb}m", "--cpu-shares", str(ARGS.cpu_shares), "--cpus", f"{cpus:g}",
                 "--network", "atoll", "--cap-drop", "ALL", "--cap-add", "CHOWN", "--cap-add", "SETUID",
                 "--cap-add", "SETGID", "--cap-add", "NET_BIND_SERVICE", "--security-opt", "no-new-privileges",
                 "--pids-limit", "512", "--init", image)
    started = time.perf_counter()
    port = int(docker("port", cid, f"{ARGS.container_port}/tcp").splitlines()[0].rsplit(":", 1)[1])
    ported = time.perf_counter()
    probes = 0
    while True:
        probes += 1
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                break
        except (http.client.HTTPException, OSError):
            pass
        finally:
            c.close()
        poll_sleep()
        if time.perf_counter() - t0 > 60:
            raise SystemExit(f"floor container {name} not healthy within 60 s")
    done = time.perf_counter()
    cpu = charged(cpu0, cpu_ns())
    docker("rm", "-f", cid)
    return {"total": done - t0, "run": started - t0, "port": ported - started, "probe": done - ported,
            "probes": probes, "wall": wall, "cpu": cpu}


# ---------------------------------------------------------------- timelines from the logs

LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(?:Z|[+-]\d\d:\d\d))\s+\w+\s+\d+\s+---\s+\[[^\]]*\]\s+\[\s*([^\]]*)\]\s+(\S+)\s*:\s(.*)$")


def ts(text):
    if isinstance(text, (int, float)):
        return float(text)
    m = re.match(r"(.*T\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$", text)
    frac = (m.group(2) or ".0")[:7]
    zone = "+00:00" if m.group(3) == "Z" else m.group(3)
    return datetime.fromisoformat(m.group(1) + frac + zone).timestamp()


def log_lines(path, start, end, needles):
    found = []
    with open(path, errors="replace") as f:
        for line in f:
            m = LOG_LINE.match(line.rstrip("\n"))
            if not m:
                continue
            at = ts(m.group(1))
            if start - 0.05 <= at <= end + 0.05 and any(n in m.group(4) for n in needles):
                found.append((at, m.group(2), m.group(4)))
    return found


def timeline(result):
    """(seconds after the call, source, text) for one deploy, sorted."""
    deploy = result["deploy"]
    wall = result["wall"]
    end = wall + result["total"]
    instance_ids = []
    for e in deploy["events"]:
        if e["kind"] == "placed":
            instance_ids += re.findall(r"(\S+) on ", e["message"])
    rows = [(0.0, "client", "PUT config"), (result["put"], "client", "PUT answered 202"),
            (result["total"], "client", "event stream brings 'succeeded'" if ARGS.watch == "sse"
             else "GET deploy reads SUCCEEDED")]
    for e in deploy["events"]:
        rows.append((ts(e["at"]) - wall, "event", f"{e['kind']}: {e['message']}"))
    for at, thread, text in log_lines(ARGS.api_log, wall, end, [deploy["id"], *instance_ids] or [deploy["id"]]):
        rows.append((at - wall, "api " + thread, text))
    for at, thread, text in log_lines(ARGS.agent_log, wall, end, instance_ids or ["\0"]):
        rows.append((at - wall, "agent " + thread, text))
    rows.sort(key=lambda r: r[0])
    return rows


def alternate(rounds, first_round, pinned, label, timed=True):
    """`rounds` rounds of (a) and (b), the order alternating; returns the deploys and floors."""
    deploys, floors = [], []
    for i in range(rounds):
        n = first_round + i
        order = ("a", "b") if n % 2 == 0 else ("b", "a")
        for step in order:
            quiet()
            if step == "a":
                r = deploy_round(n, timed)
                deploys.append(r)
                print(f"{label} {i + 1:>2}  (a) deploy {r['total'] * 1000:5.0f} ms  (PUT answered after "
                      f"{r['put'] * 1000:.0f} ms; JIT compilers {r['jit']:.0f} ms of CPU meanwhile)", flush=True)
            else:
                r = floor_round(n, pinned)
                floors.append(r)
                print(f"{label} {i + 1:>2}  (b) floor  {r['total'] * 1000:5.0f} ms  (docker run "
                      f"{r['run'] * 1000:.0f}, docker port {r['port'] * 1000:.0f}, health {r['probe'] * 1000:.0f} ms, "
                      f"{r['probes']} probe(s))", flush=True)
    return deploys, floors


def ms(values):
    return [v * 1000 for v in values]


def summary(title, deploys, floors):
    a = ms(r["total"] for r in deploys)
    b = ms(r["total"] for r in floors)
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"\n{title}")
    print(f"  {'':26}{'median':>8}{'min':>8}{'max':>8}")
    print(f"  {'(a) API deploy, ms':26}{ma:8.0f}{min(a):8.0f}{max(a):8.0f}")
    print(f"  {'(b) docker run floor, ms':26}{mb:8.0f}{min(b):8.0f}{max(b):8.0f}")
    print(f"  ratio (a)/(b) of the medians: {ma / mb:.2f}x   (acceptance <= 1.3x, goal 1.1x)")
    print(f"  floor steps, medians: docker run -d {statistics.median(ms(r['run'] for r in floors)):.0f} ms, "
          f"docker port {statistics.median(ms(r['port'] for r in floors)):.0f} ms, "
          f"first 200 {statistics.median(ms(r['probe'] for r in floors)):.0f} ms after")
    print(f"  JIT compilers of platform-api and agent during (a), median: "
          f"{statistics.median(r['jit'] for r in deploys):.0f} ms of CPU")
    if CPU_PIDS:
        print("  CPU time while timing, median ms per step (threads summed; short-lived processes such as")
        print("  runc, containerd-shim, docker-proxy and the docker CLI not counted):")
        for name, _ in CPU_PIDS:
            print(f"    {name:16} (a) {statistics.median(r['cpu'][name] for r in deploys):6.1f}"
                  f"   (b) {statistics.median(r['cpu'][name] for r in floors):6.1f}")
    return ma / mb


def main():
    os.makedirs(ARGS.out, exist_ok=True)
    status, body = api("POST", "/api/v1/apps", {"name": ARGS.app, "containerPort": ARGS.container_port,
                                                "healthPath": "/healthz"})
    if status != 201:
        raise SystemExit(f"POST /apps: HTTP {status} {body}")
    status, body = api("POST", f"/api/v1/apps/{ARGS.app}/deploys", {"image": ARGS.image, "instances": 1})
    if status != 202:
        raise SystemExit(f"POST deploys: HTTP {status} {body}")
    first = time.perf_counter()
    done, _ = wait_deploy(body["id"])
    print(f"first deploy of {ARGS.image} (pin, pull of an image the engine has under another name): "
          f"{(done - first) * 1000:.0f} ms after the POST was answered")
    status, releases = api("GET", f"/api/v1/apps/{ARGS.app}/releases")
    pinned = releases[0]["pinnedImage"]
    print(f"pinned image: {pinned}")

    # Fresh: the platform has done one deploy; its JVMs compile the deploy's code as it runs.
    fresh_deploys, fresh_floors = alternate(ARGS.fresh, 0, pinned, "fresh", timed=False)
    # Warm-up: deploys only, untimed, until the JIT has compiled most of what a deploy runs.
    for i in range(ARGS.warmup):
        quiet()
        r = deploy_round(ARGS.fresh + i, False)
        print(f"warm-up {i + 1:>2}  (a) deploy {r['total'] * 1000:5.0f} ms  (JIT compilers {r['jit']:.0f} ms of CPU)",
              flush=True)
    deploys, floors = alternate(ARGS.rounds, ARGS.fresh + ARGS.warmup, pinned, "round")
    quiet()

    summary(f"fresh platform: rounds 1-{ARGS.fresh} after its first deploy", fresh_deploys, fresh_floors)
    ratio = summary(f"warm: {ARGS.rounds} rounds after {ARGS.fresh + ARGS.warmup} more deploys", deploys, floors)
    if THREADS:
        with open(os.path.join(ARGS.out, "threads.txt"), "w") as f:
            for name, threads in THREADS.items():
                f.write(f"{name}: CPU ms per warm deploy by thread (digits in names dropped)\n")
                for thread, ns in sorted(threads.items(), key=lambda t: -t[1]):
                    if ns > 0:
                        f.write(f"  {ns / 1e6 / len(deploys):8.1f}  {thread}\n")

    with open(os.path.join(ARGS.out, "rounds.tsv"), "w") as f:
        f.write("phase\tround\tdeploy_ms\tput_ms\tjit_ms\tfloor_ms\tfloor_run_ms\tfloor_port_ms\tfloor_probe_ms\n")
        for phase, ds, fs in (("fresh", fresh_deploys, fresh_floors), ("warm", deploys, floors)):
            for i, (d, fl) in enumerate(zip(ds, fs), 1):
                f.write(f"{phase}\t{i}\t{d['total'] * 1000:.1f}\t{d['put'] * 1000:.1f}\t{d['jit']:.1f}\t"
                        f"{fl['total'] * 1000:.1f}\t{fl['run'] * 1000:.1f}\t{fl['port'] * 1000:.1f}\t"
                        f"{fl['probe'] * 1000:.1f}\n")
    with open(os.path.join(ARGS.out, "timelines.txt"), "w") as f:
        for phase, ds in (("fresh", fresh_deploys), ("warm", deploys)):
            for i, d in enumerate(ds, 1):
                f.write(f"== {phase} round {i}: deploy {d['deploy']['id']}, {d['total'] * 1000:.0f} ms\n")
                for at, source, text in timeline(d):
                    f.write(f"{at * 1000:8.1f} ms  {source:28.28}  {text}\n")
                f.write("\n")
    # The timeline of the median warm deploy, in the summary.
    median_one = sorted(deploys, key=lambda d: d["total"])[len(deploys) // 2]
    print(f"\ntimeline of the median warm deploy ({median_one['total'] * 1000:.0f} ms; all in timelines.txt):")
    for at, source, text in timeline(median_one):
        print(f"{at * 1000:8.1f} ms  {source:28.28}  {text[:160]}")
    return 0 if ratio <= 1.3 else 1


if __name__ == "__main__":
    sys.exit(main())

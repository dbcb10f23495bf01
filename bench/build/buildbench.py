#!/usr/bin/env python3
"""The measuring half of bench/build/run (see there and docs/benchmarks.md).

For each round and case (app:service): FIRST, a new app name building a fresh git repository of
demo/<app>; REBUILD, the same app after a commit that changes one line of one source file. Each
build is asked for with POST /api/v1/apps/{app}/builds (repository file://..., ref the commit id)
and timed from that call to GET /api/v1/builds/{id} reading SUCCEEDED (polled every 20 ms); the
steps' durations come from the record. The build's log is followed live (text/event-stream) and
each line stamped on arrival, which gives a timeline of the build step: the builder container
and Maven's start up to Maven's first line, then each plugin execution (build-service reads the
log file every 200 ms, so every stamp is late by up to that).
"""
import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

APPS = {
    # app: (the one file a rebuild changes, the text replaced, its replacement with {n})
    "java-hello": ("src/main/java/demo/Hello.java", 'getOrDefault("GREETING", "hello")',
                   'getOrDefault("GREETING", "hello, rebuild {n}")'),
    "spring-hello": ("src/main/java/demo/SpringHello.java", '"${GREETING:hello}"',
                     '"${GREETING:hello, rebuild {n}}"'),
    "static-hello": ("index.html", "<h1>hello from a static site</h1>",
                     "<h1>hello from a static site, rebuild {n}</h1>"),
}
SHORT = {"java-hello": "jh", "spring-hello": "sp", "static-hello": "st"}
STEPS = ["checkout", "manifest", "build", "image"]
POLL = 0.02


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--demo", required=True)
    p.add_argument("--git", required=True)
    p.add_argument("--service", action="append", required=True, help="name=url=cache-dir")
    p.add_argument("--cases", required=True, help="app:service,...")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--out", required=True)
    return p.parse_args()


ARGS = parse_args()
SERVICES = {}
for spec in ARGS.service:
    name, rest = spec.split("=", 1)
    url, cache = rest.rsplit("=", 1)
    SERVICES[name] = (url, cache)
CASES = [tuple(c.split(":")) for c in ARGS.cases.split(",") if c]
for app, service in CASES:
    if app not in APPS or service not in SERVICES:
        raise SystemExit(f"unknown case {app}:{service}: apps {list(APPS)}, services {list(SERVICES)}")
GIT_ENV = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@atoll.invalid",
               GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@atoll.invalid")


def call(base, method, path, body=None, headers=None):
    u = urlsplit(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    try:
        h = {"Accept": "application/json", **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        raw = r.read()
        return r.status, (json.loads(raw) if raw and raw[:1] in b"{[" else raw.decode(errors="replace"))
    finally:
        c.close()


def git(repo, *args):
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, text=True,
                          env=GIT_ENV).stdout.strip()


def make_repo(app, name):
    """A fresh repository of demo/<app> whose atoll.yml names the app `name`; returns (path, commit)."""
    repo = os.path.join(ARGS.git, name)
    shutil.copytree(os.path.join(ARGS.demo, app), repo, ignore=shutil.ignore_patterns("target"))
    manifest = os.path.join(repo, "atoll.yml")
    with open(manifest) as f:
        text = f.read()
    text, n = re.subn(r"(?m)^name: .*$", f"name: {name}", text, count=1)
    assert n == 1, manifest
    with open(manifest, "w") as f:
        f.write(text)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"{app} as in demo/")
    return repo, git(repo, "rev-parse", "HEAD")


def change_one_file(app, repo, n):
    """Changes one line of one source file and commits it; returns the commit."""
    path, old, new = APPS[app]
    file = os.path.join(repo, path)
    with open(file) as f:
        text = f.read()
    assert old in text, f"{file} no longer holds {old!r}: update APPS in {__file__}"
    with open(file, "w") as f:
        f.write(text.replace(old, new.replace("{n}", str(n)), 1))
    git(repo, "commit", "-q", "-am", f"rebuild {n}: one line of {path}")
    return git(repo, "rev-parse", "HEAD")


class Follower(threading.Thread):
    """Reads a build's log as server-sent events, stamping each line (perf_counter) on arrival."""

    def __init__(self, base, build_id):
        super().__init__(daemon=True)
        self.base, self.build_id, self.lines = base, build_id, []

    def run(self):
        u = urlsplit(self.base)
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=900)
        try:
            c.request("GET", f"/api/v1/builds/{self.build_id}/log", headers={"Accept": "text/event-stream"})
            r = c.getresponse()
            event = None
            while True:
                raw = r.readline()
                if not raw:
                    return
                now = time.perf_counter()
                line = raw.decode(errors="replace").rstrip("\r\n")
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event == "line":
                    self.lines.append((now, line[5:].removeprefix(" ")))
                elif line.startswith("data:") and event == "end":
                    return
        except OSError:
            return
        finally:
            c.close()


def repository_stats(cache_dir, app):
    """Files and bytes in the app's Maven repository (what Maven downloaded into its cache)."""
    root = os.path.join(cache_dir, app, "home", ".m2", "repository")
    files = size = 0
    for d, _, names in os.walk(root):
        for n in names:
            files += 1
            size += os.path.getsize(os.path.join(d, n))
    return files, size


def build(service, app, repo, commit):
    base, cache = SERVICES[service]
    before = repository_stats(cache, app)
    t0 = time.perf_counter()
    status, answer = call(base, "POST", f"/api/v1/apps/{app}/builds",
                          {"repository": "file://" + repo, "ref": commit})
    if status != 201:
        raise SystemExit(f"POST build of {app} on {service}: HTTP {status} {answer}")
    build_id = answer["id"]
    with open(os.path.join(ARGS.out, "builds.txt"), "a") as f:
        f.write(build_id + "\n")
    follower = Follower(base, build_id)
    follower.start()
    deadline = t0 + 900
    while True:
        status, record = call(base, "GET", f"/api/v1/builds/{build_id}")
        now = time.perf_counter()
        if status != 200:
            raise SystemExit(f"GET build {build_id}: HTTP {status} {record}")
        if record["status"] not in ("QUEUED", "RUNNING"):
            break
        if now > deadline:
            raise SystemExit(f"build {build_id} of {app} not done in 900 s")
        time.sleep(POLL)
    follower.join(10)
    if record["status"] != "SUCCEEDED":
        _, log = call(base, "GET", f"/api/v1/builds/{build_id}/log", headers={"Accept": "text/plain"})
        raise SystemExit(f"build {build_id} of {app} on {service}: {record['status']} at "
                         f"{record.get('failedStep')}: {record.get('reason')}\n{log[-3000:]}")
    after = repository_stats(cache, app)
    return {
        "id": build_id, "wall_ms": (now - t0) * 1000, "steps": {s["name"]: s["durationMs"] for s in record["steps"]},
        "digest": record["imageDigest"], "commit": record["commit"],
        "downloaded_files": after[0] - before[0], "downloaded_bytes": after[1] - before[1],
        "timeline": [(t - t0, line) for t, line in follower.lines],
    }


MOJO = re.compile(r"^\[INFO\] --- (\S+?)(?:-maven)?(?:-plugin)?:[^:\s]+:(\S+) .*---$")


def phases(timeline):
    """The build step's timeline: (what, seconds) from the follower's stamps."""
    out, mark, what = [], None, None
    for t, line in timeline:
        if line.startswith("[atoll] step build"):
            mark, what = t, "container + JVM + Maven start"
            continue
        if mark is None:
            continue
        m = MOJO.match(line)
        if m:
            out.append((what, t - mark))
            mark, what = t, f"{m.group(1)}:{m.group(2)}"
        elif line.startswith("[INFO] BUILD SUCCESS"):
            out.append((what, t - mark))
            mark, what = t, "Maven's end + container exit"
        elif line.startswith("[atoll] step ") or line.startswith("[atoll] artifact"):
            out.append((what, t - mark))
            break
    return out


def maven_total(timeline):
    for _, line in timeline:
        m = re.search(r"Total time:\s+([\d.]+) (s|min)", line)
        if m:
            return float(m.group(1)) * (60 if m.group(2) == "min" else 1)
    return None


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt_s(ms, digits=1):
    return "" if ms is None else f"{ms / 1000:.{digits}f}"


def ratio(a, b):
    return "" if a is None or not b else f"{a / b:.2f}×"


def main():
    os.makedirs(ARGS.git, exist_ok=True)
    rows = []
    tsv = open(os.path.join(ARGS.out, "results.tsv"), "w")
    tsv.write("round\tapp\tservice\tkind\tname\tbuild\twall_ms\t" + "\t".join(f"{s}_ms" for s in STEPS)
              + "\tmaven_total_s\tdownloaded_files\tdownloaded_bytes\tdigest\n")
    timelines = open(os.path.join(ARGS.out, "timelines.txt"), "w")

    def record(rnd, app, service, kind, name, b):
        rows.append((rnd, app, service, kind, b))
        tsv.write("\t".join(str(x) for x in [rnd, app, service, kind, name, b["id"], round(b["wall_ms"])]
                            + [b["steps"].get(s, "") for s in STEPS]
                            + [maven_total(b["timeline"]) or "", b["downloaded_files"], b["downloaded_bytes"],
                               b["digest"]]) + "\n")
        tsv.flush()
        timelines.write(f"## round {rnd} {app} {service} {kind} ({name}, build {b['id']}): "
                        f"{b['wall_ms'] / 1000:.2f} s, steps {b['steps']}, Maven's total {maven_total(b['timeline'])} s, "
                        f"{b['downloaded_files']} files ({b['downloaded_bytes'] / 1e6:.1f} MB) added to the app's cache\n")
        for t, line in b["timeline"]:
            timelines.write(f"{t:8.2f}  {line}\n")
        timelines.write("\n")
        timelines.flush()
        print(f"  round {rnd} {app:12} {service:7} {kind:7} {b['wall_ms'] / 1000:6.1f} s  "
              + " ".join(f"{s} {b['steps'].get(s, 0) / 1000:.1f}" for s in STEPS)
              + f"  +{b['downloaded_files']} files", flush=True)

    # Untimed: build-service's first builds run on cold code, and the mirror fetches from Central
    # once what ~/.m2 lacks (checksums above all): a first build of each app on its service, and a
    # rebuild of java-hello.
    for w in range(ARGS.warmup):
        for app, service in sorted({(a, s) for a, s in CASES if a != "static-hello"}):
            name = f"warm-{SHORT[app]}-{service}-{w}"
            repo, commit = make_repo(app, name)
            b = build(service, name, repo, commit)
            print(f"  warm-up {app} {service}: first {b['wall_ms'] / 1000:.1f} s", flush=True)
            if app == "java-hello":
                b = build(service, name, repo, change_one_file(app, repo, w))
                print(f"  warm-up {app} {service}: rebuild {b['wall_ms'] / 1000:.1f} s", flush=True)

    for rnd in range(1, ARGS.rounds + 1):
        order = CASES if rnd % 2 else list(reversed(CASES))
        for app, service in order:
            name = f"{SHORT[app]}-{service}-r{rnd}"
            repo, commit = make_repo(app, name)
            first = build(service, name, repo, commit)
            record(rnd, app, service, "first", name, first)
            rebuild = build(service, name, repo, change_one_file(app, repo, rnd))
            if rebuild["downloaded_files"]:
                print(f"  note: {name}'s rebuild added {rebuild['downloaded_files']} files to the app's Maven cache")
            if rebuild["digest"] == first["digest"]:
                raise SystemExit(f"{name}: the rebuild gave the first build's digest: was the change built?")
            record(rnd, app, service, "rebuild", name, rebuild)
    tsv.close()
    timelines.close()
    # 3: measured, but a Java case from Central is over the acceptance's 0.2× (a failure to measure exits 1)
    sys.exit(0 if summarize(rows) else 3)


def summarize(rows):
    print()
    print(f"Medians of {ARGS.rounds} round(s), seconds; ratio = rebuild ÷ first build "
          "(issue 13: at most 0.2× for a rebuild with dependencies unchanged)")
    print()
    print("| case | first build | rebuild | **ratio** | checkout | manifest | build | image | "
          "downloaded by the first build |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    verdicts = []
    for app, service in CASES:
        firsts = [b for _, a, s, k, b in rows if a == app and s == service and k == "first"]
        rebuilds = [b for _, a, s, k, b in rows if a == app and s == service and k == "rebuild"]
        f_wall, r_wall = median([b["wall_ms"] for b in firsts]), median([b["wall_ms"] for b in rebuilds])
        cells = []
        for step in STEPS:
            fs, rs = median([b["steps"].get(step) for b in firsts]), median([b["steps"].get(step) for b in rebuilds])
            cells.append("" if fs is None else f"{fmt_s(fs, 2)} → {fmt_s(rs, 2)}")
        files = median([b["downloaded_files"] for b in firsts])
        size = median([b["downloaded_bytes"] for b in firsts])
        label = f"{app}, {'Maven Central' if service == 'central' else 'local mirror'}" \
            if app != "static-hello" else app
        print(f"| {label} | {fmt_s(f_wall)} | {fmt_s(r_wall)} | **{ratio(r_wall, f_wall)}** | "
              + " | ".join(cells) + f" | {files:.0f} files, {size / 1e6:.1f} MB |")
        verdicts.append((app, service, r_wall / f_wall, [b["wall_ms"] / f["wall_ms"] for f, b in zip(firsts, rebuilds)]))
    print()
    for app, service, r, per_round in verdicts:
        print(f"{app} {service}: ratio {r:.2f} (rounds: {', '.join(f'{x:.2f}' for x in per_round)}) "
              f"{'≤ 0.2' if r <= 0.2 else '> 0.2'}")
    # The acceptance's first build is one that fetches its dependencies, as a build-service does
    # from Maven Central; with a repository manager next door (mirror) downloads cost little and
    # the ratio is reported, not judged (docs/benchmarks.md, Build).
    over = [f"{a}:{s}" for a, s, r, _ in verdicts if a != "static-hello" and s == "central" and r > 0.2]
    near = [f"{a}:{s} {r:.2f}" for a, s, r, _ in verdicts if a != "static-hello" and s != "central"]
    print()
    print("Where the build step goes (medians of the log's timeline, s; each stamp late by up to 0.2 s):")
    for app, service in CASES:
        if app == "static-hello":
            continue
        for kind in ("first", "rebuild"):
            per = {}
            order = []
            for _, a, s, k, b in rows:
                if a == app and s == service and k == kind:
                    for what, secs in phases(b["timeline"]):
                        if what not in per:
                            order.append(what)
                        per.setdefault(what, []).append(secs)
            totals = [maven_total(b["timeline"]) for _, a, s, k, b in rows if a == app and s == service and k == kind]
            print(f"  {app} {service} {kind}: Maven's own total {median(totals)} s; "
                  + ", ".join(f"{w} {median(per[w]):.1f}" for w in order))
    print()
    print("issue 13 acceptance (rebuild at most 0.2× a first build that fetches from Maven Central): "
          + (f"not met for {', '.join(over)}" if over else "met for every Java case")
          + (f"; with the local mirror (reported only): {', '.join(near)}" if near else ""))
    sys.stdout.flush()
    return not over


if __name__ == "__main__":
    main()

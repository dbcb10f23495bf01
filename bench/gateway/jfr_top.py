"""Summarises `jfr print --events jdk.ExecutionSample` output: where the gateway's CPU goes.

Self time = the top frame of each sample; inclusive = samples with the package/class anywhere
in the stack (counted once per sample).
"""
import collections
import re
import sys

FRAME = re.compile(r"^\s+([\w$.<>]+)\.([\w$<>]+)\(.*\)\s+line:")


def package(cls):
    parts = cls.split(".")
    # keep three segments: io.netty.handler, org.springframework.cloud, reactor.core.publisher
    return ".".join(parts[:3]) if len(parts) > 3 else ".".join(parts[:-1]) or cls


def main(path):
    samples, stack = [], None
    for line in open(path, encoding="utf-8", errors="replace"):
        if line.startswith("jdk.ExecutionSample"):
            stack = []
            samples.append(stack)
            continue
        m = FRAME.match(line)
        if m and stack is not None:
            stack.append(m.group(1) + "." + m.group(2))
    samples = [s for s in samples if s]
    total = len(samples)
    if not total:
        print("no samples")
        return
    self_method = collections.Counter(s[0] for s in samples)
    self_pkg = collections.Counter(package(s[0].rsplit(".", 1)[0]) for s in samples)
    incl_pkg = collections.Counter()
    for s in samples:
        incl_pkg.update({package(f.rsplit(".", 1)[0]) for f in s})
    markers = ["io.atoll", "ServerHttpObservationFilter", "ObservedRequestHttpHeadersFilter",
               "MetricsFilter", "RequestMetricsFilter", "ForwardedHeadersFilter", "XForwardedHeadersFilter",
               "NettyRoutingFilter", "NettyWriteResponseFilter", "RoutePredicateHandlerMapping",
               "FilteringWebHandler", "HttpWebHandlerAdapter", "DefaultServerWebExchange",
               "io.micrometer", "tools.jackson", "HttpHeaders", "logback", "java.util.regex",
               "sun.nio.ch", "io.netty.channel.epoll", "Throwable"]
    incl_marker = collections.Counter()
    for s in samples:
        incl_marker.update({m for m in markers for f in s if m in f})

    def table(title, counter, n):
        print(f"## {title}")
        for key, count in counter.most_common(n):
            print(f"{100.0 * count / total:6.1f}%  {key}")
        print()

    print(f"{total} execution samples\n")
    table("self time by package (top frame)", self_pkg, 20)
    table("self time by method (top frame)", self_method, 25)
    table("inclusive by package (anywhere in the stack)", incl_pkg, 25)
    table("inclusive by marker class/package", incl_marker, len(markers))


if __name__ == "__main__":
    main(sys.argv[1])

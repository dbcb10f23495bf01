"""Issue 14's gateway acceptance figures from one `bench/gateway/run acceptance` results directory.

usage: acceptance.py <results dir> <parameters> <gateway config> <cold seconds>

Reads what each case wrote into its own subdirectory (all/, cold/, tls/, filters/) and prints a
Markdown table of the ratios the issue asks for, each with its bar.
"""
import csv
import statistics
import sys


def read(top, path):
    with open(f"{top}/{path}") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def rps(row):
    return float(row["req_per_s"])


def paired(rows, key, a, b):
    """Per-round ratios a / b, the rounds paired in the order they ran."""
    by = {}
    for r in rows:
        by.setdefault(r[key], []).append(r)
    return [rps(x) / rps(y) for x, y in zip(by.get(a, []), by.get(b, [])) if rps(y) > 0]


def main():
    top, params, config, seconds = sys.argv[1], sys.argv[2], sys.argv[3].strip() or "defaults", sys.argv[4]
    warm = {r["case"]: rps(r) for r in read(top, "all/summary.tsv")}
    cold = read(top, "cold/cold.tsv")
    settled = {(r["case"], r["backend"]): rps(r) for r in read(top, "cold/settled.tsv")}
    tls = paired(read(top, "tls/tls.tsv"), "case", "atoll-tls", "nginx-tls")
    filters = paired(read(top, "filters/filters.tsv"), "gateway", "atoll", "scg")

    def cold_rounds(kind):
        # With the start-up warm-up on, as the gateway ships.
        return [rps(r) for r in cold if r["backend"] == kind and r["warmup"] == "on"]

    def cold_over(kind, reference):
        xs = [x / reference for x in cold_rounds(kind)]
        return statistics.median(xs), xs

    rows = []
    rows.append(("plain route, keep-alive backend: gateway / nginx", warm["atoll-1app"] / warm["nginx"], [], 0.8))
    rows.append(("HTTPS, HTTP/1.1 with keep-alive: gateway / nginx, both terminating TLS",
                 statistics.median(tls), tls, 0.7))
    rows.append(("a route with one SCG filter: gateway / stock Spring Cloud Gateway",
                 statistics.median(filters), filters, 1.0))
    for kind, label in (("keepalive", "keep-alive backend"), ("close", "closing backend")):
        med, xs = cold_over(kind, settled[("gateway-warmup-on", kind)])
        rows.append((f"first {seconds} s of a fresh gateway / settled, {label}", med, xs, 0.9))
    rows.append(("closing backend, warm: gateway / nginx", warm["atoll-close"] / warm["nginx-close"], [], 0.9))
    med, xs = cold_over("close", settled[("nginx", "close")])
    rows.append((f"closing backend, first {seconds} s of a fresh gateway: gateway / nginx", med, xs, 0.9))

    print(f"`bench/gateway/run acceptance`, {params}; gateway config: {config}\n")
    print("| issue 14 acceptance | ratio | per round | asked | met |")
    print("|---|---:|---|---:|---|")
    for name, ratio, per_round, bar in rows:
        rounds = ", ".join(f"{x:.2f}x" for x in per_round)
        print(f"| {name} | **{ratio:.2f}x** | {rounds} | >= {bar}x | {'yes' if ratio >= bar else 'NO'} |")
    print("\nPer case: all/summary.md, cold/summary.md, tls/summary-tls.md, filters/filters-summary.txt")


if __name__ == "__main__":
    main()

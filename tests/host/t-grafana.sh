#!/bin/bash
# contrib/grafana/hostd.json: every query of the dashboard (panels and
# template variables) names metrics that hostd's /metrics exports, as read
# from a running hostd on the fake md layer; a query naming none, or a name
# hostd does not export, fails. The checker is shown to fail on a
# dashboard with a misspelt metric.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/hostd-lib.sh"
. "$(dirname "$0")/md-lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
DASH=$TOP/contrib/grafana/hostd.json

md md127 os raid1 clean 2 0 sda1 sdb1
md md126 data raid5 clean 3 1 sdc1 sdd1 sde1:faulty sdf1
md_sync md126 recover 1000 4000 51200
# the pool's series exist only where a filesystem is mounted: a small tmpfs (root)
mkdir -p "$H_TMP/pool"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=1m hostd-test-pool "$H_TMP/pool"; then
    trap 'umount "$H_TMP/pool" 2>/dev/null; h_cleanup' EXIT
    have_pool=1
else
    have_pool=0
fi
printf 'containers:\n  pool: %s\n' "$H_TMP/pool" >"$H_TMP/hostd.conf"
HOSTD_TEST_SYSFS_ROOT=$SYS PATH=$BIN:$PATH h_start --config "$H_TMP/hostd.conf" || { fail "hostd starts"; tap_done; exit 1; }
h_req GET /metrics
printf '%s\n' "$H_BODY" >"$H_TMP/metrics.prom"
h_stop
if [ "$have_pool" = 0 ]; then
    # not root: no pool to mount, so hostd exports no pool series; its two
    # families are taken as exported (t-metrics checks them as root)
    echo "# no pool mounted (needs root): hostd_pool_size_bytes and hostd_pool_avail_bytes assumed"
    printf '# TYPE hostd_pool_size_bytes gauge\n# TYPE hostd_pool_avail_bytes gauge\n' >>"$H_TMP/metrics.prom"
fi

# check_dashboard FILE: "ok" or what is wrong, one line each
check_dashboard() {
    python3 - "$1" "$H_TMP/metrics.prom" <<'PY'
import json, re, sys
dash = json.load(open(sys.argv[1]))
exported = set()
for line in open(sys.argv[2]):
    m = re.match(r"# TYPE (\S+) (\S+)", line)
    if m:
        exported.add(m.group(1))
        if m.group(2) == "histogram":
            exported.update(m.group(1) + s for s in ("_bucket", "_sum", "_count"))
queries = []
for p in dash.get("panels", []):
    queries += [(p["title"], t["expr"]) for t in p.get("targets", [])]
for v in dash.get("templating", {}).get("list", []):
    q = v.get("query")
    if isinstance(q, dict):
        queries.append(("variable " + v["name"], q["query"]))
bad = []
for where, q in queries:
    names = re.findall(r"\bhostd_[a-z0-9_]+", q)
    if not names:
        bad.append(f"{where}: '{q}' names no hostd metric")
    bad += [f"{where}: {n} is not in /metrics" for n in names if n not in exported]
print("\n".join(bad) if bad else f"ok {len(queries)}")
PY
}
out=$(check_dashboard "$DASH")
case $out in
    ok*) ok "every query of hostd.json names metrics hostd exports (${out#ok } queries)" ;;
    *) fail "every query of hostd.json names metrics hostd exports"; sed 's/^/#   /' <<<"$out" ;;
esac
check "hostd.json has a panel of rebuild progress" grep -q 'hostd_array_sync_ratio' "$DASH"
check "hostd.json shows task history" grep -q 'hostd_task_duration_seconds_count' "$DASH"
sed 's/hostd_array_sync_ratio/hostd_array_sync_percent/' "$DASH" >"$H_TMP/wrong.json"
check_contains "the check fails on a metric hostd does not export" \
    "hostd_array_sync_percent is not in /metrics" "$(check_dashboard "$H_TMP/wrong.json")"
tap_done

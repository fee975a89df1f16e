#!/usr/bin/env bash
# The dashboard in a real browser (docs/dashboard.md): starts `cairn devnet
# --storage 2`, checks the static file server (index, HEAD, Content-Type,
# Cache-Control, `..` and symlink escapes refused, unknown path 404, the
# missing-directory sentence, --web DIR), that a 10M-epoch request is
# answered bounded, that /v1/metrics/series sums exactly; waits for two
# settled epochs, opens the dashboard in headless Chromium (--dump-dom),
# and checks that every chart's values (the chart-data JSON app.js writes)
# equal /v1/metrics' for the same epochs; then saves a screenshot as an
# artifact ($CAIRN_ARTIFACTS, default BUILD/artifacts/dashboard.png) and
# checks it is a PNG. No pixel is compared. CAIRN_DASHBOARD_EPOCHS=N (default
# 2) waits for N settled epochs instead (docs/dashboard.png is taken so).
# Needs bash, curl, python3, chromium (scripts/install-deps.sh --tests).
set -euo pipefail

: "${CAIRN_BIN:?CAIRN_BIN must point at the cairn binary (run through ctest)}"
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$CHROMIUM" ] || [ ! -x "$CHROMIUM" ]; then
    echo "FAIL: chromium is not installed; run scripts/install-deps.sh --tests" \
         "(or: apt-get install chromium) to install what the tests need" >&2
    exit 1
fi
TMP=$(mktemp -d /tmp/cairn-dashboard-XXXXXX)
NET=$TMP/net
PORT=0
DEVNET_PID=""
FOL_PID=""
ART=${CAIRN_ARTIFACTS:-$(dirname "$CAIRN_BIN")/artifacts}
DEVNET_ARGS="--storage 2"

# Stops what we started (by PID) and removes the temp dir.
cleanup() {
    if [ -n "$FOL_PID" ] && kill -0 "$FOL_PID" 2>/dev/null; then
        kill -TERM "$FOL_PID" 2>/dev/null || true
        wait "$FOL_PID" 2>/dev/null || true
    fi
    if [ -n "$DEVNET_PID" ] && kill -0 "$DEVNET_PID" 2>/dev/null; then
        kill -TERM "$DEVNET_PID" 2>/dev/null || true
        wait "$DEVNET_PID" 2>/dev/null || true
    fi
    if [ -z "${CAIRN_KEEP_TMP:-}" ]; then rm -rf "$TMP"; else echo "kept $TMP"; fi
}
trap cleanup EXIT
. "$(dirname "$0")/devnet_lib.sh"

fail() {
    echo "FAIL: $*" >&2
    for f in "$TMP"/devnet*.out "$NET"/sequencer.log "$TMP"/follower-*.log; do
        [ -f "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }
    done
    exit 1
}
URL() { echo "http://127.0.0.1:$PORT$1"; }
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

for attempt in 1 2 3 4 5; do
    PORT=$((20000 + RANDOM % 12000)) # below the ephemeral ports (32768..)
    start_devnet first && break
    [ "$attempt" -lt 5 ] || fail "devnet would not start"
done
ok "devnet on port $PORT"
grep -q "dashboard  http://127.0.0.1:$PORT/" "$TMP/devnet-first.out" ||
    fail "the devnet banner does not name the dashboard's URL"
# a price (alice is the devnet's oracle) and credits bought, for their charts
"$CAIRN_BIN" --node "$(URL "")" price set 0.5 --key "$NET/keys/alice.key" >/dev/null ||
    fail "price set failed"
"$CAIRN_BIN" --node "$(URL "")" credits buy 100 --key "$NET/keys/bob.key" >/dev/null ||
    fail "credits buy failed"

# --- static files -----------------------------------------------------------
H=$(curl -s -D - -o "$TMP/index.html" "$(URL /)")
echo "$H" | grep -q "^HTTP/1.1 200" || fail "GET / is not 200: $H"
echo "$H" | grep -qi "^Content-Type: text/html" || fail "/ is not text/html: $H"
echo "$H" | grep -qi "^Cache-Control: " || fail "/ has no Cache-Control: $H"
grep -q 'id="chart-data"' "$TMP/index.html" || fail "/ is not the dashboard"
H=$(curl -s -I "$(URL /app.js)")
echo "$H" | grep -q "^HTTP/1.1 200" || fail "HEAD /app.js is not 200: $H"
echo "$H" | grep -qi "^Content-Type: text/javascript" || fail "app.js type: $H"
LEN=$(echo "$H" | tr -d '\r' | awk 'tolower($1) == "content-length:" {print $2}')
[ "${LEN:-0}" -gt 1000 ] || fail "HEAD /app.js: Content-Length $LEN"
H=$(curl -s -D - -o /dev/null "$(URL /vendor/uplot/uPlot.iife.min.js)")
echo "$H" | grep -qi "^Cache-Control: public, max-age" || fail "vendored uPlot: $H"
[ "$(code "$(URL /vendor/uplot/LICENSE)")" = 200 ] || fail "uPlot's LICENSE is not served"
for p in /../etc/passwd /vendor/../index.html /vendor/uplot/../../app.js \
         /%2e%2e/etc/passwd /.hidden /nope.js /vendor/ //etc/passwd; do
    C=$(code --path-as-is "$(URL "$p")")
    [ "$C" = 404 ] || fail "GET $p answered $C, not 404"
done
[ "$(code -X POST "$(URL /)")" = 405 ] || fail "POST / is not 405"
[ "$(code "$(URL /v1/nope)")" = 404 ] || fail "/v1/nope is not the API's 404"
ok "static files: index, HEAD, types, Cache-Control; .., hidden, unknown: 404"

# --web DIR: a follower serving a directory of ours, with a link out of it;
# and one whose directory is missing
mkdir -p "$TMP/web"
echo '<!doctype html><title>mine</title>' >"$TMP/web/index.html"
ln -s /etc/passwd "$TMP/web/out.txt"
ln -s "$TMP/web/index.html" "$TMP/web/in.html"
"$CAIRN_BIN" init --genesis "$NET/genesis.json" --data "$TMP/fol" >/dev/null ||
    fail "cairn init for the follower failed"
start_follower() { # $1: --web value, $2: port
    "$CAIRN_BIN" node --data "$TMP/fol" --follow "$(URL "")" \
        --listen "127.0.0.1:$2" --web "$1" >"$TMP/follower-$2.log" 2>&1 &
    FOL_PID=$!
    for _ in $(seq 1 100); do
        curl -sf "http://127.0.0.1:$2/v1/status" >/dev/null && return 0
        kill -0 "$FOL_PID" 2>/dev/null || fail "follower on $2 exited"
        sleep 0.1
    done
    fail "follower on $2 did not answer within 10 s"
}
stop_follower() { kill -TERM "$FOL_PID"; wait "$FOL_PID" || true; FOL_PID=""; }
FP=$((PORT + 50))
start_follower "$TMP/web" "$FP"
grep -q mine <<<"$(curl -s "http://127.0.0.1:$FP/")" || fail "--web DIR is not served"
[ "$(code "http://127.0.0.1:$FP/in.html")" = 200 ] || fail "a link inside the dir"
[ "$(code "http://127.0.0.1:$FP/out.txt")" = 404 ] || fail "a link out of the dir is served"
stop_follower
start_follower "$TMP/none" "$FP"
B=$(curl -s -w ' %{http_code}' "http://127.0.0.1:$FP/")
echo "$B" | grep -q -- "--web" || fail "a missing dir does not say to pass --web: $B"
echo "$B" | grep -q " 404$" || fail "a missing dir is not 404: $B"
stop_follower
ok "--web DIR served; a link out of it refused; a missing dir says --web"

# --- two settled epochs, the credits' among them (bounded wait) -------------
EPOCHS=${CAIRN_DASHBOARD_EPOCHS:-2}
[ "$EPOCHS" -ge 2 ] && [ "$EPOCHS" -le 50 ] || fail "CAIRN_DASHBOARD_EPOCHS: 2..50"
# prints the last settled epoch once >= EPOCHS-1 and the 100 credits are settled
settled() {
    curl -sf "$(URL /v1/metrics)" | python3 -c '
import json, sys
m = json.load(sys.stdin)
if m["latest_epoch"] is not None and m["latest_epoch"] >= int(sys.argv[1]) - 1 and \
   sum(e["credits_bought"] for e in m["epochs"]) == 100:
    print(m["latest_epoch"])' "$EPOCHS" 2>/dev/null || true
}
LATEST=""
WAIT_S=$((40 + 12 * EPOCHS)) # 10 blocks of 1 s an epoch, and slack
for _ in $(seq 1 $((WAIT_S * 5))); do
    LATEST=$(settled)
    [ -n "$LATEST" ] && break
    sleep 0.2
done
[ -n "$LATEST" ] || fail "$EPOCHS epochs with the credits bought did not settle within $WAIT_S s"
ok "epochs 0..$LATEST settled"

# --- the API for scale ---------------------------------------------------------
curl -s -o "$TMP/big.json" -w '%{http_code}' "$(URL '/v1/metrics/series?from=0&to=10000000')" \
    >"$TMP/big.code"
[ "$(cat "$TMP/big.code")" = 200 ] || fail "a 10M-epoch series: HTTP $(cat "$TMP/big.code")"
[ "$(stat -c %s "$TMP/big.json")" -lt 1000000 ] || fail "a 10M-epoch series is not bounded"
[ "$(code "$(URL '/v1/metrics/series?points=1001')")" = 400 ] || fail "points > 1000 accepted"
[ "$(code "$(URL '/v1/metrics?from=0&to=10000000')")" = 400 ] ||
    fail "/v1/metrics took a 10M-epoch range"
python3 - "$(URL "")" <<'EOF' || fail "the series does not sum /v1/metrics exactly"
import json, sys, urllib.request
base = sys.argv[1]
get = lambda p: json.load(urllib.request.urlopen(base + p, timeout=10))
s = get("/v1/metrics/series?from=0&to=%d&points=1" % get("/v1/metrics/series?points=1")["latest_epoch"])
assert len(s["points"]) == 1, s
pt = s["points"][0]
m = get("/v1/metrics?from=%d&to=%d" % (pt["first_epoch"], pt["epoch"]))["epochs"]
assert s["bucket_epochs"] >= len(m) == pt["epochs"], (s["bucket_epochs"], len(m))
for f in ["revenue_units", "burned_units", "emitted_units", "transfer_volume_units"]:
    assert int(pt[f]) == sum(int(e[f]) for e in m), f
for k in ["providers_units", "burn_units", "treasury_units", "stakers_units"]:
    assert int(pt["fees_by_destination"][k]) == sum(int(e["fees_by_destination"][k]) for e in m), k
for sec, v in pt["work_units"].items():
    assert v == sum(e["work_units"][sec] for e in m), sec
for f in ["supply_units", "circulating_units", "staked_ratio_bps", "velocity_bps"]:
    assert pt[f] == m[-1][f], f
for e in m:  # fees by destination add up to the revenue
    d = e["fees_by_destination"]
    assert sum(int(d[k]) for k in ["providers_units", "burn_units", "treasury_units",
                                   "stakers_units"]) == int(e["revenue_units"]), e["epoch"]
print("ok: one point of %d epochs sums /v1/metrics exactly" % len(m))
EOF
# captured first: grep -q exits at the first match and, under pipefail, curl's
# write into the closed pipe would fail the line (it did, once, in CI)
PROM=$(curl -sf "$(URL /metrics)")
grep -q '^cairn_epoch_fees_tokens{destination="stakers"} [0-9]' <<<"$PROM" ||
    fail "/metrics has no fees by destination"
ok "a 10M-epoch series is answered bounded; /v1/metrics refuses it"

# --- the dashboard in headless Chromium ----------------------------------------
chrome() {
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
        --user-data-dir="$TMP/chrome" --no-first-run --hide-scrollbars \
        --virtual-time-budget=15000 "$@" 2>>"$TMP/chromium.log"
}
chrome --dump-dom "$(URL /)" >"$TMP/dom.html" || fail "chromium --dump-dom failed: $(tail -3 "$TMP/chromium.log")"
python3 - "$(URL "")" "$TMP/dom.html" <<'EOF' || fail "the charts do not show /v1/metrics' values"
import html, json, re, sys, urllib.request
base, dom = sys.argv[1], open(sys.argv[2]).read()
assert re.search(r'<body[^>]*data-ready="1"', dom), "the page never finished loading"
m = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', dom, re.S)
assert m, "no chart-data"
charts = json.loads(html.unescape(m.group(1)))
need = ["providers", "usage", "revenue", "supply", "circulating", "velocity", "credits"]
missing = [c for c in need if c not in charts]
assert not missing, "charts missing: %s" % missing
def pick(o, path):
    for p in path.split("."):
        o = o[p]
    return str(o)
checked = 0
for name in need:
    c = charts[name]
    eps = c["epochs"]
    assert len(eps) >= 2, "%s shows %d epochs" % (name, len(eps))
    assert c["bucket_epochs"] == 1, "%s: a devnet's series is not downsampled" % name
    got = json.load(urllib.request.urlopen(
        base + "/v1/metrics?from=%d&to=%d" % (eps[0], eps[-1]), timeout=10))
    by = {e["epoch"]: e for e in got["epochs"]}
    for s in c["series"]:
        assert len(s["values"]) == len(eps), (name, s["label"])
        for ep, v in zip(eps, s["values"]):
            want = pick(by[ep], s["field"])
            assert v == want, "%s/%s at epoch %d: chart %s, /v1/metrics %s" % (
                name, s["label"], ep, v, want)
            checked += 1
rows = re.search(r'<table id="providers"[^>]*data-rows="(\d+)"', dom)
assert rows and int(rows.group(1)) == 2, "the providers table does not list the 2 storage providers"
assert re.search(r'<table id="blocks"[^>]*data-tip="\d+"', dom), "no latest blocks"
for p in ["storage", "compute", "wireless", "sensor"]:
    assert 'id="panel-%s"' % p in dom, p
assert "files (deals)" in dom, "the storage panel has no files/proofs table"
price = json.load(urllib.request.urlopen(base + "/v1/price", timeout=10))
px = charts["price"]["series"][0]["values"]
assert px and px[-1] == price["price_units"], "price chart %s, /v1/price %s" % (px, price["price_units"])
assert sum(int(v) for v in charts["credits"]["series"][0]["values"]) == 100, "credits bought"
print("ok: %d chart values over epochs %d..%d equal /v1/metrics'" % (
    checked, charts["providers"]["epochs"][0], charts["providers"]["epochs"][-1]))
EOF
ok "the dashboard's charts match /v1/metrics"

mkdir -p "$ART"
rm -f "$ART/dashboard.png"
chrome --window-size=1400,1900 --screenshot="$ART/dashboard.png" "$(URL /)" >/dev/null ||
    fail "chromium --screenshot failed: $(tail -3 "$TMP/chromium.log")"
[ -s "$ART/dashboard.png" ] || fail "no screenshot at $ART/dashboard.png"
[ "$(head -c 8 "$ART/dashboard.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
    fail "$ART/dashboard.png is not a PNG"
ok "screenshot saved: $ART/dashboard.png ($(stat -c %s "$ART/dashboard.png") bytes)"
echo "PASS test_dashboard"

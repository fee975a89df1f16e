#!/usr/bin/env bash
# Bad input against a running S3 gateway (`cairn s3`, docs/s3-auth.md;
# issue 15): on a devnet with six storage providers, requests signed by hand
# (python3's hmac/hashlib over raw sockets) check that
#  - a malformed CompleteMultipartUpload body (and one with a DTD of
#    entities) and a malformed DeleteObjects body -> 400 MalformedXML;
#  - a 64 KiB header -> 431 or 400;
#  - a body shorter than its Content-Length, then the connection closed:
#    nothing is stored (the key is absent from the listing and HEAD says 404);
#  - a signature dated 1 h in the future -> 403 RequestTimeTooSkewed;
#  - a wrong secret -> 403 SignatureDoesNotMatch, an unknown access key ->
#    403 InvalidAccessKeyId, no signature -> 403 AccessDenied;
#  - with 100 idle connections held open (half of them silent, half in the
#    middle of their headers), a signed PUT and GET and a presigned GET
#    still succeed; the gateway keeps running throughout;
#  - a URL presigned by the AWS CLI (/usr/bin/aws s3 presign) serves the
#    object; one that has expired is refused with AccessDenied.
# Every wait is bounded; every process started is stopped by PID.
# Needs bash, python3 and cairn (and /usr/bin/aws for the last check).
set -euo pipefail

: "${CAIRN_BIN:?CAIRN_BIN must point at the cairn binary (run through ctest)}"
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
DEVNET_ARGS="--storage 6"
DEVNET_WAIT_S=90
. "$(dirname "$0")/devnet_lib.sh"
GW_PID=""
fail() {
    echo "FAIL: $*" >&2
    [ -f "$TMP/gw.log" ] && { echo "--- $TMP/gw.log" >&2; tail -n 25 "$TMP/gw.log" >&2; }
    devnet_fail "$@"
}
stop_gw() {
    if [ -n "$GW_PID" ]; then
        kill -TERM "$GW_PID" 2>/dev/null || true
        wait "$GW_PID" 2>/dev/null || true
        GW_PID=""
    fi
}
devnet_storage_test s3-bad
trap 'stop_gw; devnet_cleanup' EXIT
ok "devnet on port $PORT with 6 storage providers"

AK=AKIACAIRNBADTEST01
SK=bad-input-test-secret/0123456789
( umask 077 && printf '# test_s3_bad\n%s %s %s rw\n' "$AK" "$SK" "$NET/keys/bob.key" >"$TMP/s3keys" )
GW_PORT=0
for _ in 1 2 3 4 5; do
    GW_PORT=$((20000 + RANDOM % 12000))
    "$CAIRN_BIN" --node "http://127.0.0.1:$PORT" s3 --listen "127.0.0.1:$GW_PORT" \
        --keys "$TMP/s3keys" --store "$TMP/gw" --key "$NET/keys/bob.key" \
        --epochs 20 --segment 1MiB >"$TMP/gw.log" 2>&1 &
    GW_PID=$!
    for _ in $(seq 1 600); do
        grep -q "s3: listening on" "$TMP/gw.log" && break
        kill -0 "$GW_PID" 2>/dev/null || break
        sleep 0.1
    done
    grep -q "s3: listening on" "$TMP/gw.log" && break
    wait "$GW_PID" 2>/dev/null || true
    GW_PID=""
    grep -q "cannot listen" "$TMP/gw.log" || fail "the gateway did not start"
done
[ -n "$GW_PID" ] || fail "the gateway found no free port"
ok "gateway on $GW_PORT"

cat >"$TMP/bad.py" <<'EOPY'
import base64, hashlib, hmac, re, socket, sys, time
from urllib.parse import quote

HOST = "127.0.0.1"
PORT, AK, SK = int(sys.argv[1]), sys.argv[2], sys.argv[3]
REGION = "us-east-1"
TIMEOUT = 120


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def q(s):
    return quote(s, safe="-_.~")


def sign(method, path, params, headers, payload_hash, secret, t, akid=AK):
    amz = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))
    date = amz[:8]
    h = {k.lower(): v for k, v in headers.items()}
    h["host"] = "%s:%d" % (HOST, PORT)
    h["x-amz-date"] = amz
    h["x-amz-content-sha256"] = payload_hash
    names = sorted(h)
    cq = "&".join(sorted("%s=%s" % (q(k), q(v or "")) for k, v in params))
    creq = "\n".join([method, path, cq,
                      "".join("%s:%s\n" % (n, " ".join(str(h[n]).split())) for n in names),
                      ";".join(names), payload_hash])
    scope = "%s/%s/s3/aws4_request" % (date, REGION)
    sts = "\n".join(["AWS4-HMAC-SHA256", amz, scope,
                     hashlib.sha256(creq.encode()).hexdigest()])
    k = hmac.new(("AWS4" + secret).encode(), date.encode(), hashlib.sha256).digest()
    for m in (REGION, "s3", "aws4_request"):
        k = hmac.new(k, m.encode(), hashlib.sha256).digest()
    sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    h["authorization"] = ("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, "
                          "Signature=%s" % (akid, scope, ";".join(names), sig))
    return h


def presign(method, path, expires=300):
    amz = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    date = amz[:8]
    scope = "%s/%s/s3/aws4_request" % (date, REGION)
    params = [("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
              ("X-Amz-Credential", "%s/%s" % (AK, scope)),
              ("X-Amz-Date", amz), ("X-Amz-Expires", str(expires)),
              ("X-Amz-SignedHeaders", "host")]
    cq = "&".join(sorted("%s=%s" % (q(k), q(v)) for k, v in params))
    creq = "\n".join([method, path, cq, "host:%s:%d\n" % (HOST, PORT), "host",
                      "UNSIGNED-PAYLOAD"])
    sts = "\n".join(["AWS4-HMAC-SHA256", amz, scope,
                     hashlib.sha256(creq.encode()).hexdigest()])
    k = hmac.new(("AWS4" + SK).encode(), date.encode(), hashlib.sha256).digest()
    for m in (REGION, "s3", "aws4_request"):
        k = hmac.new(k, m.encode(), hashlib.sha256).digest()
    sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    return cq + "&X-Amz-Signature=" + sig


def read_response(s, head=False):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            return None, {}, data
        data += chunk
    hdr, rest = data.split(b"\r\n\r\n", 1)
    lines = hdr.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for ln in lines[1:]:
        if ":" in ln:
            k, v = ln.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    if head or status in (204, 304):
        return status, headers, b""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            while b"\r\n" not in rest:
                chunk = s.recv(65536)
                if not chunk:
                    return status, headers, body
                rest += chunk
            size_line, rest = rest.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            while len(rest) < size + 2:
                chunk = s.recv(65536)
                if not chunk:
                    break
                rest += chunk
            if size == 0:
                return status, headers, body
            body += rest[:size]
            rest = rest[size + 2:]
    if "content-length" in headers:
        n = int(headers["content-length"])
        while len(rest) < n:
            chunk = s.recv(65536)
            if not chunk:
                break
            rest += chunk
        return status, headers, rest[:n]
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return status, headers, rest
        rest += chunk


def request(method, path, params=(), body=b"", headers=None, secret=SK, skew=0,
            akid=AK, unsigned=False, raw_query=None, declared=None, close_after=None):
    """Sends one request on a new connection; returns (status, headers, body).
    declared: the Content-Length to claim; close_after: send only this many
    body bytes, then close (no answer awaited)."""
    headers = dict(headers or {})
    if not unsigned:
        headers = sign(method, path, params, headers,
                       hashlib.sha256(body).hexdigest(), secret, time.time() + skew, akid)
    query = raw_query if raw_query is not None else "&".join(
        q(k) if v is None else "%s=%s" % (q(k), q(v)) for k, v in params)
    target = path + ("?" + query if query else "")
    n = declared if declared is not None else len(body)
    lines = ["%s %s HTTP/1.1" % (method, target)]
    if "host" not in {k.lower() for k in headers}:
        lines.append("Host: %s:%d" % (HOST, PORT))
    lines += ["%s: %s" % (k, v) for k, v in headers.items()]
    if body or declared is not None or method in ("PUT", "POST"):
        lines.append("Content-Length: %d" % n)
    lines.append("Connection: close")
    s = socket.create_connection((HOST, PORT), timeout=TIMEOUT)
    try:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        if close_after is not None:
            s.sendall(body[:close_after])
            s.shutdown(socket.SHUT_WR)
            try:
                s.settimeout(10)
                return read_response(s)
            except (OSError, ValueError):
                return None, {}, b""
        if body:
            s.sendall(body)
        return read_response(s, head=(method == "HEAD"))
    finally:
        s.close()


def code_of(body):
    m = re.search(rb"<Code>([^<]*)</Code>", body)
    return m.group(1).decode() if m else None


def expect(what, got, status, code):
    st, _, body = got
    ok_status = st in status if isinstance(status, tuple) else st == status
    if not ok_status or (code and code_of(body) != code):
        fail("%s: got %s %s, want %s %s (body %r)" % (what, st, code_of(body), status, code, body[:300]))
    print("ok: %s -> %s %s" % (what, st, code_of(body) or ""))


B = "/s3bad"
expect("CreateBucket", request("PUT", B), 200, None)

# malformed XML
st, _, body = request("POST", B + "/big.bin", [("uploads", None)])
m = re.search(rb"<UploadId>([^<]+)</UploadId>", body or b"")
if st != 200 or not m:
    fail("CreateMultipartUpload: %s %r" % (st, body))
upload = m.group(1).decode()
expect("Complete with truncated XML",
       request("POST", B + "/big.bin", [("uploadId", upload)],
               b"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>"),
       400, "MalformedXML")
expect("Complete with a DTD of entities",
       request("POST", B + "/big.bin", [("uploadId", upload)],
               b'<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
               b"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>"
               b"<ETag>&b;</ETag></Part></CompleteMultipartUpload>"),
       400, "MalformedXML")
expect("Complete with something else than XML",
       request("POST", B + "/big.bin", [("uploadId", upload)], b"PartNumber=1"),
       400, "MalformedXML")
request("DELETE", B + "/big.bin", [("uploadId", upload)])
bad_delete = b"<Delete><Object><Key>a</Key></Object"
expect("DeleteObjects with malformed XML",
       request("POST", B, [("delete", None)], bad_delete,
               {"Content-MD5": base64.b64encode(hashlib.md5(bad_delete).digest()).decode()}),
       400, "MalformedXML")

# a 64 KiB header
got = request("GET", B, unsigned=True, headers={"X-Big": "a" * 65536})
if got[0] not in (400, 431):
    fail("a 64 KiB header: got %s %r, want 431 or 400" % (got[0], got[2][:200]))
print("ok: a 64 KiB header -> %s" % got[0])

# a body shorter than its Content-Length
short = bytes(range(256)) * 400
request("PUT", B + "/short.bin", (), short, declared=len(short), close_after=5000)
time.sleep(1)
st, _, body = request("GET", B, [("list-type", "2")])
if st != 200 or b"short.bin" in body:
    fail("after a short body: listing %s %r" % (st, body[:300]))
expect("HEAD of the object whose body was cut", request("HEAD", B + "/short.bin"), 404, None)

# clocks, secrets, keys
expect("a signature dated 1 h ahead", request("GET", B, [("list-type", "2")], skew=3600),
       403, "RequestTimeTooSkewed")
expect("a wrong secret", request("GET", B, [("list-type", "2")], secret="not-the-secret-at-all"),
       403, "SignatureDoesNotMatch")
expect("an unknown access key", request("GET", B, [("list-type", "2")], akid="AKIANOBODY"),
       403, "InvalidAccessKeyId")
expect("no signature", request("GET", B, unsigned=True), 403, "AccessDenied")

# 100 idle connections, then real work
idle = []
try:
    for i in range(100):
        s = socket.create_connection((HOST, PORT), timeout=10)
        if i % 2:
            s.sendall(b"GET " + B.encode() + b" HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        idle.append(s)
    data = b"still serving after the bad input\n" * 100
    expect("PUT with 100 idle connections open",
           request("PUT", B + "/after.txt", (), data), 200, None)
    st, _, body = request("GET", B + "/after.txt")
    if st != 200 or body != data:
        fail("GET with 100 idle connections open: %s, %d bytes" % (st, len(body or b"")))
    print("ok: GET with 100 idle connections open -> 200, same bytes")
    st, _, body = request("GET", B + "/after.txt", unsigned=True,
                          raw_query=presign("GET", B + "/after.txt"))
    if st != 200 or body != data:
        fail("presigned GET: %s %r" % (st, (body or b"")[:200]))
    print("ok: presigned GET -> 200, same bytes")
finally:
    for s in idle:
        s.close()
EOPY
timeout 900 python3 "$TMP/bad.py" "$GW_PORT" "$AK" "$SK" || fail "bad input (above)"

# A URL presigned by the AWS CLI (botocore's signer, not ours) works, and
# stops working once it has expired.
AWS_BIN=${AWS_BIN:-/usr/bin/aws}
if [ -x "$AWS_BIN" ]; then
    mkdir -p "$TMP/aws"
    printf '[default]\nregion = us-east-1\n' >"$TMP/aws/config"
    printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$AK" "$SK" \
        >"$TMP/aws/credentials"
    fetch() {
        python3 - "$1" <<'EOPY'
import sys, urllib.request, urllib.error
try:
    with urllib.request.urlopen(sys.argv[1], timeout=60) as r:
        sys.stdout.buffer.write(r.read())
except urllib.error.HTTPError as e:
    sys.stdout.buffer.write(e.read())
    sys.exit(1)
EOPY
    }
    presign() {
        AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=$TMP/aws/config \
            AWS_SHARED_CREDENTIALS_FILE=$TMP/aws/credentials \
            timeout 120 "$AWS_BIN" --endpoint-url "http://127.0.0.1:$GW_PORT" \
            s3 presign s3://s3bad/after.txt --expires-in "$1"
    }
    URL=$(presign 3600) || fail "aws s3 presign"
    fetch "$URL" >"$TMP/presigned.out" || fail "the AWS CLI's presigned URL was refused: $(cat "$TMP/presigned.out")"
    grep -q "still serving after the bad input" "$TMP/presigned.out" || fail "presigned GET: wrong bytes"
    ok "a URL presigned by the AWS CLI -> the object"
    URL=$(presign 1) || fail "aws s3 presign"
    sleep 3 # past its expiry whatever the load
    if fetch "$URL" >"$TMP/presigned.out"; then
        fail "an expired presigned URL was served"
    fi
    grep -q "<Code>AccessDenied</Code>" "$TMP/presigned.out" || fail "expired URL: $(cat "$TMP/presigned.out")"
    ok "a presigned URL past its expiry -> AccessDenied"
fi
kill -0 "$GW_PID" 2>/dev/null || fail "the gateway died"
ok "the gateway still runs"
stop_gw

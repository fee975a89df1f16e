#!/usr/bin/env python3
"""Helpers of tests/integration/test_replicas.sh (node API over HTTP,
keep-alive, short timeouts so that a stopped node cannot hold the test).

  replicas_util.py status URL...
      one line per URL: "height tip_hash state_root role term" where role is
      leader|standby|follower|sequencer, or "down" when it does not answer
      in 0.5 s
  replicas_util.py txs URL FILE
      every hash in FILE (one a line) must be committed at URL
      (GET /v1/tx/HASH); prints the count, exits 1 naming the missing ones
  replicas_util.py block URL H
      "hash state_root term proposer" of block H ("none" when absent)
  replicas_util.py first URL H TERM
      time_ms of the first block of TERM, looking down from block H
      (the new leader's first block after a failover); "none" if H is not
      of that term
  replicas_util.py newleader OLD_TERM URL...
      "index term first_time_ms" when the replica at URLs[index] leads with
      a term above OLD_TERM and has committed a block of it (first_time_ms:
      the time_ms of that term's first block); exits 1 otherwise
  replicas_util.py terms URL FROM TO
      "height term proposer" of each block FROM..TO (the term is read from
      the raw header: /v1/block has no "term" field)
"""
import http.client
import json
import sys
import urllib.parse

# Header layout (include/cairn/block.h): magic u8, height u64, prev[32],
# time_ms u64, tx_root[32], state_root[32], proposer[32], term u64 (LE).
TERM_OFF = 1 + 8 + 32 + 8 + 32 + 32 + 32


class Api:
    def __init__(self, url, timeout):
        u = urllib.parse.urlparse(url)
        self.host, self.port, self.timeout = u.hostname, u.port, timeout
        self.conn = None

    def get(self, path):
        """(status, parsed JSON or None); (0, None) when no answer. A
        kept-alive connection the node closed is opened again, once."""
        for _ in range(2 if self.conn is not None else 1):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(
                        self.host, self.port, timeout=self.timeout)
                self.conn.request("GET", path)
                r = self.conn.getresponse()
                body = r.read()
                try:
                    return r.status, json.loads(body)
                except ValueError:
                    return r.status, None
            except (OSError, http.client.HTTPException):
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
        return 0, None


def status(urls):
    for url in urls:
        st, j = Api(url, 0.5).get("/v1/status")
        if st != 200 or not isinstance(j, dict):
            print("down")
            continue
        rep = j.get("replica") or {}
        role = rep.get("role") or j.get("mode", "?")
        print(j.get("height"), j.get("tip_hash"), j.get("state_root"), role,
              rep.get("term", 0))


def txs(url, path):
    api = Api(url, 5)
    with open(path) as f:
        hashes = [h.strip() for h in f if h.strip()]
    missing = []
    for h in hashes:
        st, _ = api.get("/v1/tx/" + h)
        if st != 200:
            missing.append("%s (%d)" % (h, st))
    print("%d acknowledged transactions, %d missing" %
          (len(hashes), len(missing)))
    for m in missing[:20]:
        print("missing:", m)
    return 1 if missing else 0


def term_of(blk):
    raw = bytes.fromhex(blk["raw"])
    return int.from_bytes(raw[TERM_OFF:TERM_OFF + 8], "little")


def block(url, h):
    st, j = Api(url, 5).get("/v1/block/%d" % h)
    if st != 200 or not isinstance(j, dict):
        print("none")
        return
    print(j["hash"], j["state_root"], term_of(j), j["proposer"])


def first_time(api, h, term):
    t = None
    while h > 0:
        st, j = api.get("/v1/block/%d" % h)
        if st != 200 or not isinstance(j, dict) or term_of(j) != term:
            break
        t = j["time_ms"]
        h -= 1
    return t


def first(url, h, term):
    t = first_time(Api(url, 5), h, term)
    print("none" if t is None else t)


def newleader(old, urls):
    best = None
    for i, url in enumerate(urls):
        api = Api(url, 0.5)
        st, j = api.get("/v1/status")
        if st != 200 or not isinstance(j, dict):
            continue
        rep = j.get("replica") or {}
        term = int(rep.get("term", 0))
        if rep.get("role") == "leader" and term > old and \
                (best is None or term > best[1]):
            best = (i, term, int(j["height"]), api)
    if best is None:
        return 1
    t = first_time(best[3], best[2], best[1])
    if t is None:
        return 1
    print(best[0], best[1], t)
    return 0


def terms(url, lo, hi):
    api = Api(url, 5)
    for h in range(lo, hi + 1):
        st, j = api.get("/v1/block/%d" % h)
        if st != 200 or not isinstance(j, dict):
            print(h, "none")
            return 1
        print(h, term_of(j), j["proposer"])
    return 0


def main(a):
    if len(a) >= 2 and a[0] == "status":
        status(a[1:])
        return 0
    if len(a) == 3 and a[0] == "txs":
        return txs(a[1], a[2])
    if len(a) == 3 and a[0] == "block":
        block(a[1], int(a[2]))
        return 0
    if len(a) == 4 and a[0] == "first":
        first(a[1], int(a[2]), int(a[3]))
        return 0
    if len(a) >= 3 and a[0] == "newleader":
        return newleader(int(a[1]), a[2:])
    if len(a) == 4 and a[0] == "terms":
        return terms(a[1], int(a[2]), int(a[3]))
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

/* bench/storage: the storage client's data path on one core. Measures each
 * stage alone (XChaCha20-Poly1305 encryption, ISA-L Reed-Solomon encoding
 * at 4-of-6 and Storj's 29-of-80, BLAKE2b piece roots), then the whole
 * encode pipeline (encrypt + RS + roots, cairn_layout_encode) and decode
 * pipeline (rebuild + decrypt, cairn_layout_decode), and prints each rate
 * with its ratio to the slowest stage. The pipelines are also compared
 * with the bound their stages set when run one after another. Prints
 * figures; asserts nothing about speed. Each measurement runs for about
 * BENCH_SECONDS, so a run takes a few seconds.
 *
 * Usage: bench_storage [segment_bytes]   (default 4 MiB)
 *
 * The last two stages put and get whole segments through six provider
 * daemons in this process over real loopback connections.
 *
 * To add a stage, write a function of the
 * shape `double stage_x(bench_ctx *c)` that returns bytes per second and
 * append it to the `stages` table in main. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cairn/layout.h"
#include "cairn/storage.h"
#include "client/link.h"
#include "client/par.h"
#include "sectors/storage/crypt.h"
#include "provider/provider.h"
#include "sectors/storage/rs.h"

#define BENCH_SECONDS 0.3

typedef struct bench_ctx {
    uint32_t seg;       /* segment size */
    cairn_file_info fi; /* one full segment, 4-of-6 */
    cairn_layout *l;
    cairn_segment_sizes sz;
    uint8_t *plain;  /* seg bytes */
    uint8_t *cipher; /* seg + tag bytes */
    uint8_t *pieces; /* n x sz.piece bytes for the widest code */
    cairn_hash roots[CAIRN_RS_MAX_N];
} bench_ctx;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what, cairn_err e)
{
    fprintf(stderr, "bench_storage: %s: %s\n", what, cairn_strerror(e));
    exit(1);
}

/* Calls fn(c) until BENCH_SECONDS have passed (at least twice, one warm-up
 * call not counted) and returns bytes per second, `bytes` per call. */
static double rate(void (*fn)(bench_ctx *), bench_ctx *c, double bytes)
{
    fn(c);
    double t0 = now(), t;
    long calls = 0;
    do {
        fn(c);
        calls++;
    } while ((t = now() - t0) < BENCH_SECONDS || calls < 2);
    return bytes * (double)calls / t;
}

/* ---- stages: each returns bytes per second of its input ---- */

static void do_encrypt(bench_ctx *c)
{
    uint8_t key[CAIRN_FILE_KEY_LEN] = {1};
    storage_seg_id id = {.seg = 0, .file_size = c->seg, .segment_size = c->seg};
    storage_seal(c->cipher, c->plain, c->seg, key, &id);
}

static double stage_encrypt(bench_ctx *c)
{
    return rate(do_encrypt, c, c->seg);
}

/* RS encoding of one segment's worth of data (seg bytes in k pieces). */
static storage_rs bench_rs;
static size_t bench_rs_len;

static void do_rs(bench_ctx *c)
{
    uint8_t *p[CAIRN_RS_MAX_N];
    for (unsigned i = 0; i < bench_rs.n; i++)
        p[i] = c->pieces + i * bench_rs_len;
    storage_rs_encode(&bench_rs, bench_rs_len, p, p + bench_rs.k);
}

static double rs_rate(bench_ctx *c, unsigned k, unsigned n)
{
    cairn_err e = storage_rs_init(&bench_rs, k, n);
    if (e)
        die("rs init", e);
    bench_rs_len = (c->seg + k - 1) / k;
    memcpy(c->pieces, c->plain, c->seg);
    double r = rate(do_rs, c, (double)bench_rs_len * k);
    storage_rs_free(&bench_rs);
    return r;
}

static double stage_rs_4_6(bench_ctx *c) { return rs_rate(c, 4, 6); }
static double stage_rs_29_80(bench_ctx *c) { return rs_rate(c, 29, 80); }

/* BLAKE2b piece roots over one segment's bytes, cut into 4-of-6 pieces. */
static void do_hash(bench_ctx *c)
{
    for (uint32_t i = 0; i < 4; i++)
        if (cairn_piece_root(&c->roots[i], c->plain + (size_t)i * (c->seg / 4), c->seg / 4))
            abort();
}

static double stage_hash(bench_ctx *c)
{
    return rate(do_hash, c, (double)(c->seg / 4) * 4);
}

/* ---- pipelines: bytes per second of plaintext ---- */

static void do_encode(bench_ctx *c)
{
    cairn_err e = cairn_layout_encode(c->l, 0, c->plain, c->sz.plain, c->pieces,
                                      (size_t)c->fi.p.n * c->sz.piece, c->roots);
    if (e)
        die("encode", e);
}

static double pipe_encode(bench_ctx *c)
{
    return rate(do_encode, c, c->sz.plain);
}

/* Decodes from pieces 2..5: two data pieces rebuilt from parity. */
static uint32_t decode_first;

static void do_decode(bench_ctx *c)
{
    cairn_piece_in in[4];
    for (uint32_t i = 0; i < 4; i++)
        in[i] = (cairn_piece_in){decode_first + i,
                                 c->pieces + (size_t)(decode_first + i) * c->sz.piece};
    cairn_err e = cairn_layout_decode(c->l, 0, in, 4, c->cipher, c->sz.plain);
    if (e)
        die("decode", e);
}

static double pipe_decode_data(bench_ctx *c)
{
    do_encode(c);
    decode_first = 0;
    return rate(do_decode, c, c->sz.plain);
}

static double pipe_decode_parity(bench_ctx *c)
{
    do_encode(c);
    decode_first = 2;
    return rate(do_decode, c, c->sz.plain);
}

static void setup(bench_ctx *c, uint32_t seg)
{
    cairn_layout_params p = {.k = 4, .n = 6, .segment_size = seg};
    cairn_err e;
    memset(c, 0, sizeof *c);
    c->seg = seg;
    if ((e = cairn_file_info_init(&c->fi, &p, seg)) ||
        (e = cairn_layout_sizes(&c->fi, 0, &c->sz)))
        die("segment size", e);
    uint8_t secret[CAIRN_SECRET_LEN] = {7};
    if ((e = cairn_layout_new(&c->l, &c->fi, secret)))
        die("layout", e);
    c->plain = malloc(seg);
    c->cipher = malloc((size_t)seg + CAIRN_SEGMENT_TAG_LEN);
    c->pieces = calloc((size_t)80 * (seg / 29 + 1) + (size_t)6 * c->sz.piece, 1);
    if (!c->plain || !c->cipher || !c->pieces)
        die("memory", CAIRN_ERR_NOMEM);
    for (uint32_t i = 0; i < seg; i++)
        c->plain[i] = (uint8_t)(i * 2654435761u >> 13);
}

/* ---- the chain's side: storage proofs verified per second ---- */

#define PROOFS 64 /* distinct deals, so the challenged leaf varies */

static cairn_proof_entry proof_e[PROOFS];
static uint8_t proof_leaf[PROOFS][CAIRN_LEAF_SIZE];
static cairn_hash proof_root, proof_seed;

static void do_proofs(bench_ctx *c)
{
    (void)c;
    for (uint64_t i = 0; i < PROOFS; i++)
        if (cairn_storage_proof_check(&proof_root, CAIRN_PIECE_MAX, i + 1, &proof_seed,
                                      &proof_e[i]))
            abort();
}

/* Proofs per second of cairn_storage_proof_check (what a PROVE entry costs
 * the chain beyond reading the deal) on a CAIRN_PIECE_MAX piece: one
 * challenge hash, one 1 KiB leaf hash, 16 inner hashes. */
static double bench_proofs(bench_ctx *c)
{
    uint64_t n = cairn_piece_leaves(CAIRN_PIECE_MAX);
    uint8_t *piece = malloc(CAIRN_PIECE_MAX);
    cairn_hash *lv = malloc(n * sizeof *lv);
    cairn_merkle_proof pf;
    if (!piece || !lv)
        die("memory", CAIRN_ERR_NOMEM);
    for (size_t i = 0; i < CAIRN_PIECE_MAX; i++)
        piece[i] = (uint8_t)(i * 2654435761u >> 11);
    cairn_err e = cairn_piece_leaf_hashes(lv, piece, CAIRN_PIECE_MAX);
    if (e)
        die("leaf hashes", e);
    cairn_merkle_root(&proof_root, lv, n);
    memset(proof_seed.b, 0x5e, 32);
    for (uint64_t i = 0; i < PROOFS; i++) {
        uint64_t idx = cairn_storage_challenge(&proof_seed, i + 1, CAIRN_PIECE_MAX);
        if ((e = cairn_merkle_prove(&pf, lv, n, idx)))
            die("prove", e);
        memcpy(proof_leaf[i], piece + idx * CAIRN_LEAF_SIZE, CAIRN_LEAF_SIZE);
        proof_e[i] = (cairn_proof_entry){.deal_id = i + 1, .leaf_index = idx,
                                         .leaf = proof_leaf[i], .path_len = (uint8_t)pf.n};
        memcpy(proof_e[i].path, pf.sib, pf.n * sizeof pf.sib[0]);
    }
    free(piece);
    free(lv);
    return rate(do_proofs, c, PROOFS);
}


/* ---- end to end: put and get through providers on loopback ---- */

#define E2E_N 6

/* Six in-process provider daemons with real piece stores (fsync and all)
 * and the client's links to them. */
static struct {
    char dir[64];
    cairn_keypair prov[E2E_N], me;
    sprov *p[E2E_N];
    clink link[E2E_N];
    uint64_t round;
    cairn_sp_store m[E2E_N];
    uint8_t *got[E2E_N];
} e2e;

static void e2e_up(bench_ctx *c)
{
    char dir[96], msg[256];
    snprintf(e2e.dir, sizeof e2e.dir, "/tmp/cairn-bench-XXXXXX");
    if (!mkdtemp(e2e.dir))
        die("temp dir", CAIRN_ERR_IO);
    cairn_keypair_generate(&e2e.me);
    sprov_view v = {.ok = 1, .epoch = 1, .collateral_bps = 0, .max_epochs = 1000};
    snprintf(v.chain_id, sizeof v.chain_id, "bench");
    for (int i = 0; i < E2E_N; i++) {
        cairn_keypair_generate(&e2e.prov[i]);
        snprintf(dir, sizeof dir, "%s/p%d", e2e.dir, i);
        sprov_config cfg = {.data_dir = dir, .capacity = 1ull << 40, .key = e2e.prov[i],
                            .listen_host = "127.0.0.1", .price = 1, .workers = 2,
                            .gc_grace_s = 1, .log = stderr};
        cairn_err e = sprov_start(&e2e.p[i], &cfg, msg, sizeof msg);
        if (e)
            die(msg, e);
        sprov_set_view(e2e.p[i], &v);
        char ep[64];
        snprintf(ep, sizeof ep, "127.0.0.1:%d", sprov_port(e2e.p[i]));
        clink_init(&e2e.link[i], &e2e.prov[i].pk, ep, &e2e.me);
    }
    (void)c;
}

static void e2e_down(void)
{
    char cmd[96];
    for (int i = 0; i < E2E_N; i++) {
        clink_close(&e2e.link[i]);
        sprov_stop(e2e.p[i]);
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", e2e.dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_storage: could not remove %s\n", e2e.dir);
}

static void store_one(void *arg, size_t i)
{
    cairn_sig sig;
    (void)arg;
    if (clink_store(&e2e.link[i], &e2e.m[i], &sig))
        die(e2e.link[i].why, CAIRN_ERR_IO);
}

/* One segment put: encode (a new plaintext each time, so every piece is
 * new to its provider) and STORE piece i with provider i, all at once. */
static void do_put(bench_ctx *c)
{
    c->plain[0] = (uint8_t)e2e.round;
    c->plain[1] = (uint8_t)(e2e.round++ >> 8);
    do_encode(c);
    for (int i = 0; i < E2E_N; i++) {
        cairn_sp_store *m = &e2e.m[i];
        memset(m, 0, sizeof *m);
        m->what = CAIRN_SP_OPEN;
        m->terms.provider = e2e.prov[i].pk;
        m->terms.root = m->root = c->roots[i];
        m->terms.size = m->size = c->sz.piece;
        m->terms.start_epoch = 2;
        m->terms.epochs = 1;
        m->terms.price = 1000;
        m->piece = c->pieces + (size_t)i * c->sz.piece;
        m->piece_len = c->sz.piece;
    }
    cpar_run(E2E_N, store_one, NULL);
}

static double e2e_put(bench_ctx *c)
{
    e2e_up(c);
    return rate(do_put, c, c->sz.plain);
}

static void fetch_one(void *arg, size_t i)
{
    bench_ctx *c = arg;
    if (clink_fetch(&e2e.link[i], &c->roots[i], c->sz.piece, &e2e.got[i]))
        die(e2e.link[i].why, CAIRN_ERR_IO);
}

/* One segment get: FETCH the four data pieces at once (each checked
 * against its root) and decode. */
static void do_get(bench_ctx *c)
{
    cairn_piece_in in[4];
    cpar_run(4, fetch_one, c);
    for (uint32_t i = 0; i < 4; i++)
        in[i] = (cairn_piece_in){i, e2e.got[i]};
    cairn_err e = cairn_layout_decode(c->l, 0, in, 4, c->plain, c->seg);
    for (int i = 0; i < 4; i++)
        free(e2e.got[i]);
    if (e)
        die("decode", e);
}

static double e2e_get(bench_ctx *c)
{
    double r = rate(do_get, c, c->sz.plain);
    e2e_down();
    return r;
}

typedef struct stage {
    const char *name; /* what the rate counts */
    double (*run)(bench_ctx *);
    int pipeline; /* 0: a stage alone (bytes it reads); 1: plaintext bytes */
    double mbps;
} stage;

int main(int argc, char **argv)
{
    bench_ctx c;
    uint32_t seg = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : CAIRN_SEGMENT_DEFAULT;
    stage stages[] = {
        {"xchacha20-poly1305 encrypt (plaintext)", stage_encrypt, 0, 0},
        {"isa-l rs encode 4-of-6 (data in)", stage_rs_4_6, 0, 0},
        {"isa-l rs encode 29-of-80 (data in)", stage_rs_29_80, 0, 0},
        {"blake2b piece roots (bytes hashed)", stage_hash, 0, 0},
        {"encode pipeline 4-of-6 (plaintext)", pipe_encode, 1, 0},
        {"decode 4-of-6, data pieces (plaintext)", pipe_decode_data, 1, 0},
        {"decode 4-of-6, 2 rebuilt (plaintext)", pipe_decode_parity, 1, 0},
        {"put: encode + 6 providers, loopback (plain)", e2e_put, 1, 0},
        {"get: 4 providers, check, decode (plain)", e2e_get, 1, 0},
    };
    size_t ns = sizeof stages / sizeof *stages;
    setup(&c, seg);
    double slowest = 0;
    for (size_t i = 0; i < ns; i++) {
        stages[i].mbps = stages[i].run(&c) / 1e6;
        if (!stages[i].pipeline && (slowest == 0 || stages[i].mbps < slowest))
            slowest = stages[i].mbps;
    }
    printf("storage data path, one core, segment %u bytes (MB = 10^6 bytes)\n", seg);
    printf("%-42s %10s  %s\n", "stage", "MB/s", "ratio to slowest stage");
    for (size_t i = 0; i < ns; i++)
        printf("%-42s %10.0f  %6.2f\n", stages[i].name, stages[i].mbps,
               stages[i].mbps / slowest);
    /* The 4-of-6 pipeline's stages one after another, per plaintext byte:
     * encrypt it, RS-encode it, hash n/k times as many bytes. */
    double bound = 1.0 / (1.0 / stages[0].mbps + 1.0 / stages[1].mbps +
                          (6.0 / 4.0) / stages[3].mbps);
    printf("%-42s %10.0f  encode pipeline / bound: %.2f\n",
           "sequential bound, encrypt+rs+hash", bound, stages[4].mbps / bound);
    /* Decoding with two data pieces lost: rebuild them (about an RS
     * encode's work) and decrypt (about an encryption's). Checking fetched
     * pieces against their roots is the caller's, and not included. */
    bound = 1.0 / (1.0 / stages[0].mbps + 1.0 / stages[1].mbps);
    printf("%-42s %10.0f  decode (2 rebuilt) / bound: %.2f\n",
           "sequential bound, rs+decrypt", bound, stages[6].mbps / bound);
    /* End to end through real provider daemons on loopback: each put
     * piece is written, fsynced and renamed by its provider before it
     * signs; each got piece is checksummed by the provider and checked
     * against its root by the client. */
    printf("%-42s %10.0f  put / encode pipeline: %.2f; get / decode: %.2f\n",
           "end to end (see the last two stages)", stages[7].mbps,
           stages[7].mbps / stages[4].mbps, stages[8].mbps / stages[5].mbps);
    printf("%-42s %10.0f  (64 MiB piece, 16-deep paths)\n",
           "storage proofs verified per second", bench_proofs(&c));
    cairn_layout_free(c.l);
    free(c.plain);
    free(c.cipher);
    free(c.pieces);
    return 0;
}

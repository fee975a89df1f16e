/* bench/storage: the storage data path. Measures each stage alone on one
 * core (XChaCha20-Poly1305 encryption, ISA-L Reed-Solomon encoding at
 * 4-of-6 and Storj's 29-of-80, BLAKE2b piece roots, the provider's flat
 * BLAKE2b checksum, sealing a piece-sized transport frame), then the
 * encode pipeline (encrypt + RS + roots, cairn_layout_encode) and decode
 * pipeline (rebuild + decrypt, cairn_layout_decode), and prints each rate
 * with its ratio to the slowest stage. The pipelines are also compared
 * with the bound their stages set when run one after another. Prints
 * figures; asserts nothing about speed. Each measurement runs for about
 * BENCH_SECONDS, so a run takes some seconds.
 *
 * Usage: bench_storage [segment_bytes]   (default 4 MiB; whole KiB)
 * Environment: CAIRN_BENCH_SECONDS (time per stage), CAIRN_BENCH_ONLY
 * (run only the stages whose name holds this text).
 *
 * The last two stages are end to end, on all of this machine's cores: a
 * put and a get of an 8-segment file through six provider daemons in this
 * process with real piece stores (fsync and all) over real loopback
 * connections, by the client's own data paths (client/putseg.h,
 * client/getseg.h: what `cairn put` and `cairn get` run). Put includes
 * reading the file, encoding, sending, each provider's checks, write,
 * fsync and deal signature; it leaves out choosing the providers and
 * putting the deals on chain. Get includes fetching, both sides' checks,
 * decoding and writing the file; it leaves out the final fsync and rename.
 * Since client and providers share the machine's cores, they are compared
 * with the bound the CPU work of all their stages sets on those cores.
 *
 * To add a stage, write a function of the
 * shape `double stage_x(bench_ctx *c)` that returns bytes per second and
 * add it to the `stages` table in main. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sodium.h>
#include <time.h>
#include <unistd.h>

#include "cairn/layout.h"
#include "cairn/storage.h"
#include "storage/client/getseg.h"
#include "storage/client/putseg.h"
#include "storage/client/tag.h"
#include "storage/provider/provider.h"
#include "storage/crypt.h"
#include "storage/rs.h"

#define BENCH_SECONDS 0.3 /* per stage; CAIRN_BENCH_SECONDS overrides */

static double bench_seconds = BENCH_SECONDS;

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

/* Calls fn(c) until bench_seconds have passed and at least min_calls
 * calls were made (one warm-up call not counted) and returns bytes per
 * second, `bytes` per call. */
static double rate_n(void (*fn)(bench_ctx *), bench_ctx *c, double bytes,
                     long min_calls)
{
    fn(c);
    double t0 = now(), t;
    long calls = 0;
    do {
        fn(c);
        calls++;
    } while ((t = now() - t0) < bench_seconds || calls < min_calls);
    return bytes * (double)calls / t;
}

static double rate(void (*fn)(bench_ctx *), bench_ctx *c, double bytes)
{
    return rate_n(fn, c, bytes, 2);
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

static double stage_rs_4_6(bench_ctx *c)
{
    return rs_rate(c, 4, 6);
}
static double stage_rs_29_80(bench_ctx *c)
{
    return rs_rate(c, 29, 80);
}

/* BLAKE2b piece roots over one segment's bytes, cut into 4-of-6 pieces. */
static void do_hash(bench_ctx *c)
{
    for (uint32_t i = 0; i < 4; i++)
        if (cairn_piece_root(&c->roots[i], c->plain + (size_t)i * (c->seg / 4),
                             c->seg / 4))
            abort();
}

static double stage_hash(bench_ctx *c)
{
    return rate(do_hash, c, (double)(c->seg / 4) * 4);
}

/* ---- pipelines: bytes per second of plaintext ---- */

static void do_encode(bench_ctx *c)
{
    cairn_err e =
        cairn_layout_encode(c->l, 0, c->plain, c->sz.plain, c->pieces,
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
                                 c->pieces +
                                     (size_t)(decode_first + i) * c->sz.piece};
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
    c->pieces =
        calloc((size_t)80 * (seg / 29 + 1) + (size_t)6 * c->sz.piece, 1);
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
        if (cairn_storage_proof_check(&proof_root, CAIRN_PIECE_MAX, i + 1,
                                      &proof_seed, &proof_e[i]))
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
        uint64_t idx =
            cairn_storage_challenge(&proof_seed, i + 1, CAIRN_PIECE_MAX);
        if ((e = cairn_merkle_prove(&pf, lv, n, idx)))
            die("prove", e);
        memcpy(proof_leaf[i], piece + idx * CAIRN_LEAF_SIZE, CAIRN_LEAF_SIZE);
        proof_e[i] = (cairn_proof_entry){.deal_id = i + 1,
                                         .leaf_index = idx,
                                         .leaf = proof_leaf[i],
                                         .path_len = (uint8_t)pf.n};
        memcpy(proof_e[i].path, pf.sib, pf.n * sizeof pf.sib[0]);
    }
    free(piece);
    free(lv);
    return rate(do_proofs, c, PROOFS);
}

/* ---- the transport and the provider's checksum, alone ---- */

/* Sealing one piece-sized frame of the client<->provider transport
 * (libsodium secretstream, as net/frame.c does); opening costs the same. */
static void do_seal(bench_ctx *c)
{
    static crypto_secretstream_xchacha20poly1305_state st;
    static int ready;
    uint8_t hdr[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
    uint8_t key[crypto_secretstream_xchacha20poly1305_KEYBYTES] = {3};
    if (!ready) {
        crypto_secretstream_xchacha20poly1305_init_push(&st, hdr, key);
        ready = 1;
    }
    crypto_secretstream_xchacha20poly1305_push(&st, c->cipher, NULL, c->plain,
                                               c->seg / 4, NULL, 0, 0);
}

static double stage_seal(bench_ctx *c)
{
    return rate(do_seal, c, c->seg / 4);
}

/* The provider's flat BLAKE2b checksum of a piece (piece store header). */
static void do_flat(bench_ctx *c)
{
    cairn_hash_bytes(&c->roots[0], c->plain, c->seg / 4);
}

static double stage_flat(bench_ctx *c)
{
    return rate(do_flat, c, c->seg / 4);
}

/* ---- end to end: put and get through providers on loopback ---- */

#define E2E_K 4
#define E2E_N 6     /* providers: one per piece */
#define E2E_SEGS 8  /* segments of the file put and got */
#define E2E_CALLS 4 /* puts (gets) timed at least */

/* Six in-process provider daemons with real piece stores (fsync and all),
 * a client with links to them, and a file of E2E_SEGS segments on disk. */
static struct {
    int running;
    char dir[64], path[96], out[96];
    cairn_keypair prov[E2E_N];
    sprov *p[E2E_N];
    sclient c; /* no node, no metadata store, quiet */
    schain ch;
    cpeer peers[E2E_N]; /* put's links */
    clink links[E2E_N]; /* get's links */
    int link_of[E2E_SEGS * E2E_N];
    cmeta_file f; /* the file last put */
    cmeta_piece pieces[E2E_SEGS * E2E_N];
    size_t npieces;
    int fd, out_fd;
    uint64_t size, nonce;
} e2e;

/* Writes the file to put: E2E_SEGS segments of the bench's plaintext,
 * each a little different. */
static void e2e_file(bench_ctx *c)
{
    snprintf(e2e.path, sizeof e2e.path, "%s/file", e2e.dir);
    snprintf(e2e.out, sizeof e2e.out, "%s/got", e2e.dir);
    e2e.fd = open(e2e.path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    e2e.out_fd = open(e2e.out, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (e2e.fd < 0 || e2e.out_fd < 0)
        die("bench file", CAIRN_ERR_IO);
    e2e.size = (uint64_t)E2E_SEGS * c->seg;
    for (int s = 0; s < E2E_SEGS; s++) {
        c->plain[0] = (uint8_t)s;
        if (pwrite(e2e.fd, c->plain, c->seg, (off_t)s * c->seg) !=
            (ssize_t)c->seg)
            die("bench file", CAIRN_ERR_IO);
    }
}

static void e2e_up(bench_ctx *c)
{
    char dir[96], msg[256], ep[64];
    if (e2e.running)
        return;
    e2e.running = 1;
    snprintf(e2e.dir, sizeof e2e.dir, "/tmp/cairn-bench-XXXXXX");
    if (!mkdtemp(e2e.dir))
        die("temp dir", CAIRN_ERR_IO);
    e2e_file(c);
    cairn_keypair_generate(&e2e.c.key);
    ctag_secret(e2e.c.secret, &e2e.c.key);
    e2e.ch = (schain){.epoch = 1, .epoch_end = 1000, .max_epochs = 1000};
    e2e.ch.ctx.height = 1;
    sprov_view v = {
        .ok = 1, .epoch = 1, .collateral_bps = 0, .max_epochs = 1000};
    snprintf(v.chain_id, sizeof v.chain_id, "bench");
    for (int i = 0; i < E2E_N; i++) {
        cairn_keypair_generate(&e2e.prov[i]);
        snprintf(dir, sizeof dir, "%s/p%d", e2e.dir, i);
        sprov_config cfg = {.data_dir = dir,
                            .capacity = 1ull << 40,
                            .key = e2e.prov[i],
                            .listen_host = "127.0.0.1",
                            .price = 1,
                            .limits = {.workers = 2},
                            .gc_grace_s = 1,
                            .log = stderr};
        cairn_err e = sprov_start(&e2e.p[i], &cfg, msg, sizeof msg);
        if (e)
            die(msg, e);
        sprov_set_view(e2e.p[i], &v);
        snprintf(ep, sizeof ep, "127.0.0.1:%d", sprov_port(e2e.p[i]));
        clink_init(&e2e.peers[i].link, &e2e.prov[i].pk, ep, &e2e.c.key);
        e2e.peers[i].info.price = 1;
        e2e.peers[i].ok = 1;
        clink_init(&e2e.links[i], &e2e.prov[i].pk, ep, &e2e.c.key);
    }
}

static void e2e_down(void)
{
    char cmd[96];
    if (!e2e.running)
        return;
    e2e.running = 0;
    for (int i = 0; i < E2E_N; i++) {
        clink_close(&e2e.peers[i].link);
        clink_close(&e2e.links[i]);
        sprov_stop(e2e.p[i]);
    }
    close(e2e.fd);
    close(e2e.out_fd);
    snprintf(cmd, sizeof cmd, "rm -rf %s", e2e.dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_storage: could not remove %s\n", e2e.dir);
}

/* Remembers where put placed each piece, for get. */
static void e2e_record(const cput *d)
{
    e2e.npieces = 0;
    for (size_t i = 0; i < d->segments * E2E_N; i++) {
        const cjob *j = &d->jobs[i];
        cmeta_piece *p = &e2e.pieces[e2e.npieces];
        if (j->state != CJOB_SIGNED)
            die("put left a piece unsigned", CAIRN_ERR_IO);
        *p = (cmeta_piece){.seg = j->m.terms.segment,
                           .idx = j->m.terms.piece_index,
                           .provider = j->link->provider,
                           .root = j->m.root,
                           .size = j->m.size};
        int k = 0;
        while (k + 1 < E2E_N && j->link != &e2e.peers[k].link)
            k++;
        e2e.link_of[e2e.npieces++] = k; /* get's link k: the same provider */
    }
}

/* One put of the whole file, as `cairn put` runs it (client/putseg.h)
 * after choosing providers and before the deals go on chain: a new file
 * id and key each time (so every piece is new to its provider), read,
 * encrypt, erasure-code and hash each segment, send each piece to its
 * provider, which checks its root, writes, fsyncs and signs the deal. */
static void do_put(bench_ctx *c)
{
    cairn_layout_params p = {.k = E2E_K, .n = E2E_N, .segment_size = c->seg};
    memset(&e2e.f, 0, sizeof e2e.f);
    e2e.f.epochs = 1;
    cairn_err e =
        ctag_new(&e2e.f.fi, &e2e.f.tag, e2e.f.id, &p, e2e.size, e2e.c.secret);
    if (e)
        die("file tag (segment size must be whole KiB)", e);
    cput d = {.c = &e2e.c,
              .f = &e2e.f,
              .ch = &e2e.ch,
              .path = e2e.path,
              .fd = e2e.fd,
              .nonce = e2e.nonce,
              .start = sclient_start_epoch(&e2e.ch),
              .peers = e2e.peers,
              .npeers = E2E_N};
    if ((e = cput_init(&d)) || (e = cput_run(&d, NULL)))
        die(e2e.c.why, e);
    e2e_record(&d);
    e2e.nonce += d.segments * E2E_N;
    cput_free(&d);
}

static double e2e_put(bench_ctx *c)
{
    e2e_up(c);
    return rate_n(do_put, c, (double)e2e.size, E2E_CALLS);
}

/* One get of the whole file, as `cairn get` runs it (client/getseg.h)
 * after reading its record and before the final fsync and rename: fetch
 * the four data pieces of each segment at once (the provider checks its
 * checksum, the client the piece root), decode, write. */
static void do_get(bench_ctx *c)
{
    (void)c;
    cfetch f = {.c = &e2e.c,
                .links = e2e.links,
                .nlinks = E2E_N,
                .pieces = e2e.pieces,
                .npieces = e2e.npieces,
                .link_of = e2e.link_of};
    cairn_err e = cget_run(&e2e.c, &f, &e2e.f, e2e.out_fd, NULL);
    if (e)
        die(e2e.c.why, e);
}

/* 0 if the file got back is the file put. */
static int e2e_same(void)
{
    static uint8_t a[1 << 16], b[1 << 16];
    for (uint64_t at = 0; at < e2e.size; at += sizeof a) {
        size_t n =
            e2e.size - at < sizeof a ? (size_t)(e2e.size - at) : sizeof a;
        if (pread(e2e.fd, a, n, (off_t)at) != (ssize_t)n ||
            pread(e2e.out_fd, b, n, (off_t)at) != (ssize_t)n || memcmp(a, b, n))
            return -1;
    }
    return 0;
}

static double e2e_get(bench_ctx *c)
{
    e2e_up(c);
    if (e2e.npieces == 0)
        do_put(c); /* something to get */
    double r = rate_n(do_get, c, (double)e2e.size, E2E_CALLS);
    if (e2e_same())
        die("get did not give back the file put", CAIRN_ERR_IO);
    return r;
}

typedef struct stage {
    const char *name; /* what the rate counts */
    double (*run)(bench_ctx *);
    int pipeline; /* 0: a stage alone (bytes it reads); 1: plaintext bytes */
    double mbps;
} stage;

enum {
    S_ENCRYPT,
    S_RS46,
    S_RS2980,
    S_ROOTS,
    S_FLAT,
    S_SEAL,
    P_ENCODE,
    P_DECODE,
    P_DECODE2,
    P_PUT,
    P_GET,
    NSTAGES
};

/* The least time one plaintext byte of a 4-of-6 put costs in CPU work,
 * client and providers together, from the stages alone: the client
 * encrypts it, RS-encodes it, hashes n/k bytes into piece roots and seals
 * n/k bytes into transport frames; the providers open those frames, check
 * the roots and take the checksums. Copies, the kernel's TCP and file work
 * and fsync are left out, so the bound is generous. */
static double put_work(const stage *st)
{
    double r = (double)E2E_N / E2E_K;
    return 1 / st[S_ENCRYPT].mbps + 1 / st[S_RS46].mbps +
           r * (1 / st[S_ROOTS].mbps + 2 / st[S_SEAL].mbps +
                1 / st[S_ROOTS].mbps + 1 / st[S_FLAT].mbps);
}

/* The same for a get of the data pieces: the providers check their
 * checksums and seal, the client opens, checks the roots and decrypts. */
static double get_work(const stage *st)
{
    return 1 / st[S_FLAT].mbps + 2 / st[S_SEAL].mbps + 1 / st[S_ROOTS].mbps +
           1 / st[S_ENCRYPT].mbps;
}

static void print_bounds(const stage *st, double slowest)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    double put1 = 1 / put_work(st), get1 = 1 / get_work(st);
    if (cores < 1)
        cores = 1;
    /* The 4-of-6 pipeline's stages one after another, per plaintext byte:
     * encrypt it, RS-encode it, hash n/k times as many bytes. */
    double bound = 1.0 / (1.0 / st[S_ENCRYPT].mbps + 1.0 / st[S_RS46].mbps +
                          ((double)E2E_N / E2E_K) / st[S_ROOTS].mbps);
    printf("%-44s %10.0f  encode pipeline / bound: %.2f\n",
           "sequential bound, encrypt+rs+hash", bound,
           st[P_ENCODE].mbps / bound);
    /* Decoding with two data pieces lost: rebuild them (about an RS
     * encode's work) and decrypt (about an encryption's). Checking fetched
     * pieces against their roots is the caller's, and not included. */
    bound = 1.0 / (1.0 / st[S_ENCRYPT].mbps + 1.0 / st[S_RS46].mbps);
    printf("%-44s %10.0f  decode (2 rebuilt) / bound: %.2f\n",
           "sequential bound, rs+decrypt", bound, st[P_DECODE2].mbps / bound);
    /* End to end, client and providers share this machine's cores: the
     * best they can do is all the CPU work of a byte spread over all of
     * them (put_work, get_work). */
    printf("%-44s %10.0f  put / it: %.2f\n",
           "put bound: its CPU work on one core", put1, st[P_PUT].mbps / put1);
    printf("%-44s %10.0f  put / it: %.2f\n",
           "put bound: that work on all cores", put1 * (double)cores,
           st[P_PUT].mbps / (put1 * (double)cores));
    printf("%-44s %10.0f  get / it: %.2f\n",
           "get bound: its CPU work on one core", get1, st[P_GET].mbps / get1);
    printf("%-44s %10.0f  get / it: %.2f\n",
           "get bound: that work on all cores", get1 * (double)cores,
           st[P_GET].mbps / (get1 * (double)cores));
    printf("(%ld cores; put / slowest stage %.2f, get / slowest stage %.2f)\n",
           cores, st[P_PUT].mbps / slowest, st[P_GET].mbps / slowest);
}

int main(int argc, char **argv)
{
    bench_ctx c;
    uint32_t seg =
        argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : CAIRN_SEGMENT_DEFAULT;
    stage stages[NSTAGES] = {
        [S_ENCRYPT] = {"xchacha20-poly1305 encrypt (plaintext)", stage_encrypt,
                       0, 0},
        [S_RS46] = {"isa-l rs encode 4-of-6 (data in)", stage_rs_4_6, 0, 0},
        [S_RS2980] = {"isa-l rs encode 29-of-80 (data in)", stage_rs_29_80, 0,
                      0},
        [S_ROOTS] = {"blake2b piece roots (bytes hashed)", stage_hash, 0, 0},
        [S_FLAT] = {"blake2b flat, provider checksum (bytes)", stage_flat, 0,
                    0},
        [S_SEAL] = {"transport seal, piece frames (bytes)", stage_seal, 0, 0},
        [P_ENCODE] = {"encode pipeline 4-of-6 (plaintext)", pipe_encode, 1, 0},
        [P_DECODE] = {"decode 4-of-6, data pieces (plaintext)",
                      pipe_decode_data, 1, 0},
        [P_DECODE2] = {"decode 4-of-6, 2 rebuilt (plaintext)",
                       pipe_decode_parity, 1, 0},
        [P_PUT] = {"put: file to 6 providers, loopback (plain)", e2e_put, 1, 0},
        [P_GET] = {"get: 4 providers to file (plain)", e2e_get, 1, 0},
    };
    const char *only = getenv("CAIRN_BENCH_ONLY"),
               *secs = getenv("CAIRN_BENCH_SECONDS");
    if (secs) {
        char *end;
        double v = strtod(secs, &end);
        if (end == secs || *end || !(v > 0 && v < 3600)) {
            fprintf(stderr, "CAIRN_BENCH_SECONDS: give seconds in (0, 3600)\n");
            return 2;
        }
        bench_seconds = v;
    }
    setup(&c, seg);
    double slowest = 0;
    for (size_t i = 0; i < NSTAGES; i++) {
        if (only && !strstr(stages[i].name, only))
            continue;
        stages[i].mbps = stages[i].run(&c) / 1e6;
        if (!stages[i].pipeline && (slowest == 0 || stages[i].mbps < slowest))
            slowest = stages[i].mbps;
    }
    e2e_down();
    printf("storage data path, segment %u bytes (MB = 10^6 bytes)\n", seg);
    printf("%-44s %10s  %s\n", "stage (one core; put/get: all)", "MB/s",
           "ratio to slowest stage");
    for (size_t i = 0; i < NSTAGES; i++)
        if (!only || stages[i].mbps > 0)
            printf("%-44s %10.0f  %6.2f\n", stages[i].name, stages[i].mbps,
                   slowest > 0 ? stages[i].mbps / slowest : 0);
    if (!only) {
        print_bounds(stages, slowest);
        printf("%-44s %10.0f  (64 MiB piece, 16-deep paths)\n",
               "storage proofs verified per second", bench_proofs(&c));
    }
    cairn_layout_free(c.l);
    free(c.plain);
    free(c.cipher);
    free(c.pieces);
    return 0;
}

/* Tests of the storage client's data paths (client/putseg.h, getseg.h):
 * the pipelined put (segments encoded ahead, each provider's STOREs sent
 * ahead of their replies) and the pipelined get, against provider daemons
 * in this process with real piece stores in a temporary directory and
 * real connections on 127.0.0.1. Covers a whole file put and got back, a
 * provider that refuses part way (its slot moves to a spare), a provider
 * whose connection drops with STOREs on their way, too few providers, and
 * a file that turns out shorter than its size, and byte ranges read as a
 * stream (client/getrange.h). Every wait in these paths
 * has a deadline; the fake provider's thread is joined. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cairn/conn.h"
#include "cairn/piecestore.h"
#include "cairn/storage_proto.h"
#include "storage/client/getrange.h"
#include "storage/client/getseg.h"
#include "storage/client/putseg.h"
#include "storage/client/tag.h"
#include "storage/provider/provider.h"

#define K 4
#define N 6
#define PEERS 8         /* N slots and two spares */
#define SEG (64u << 10) /* segment bytes */
#define SEGS 5          /* segments of the file */
#define FAKE_MS 10000   /* the fake provider's deadlines */

static char base[64];
static sprov *prov[PEERS];
static cairn_keypair prov_key[PEERS];
static cpeer peers[PEERS];
static sclient cli;
static schain chain;
static cmeta_file file;
static char path[128], log_path[128];
static int fd;
static FILE *prov_log; /* the providers' lines, apart from the client's */

/* ---- the fixture ---- */

static void start_provider(int i, uint64_t capacity)
{
    char dir[128], msg[256];
    sprov_view v = {.ok = 1, .epoch = 1, .max_epochs = 1000};
    snprintf(v.chain_id, sizeof v.chain_id, "test");
    snprintf(dir, sizeof dir, "%s/p%d", base, i);
    sprov_config cfg = {.data_dir = dir,
                        .capacity = capacity,
                        .key = prov_key[i],
                        .listen_host = "127.0.0.1",
                        .price = 1,
                        .limits = {.workers = 2},
                        .log = prov_log};
    assert_int_equal(sprov_start(&prov[i], &cfg, msg, sizeof msg), CAIRN_OK);
    sprov_set_view(prov[i], &v);
}

/* Points peer i at 127.0.0.1:port with identity pk. */
static void set_peer(int i, const cairn_pubkey *pk, int port)
{
    char ep[64];
    snprintf(ep, sizeof ep, "127.0.0.1:%d", port);
    clink_close(&peers[i].link);
    clink_init(&peers[i].link, pk, ep, &cli.key);
    peers[i].info.price = 1;
    peers[i].ok = 1;
}

/* Eight providers (peer i is provider i), a client, and a file of SEGS
 * segments. `small` gives provider 2 room for two pieces only. */
static void setup_all(int small)
{
    uint8_t buf[SEG];
    snprintf(base, sizeof base, "/tmp/cairn-putpipe-XXXXXX");
    assert_non_null(mkdtemp(base));
    snprintf(log_path, sizeof log_path, "%s/log", base);
    memset(&cli, 0, sizeof cli);
    cli.log = fopen(log_path, "w+");
    assert_non_null(cli.log);
    snprintf(path, sizeof path, "%s/providers.log", base);
    prov_log = fopen(path, "w");
    assert_non_null(prov_log);
    cairn_keypair_generate(&cli.key);
    ctag_secret(cli.secret, &cli.key);
    chain = (schain){.epoch = 1, .epoch_end = 1000, .max_epochs = 1000};
    chain.ctx.height = 1;
    for (int i = 0; i < PEERS; i++) {
        uint64_t cap = 1ull << 30;
        if (small && i == 2)
            cap = 2 * cairn_piecestore_cost((SEG + 16 + K - 1) / K);
        cairn_keypair_generate(&prov_key[i]);
        start_provider(i, cap);
        set_peer(i, &prov_key[i].pk, sprov_port(prov[i]));
    }
    snprintf(path, sizeof path, "%s/file", base);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    for (int s = 0; s < SEGS; s++) {
        for (size_t i = 0; i < SEG; i++)
            buf[i] = (uint8_t)(i * 31 + s * 7 + (i >> 9));
        assert_int_equal(pwrite(fd, buf, SEG, (off_t)s * SEG), (ssize_t)SEG);
    }
    cairn_layout_params p = {.k = K, .n = N, .segment_size = SEG};
    memset(&file, 0, sizeof file);
    file.epochs = 1;
    assert_int_equal(ctag_new(&file.fi, &file.tag, file.id, &p,
                              (uint64_t)SEGS * SEG, cli.secret),
                     CAIRN_OK);
}

/* Stops everything setup_all started and removes the directory; also
 * after a failed test (cmocka's teardown). */
static void teardown_all(void)
{
    char cmd[128];
    if (!base[0])
        return;
    for (int i = 0; i < PEERS; i++) {
        clink_close(&peers[i].link);
        sprov_stop(prov[i]);
        prov[i] = NULL;
    }
    close(fd);
    fclose(cli.log);
    fclose(prov_log);
    snprintf(cmd, sizeof cmd, "rm -rf %s", base);
    base[0] = 0;
    assert_int_equal(system(cmd), 0);
}

static int teardown(void **state)
{
    (void)state;
    teardown_all();
    return 0;
}

/* A data path for the file over peers[0..npeers). */
static cput new_put(size_t npeers)
{
    return (cput){.c = &cli,
                  .f = &file,
                  .ch = &chain,
                  .path = path,
                  .fd = fd,
                  .nonce = 1,
                  .start = 2,
                  .peers = peers,
                  .npeers = npeers};
}

/* 1 if the log holds s. */
static int logged(const char *s)
{
    static char buf[1 << 16];
    fflush(cli.log);
    size_t n = (size_t)pread(fileno(cli.log), buf, sizeof buf - 1, 0);
    buf[n < sizeof buf ? n : 0] = 0;
    return strstr(buf, s) != NULL;
}

/* Gets the file back through fresh links from what put recorded and
 * compares it with the original. */
static void get_back(const cput *d)
{
    cmeta_piece pieces[SEGS * N];
    clink links[PEERS];
    int link_of[SEGS * N];
    size_t np = 0;
    char out[160];
    for (int i = 0; i < PEERS; i++)
        clink_init(&links[i], &peers[i].link.provider, peers[i].link.endpoint,
                   &cli.key);
    for (size_t i = 0; i < d->segments * N; i++) {
        const cjob *j = &d->jobs[i];
        if (j->state != CJOB_SIGNED)
            continue;
        pieces[np] = (cmeta_piece){.seg = j->m.terms.segment,
                                   .idx = j->m.terms.piece_index,
                                   .provider = j->link->provider,
                                   .root = j->m.root,
                                   .size = j->m.size};
        link_of[np++] = (int)((const cpeer *)(const void *)j->link - peers);
    }
    snprintf(out, sizeof out, "%s/got", base);
    int ofd = open(out, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(ofd >= 0);
    cfetch f = {.c = &cli,
                .links = links,
                .nlinks = PEERS,
                .pieces = pieces,
                .npieces = np,
                .link_of = link_of};
    assert_int_equal(cget_run(&cli, &f, &file, ofd, NULL), CAIRN_OK);
    for (int s = 0; s < SEGS; s++) {
        uint8_t a[SEG], b[SEG];
        assert_int_equal(pread(fd, a, SEG, (off_t)s * SEG), (ssize_t)SEG);
        assert_int_equal(pread(ofd, b, SEG, (off_t)s * SEG), (ssize_t)SEG);
        assert_memory_equal(a, b, SEG);
    }
    close(ofd);
    for (int i = 0; i < PEERS; i++)
        clink_close(&links[i]);
}

/* The peer that holds piece (seg, idx). */
static int holder(const cput *d, uint64_t seg, uint32_t idx)
{
    const cjob *j = &d->jobs[seg * N + idx];
    return (int)((const cpeer *)(const void *)j->link - peers);
}

/* ---- tests ---- */

static void whole_file(void **state)
{
    (void)state;
    setup_all(0);
    cput d = new_put(N);
    assert_int_equal(cput_init(&d), CAIRN_OK);
    assert_int_equal(d.segments, SEGS);
    assert_true(d.nbuf > 1);
    assert_int_equal(cput_run(&d, NULL), CAIRN_OK);
    for (uint64_t s = 0; s < SEGS; s++)
        for (uint32_t i = 0; i < N; i++) {
            const cjob *j = &d.jobs[s * N + i];
            assert_int_equal(j->state, CJOB_SIGNED);
            assert_int_equal(holder(&d, s, i), (int)i);
            assert_int_equal(j->m.terms.segment, s);
            assert_int_equal(j->m.client_nonce, 1 + s * N + i);
            assert_null(j->m.piece); /* no pointer into a reused buffer */
        }
    get_back(&d);
    cput_free(&d);
}

/* Provider 2 has room for two pieces: from the third segment on it
 * refuses, and the first spare takes its slot for the rest. */
static void refusal_moves_slot(void **state)
{
    (void)state;
    setup_all(1);
    cput d = new_put(PEERS);
    assert_int_equal(cput_init(&d), CAIRN_OK);
    assert_int_equal(cput_run(&d, NULL), CAIRN_OK);
    for (uint64_t s = 0; s < SEGS; s++) {
        for (uint32_t i = 0; i < N; i++)
            assert_int_equal(d.jobs[s * N + i].state, CJOB_SIGNED);
        assert_int_equal(holder(&d, s, 2), s < 2 ? 2 : N);
    }
    assert_int_equal(d.slot[2], N);
    assert_int_equal(d.next_spare, N + 1); /* one spare was enough */
    assert_true(logged("trying another provider"));
    get_back(&d);
    cput_free(&d);
}

/* A fake provider: completes the handshake with the provider's key,
 * answers the first STORE with a signature and drops the connection when
 * the next one comes. Then stops listening. */
typedef struct fake {
    int listen_fd;
    cairn_keypair key;
    int stores; /* STOREs read */
} fake;

static void *fake_main(void *arg)
{
    fake *f = arg;
    struct pollfd p = {.fd = f->listen_fd, .events = POLLIN};
    cairn_conn *c = NULL;
    if (poll(&p, 1, FAKE_MS) == 1) {
        int s = accept4(f->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (s >= 0 && cairn_conn_server(&c, s, &f->key, FAKE_MS))
            c = NULL;
    }
    for (int done = 0; c && !done;) {
        uint8_t type, *req = NULL;
        size_t n;
        if (cairn_conn_recv(c, &type, &req, &n, CAIRN_SP_MSG_MAX, FAKE_MS))
            break;
        free(req);
        if (type != CAIRN_SP_STORE || ++f->stores > 1) {
            done = 1; /* drop it */
        } else {
            cairn_buf b;
            cairn_sig sig = {{0}};
            cairn_buf_init(&b, 256);
            cairn_sp_signed_encode(&b, &sig);
            done = cairn_conn_send(c, CAIRN_SP_SIGNED, b.p, b.len, FAKE_MS) !=
                   CAIRN_OK;
            cairn_buf_free(&b);
        }
    }
    cairn_conn_close(c);
    close(f->listen_fd);
    return NULL;
}

static void dropped_connection(void **state)
{
    pthread_t th;
    static fake f; /* static: outlives the test if an assertion ends it */
    f.stores = 0;
    (void)state;
    setup_all(0);
    cairn_keypair_generate(&f.key);
    assert_int_equal(cairn_listen("127.0.0.1", 0, &f.listen_fd), CAIRN_OK);
    set_peer(1, &f.key.pk, cairn_listen_port(f.listen_fd));
    assert_int_equal(pthread_create(&th, NULL, fake_main, &f), 0);
    cput d = new_put(PEERS);
    assert_int_equal(cput_init(&d), CAIRN_OK);
    assert_int_equal(cput_run(&d, NULL), CAIRN_OK);
    pthread_join(th, NULL);
    assert_true(f.stores >=
                2); /* the second came before the first reply was used */
    assert_int_equal(holder(&d, 0, 1), 1); /* the fake "signed" segment 0 */
    for (uint64_t s = 0; s < SEGS; s++) {
        for (uint32_t i = 0; i < N; i++)
            assert_int_equal(d.jobs[s * N + i].state, CJOB_SIGNED);
        if (s > 0)
            assert_int_equal(holder(&d, s, 1), N);
    }
    assert_true(logged("trying another provider"));
    get_back(&d); /* segment 0's piece 1 is not there: get uses another */
    cput_free(&d);
}

/* Three of six providers gone and no spare: fewer than k pieces of the
 * first segment are placed, and the put says so (and ends). */
static void too_few(void **state)
{
    (void)state;
    setup_all(0);
    for (int i = 0; i < 3; i++) {
        sprov_stop(prov[i]);
        prov[i] = NULL;
    }
    cput d = new_put(N);
    assert_int_equal(cput_init(&d), CAIRN_OK);
    assert_int_equal(cput_run(&d, NULL), CAIRN_ERR_FEW_PROVIDERS);
    assert_non_null(strstr(cli.why, "only 3 of segment 0's pieces"));
    cput_free(&d);
}

/* The file shrinks after the put starts: the segments before the end are
 * stored, the put fails with the read error, and ends. */
static void short_file(void **state)
{
    (void)state;
    setup_all(0);
    cput d = new_put(N);
    assert_int_equal(cput_init(&d), CAIRN_OK);
    assert_int_equal(ftruncate(fd, (off_t)3 * SEG - 1), 0);
    assert_int_equal(cput_run(&d, NULL), CAIRN_ERR_IO);
    assert_non_null(strstr(cli.why, "cannot read"));
    for (uint64_t s = 0; s < 2; s++)
        for (uint32_t i = 0; i < N; i++)
            assert_int_equal(d.jobs[s * N + i].state, CJOB_SIGNED);
    for (uint64_t s = 2; s < SEGS; s++)
        for (uint32_t i = 0; i < N; i++)
            assert_int_not_equal(d.jobs[s * N + i].state, CJOB_SIGNED);
    cput_free(&d);
}

/* What a range read emitted, and after how many bytes it stops. */
typedef struct range_out {
    uint8_t *p;
    size_t n, stop_at;
    size_t calls;
} range_out;

static int collect(void *arg, const uint8_t *p, size_t n)
{
    range_out *o = arg;
    memcpy(o->p + o->n, p, n);
    o->n += n;
    o->calls++;
    return o->stop_at && o->n >= o->stop_at;
}

/* Reads [off, off + len) through cget_range and compares it with the
 * original file. */
static void check_range(uint64_t off, uint64_t len)
{
    uint8_t *want = malloc(len + 1), *got = malloc(len + 1);
    assert_non_null(want);
    assert_non_null(got);
    range_out o = {.p = got};
    assert_int_equal(pread(fd, want, len, (off_t)off), (ssize_t)len);
    assert_int_equal(cget_range(&cli, &file, off, len, collect, &o), CAIRN_OK);
    assert_int_equal(o.n, len);
    assert_memory_equal(want, got, len);
    free(want);
    free(got);
}

/* The put's pieces recorded in a client store, then ranges read back:
 * inside one segment, across a boundary, the last byte, the whole file,
 * an empty range; a range past the end is refused, and a reader that
 * stops ends the read with IO. */
static void range_reads(void **state)
{
    (void)state;
    setup_all(0);
    cput d = new_put(N);
    assert_int_equal(cput_init(&d), CAIRN_OK);
    assert_int_equal(cput_run(&d, NULL), CAIRN_OK);
    char dir[128];
    snprintf(dir, sizeof dir, "%s/store", base);
    assert_int_equal(cmeta_open(&cli.meta, dir), CAIRN_OK);
    cli.node = "http://127.0.0.1:1"; /* no node: the recorded endpoints */
    cmeta_piece pieces[SEGS * N];
    for (size_t i = 0; i < SEGS * N; i++) {
        const cjob *j = &d.jobs[i];
        const cpeer *pe = (const cpeer *)(const void *)j->link;
        pieces[i] = (cmeta_piece){.seg = j->m.terms.segment,
                                  .idx = j->m.terms.piece_index,
                                  .provider = j->link->provider,
                                  .root = j->m.root,
                                  .size = j->m.size};
        snprintf(pieces[i].endpoint, sizeof pieces[i].endpoint, "%s",
                 pe->link.endpoint);
    }
    assert_int_equal(cmeta_put(cli.meta, &file, pieces, SEGS * N), CAIRN_OK);
    check_range(5, 100);
    check_range(SEG - 10, 20);
    check_range((uint64_t)SEGS * SEG - 1, 1);
    check_range(0, (uint64_t)SEGS * SEG);
    check_range(2 * SEG, 0);
    range_out o = {.p = malloc(SEGS * SEG)};
    assert_int_equal(
        cget_range(&cli, &file, 1, (uint64_t)SEGS * SEG, collect, &o),
        CAIRN_ERR_BAD_ARG);
    o.stop_at = 1;
    assert_int_equal(
        cget_range(&cli, &file, 0, (uint64_t)SEGS * SEG, collect, &o),
        CAIRN_ERR_IO);
    assert_int_equal(o.calls, 1); /* nothing emitted after the stop */
    assert_non_null(strstr(cli.why, "stopped"));
    free(o.p);
    cmeta_close(cli.meta);
    cli.meta = NULL;
    cli.node = NULL;
    cput_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(whole_file, teardown),
        cmocka_unit_test_teardown(refusal_moves_slot, teardown),
        cmocka_unit_test_teardown(dropped_connection, teardown),
        cmocka_unit_test_teardown(too_few, teardown),
        cmocka_unit_test_teardown(short_file, teardown),
        cmocka_unit_test_teardown(range_reads, teardown),
    };
    cairn_crypto_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}

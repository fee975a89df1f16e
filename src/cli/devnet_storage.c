/* `cairn devnet --storage N`: N storage provider daemons as separate
 * processes with keys funded by alice, restarted when they end, and a
 * sample file stored on them once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cairn/compute.h"
#include "cli/devnet.h"
#include "cli/devnet_group.h"
#include "provider/tickets.h"
#include "storage/cli/storage_cli.h"
#include "storage/client/health.h"

#define READY_WAIT_MS 30000
#define SAMPLE_BYTES (3u << 20)
#define SAMPLE_NAME "sample.bin"
/* Readers' ticket funds: topped up to TICKETS_UNITS when below
 * TICKETS_BELOW (a read's ticket has a face value of 100 minimum fees). */
#define TICKETS_UNITS (10ull * 1000000ull)
#define TICKETS_BELOW (1ull * 1000000ull)

static void storage_args(const devnet *d, const devnet_group *g, int i,
                         char **argv, int max);

/* The providers and the sample file (one devnet per process). */
static struct {
    devnet_group g;
    int have_client;
    sclient client;
    char sample[2 * CMETA_ID_LEN + 1];
} st = {.g = {.sector = "storage",
              .label = "storage provider",
              .ports = 1,
              .args = storage_args}};

/* `--data DIR --capacity 1GiB --key K --listen ADDR --poll-ms 1000`. */
static void storage_args(const devnet *d, const devnet_group *g, int i,
                         char **argv, int max)
{
    (void)d;
    char *a[] = {"--data",     (char *)g->p[i].data,
                 "--capacity", "1GiB",
                 "--key",      (char *)g->key[i],
                 "--listen",   (char *)g->p[i].listen,
                 "--poll-ms",  "1000",
                 NULL};
    for (int k = 0; k < max && k < (int)(sizeof a / sizeof a[0]); k++)
        argv[k] = a[k];
}

/* Writes DIR/sample.bin (SAMPLE_BYTES of pseudo-random bytes) if missing. */
static int make_sample(const devnet *d, char *path)
{
    snprintf(path, DEVNET_PATH_MAX, "%s/%s", d->dir, SAMPLE_NAME);
    if (access(path, F_OK) == 0)
        return 0;
    FILE *f = fopen(path, "wb");
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (uint32_t i = 0; f && i < SAMPLE_BYTES; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
        fputc((int)(x & 0xff), f);
    }
    if (!f || fclose(f) != 0)
        return cli_fail("cannot write %s", path);
    return 0;
}

/* The sample's id if the client store has it already. */
static int find_sample(void)
{
    cmeta_file *f = NULL;
    size_t n = 0;
    if (cmeta_list(st.client.meta, &f, &n))
        return 0;
    for (size_t i = 0; i < n && !*st.sample; i++)
        if (strcmp(f[i].name, SAMPLE_NAME) == 0)
            cmeta_id_hex(st.sample, f[i].id);
    free(f);
    return *st.sample != '\0';
}

/* Opens alice's client session and stores the sample once. */
static int store_sample(const devnet *d)
{
    char key[DEVNET_PATH_MAX], store[DEVNET_PATH_MAX], path[DEVNET_PATH_MAX];
    cairn_keypair alice;
    cmeta_file f;
    snprintf(key, sizeof key, "%s/keys/alice.key", d->dir);
    snprintf(store, sizeof store, "%s/client", d->dir);
    if (cli_load_key(key, &alice))
        return 1;
    cairn_err e = sclient_open(&st.client, d->seq.url, store, &alice);
    cairn_keypair_wipe(&alice);
    if (e)
        return stor_fail(&st.client, e);
    st.have_client = 1;
    if (st.g.n < 2 || find_sample())
        return 0;
    uint32_t n = st.g.n < 6 ? (uint32_t)st.g.n : 6;
    sclient_put_opts o = {.path = path,
                          .name = SAMPLE_NAME,
                          .epochs = 1000,
                          .p = {n >= 3 ? n * 2 / 3 : 1, n, 1u << 20}};
    st.client.log = stderr;
    if (make_sample(d, path))
        return 1;
    /* providers that just registered may not have read the chain yet */
    for (int t = 0;
         (e = sclient_put(&st.client, &o, &f)) == CAIRN_ERR_FEW_PROVIDERS &&
         t < READY_WAIT_MS / 1000;
         t++)
        devnet_sleep_ms(1000);
    st.client.log = NULL; /* the per-epoch lines tell the rest */
    if (e)
        return stor_fail(&st.client, e);
    cmeta_id_hex(st.sample, f.id);
    return 0;
}

int devnet_fund_tickets(const devnet *d, const char *keyfile)
{
    cairn_keypair kp;
    snode_err ne = {.msg = ""};
    cairn_buf b;
    if (cli_load_key(keyfile, &kp))
        return 1;
    uint64_t have = 0;
    if (!pd_ticket_funds(d->seq.url, &kp.pk, &have) && have >= TICKETS_BELOW) {
        cairn_keypair_wipe(&kp);
        return 0;
    }
    cairn_buf_init(&b, 32);
    cairn_ticket_fund_encode(&b, TICKETS_UNITS, 0);
    cairn_err e = b.err ? b.err
                        : snode_send_next(d->seq.url, &kp, CAIRN_TX_TICKET_FUND,
                                          b.p, b.len, 1, NULL, &ne);
    cairn_buf_free(&b);
    cairn_keypair_wipe(&kp);
    return e ? cli_fail("devnet: cannot fund the tickets of %s: %s", keyfile,
                        ne.msg)
             : 0;
}

/* The demo accounts read storage (alice's sample, bob's and carol's
 * reads): their tickets pay the providers' egress price. */
static int fund_readers(const devnet *d)
{
    static const char *const who[] = {"alice", "bob", "carol"};
    char key[DEVNET_PATH_MAX];
    for (size_t i = 0; i < sizeof who / sizeof who[0]; i++) {
        snprintf(key, sizeof key, "%s/keys/%s.key", d->dir, who[i]);
        if (access(key, R_OK) == 0 && devnet_fund_tickets(d, key))
            return 1;
    }
    return 0;
}

int devnet_storage_start(devnet *d)
{
    st.g.n = d->storage;
    st.g.port_base = d->port + 100;
    if (d->storage <= 0)
        return 0;
    return devnet_group_start(d, &st.g) || fund_readers(d) || store_sample(d);
}

void devnet_storage_watch(devnet *d)
{
    devnet_group_watch(d, &st.g);
}

int devnet_storage_count(void)
{
    return st.g.n;
}

const char *devnet_storage_sample_id(void)
{
    return st.sample;
}

/* Sets last[i] for the pieces whose deal is in one page of the client's
 * deals; *after gets the page's last id. 1 while more pages remain, 0 at
 * the end, -1 when the node does not answer. */
static int proven_page(const cmeta_piece *p, size_t n, uint64_t *last,
                       uint64_t *after)
{
    char addr[CAIRN_ADDR_TEXT_LEN + 1], path[200];
    json_t *j, *o;
    snode_err ne;
    size_t k;
    cairn_addr_format(addr, &st.client.key.pk);
    snprintf(path, sizeof path, "/v1/deals?client=%s&after=%llu&limit=100",
             addr, (unsigned long long)*after);
    if (snode_get(st.client.node, path, &j, &ne))
        return -1;
    json_array_foreach(json_object_get(j, "deals"), k, o)
    {
        uint64_t id = 0, lp;
        snode_u64(o, "id", &id);
        *after = id > *after ? id : *after;
        int proven = snode_u64(o, "last_proven", &lp) == 0;
        for (size_t i = 0; i < n; i++)
            if (p[i].deal && p[i].deal == id)
                last[i] = proven ? lp : UINT64_MAX;
    }
    int more = json_is_true(json_object_get(j, "more"));
    json_decref(j);
    return more;
}

int devnet_sample_proven(uint64_t *last, size_t max, size_t *n)
{
    cmeta_file f;
    cmeta_piece *pieces = NULL;
    size_t np = 0;
    uint64_t after = 0;
    int more = 1;
    *n = 0;
    if (!st.have_client || !*st.sample ||
        cfile_load(&st.client, st.sample, &f, &pieces, &np))
        return -1;
    np = np < max ? np : max;
    for (size_t i = 0; i < np; i++)
        last[i] = UINT64_MAX;
    for (int page = 0; more > 0 && page < 100; page++)
        more = proven_page(pieces, np, last, &after);
    free(pieces);
    *n = np;
    return more < 0 ? -1 : 0;
}

int devnet_sample_alive(int *alive, int *all)
{
    json_t *r, *s, *p;
    size_t i, j;
    *alive = *all = 0;
    if (!st.have_client || !*st.sample ||
        sclient_status(&st.client, st.sample, &r))
        return -1;
    json_array_foreach(json_object_get(r, "segments"), i, s)
        json_array_foreach(json_object_get(s, "pieces"), j, p)
    {
        (*all)++;
        *alive += json_is_true(json_object_get(p, "alive"));
    }
    json_decref(r);
    return 0;
}

void devnet_storage_stop(devnet *d)
{
    (void)d;
    devnet_group_stop(&st.g);
    if (st.have_client)
        sclient_close(&st.client);
    st.have_client = 0;
}

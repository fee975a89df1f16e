/* `cairn compute deploy MANIFEST`: posts the order a manifest asks for,
 * shows the bids as they arrive, takes the best one (lowest price, then
 * the provider's record, then the earliest bid; or the user's --pick) and
 * sends the manifest to the provider that won. An order nobody bid on is
 * cancelled, so its escrow returns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cairn/amount.h"
#include "cairn/compute.h"
#include "cairn/parse.h"
#include "compute/cli/compute_cli.h"
#include "compute/manifest.h"

static const char deploy_usage[] =
    "usage: cairn compute deploy MANIFEST [--key FILE] [--pick]\n"
    "              [--bid-wait SECONDS] [--bid-blocks N] [--escrow TOKENS]\n"
    "              [--follow] [--node URL] [--json]\n"
    "Posts an order for the workload MANIFEST describes (docs/compute.md),\n"
    "with its escrow (the manifest's \"escrow\", else 10 epochs at its\n"
    "max_price; --escrow overrides). Bids show as they arrive during\n"
    "--bid-wait seconds (default 8; longer while none came, up to the end\n"
    "of the bid window of --bid-blocks blocks, default 20). Takes the\n"
    "lowest price, then the provider with the best record; --pick lets you\n"
    "choose. Sends the manifest to that provider and prints the lease id.\n"
    "--follow then prints the workload's output until it ends.\n";

typedef struct deploy {
    cairn_keypair kp;
    char addr[CAIRN_ADDR_TEXT_LEN + 1];
    uint8_t *bytes; /* the manifest file */
    size_t len;
    cairn_manifest m;
    cairn_order o;
    uint64_t id;
    int pick, follow;
    long bid_wait;
} deploy;

/* Reads the manifest file (at most CAIRN_MANIFEST_MAX bytes). */
static int read_manifest(deploy *d, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return cli_fail("cannot open the manifest %s: %m", path);
    d->bytes = malloc(CAIRN_MANIFEST_MAX + 1);
    d->len = d->bytes ? fread(d->bytes, 1, CAIRN_MANIFEST_MAX + 1, f) : 0;
    int bad = ferror(f);
    fclose(f);
    if (!d->bytes || bad)
        return cli_fail("cannot read the manifest %s", path);
    if (d->len > CAIRN_MANIFEST_MAX)
        return cli_fail("%s: a manifest holds at most %u bytes (put large "
                        "inputs in storage and name their file ids)",
                        path, CAIRN_MANIFEST_MAX);
    char msg[256] = "";
    if (cairn_manifest_parse(&d->m, d->bytes, d->len, msg, sizeof msg))
        return cli_fail("%s: %s", path, msg);
    return 0;
}

/* Finds the id of the order this tenant posted at `height`. */
static int find_order(deploy *d, uint64_t height)
{
    char path[256], hash[65];
    uint64_t after = 0;
    int more = 1;
    cairn_hex_encode(hash, d->o.manifest.b, 32);
    d->id = 0;
    while (more) {
        json_t *r, *l;
        size_t i;
        snprintf(path, sizeof path, "/v1/compute/leases?tenant=%s&after=%llu",
                 d->addr, (unsigned long long)after);
        if (api_get(cli_node_url(), path, &r))
            return 1;
        json_array_foreach(json_object_get(r, "leases"), i, l)
        {
            after = (uint64_t)jint(l, "id");
            if ((uint64_t)jint(l, "opened_height") == height &&
                !strcmp(jstr(l, "manifest"), hash))
                d->id = after;
        }
        more = json_is_true(json_object_get(r, "more")) && after;
        json_decref(r);
    }
    return d->id ? 0 : cli_fail("the order's block holds no order of yours");
}

/* Posts the order; sets d->id. */
static int post_order(deploy *d)
{
    cairn_buf b;
    uint64_t height = 0;
    char price[CAIRN_AMOUNT_TEXT_MAX], escrow[CAIRN_AMOUNT_TEXT_MAX];
    cairn_buf_init(&b, CAIRN_ORDER_LEN);
    cairn_order_encode(&b, &d->o);
    if (ccli_send(&d->kp, CAIRN_TX_ORDER_OPEN, &b, &height) ||
        find_order(d, height))
        return 1;
    cairn_amount_format(price, d->o.max_price);
    cairn_amount_format(escrow, d->o.escrow);
    fprintf(stderr,
            "order %llu posted: %u cores, %u MiB memory, %u MiB disk, at most "
            "%s per epoch, %s in escrow; waiting for bids\n",
            (unsigned long long)d->id, d->o.cpus, d->o.mem_mib, d->o.disk_mib,
            price, escrow);
    return 0;
}

/* One bid as deploy weighs it. */
typedef struct cbid {
    cairn_pubkey provider;
    char addr[CAIRN_ADDR_TEXT_LEN + 1];
    char price_text[CAIRN_AMOUNT_TEXT_MAX];
    uint64_t price, height;
    long long record; /* leases done - lost */
} cbid;

#define BIDS_MAX 255

/* The provider's record: leases done minus leases lost (0 if unknown). */
static long long record_of(const char *addr)
{
    char path[160];
    json_t *r;
    snode_err why;
    snprintf(path, sizeof path, "/v1/compute/provider/%s", addr);
    if (snode_get(cli_node_url(), path, &r, &why))
        return 0;
    long long v = jint(r, "done") - jint(r, "lost");
    json_decref(r);
    return v;
}

/* Reads the order's bids into b[0..*n), printing the new ones. Returns
 * the order's state ("open", ...) in state (32 bytes) and its bid_end. */
static int read_bids(deploy *d, cbid *b, size_t *n, char *state,
                     uint64_t *bid_end)
{
    json_t *l, *x;
    size_t i;
    if (ccli_lease(d->id, &l))
        return 1;
    snprintf(state, 32, "%s", jstr(l, "state"));
    *bid_end = (uint64_t)jint(l, "bid_end");
    json_array_foreach(json_object_get(l, "bids"), i, x)
    {
        if (i < *n || i >= BIDS_MAX)
            continue;
        cbid *c = &b[i];
        memset(c, 0, sizeof *c);
        snode_addr(x, "provider", &c->provider);
        snprintf(c->addr, sizeof c->addr, "%s", jstr(x, "provider"));
        snprintf(c->price_text, sizeof c->price_text, "%s", jstr(x, "price"));
        snode_u64(x, "price_units", &c->price);
        snode_u64(x, "height", &c->height);
        c->record = record_of(c->addr);
        fprintf(stderr, "  bid %zu: %s per epoch from %s (record %+lld)\n",
                i + 1, c->price_text, c->addr, c->record);
        *n = i + 1;
    }
    json_decref(l);
    return 0;
}

/* Lower price first, then the better record, the earlier bid, the key. */
static int bid_cmp(const void *pa, const void *pb)
{
    const cbid *a = pa, *b = pb;
    if (a->price != b->price)
        return a->price < b->price ? -1 : 1;
    if (a->record != b->record)
        return a->record > b->record ? -1 : 1;
    if (a->height != b->height)
        return a->height < b->height ? -1 : 1;
    return memcmp(a->provider.b, b->provider.b, 32);
}

/* Waits for bids (see the usage); *n of them in b, sorted best first. */
static int wait_bids(deploy *d, cbid *b, size_t *n)
{
    char state[32];
    uint64_t bid_end = 0;
    snode_ctx ctx;
    snode_err why;
    time_t t0 = time(NULL);
    *n = 0;
    for (;;) {
        if (read_bids(d, b, n, state, &bid_end))
            return 1;
        if (strcmp(state, "open"))
            return cli_fail("order %llu is %s: it takes no lease now",
                            (unsigned long long)d->id, state);
        int waited = time(NULL) - t0 >= d->bid_wait;
        if (waited && *n)
            break;
        if (waited && !snode_status(cli_node_url(), &ctx, &why) &&
            ctx.height >= bid_end)
            break;
        sleep(1);
    }
    qsort(b, *n, sizeof *b, bid_cmp);
    return 0;
}

/* --pick: the user chooses from the sorted bids. Returns the index, or
 * -1 after printing why. */
static long pick_bid(const cbid *b, size_t n)
{
    char line[32];
    for (size_t i = 0; i < n; i++)
        printf("%zu) %s per epoch  %s  record %+lld\n", i + 1, b[i].price_text,
               b[i].addr, b[i].record);
    printf("take which bid? [1-%zu] ", n);
    fflush(stdout);
    if (!fgets(line, sizeof line, stdin))
        return -1;
    char *end;
    long k = strtol(line, &end, 10);
    if (end == line || k < 1 || (size_t)k > n) {
        cli_fail("no bid numbered \"%.*s\"", (int)strcspn(line, "\n"), line);
        return -1;
    }
    return k - 1;
}

/* Cancels an order nobody bid on, so its escrow returns. */
static int cancel(deploy *d)
{
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_LEASE_CLOSE_LEN);
    cairn_lease_close_encode(&b, d->id);
    if (ccli_send(&d->kp, CAIRN_TX_LEASE_CLOSE, &b, NULL))
        return 1;
    return cli_fail("no provider bid on order %llu; it is cancelled and its "
                    "escrow returned (raise max_price, or try again later)",
                    (unsigned long long)d->id);
}

/* Takes bid b (LEASE_CREATE). */
static int take(deploy *d, const cbid *b)
{
    cairn_buf buf;
    cairn_buf_init(&buf, CAIRN_LEASE_CREATE_LEN);
    cairn_lease_create_encode(&buf, d->id, &b->provider);
    return ccli_send(&d->kp, CAIRN_TX_LEASE_CREATE, &buf, NULL);
}

/* Takes the chosen bid, or in order the next ones when a provider has no
 * room left by now. */
static int lease(deploy *d, cbid *b, size_t n, size_t *won)
{
    if (!n)
        return cancel(d);
    long first = d->pick ? pick_bid(b, n) : 0;
    if (first < 0)
        return 1;
    for (size_t i = (size_t)first; i < n; i++) {
        if (!take(d, &b[i])) {
            *won = i;
            return 0;
        }
        if (d->pick)
            return 1;
        fprintf(stderr, "  trying the next bid\n");
    }
    return cli_fail("no bid of order %llu could be taken",
                    (unsigned long long)d->id);
}

static int deploy_run(deploy *d)
{
    cbid *b = calloc(BIDS_MAX, sizeof *b);
    size_t n = 0, won = 0;
    int rc = !b || post_order(d) || wait_bids(d, b, &n) || lease(d, b, n, &won);
    if (!rc) {
        fprintf(stderr, "lease %llu: %s runs it at %s per epoch\n",
                (unsigned long long)d->id, b[won].addr, b[won].price_text);
        rc = ccli_send_manifest(&d->kp, d->id, d->bytes, d->len);
    }
    if (!rc && cli.json)
        printf("{\"lease\": %llu}\n", (unsigned long long)d->id);
    else if (!rc)
        printf("%llu\n", (unsigned long long)d->id);
    if (!rc && d->follow)
        rc = ccli_follow_logs(&d->kp, d->id);
    free(b);
    return rc;
}

/* Reads the options that change the order. */
static int order_opts(deploy *d, const char *escrow, const char *blocks,
                      const char *wait)
{
    uint64_t v;
    cairn_manifest_order(&d->m, &d->o);
    d->o.bid_blocks = 20;
    d->bid_wait = 8;
    if (escrow && (cairn_amount_parse(&d->o.escrow, escrow) || !d->o.escrow))
        return cli_fail("--escrow \"%s\": not a positive amount of tokens",
                        escrow);
    if (blocks) {
        if (cairn_parse_u64_max(blocks, UINT32_MAX, &v) || !v)
            return cli_fail("--bid-blocks \"%s\": a count of blocks >= 1",
                            blocks);
        d->o.bid_blocks = (uint32_t)v;
    }
    if (wait) {
        if (cairn_parse_u64_max(wait, 86400, &v))
            return cli_fail("--bid-wait \"%s\": seconds, at most 86400", wait);
        d->bid_wait = (long)v;
    }
    return 0;
}

int ccmd_deploy(int argc, char **argv)
{
    const char *key = NULL, *escrow = NULL, *blocks = NULL, *wait = NULL;
    deploy d = {0};
    cli_opt opts[] = {{"key", &key, NULL},
                      {"pick", NULL, &d.pick},
                      {"follow", NULL, &d.follow},
                      {"escrow", &escrow, NULL},
                      {"bid-blocks", &blocks, NULL},
                      {"bid-wait", &wait, NULL},
                      {NULL, NULL, NULL}};
    cli_args a;
    int rc = cli_parse(argc, argv, "compute deploy", deploy_usage, opts, 1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 1)
        return cli_fail("compute deploy: give the MANIFEST file");
    rc = read_manifest(&d, a.pos[0]) || order_opts(&d, escrow, blocks, wait) ||
         ccli_key(key, &d.kp);
    if (!rc) {
        cairn_addr_format(d.addr, &d.kp.pk);
        rc = deploy_run(&d);
    }
    cairn_keypair_wipe(&d.kp);
    cairn_manifest_free(&d.m);
    free(d.bytes);
    return rc;
}

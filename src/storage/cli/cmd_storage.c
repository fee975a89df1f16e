/* `cairn put`, `cairn get` and `cairn ls`: storing files on the network's
 * storage providers and getting them back; and the helpers the storage
 * commands share (storage_cli.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cairn/amount.h"
#include "core/json_amount.h"
#include "cli/econ_cli.h"
#include "storage/cli/storage_cli.h"

#define PATH_LEN 4096

/* $HOME/.cairn/<rest> into out. */
static int home_path(char *out, size_t n, const char *rest)
{
    const char *home = getenv("HOME");
    if (!home || !*home)
        return cli_fail("$HOME is not set: give the path explicitly");
    if ((size_t)snprintf(out, n, "%s/.cairn/%s", home, rest) >= n)
        return cli_fail("path too long under $HOME");
    return 0;
}

int stor_open(const stor_opts *o, sclient *c)
{
    char key[PATH_LEN], store[PATH_LEN];
    cairn_keypair kp;
    const char *k = o->key ? o->key : getenv("CAIRN_KEY");
    const char *s = o->store ? o->store : getenv("CAIRN_STORE");
    if (!k || !*k) {
        if (cli_default_key(key, sizeof key))
            return 1;
        if (access(key, F_OK) != 0)
            return cli_fail("no key at %s (the default): make one with "
                            "`cairn keygen`, or give --key FILE or $CAIRN_KEY",
                            key);
        k = key;
    }
    if (!s || !*s) {
        if (home_path(store, sizeof store, "client"))
            return 1;
        s = store;
    }
    if (cli_load_key(k, &kp))
        return 1;
    cairn_err e = sclient_open(c, cli_node_url(), s, &kp);
    cairn_keypair_wipe(&kp);
    if (e)
        return stor_fail(c, e);
    c->log = stderr;
    c->progress = isatty(2) && !cli.json;
    return 0;
}

int stor_fail(const sclient *c, cairn_err e)
{
    return cli_fail("%s", *c->why ? c->why : cairn_strerror(e));
}

int stor_parse_size(const char *s, const char *what, uint64_t *bytes)
{
    static const struct {
        const char *suffix;
        unsigned shift;
    } units[] = {{"", 0},     {"B", 0},  {"K", 10},   {"KiB", 10}, {"M", 20},
                 {"MiB", 20}, {"G", 30}, {"GiB", 30}, {"T", 40},   {"TiB", 40}};
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*s < '0' || *s > '9' || errno)
        return cli_fail("%s \"%s\": give a size such as 512MiB or 10GiB", what,
                        s);
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(end, units[i].suffix) == 0) {
            if (v > (UINT64_MAX >> units[i].shift))
                break;
            *bytes = (uint64_t)v << units[i].shift;
            return 0;
        }
    return cli_fail("%s \"%s\": give a size such as 512MiB or 10GiB", what, s);
}

/* ---- put ---- */

static const char put_usage[] =
    "usage: cairn put FILE [--k K] [--n N] [--epochs E | --permanent] "
    "[--segment SIZE]\n"
    "                 [--max-price TOKENS] [--name NAME] [--key FILE] [--store "
    "DIR]\n"
    "                 [--node URL] [--json]\n"
    "Encrypts FILE with a key derived from your key, cuts it into segments\n"
    "(default 4MiB), erasure-codes each into N pieces of which any K rebuild\n"
    "it (default 4 of 6), stores piece i of every segment with provider i (N\n"
    "distinct active storage providers, cheapest first), and opens one deal "
    "per\n"
    "piece on chain: paid per epoch for E epochs (default 100), or once into\n"
    "the network's endowment with --permanent. --max-price skips providers "
    "that\n"
    "ask more than TOKENS per MiB and epoch. The file's name (--name, else\n"
    "FILE's) goes on chain sealed with your key (one FILE_NAME transaction),\n"
    "for ls --from-chain. Prints the file's id, which get, status, rm and\n"
    "repair take (any unique prefix of it).\n"
    "Key: --key, $CAIRN_KEY or ~/.cairn/key (the account that pays). What to\n"
    "get the file back is kept in --store, $CAIRN_STORE or ~/.cairn/client.\n";

/* Reads put's numeric options into o. */
static int put_numbers(const char *k, const char *n, const char *epochs,
                       const char *seg, const char *max_price,
                       sclient_put_opts *o)
{
    uint64_t v;
    o->p.k = 4;
    o->p.n = 6;
    o->p.segment_size = CAIRN_SEGMENT_DEFAULT;
    o->epochs = 100;
    if (k && econ_parse_u64(k, "--k", &v))
        return 1;
    if (k && (v == 0 || v > 254))
        return cli_fail("--k must be 1..254");
    if (k)
        o->p.k = (uint32_t)v;
    if (n && econ_parse_u64(n, "--n", &v))
        return 1;
    if (n && v > 255)
        return cli_fail("--n must be at most 255");
    if (n)
        o->p.n = (uint32_t)v;
    if (o->p.n <= o->p.k)
        return cli_fail("--n (%u) must be above --k (%u)", o->p.n, o->p.k);
    if (epochs &&
        (econ_parse_u64(epochs, "--epochs", &o->epochs) || !o->epochs))
        return cli_fail("--epochs must be at least 1");
    if (seg && stor_parse_size(seg, "--segment", &v))
        return 1;
    if (seg && (v < CAIRN_SEGMENT_MIN || v > CAIRN_SEGMENT_MAX || v % 1024))
        return cli_fail("--segment must be 1KiB..32MiB in whole KiB");
    if (seg)
        o->p.segment_size = (uint32_t)v;
    if (max_price && econ_parse_tokens(max_price, "--max-price", &o->max_price))
        return 1;
    if (max_price && o->max_price == 0)
        return cli_fail("--max-price must be above 0 (leave it out to take "
                        "any price)");
    return 0;
}

/* The cost line of put: what went into the deals and the fees. */
static void print_cost(const cmeta_file *f, const sclient_cost *c)
{
    char total[CAIRN_AMOUNT_TEXT_MAX], escrow[CAIRN_AMOUNT_TEXT_MAX],
        fees[CAIRN_AMOUNT_TEXT_MAX];
    cairn_amount_format(total, c->total);
    cairn_amount_format(escrow, c->escrow);
    cairn_amount_format(fees, c->fees);
    if (f->permanent)
        fprintf(stderr,
                "cost %s tokens: %s paid once into the endowment of %llu "
                "permanent deal(s) and %s in fees; `cairn rm` returns what is "
                "left of the endowment\n",
                total, escrow, (unsigned long long)c->deals, fees);
    else
        fprintf(stderr,
                "cost %s tokens: %s held in escrow for %llu epoch(s) by %llu "
                "deal(s), paid to providers epoch by epoch, and %s in fees; "
                "`cairn rm` returns the escrow of the epochs not yet begun\n",
                total, escrow, (unsigned long long)f->epochs,
                (unsigned long long)c->deals, fees);
}

static void print_put(const cmeta_file *f, const sclient_cost *c, int named)
{
    char id[2 * CMETA_ID_LEN + 1];
    cmeta_id_hex(id, f->id);
    if (cli.json) {
        json_t *o =
            json_pack("{s:s, s:s, s:I, s:i, s:i, s:I, s:b, s:I, s:I}", "id", id,
                      "name", f->name, "size", (json_int_t)f->fi.size, "k",
                      (int)f->fi.p.k, "n", (int)f->fi.p.n, "segments",
                      (json_int_t)cairn_layout_segments(&f->fi), "permanent",
                      (int)f->permanent, "epochs", (json_int_t)f->epochs,
                      "deals", (json_int_t)c->deals);
        amount_json_set(o, "escrow", c->escrow);
        amount_json_set(o, "fees", c->fees);
        amount_json_set(o, "cost", c->total);
        json_object_set_new(o, "named", json_boolean(named));
        cli_print_json(o);
        json_decref(o);
        return;
    }
    printf("%s\n", id);
    fprintf(stderr,
            "stored %s (%llu bytes) as %llu segment(s) of %u-of-%u pieces; "
            "`cairn status %s` shows it\n",
            f->name, (unsigned long long)f->fi.size,
            (unsigned long long)cairn_layout_segments(&f->fi), f->fi.p.k,
            f->fi.p.n, id);
    print_cost(f, c);
}

int cmd_put(int argc, char **argv)
{
    stor_opts so = {0};
    sclient_cost cost = {0};
    int named = 0;
    sclient_put_opts o = {.cost = &cost, .named = &named};
    const char *k = NULL, *n = NULL, *epochs = NULL, *seg = NULL, *maxp = NULL;
    cli_opt opts[] = {
        {"key", &so.key, NULL},    {"store", &so.store, NULL},
        {"k", &k, NULL},           {"n", &n, NULL},
        {"epochs", &epochs, NULL}, {"permanent", NULL, &o.permanent},
        {"segment", &seg, NULL},   {"max-price", &maxp, NULL},
        {"name", &o.name, NULL},   {NULL, NULL, NULL}};
    cli_args a;
    sclient c;
    cmeta_file f;
    int rc = cli_parse(argc, argv, "put", put_usage, opts, 1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 1)
        return cli_fail("put: give the FILE to store (see cairn put --help)");
    if (o.permanent && epochs)
        return cli_fail("put: --permanent deals have no --epochs");
    if (o.permanent && maxp)
        return cli_fail("put: --max-price is for term deals; a --permanent "
                        "deal pays the network's permanent price");
    if (put_numbers(k, n, epochs, seg, maxp, &o) || stor_open(&so, &c))
        return 1;
    o.path = a.pos[0];
    cairn_err e = sclient_put(&c, &o, &f);
    rc = e ? stor_fail(&c, e) : 0;
    if (!e)
        print_put(&f, &cost, named);
    sclient_close(&c);
    return rc;
}

/* ---- get ---- */

static const char get_usage[] =
    "usage: cairn get ID OUT [--key FILE] [--store DIR] [--node URL]\n"
    "Fetches any K good pieces of every segment of file ID (a provider that "
    "is\n"
    "down or sends bytes that do not match the piece's root is skipped and\n"
    "another tried), decodes and decrypts them, and writes OUT atomically.\n";

int cmd_get(int argc, char **argv)
{
    stor_opts so = {0};
    cli_opt opts[] = {
        {"key", &so.key, NULL}, {"store", &so.store, NULL}, {NULL, NULL, NULL}};
    cli_args a;
    sclient c;
    int rc = cli_parse(argc, argv, "get", get_usage, opts, 2, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 2)
        return cli_fail("get: give the file's ID and where to write it (see "
                        "cairn get --help)");
    if (stor_open(&so, &c))
        return 1;
    cairn_err e = sclient_get(&c, a.pos[0], a.pos[1]);
    rc = e ? stor_fail(&c, e) : 0;
    if (!e && !cli.json)
        fprintf(stderr, "wrote %s\n", a.pos[1]);
    sclient_close(&c);
    return rc;
}

/* ---- ls ---- */

static const char ls_usage[] =
    "usage: cairn ls [--from-chain] [--key FILE] [--store DIR] [--node URL] "
    "[--json]\n"
    "Lists the files in the client's store. --from-chain first rebuilds the\n"
    "store from your key's deals on chain and the files' sealed name records\n"
    "(a file without one is named recovered-ID).\n";

static json_t *file_json(const cmeta_file *f)
{
    char id[2 * CMETA_ID_LEN + 1];
    cmeta_id_hex(id, f->id);
    return json_pack("{s:s, s:s, s:I, s:i, s:i, s:I, s:b, s:I, s:I}", "id", id,
                     "name", f->name, "size", (json_int_t)f->fi.size, "k",
                     (int)f->fi.p.k, "n", (int)f->fi.p.n, "segments",
                     (json_int_t)cairn_layout_segments(&f->fi), "permanent",
                     (int)f->permanent, "epochs", (json_int_t)f->epochs,
                     "created", (json_int_t)f->created);
}

static void print_files(const cmeta_file *f, size_t n)
{
    if (cli.json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, file_json(&f[i]));
        json_t *o = json_pack("{s:o}", "files", arr);
        cli_print_json(o);
        json_decref(o);
        return;
    }
    if (n == 0)
        printf("no files yet (cairn put FILE stores one)\n");
    for (size_t i = 0; i < n; i++) {
        char id[2 * CMETA_ID_LEN + 1], when[32] = "-";
        time_t t = (time_t)f[i].created;
        struct tm tm;
        cmeta_id_hex(id, f[i].id);
        if (t && gmtime_r(&t, &tm))
            strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
        printf("%s  %12llu  %u-of-%-3u %-10s %s  %s\n", id,
               (unsigned long long)f[i].fi.size, f[i].fi.p.k, f[i].fi.p.n,
               f[i].permanent ? "permanent" : "term", when, f[i].name);
    }
}

int cmd_ls(int argc, char **argv)
{
    stor_opts so = {0};
    int from_chain = 0;
    cli_opt opts[] = {{"key", &so.key, NULL},
                      {"store", &so.store, NULL},
                      {"from-chain", NULL, &from_chain},
                      {NULL, NULL, NULL}};
    cli_args a;
    sclient c;
    cmeta_file *f = NULL;
    size_t n = 0, found = 0;
    int rc = cli_parse(argc, argv, "ls", ls_usage, opts, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (stor_open(&so, &c))
        return 1;
    cairn_err e = from_chain ? sclient_recover(&c, &found) : CAIRN_OK;
    if (!e && from_chain && !cli.json)
        fprintf(stderr, "found %zu file(s) of this key on chain\n", found);
    if (!e && (e = cmeta_list(c.meta, &f, &n)))
        sclient_fail(&c, e, "cannot read the client's store: %s",
                     cairn_strerror(e));
    rc = e ? stor_fail(&c, e) : 0;
    if (!e)
        print_files(f, n);
    free(f);
    sclient_close(&c);
    return rc;
}

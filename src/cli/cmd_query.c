/* `cairn status`, `balance`, `tx show` and `block show`: read-only queries
 * of a node, printed for people or (--json) as the API's JSON. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"

/* Writes time_ms as UTC ISO 8601 into out (at least 32 bytes). */
static void format_time(char *out, size_t n, long long time_ms)
{
    time_t s = (time_t)(time_ms / 1000);
    struct tm tm;
    if (time_ms < 0 || !gmtime_r(&s, &tm) ||
        !strftime(out, n, "%Y-%m-%dT%H:%M:%S", &tm)) {
        snprintf(out, n, "?");
        return;
    }
    size_t len = strlen(out);
    snprintf(out + len, n - len, ".%03lldZ", time_ms % 1000);
}

/* GETs path from the node and prints it as JSON (--json) or with show().
 * Returns the exit status. */
static int query(const char *path, void (*show)(const json_t *))
{
    json_t *j;
    if (api_get(cli_node_url(), path, &j))
        return 1;
    if (cli.json)
        cli_print_json(j);
    else
        show(j);
    json_decref(j);
    return 0;
}

/* o's string a, else its string b ("" when neither): the replica object
 * names its problems "last_problem" and "problem" ("error" before). */
static const char *either(const json_t *o, const char *a, const char *b)
{
    return *jstr(o, a) ? jstr(o, a) : jstr(o, b);
}

/* A replica's part of the status (nothing when r is not an object): its
 * role and term, the leader, etcd's tip, one line per etcd member and the
 * last etcd problem. */
static void show_replica(const json_t *r)
{
    if (!json_is_object(r))
        return;
    printf("role        %s (term %lld, elected %lld times here, lease %lld "
           "s)\n",
           jstr(r, "role"), jint(r, "term"), jint(r, "times_elected"),
           jint(r, "lease_ttl_s"));
    printf("leader      %s  %s\n",
           *jstr(r, "leader") ? jstr(r, "leader") : "none",
           jstr(r, "leader_api"));
    printf("etcd tip    %lld\n", jint(r, "etcd_tip"));
    json_t *ms = json_object_get(r, "etcd"), *m;
    size_t i;
    json_array_foreach(ms, i, m)
    {
        if (json_is_true(json_object_get(m, "up")))
            printf("etcd        %s  up%s  raft term %lld  db %lld bytes\n",
                   jstr(m, "url"),
                   json_is_true(json_object_get(m, "is_leader")) ? "  leader"
                                                                 : "",
                   jint(m, "raft_term"), jint(m, "db_size"));
        else
            printf("etcd        %s  down: %s\n", jstr(m, "url"),
                   either(m, "problem", "error"));
    }
    if (*either(r, "last_problem", "error"))
        printf("warning     %s\n", either(r, "last_problem", "error"));
}

static void show_status(const json_t *j)
{
    json_t *tok = json_object_get(j, "token");
    printf("chain       %s (%s, %s)\n", jstr(j, "chain_id"), jstr(tok, "name"),
           jstr(tok, "symbol"));
    printf("mode        %s%s%s\n", jstr(j, "mode"),
           *jstr(j, "following") ? " of " : "", jstr(j, "following"));
    printf("height      %lld\n", jint(j, "height"));
    printf("tip         %s\n", jstr(j, "tip_hash"));
    printf("state root  %s\n", jstr(j, "state_root"));
    printf("sequencer   %s\n", jstr(j, "sequencer"));
    printf("supply      %s   treasury %s\n", jstr(j, "supply"),
           jstr(j, "treasury"));
    printf("min fee     %s   mempool %lld\n", jstr(j, "min_fee"),
           jint(j, "mempool"));
    if (*jstr(j, "follow_error"))
        printf("warning     %s\n", jstr(j, "follow_error"));
    show_replica(json_object_get(j, "replica"));
}

static const char status_usage[] =
    "usage: cairn status [--node URL] [--json]\n"
    "Shows the node's chain, mode, height and tip.\n";

int cmd_status(int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(argc, argv, "status", status_usage, NULL, 0, &a);
    return rc ? CLI_EXIT(rc) : query("/v1/status", show_status);
}

static void show_account(const json_t *j)
{
    json_t *v = json_object_get(j, "vesting");
    printf("address    %s\n", jstr(j, "address"));
    printf("balance    %s\n", jstr(j, "balance"));
    printf("spendable  %s\n", jstr(j, "spendable"));
    printf("locked     %s\n", jstr(j, "locked"));
    printf("nonce      %lld (next %lld)\n", jint(j, "nonce"),
           jint(j, "next_nonce"));
    if (json_is_object(v))
        printf(
            "vesting    %s tokens, none before block %lld, all by block %lld\n",
            jstr(v, "total"), jint(v, "cliff_height"), jint(v, "end_height"));
    printf("at block   %lld\n", jint(j, "height"));
}

static const char balance_usage[] =
    "usage: cairn balance ADDR | --key FILE [--node URL] [--json]\n"
    "Shows an account's balance, spendable and locked parts, and nonce.\n";

int cmd_balance(int argc, char **argv)
{
    const char *key = NULL;
    char addr[CAIRN_ADDR_TEXT_LEN + 1], path[128];
    cli_opt opts[] = {{"key", &key, NULL}, {NULL, NULL, NULL}};
    cli_args a;
    cairn_keypair kp;
    cairn_pubkey pk;
    int rc = cli_parse(argc, argv, "balance", balance_usage, opts, 1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (!key == !a.npos)
        return cli_fail("balance: give an address or --key FILE");
    if (key && cli_load_key(key, &kp))
        return 1;
    if (key) {
        pk = kp.pk;
        cairn_keypair_wipe(&kp);
    } else if (cli_parse_addr(a.pos[0], "address", &pk)) {
        return 1;
    }
    cairn_addr_format(addr, &pk);
    snprintf(path, sizeof path, "/v1/account/%s", addr);
    return query(path, show_account);
}

/* One line per transaction of a block. */
static void show_tx_line(const json_t *t)
{
    if (strcmp(jstr(t, "kind"), "transfer") == 0)
        printf("  %s  %s -> %s  %s (fee %s)\n", jstr(t, "hash"),
               jstr(t, "sender"), jstr(t, "to"), jstr(t, "amount"),
               jstr(t, "fee"));
    else
        printf("  %s  kind %lld from %s (fee %s)\n", jstr(t, "hash"),
               jint(t, "kind"), jstr(t, "sender"), jstr(t, "fee"));
}

static void show_tx(const json_t *j)
{
    printf("tx         %s\n", jstr(j, "hash"));
    printf("block      %lld (%s), index %lld\n", jint(j, "height"),
           jstr(j, "block_hash"), jint(j, "index"));
    printf("kind       %s\n", json_is_string(json_object_get(j, "kind"))
                                  ? jstr(j, "kind")
                                  : "other");
    printf("from       %s\n", jstr(j, "sender"));
    if (*jstr(j, "to"))
        printf("to         %s\n", jstr(j, "to"));
    if (*jstr(j, "amount"))
        printf("amount     %s\n", jstr(j, "amount"));
    printf("fee        %s\n", jstr(j, "fee"));
    printf("nonce      %lld\n", jint(j, "nonce"));
}

static const char tx_usage[] =
    "usage: cairn tx show HASH [--node URL] [--json]\n"
    "Shows a committed transaction and the block that holds it.\n";

int cmd_tx(int argc, char **argv)
{
    char path[160];
    cli_args a;
    int rc = cli_parse(argc, argv, "tx", tx_usage, NULL, 2, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 2 || strcmp(a.pos[0], "show") != 0)
        return cli_fail("tx: expected `cairn tx show HASH`");
    if (strlen(a.pos[1]) != 64 ||
        strspn(a.pos[1], "0123456789abcdefABCDEF") != 64)
        return cli_fail("tx: a transaction hash is 64 hex digits");
    snprintf(path, sizeof path, "/v1/tx/%s", a.pos[1]);
    return query(path, show_tx);
}

static void show_block(const json_t *j)
{
    char when[48];
    json_t *txs = json_object_get(j, "txs");
    format_time(when, sizeof when, jint(j, "time_ms"));
    printf("block      %lld\n", jint(j, "height"));
    printf("hash       %s\n", jstr(j, "hash"));
    printf("prev       %s\n", jstr(j, "prev"));
    printf("time       %s\n", when);
    printf("tx root    %s\n", jstr(j, "tx_root"));
    printf("state root %s\n", jstr(j, "state_root"));
    printf("proposer   %s\n", jstr(j, "proposer"));
    printf("txs        %lld\n", jint(j, "tx_count"));
    for (size_t i = 0; i < json_array_size(txs); i++)
        show_tx_line(json_array_get(txs, i));
}

static const char block_usage[] =
    "usage: cairn block show [HEIGHT | HASH] [--node URL] [--json]\n"
    "Shows a block and its transactions; the latest block by default.\n";

/* The latest height, from /v1/status; -1 (after printing) on failure. */
static long long tip_height(void)
{
    json_t *s;
    if (api_get(cli_node_url(), "/v1/status", &s))
        return -1;
    long long h = jint(s, "height");
    json_decref(s);
    if (h < 0)
        cli_fail("the node's status has no height");
    return h;
}

int cmd_block(int argc, char **argv)
{
    char path[160];
    cli_args a;
    int rc = cli_parse(argc, argv, "block", block_usage, NULL, 2, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos < 1 || strcmp(a.pos[0], "show") != 0)
        return cli_fail("block: expected `cairn block show [HEIGHT | HASH]`");
    const char *id = a.npos == 2 ? a.pos[1] : NULL;
    if (id &&
        (strlen(id) > 64 || strspn(id, "0123456789abcdefABCDEF") != strlen(id)))
        return cli_fail("block: give a block height or a 64-hex block hash");
    if (id) {
        snprintf(path, sizeof path, "/v1/block/%s", id);
    } else {
        long long h = tip_height();
        if (h < 0)
            return 1;
        snprintf(path, sizeof path, "/v1/block/%lld", h);
    }
    return query(path, show_block);
}

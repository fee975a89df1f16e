/* `cairn transfer`: build, sign and submit a transfer, and wait for the
 * block that commits it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "cairn/tx.h"
#include "cli/cli.h"

#define SUBMIT_TIMEOUT_MS 45000 /* the node holds a wait=1 reply up to 30 s */

/* What a transfer needs to know before it can be signed. */
typedef struct transfer_req {
    cairn_keypair kp;
    cairn_pubkey to;
    uint64_t amount, fee, nonce;
    int have_fee, have_nonce;
    char chain_id[CAIRN_CHAIN_ID_MAX + 1];
} transfer_req;

/* Parses a token amount option, printing an error naming it. */
static int parse_tokens(const char *s, const char *what, uint64_t *units)
{
    cairn_err e = cairn_amount_parse(units, s);
    if (e)
        return cli_fail("%s \"%s\": %s", what, s, cairn_strerror(e));
    return 0;
}

/* Parses a decimal nonce. */
static int parse_nonce(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (!*s || *s == '-' || *end || errno)
        return cli_fail("--nonce \"%s\" is not a non-negative integer", s);
    *v = x;
    return 0;
}

/* Reads the chain id, and the minimum fee unless --fee was given, from
 * /v1/status. */
static int fetch_status(const char *node, transfer_req *t)
{
    json_t *s;
    if (api_get(node, "/v1/status", &s))
        return 1;
    const char *id = jstr(s, "chain_id"), *fee = jstr(s, "min_fee_units");
    int bad = !*id || strlen(id) > CAIRN_CHAIN_ID_MAX;
    if (!bad)
        snprintf(t->chain_id, sizeof t->chain_id, "%s", id);
    if (!bad && !t->have_fee) {
        char *end;
        t->fee = strtoull(fee, &end, 10);
        bad = !*fee || *end;
    }
    json_decref(s);
    return bad ? cli_fail("the node's /v1/status lacks chain_id or min_fee_units") : 0;
}

/* Reads the sender's next nonce (counting its pending transactions). */
static int fetch_nonce(const char *node, transfer_req *t)
{
    char addr[CAIRN_ADDR_TEXT_LEN + 1], path[128];
    json_t *acct;
    cairn_addr_format(addr, &t->kp.pk);
    snprintf(path, sizeof path, "/v1/account/%s", addr);
    if (api_get(node, path, &acct))
        return 1;
    long long n = jint(acct, "next_nonce");
    json_decref(acct);
    if (n < 0)
        return cli_fail("the node's account reply has no next_nonce");
    t->nonce = (uint64_t)n;
    return 0;
}

/* Prints the node's answer to the submission. */
static void print_submitted(const json_t *r, int status)
{
    if (cli.json)
        cli_print_json(r);
    else if (status == 202)
        printf("tx %s pending (not waiting for a block)\n", jstr(r, "hash"));
    else
        printf("tx %s committed in block %lld\n", jstr(r, "hash"), jint(r, "height"));
}

/* Signs the transfer and POSTs it; returns the exit status. */
static int submit(const char *node, transfer_req *t, int no_wait)
{
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_TX_MAX_BYTES);
    cairn_err e = cairn_tx_make_transfer(&b, t->chain_id, &t->kp, t->nonce,
                                         t->fee, &t->to, t->amount);
    if (e || b.err) {
        cairn_buf_free(&b);
        return cli_fail("cannot build the transaction: %s", cairn_strerror(e ? e : b.err));
    }
    char *hex = malloc(2 * b.len + 1);
    if (!hex) {
        cairn_buf_free(&b);
        return cli_fail("out of memory");
    }
    cairn_hex_encode(hex, b.p, b.len);
    cairn_buf_free(&b);
    json_t *body = json_pack("{s:s}", "tx", hex), *r;
    free(hex);
    int status = 0;
    int rc = api_post(node, no_wait ? "/v1/tx" : "/v1/tx?wait=1", body,
                      SUBMIT_TIMEOUT_MS, &status, &r);
    json_decref(body);
    if (rc)
        return rc;
    print_submitted(r, status);
    json_decref(r);
    return 0;
}

static const char transfer_usage[] =
    "usage: cairn transfer --key FILE --to ADDR --amount TOKENS\n"
    "                      [--fee TOKENS] [--nonce N] [--no-wait]\n"
    "                      [--node URL] [--json]\n"
    "Sends TOKENS from the key's account to ADDR. The fee defaults to the\n"
    "network minimum and the nonce to the account's next one. Waits until\n"
    "the block holding the transfer is committed, unless --no-wait.\n";

int cmd_transfer(int argc, char **argv)
{
    const char *key = NULL, *to = NULL, *amount = NULL, *fee = NULL, *nonce = NULL;
    int no_wait = 0;
    cli_opt opts[] = {{"key", &key, NULL}, {"to", &to, NULL},
                      {"amount", &amount, NULL}, {"fee", &fee, NULL},
                      {"nonce", &nonce, NULL}, {"no-wait", NULL, &no_wait},
                      {NULL, NULL, NULL}};
    cli_args a;
    transfer_req t = {0};
    int rc = cli_parse(argc, argv, "transfer", transfer_usage, opts, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (!key || !to || !amount)
        return cli_fail("transfer: --key FILE, --to ADDR and --amount TOKENS are required");
    t.have_fee = fee != NULL;
    t.have_nonce = nonce != NULL;
    if (cli_parse_addr(to, "--to", &t.to) || parse_tokens(amount, "--amount", &t.amount) ||
        (fee && parse_tokens(fee, "--fee", &t.fee)) || (nonce && parse_nonce(nonce, &t.nonce)))
        return 1;
    if (cli_load_key(key, &t.kp))
        return 1;
    const char *node = cli_node_url();
    rc = fetch_status(node, &t);
    if (!rc && !t.have_nonce)
        rc = fetch_nonce(node, &t);
    if (!rc)
        rc = submit(node, &t, no_wait);
    cairn_keypair_wipe(&t.kp);
    return rc;
}

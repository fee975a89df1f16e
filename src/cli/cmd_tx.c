/* `cairn transfer`: build, sign and submit a transfer (through the node
 * API client, cli_send_tx), and wait for the block that commits it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "cairn/tx.h"
#include "cli/cli.h"

/* What a transfer needs to know before it can be signed. */
typedef struct transfer_req {
    cairn_keypair kp;
    cairn_pubkey to;
    uint64_t amount, fee, nonce;
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

/* Signs the transfer and submits it; returns the exit status. */
static int submit(transfer_req *t, int have_fee, int have_nonce, int no_wait)
{
    uint8_t body[40];
    cairn_transfer tr = {t->to, t->amount};
    cli_tx how = {&t->kp, have_fee ? &t->fee : NULL,
                  have_nonce ? &t->nonce : NULL, no_wait};
    json_t *r;
    int status = 0;
    cairn_transfer_encode(body, &tr);
    int rc =
        cli_send_tx(&how, CAIRN_TX_TRANSFER, body, sizeof body, &status, &r);
    if (rc)
        return rc;
    cli_print_submitted(r, status);
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
    const char *key = NULL, *to = NULL, *amount = NULL, *fee = NULL,
               *nonce = NULL;
    int no_wait = 0;
    cli_opt opts[] = {{"key", &key, NULL},       {"to", &to, NULL},
                      {"amount", &amount, NULL}, {"fee", &fee, NULL},
                      {"nonce", &nonce, NULL},   {"no-wait", NULL, &no_wait},
                      {NULL, NULL, NULL}};
    cli_args a;
    transfer_req t = {0};
    int rc = cli_parse(argc, argv, "transfer", transfer_usage, opts, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (!key || !to || !amount)
        return cli_fail(
            "transfer: --key FILE, --to ADDR and --amount TOKENS are required");
    if (cli_parse_addr(to, "--to", &t.to) ||
        parse_tokens(amount, "--amount", &t.amount) ||
        (fee && parse_tokens(fee, "--fee", &t.fee)) ||
        (nonce && parse_nonce(nonce, &t.nonce)))
        return 1;
    if (cli_load_key(key, &t.kp))
        return 1;
    rc = submit(&t, fee != NULL, nonce != NULL, no_wait);
    cairn_keypair_wipe(&t.kp);
    return rc;
}

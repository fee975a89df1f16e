/* `cairn account prove`: fetch an account's state proof from a node and
 * check it as a light client would, trusting only the sequencer's key. */
#include <stdio.h>
#include <string.h>

#include "cairn/amount.h"
#include "cairn/block.h"
#include "cairn/chain.h"
#include "cairn/smt.h"
#include "cli/cli.h"

#define ACCOUNT_REC_LEN 48

/* Everything the checks read and produce. */
typedef struct prove_ctx {
    cairn_pubkey pk, seq;
    cairn_header h;
    cairn_hash key;
    cairn_smt_proof pf;
    int present;
    uint8_t rec[ACCOUNT_REC_LEN];
    cairn_account acct;
} prove_ctx;

/* Decodes the 64-hex field k of o into out; 0 or -1. */
static int hex32(const json_t *o, const char *k, cairn_hash *out)
{
    const char *s = jstr(o, k);
    return cairn_hex_decode(out->b, CAIRN_HASH_LEN, s, strlen(s)) ? -1 : 0;
}

/* The sequencer's key: --sequencer, else the node's own word for it. */
static int sequencer_key(const char *opt, cairn_pubkey *seq)
{
    json_t *s;
    if (opt)
        return cli_parse_addr(opt, "--sequencer", seq);
    if (api_get(cli_node_url(), "/v1/status", &s))
        return 1;
    int rc = cli_parse_addr(jstr(s, "sequencer"), "the node's sequencer", seq);
    json_decref(s);
    if (!rc)
        fprintf(stderr,
                "note: the sequencer key was taken from the node itself; "
                "pass --sequencer ADDR (from the genesis file) to trust "
                "nothing the node says\n");
    return rc;
}

/* Decodes the header and checks its signature and hash. NULL or why not. */
static const char *check_header(const json_t *j, prove_ctx *c)
{
    uint8_t hb[CAIRN_HEADER_LEN];
    cairn_hash want, got;
    const char *hex = jstr(j, "header");
    if (cairn_hex_decode(hb, sizeof hb, hex, strlen(hex)) ||
        cairn_header_decode(&c->h, hb, sizeof hb))
        return "the header does not decode";
    if (c->h.height == 0)
        return "the tip is the unsigned genesis block; try again after block 1";
    if (memcmp(c->h.proposer.b, c->seq.b, CAIRN_PK_LEN) != 0 ||
        cairn_header_verify(&c->h, &c->seq))
        return "the header is not signed by the sequencer";
    cairn_header_hash(&got, &c->h);
    if (hex32(j, "block_hash", &want) || memcmp(want.b, got.b, CAIRN_HASH_LEN))
        return "the header's hash is not block_hash";
    if (jint(j, "height") != (long long)c->h.height)
        return "the reply's height is not the header's";
    return NULL;
}

/* Rebuilds the Merkle proof from its JSON form. NULL or why not. */
static const char *read_proof(const json_t *p, cairn_smt_proof *pf)
{
    json_t *sib = json_object_get(p, "siblings");
    long long depth = jint(p, "depth");
    const char *end = jstr(p, "end");
    memset(pf, 0, sizeof *pf);
    if (depth < 0 || depth > 256 || !json_is_array(sib) ||
        json_array_size(sib) != (size_t)depth)
        return "the proof's depth and siblings disagree";
    pf->depth = (uint16_t)depth;
    for (size_t i = 0; i < (size_t)depth; i++) {
        const char *s = json_string_value(json_array_get(sib, i));
        if (!s || cairn_hex_decode(pf->sib[i].b, CAIRN_HASH_LEN, s, strlen(s)))
            return "a sibling hash is malformed";
    }
    pf->end = strcmp(end, "leaf") == 0;
    if (!pf->end && strcmp(end, "empty") != 0)
        return "the proof's end is neither leaf nor empty";
    if (pf->end && (hex32(p, "leaf_key", &pf->leaf_key) ||
                    hex32(p, "leaf_vhash", &pf->leaf_vhash)))
        return "the proof's leaf is malformed";
    return NULL;
}

/* Decodes the 48-byte account record: six u64 LE. */
static void decode_account(const uint8_t *rec, cairn_account *a)
{
    cairn_reader r;
    cairn_reader_init(&r, rec, ACCOUNT_REC_LEN);
    a->balance = cairn_get_u64(&r);
    a->nonce = cairn_get_u64(&r);
    a->vest_total = cairn_get_u64(&r);
    a->vest_start = cairn_get_u64(&r);
    a->vest_cliff = cairn_get_u64(&r);
    a->vest_end = cairn_get_u64(&r);
}

/* Checks key, record and proof against the header's state root. */
static const char *check_state(const json_t *j, prove_ctx *c)
{
    cairn_hash key, vhash;
    const char *why = read_proof(json_object_get(j, "proof"), &c->pf);
    if (why)
        return why;
    cairn_account_key(&c->key, &c->pk);
    if (hex32(j, "key", &key) || memcmp(key.b, c->key.b, CAIRN_HASH_LEN))
        return "the reply's key is not this address's commitment key";
    c->present = json_is_true(json_object_get(j, "present"));
    if (c->present) {
        const char *hex = jstr(j, "account");
        if (cairn_hex_decode(c->rec, sizeof c->rec, hex, strlen(hex)))
            return "the account record is not 48 bytes of hex";
        cairn_hash_bytes(&vhash, c->rec, sizeof c->rec);
        decode_account(c->rec, &c->acct);
    }
    if (cairn_smt_verify(&c->h.state_root, &c->key, c->present ? &vhash : NULL,
                         &c->pf))
        return c->present
                   ? "the account is not in the header's state root"
                   : "the account's absence is not proven by the header's state root";
    return NULL;
}

/* Prints what was verified, as text or JSON. */
static void print_verified(const json_t *j, const prove_ctx *c)
{
    char bal[CAIRN_AMOUNT_TEXT_MAX], locked[CAIRN_AMOUNT_TEXT_MAX];
    cairn_amount_format(bal, c->present ? c->acct.balance : 0);
    cairn_amount_format(
        locked,
        c->present ? cairn_account_locked(&c->acct, c->h.height + 1) : 0);
    if (cli.json) {
        json_t *o =
            json_pack("{s:s, s:b, s:b, s:I, s:s, s:s, s:s, s:I}", "address",
                      jstr(j, "address"), "verified", 1, "present", c->present,
                      "height", (json_int_t)c->h.height, "block_hash",
                      jstr(j, "block_hash"), "balance", bal, "locked", locked,
                      "nonce", (json_int_t)c->acct.nonce);
        cli_print_json(o);
        json_decref(o);
        return;
    }
    printf("account    %s\n", jstr(j, "address"));
    printf("block      %llu %s (signed by the sequencer)\n",
           (unsigned long long)c->h.height, jstr(j, "block_hash"));
    if (c->present)
        printf("verified: balance %s (locked %s), nonce %llu\n", bal, locked,
               (unsigned long long)c->acct.nonce);
    else
        printf("verified: the account is absent (balance 0)\n");
}

static const char prove_usage[] =
    "usage: cairn account prove ADDR [--sequencer ADDR] [--node URL] [--json]\n"
    "Fetches the account's proof against the latest block and checks it\n"
    "locally: the header's signature by the sequencer (--sequencer, or the\n"
    "key the node reports), the block hash, and the Merkle path from the\n"
    "account record (or its absence) to the header's state root.\n"
    "Exits 0 only if everything verifies.\n";

int cmd_account(int argc, char **argv)
{
    const char *seq = NULL;
    char path[160];
    cli_opt opts[] = {{"sequencer", &seq, NULL}, {NULL, NULL, NULL}};
    cli_args a;
    prove_ctx c = {0};
    json_t *j;
    int rc = cli_parse(argc, argv, "account", prove_usage, opts, 2, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 2 || strcmp(a.pos[0], "prove") != 0)
        return cli_fail("account: expected `cairn account prove ADDR`");
    if (cli_parse_addr(a.pos[1], "address", &c.pk) ||
        sequencer_key(seq, &c.seq))
        return 1;
    snprintf(path, sizeof path, "/v1/account/%s/proof", a.pos[1]);
    if (api_get(cli_node_url(), path, &j))
        return 1;
    const char *why = check_header(j, &c);
    if (!why)
        why = check_state(j, &c);
    if (why)
        rc = cli_fail("proof does not verify: %s", why);
    else
        print_verified(j, &c);
    json_decref(j);
    return rc;
}

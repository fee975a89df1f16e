/* `cairn sequencers`, `cairn evidence` and `cairn block header`: the
 * genesis' sequencer set with each member's bond, equivocation evidence
 * against a member (two signed headers at one height, SEQ_EVIDENCE), and
 * a block's signed header as hex to assemble such evidence
 * (docs/replicas.md, "Trust model"). */
#include <stdio.h>
#include <string.h>

#include "cairn/sequencer.h"
#include "cli/econ_cli.h"

#define HEADER_HEX (2 * CAIRN_HEADER_LEN)

/* ---- sequencers ---- */

static const char sequencers_usage[] =
    "usage: cairn sequencers [--node URL] [--json]\n"
    "Lists the genesis' sequencer set: each member's address, the stake it\n"
    "bonded at genesis, what is still bonded, and what equivocation evidence\n"
    "slashed (and at which height). The first member, marked *, names block\n"
    "0. Also shows the tip's term (the leader's etcd election; 0 without\n"
    "replicas).\n";

int cmd_sequencers(int argc, char **argv)
{
    cli_args a;
    json_t *j;
    int rc = cli_parse(argc, argv, "sequencers", sequencers_usage, NULL, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (api_get(cli_node_url(), "/v1/sequencers", &j))
        return 1;
    if (cli.json) {
        cli_print_json(j);
        json_decref(j);
        return 0;
    }
    json_t *set = json_object_get(j, "sequencers");
    printf("%zu member%s, tip term %lld (height %lld)\n", json_array_size(set),
           json_array_size(set) == 1 ? "" : "s", jint(j, "term"),
           jint(j, "height"));
    for (size_t i = 0; i < json_array_size(set); i++) {
        json_t *m = json_array_get(set, i);
        int first = json_is_true(json_object_get(m, "first"));
        printf("%s %s  stake %s  bond %s", first ? "*" : " ",
               jstr(m, "address"), jstr(m, "stake"), jstr(m, "bond"));
        if (strcmp(jstr(m, "slashed_units"), "0") != 0)
            printf("  slashed %s at height %lld", jstr(m, "slashed"),
                   jint(m, "slashed_height"));
        printf("\n");
    }
    json_decref(j);
    return 0;
}

/* ---- evidence ---- */

static const char evidence_usage[] =
    "usage: cairn evidence HEADER_A HEADER_B --key FILE [--fee TOKENS]\n"
    "                      [--no-wait] [--node URL] [--json]\n"
    "Submits equivocation evidence: two different block headers at one\n"
    "height, both signed by the same member of the sequencer set (each the\n"
    "hex of a signed header, 442 hex digits: see cairn block header HEIGHT).\n"
    "The member's whole bond is slashed (burned, or paid to the treasury when\n"
    "slash_to_treasury is 1); a bond is slashed once. Any funded key may\n"
    "submit evidence; it pays the fee.\n";

/* Decodes the hex of one signed header into h. Returns 0 or 1 (printed). */
static int parse_header(const char *hex, const char *what, cairn_header *h)
{
    uint8_t raw[CAIRN_HEADER_LEN];
    size_t n = strlen(hex);
    if (n != HEADER_HEX || cairn_hex_decode(raw, sizeof raw, hex, n))
        return cli_fail("evidence: %s must be a signed block header, %d hex "
                        "digits (see cairn block header HEIGHT); it has %zu "
                        "characters",
                        what, HEADER_HEX, n);
    if (cairn_header_decode(h, raw, sizeof raw))
        return cli_fail("evidence: %s is not a block header of this version "
                        "(it must start with b2; see docs/encoding.md)",
                        what);
    return 0;
}

/* Says why the pair is no evidence, checked here before anything is sent
 * (the node checks the same). Returns 0 or 1 (printed). */
static int check_pair(const cairn_header *a, const cairn_header *b)
{
    cairn_header x, y;
    cairn_buf body;
    cairn_buf_init(&body, 2 * CAIRN_HEADER_LEN);
    cairn_seq_evidence_encode(&body, a, b);
    cairn_err e = body.err
                      ? body.err
                      : cairn_seq_evidence_decode(&x, &y, body.p, body.len);
    cairn_buf_free(&body);
    if (!e)
        return 0;
    if (e == CAIRN_ERR_BAD_SIG)
        return cli_fail("evidence: a header's signature does not verify "
                        "against its proposer; give the headers exactly as "
                        "the blocks carry them");
    if (a->height == 0 || a->height != b->height)
        return cli_fail("evidence: the headers must be at one height above 0 "
                        "(they are at %llu and %llu)",
                        (unsigned long long)a->height,
                        (unsigned long long)b->height);
    if (memcmp(a->proposer.b, b->proposer.b, 32) != 0)
        return cli_fail("evidence: the headers must be signed by the same "
                        "proposer");
    return cli_fail("evidence: the two headers are the same block; give two "
                    "different headers");
}

/* Says, before anything is sent, when the node would refuse the evidence
 * against `pk` for its state: not a member, no stake, already slashed
 * (the node's own messages for these codes speak of blocks and
 * duplicates). Returns 0 or 1 (printed). */
static int check_member(const cairn_pubkey *pk)
{
    char addr[CAIRN_ADDR_TEXT_LEN + 1];
    json_t *j, *m = NULL;
    cairn_addr_format(addr, pk);
    if (api_get(cli_node_url(), "/v1/sequencers", &j))
        return 1;
    json_t *set = json_object_get(j, "sequencers");
    for (size_t i = 0; !m && i < json_array_size(set); i++)
        if (!strcmp(jstr(json_array_get(set, i), "address"), addr))
            m = json_array_get(set, i);
    int rc = 0;
    if (!m)
        rc = cli_fail("evidence: the headers' signer %s is not a member of "
                      "this network's sequencer set (see cairn sequencers)",
                      addr);
    else if (strcmp(jstr(m, "slashed_units"), "0") != 0)
        rc = cli_fail("evidence: %s was already slashed for height %lld; a "
                      "bond is slashed once",
                      addr, jint(m, "slashed_height"));
    else if (strcmp(jstr(m, "bond_units"), "0") == 0)
        rc = cli_fail("evidence: %s has no bond to slash (it staked nothing "
                      "at genesis)",
                      addr);
    json_decref(j);
    return rc;
}

int cmd_evidence(int argc, char **argv)
{
    econ_tx_opts o;
    cli_args a;
    cairn_header ha, hb;
    cairn_buf b;
    int rc = econ_tx_parse(argc, argv, "evidence", evidence_usage, 2, &o, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 2)
        return cli_fail("evidence: give two signed headers, HEADER_A and "
                        "HEADER_B, in hex (see cairn evidence --help)");
    if (parse_header(a.pos[0], "HEADER_A", &ha) ||
        parse_header(a.pos[1], "HEADER_B", &hb) || check_pair(&ha, &hb) ||
        check_member(&ha.proposer))
        return 1;
    cairn_buf_init(&b, 2 * CAIRN_HEADER_LEN);
    cairn_seq_evidence_encode(&b, &ha, &hb);
    rc = econ_submit(&o, CAIRN_TX_SEQ_EVIDENCE, &b, NULL);
    cairn_buf_free(&b);
    return rc;
}

/* ---- block header ---- */

static const char header_usage[] =
    "usage: cairn block header HEIGHT [--node URL] [--json]\n"
    "Prints block HEIGHT's signed header as hex (the first 221 bytes of the\n"
    "block), the form cairn evidence takes.\n";

static int block_header(int argc, char **argv)
{
    cli_args a;
    uint64_t height;
    char path[64];
    json_t *j;
    int rc = cli_parse(argc, argv, "block header", header_usage, NULL, 1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 1)
        return cli_fail("block header: give a block HEIGHT");
    if (econ_parse_u64(a.pos[0], "HEIGHT", &height))
        return 1;
    snprintf(path, sizeof path, "/v1/block/%llu", (unsigned long long)height);
    if (api_get(cli_node_url(), path, &j))
        return 1;
    const char *raw = jstr(j, "raw");
    if (strlen(raw) < HEADER_HEX) {
        json_decref(j);
        return cli_fail("block header: the node's answer for block %llu has "
                        "no raw block; is it a cairn node of this version?",
                        (unsigned long long)height);
    }
    if (cli.json) {
        json_t *o = json_object();
        json_object_set_new(o, "height", json_integer((json_int_t)height));
        json_object_set_new(o, "hash", json_string(jstr(j, "hash")));
        json_object_set_new(o, "header", json_stringn(raw, HEADER_HEX));
        cli_print_json(o);
        json_decref(o);
    } else {
        printf("%.*s\n", HEADER_HEX, raw);
    }
    json_decref(j);
    return 0;
}

int cmd_block_any(int argc, char **argv)
{
    if (argc >= 1 && strcmp(argv[0], "header") == 0)
        return block_header(argc - 1, argv + 1);
    int rc = cmd_block(argc, argv);
    if (argc >= 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")))
        fputs("       cairn block header HEIGHT [--node URL] [--json]\n"
              "Prints a block's signed header as hex (for cairn evidence).\n",
              stdout);
    return rc;
}

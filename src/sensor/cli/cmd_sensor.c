/* `cairn sensor ...`: the dispatcher, the owner's commands (pair, devices,
 * grant, revoke, transfer), the app's pay, and what the subcommands share
 * (scli.h). The map's commands are in cmd_sensor_map.c, read in
 * cmd_sensor_read.c; docs/sensor-cli.md has every command with an
 * example. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "cairn/parse.h"
#include "cairn/sensor.h"
#include "cli/cli.h"
#include "sensor/cli/scli.h"
#include "sensor/cli/sensor_cli.h"

static const char sensor_usage[] =
    "usage: cairn sensor SUBCOMMAND ...\n"
    "owner:\n"
    "  pair --device-key D                  pair device D to your key\n"
    "  devices [--owner ADDR]               your (or ADDR's) devices\n"
    "  device DEVICE                        one device: owner, batches, "
    "grants\n"
    "  grant DEVICE APP --privileges P --expiry-epochs N --price TOKENS\n"
    "                                       let APP read DEVICE's data (P: "
    "all,\n"
    "                                       location, telemetry; a comma "
    "list)\n"
    "  revoke DEVICE APP                    stop sealing new keys to APP\n"
    "  transfer DEVICE NEWOWNER             give DEVICE away (revokes every\n"
    "                                       grant)\n"
    "app:\n"
    "  pay DEVICE --periods N --max-price TOKENS\n"
    "                                       pay for N periods of a grant\n"
    "  read DEVICE --from MS --to MS [--out FILE|-]\n"
    "                                       decrypt what you were granted, "
    "as CSV\n"
    "map:\n"
    "  map tiles | tile CELL | bounty CELL AMOUNT --epochs N | get CELL\n"
    "                                       (cairn sensor map --help)\n"
    "Commands that sign take --key FILE (default $CAIRN_KEY, else "
    "~/.cairn/key);\n"
    "every subcommand takes --node URL, --json and --help. "
    "docs/sensor-cli.md\n"
    "has examples.\n";

int scli_usage_fail(const char *sub)
{
    return cli_fail("sensor %s: see cairn sensor --help", sub);
}

/* Prints msg as the failure; returns 1 (the exit status). */
static int bad(const char *msg)
{
    return cli_fail("%s", msg);
}

const char *scli_field(const json_t *o, const char *k, char buf[32])
{
    const json_t *v = json_object_get(o, k);
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(buf, 32, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    if (json_is_boolean(v))
        return json_is_true(v) ? "yes" : "no";
    return "-";
}

cairn_err scli_get(const char *path, json_t **out, snode_err *why)
{
    why->msg[0] = '\0';
    why->status = 0;
    return snode_get(cli_node_url(), path, out, why);
}

int scli_param(const char *name, uint64_t dflt, uint64_t *v)
{
    json_t *p, *x;
    size_t i;
    if (api_get(cli_node_url(), "/v1/params", &p))
        return 1;
    *v = dflt;
    json_array_foreach(json_object_get(p, "params"), i, x)
    {
        const char *nm = json_string_value(json_object_get(x, "name"));
        uint64_t u;
        if (nm && !strcmp(nm, name) && !snode_u64(x, "value", &u))
            *v = u;
    }
    json_decref(p);
    return 0;
}

int scli_epoch(uint64_t *epoch)
{
    json_t *p;
    if (api_get(cli_node_url(), "/v1/params", &p))
        return 1;
    int bad_epoch = snode_u64(p, "epoch", epoch);
    json_decref(p);
    return bad_epoch ? cli_fail("the node's /v1/params has no epoch") : 0;
}

int scli_device(const char *addr, json_t **out)
{
    char path[160];
    snode_err why;
    snprintf(path, sizeof path, "/v1/sensor/device/%s", addr);
    cairn_err e = scli_get(path, out, &why);
    if (!e)
        return 0;
    if (why.status == 404)
        return cli_fail("no device %s on chain (its owner pairs it first: "
                        "cairn sensor pair --device-key FILE)",
                        addr);
    return cli_rpc_fail(cli_node_url(), e, &why);
}

int scli_is_owner(const json_t *dev, const char *addr, const cairn_pubkey *pk,
                  const char *verb)
{
    char me[CAIRN_ADDR_TEXT_LEN + 1];
    cairn_addr_format(me, pk);
    if (!strcmp(jstr(dev, "owner"), me))
        return 1;
    cli_fail("only the device's owner can %s it: device %s is owned by %s, "
             "not by the key given (%s); sign with the owner's --key",
             verb, addr, jstr(dev, "owner"), me);
    return 0;
}

int scli_send(const cairn_keypair *kp, uint16_t kind, cairn_buf *b,
              json_t **reply)
{
    json_t *r;
    int status = 0;
    int rc = cli_send_body(kp, kind, b, &status, &r);
    if (!rc && reply) {
        *reply = r;
        return 0;
    }
    if (!rc)
        cli_print_submitted(r, status);
    json_decref(r);
    return rc;
}

/* ---- owner ---- */

static int sub_pair(int argc, char **argv)
{
    cli_args a;
    const char *key = NULL, *dkey = NULL;
    cli_opt opts[] = {
        {"key", &key, NULL}, {"device-key", &dkey, NULL}, {NULL, NULL, NULL}};
    cairn_keypair owner, dev;
    char daddr[CAIRN_ADDR_TEXT_LEN + 1], oaddr[CAIRN_ADDR_TEXT_LEN + 1],
        path[160];
    int rc = cli_parse(argc, argv, "sensor pair", sensor_usage, opts, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (!dkey)
        return cli_fail("sensor pair: give the device's key file "
                        "(--device-key FILE; cairn keygen makes one)");
    if (cli_key(key, &owner))
        return 1;
    if (cli_load_key(dkey, &dev)) {
        cairn_keypair_wipe(&owner);
        return 1;
    }
    cairn_addr_format(daddr, &dev.pk);
    cairn_addr_format(oaddr, &owner.pk);
    uint32_t gen = 0;
    int already = 0;
    json_t *d = NULL;
    snode_err nf;
    snprintf(path, sizeof path, "/v1/sensor/device/%s", daddr);
    cairn_err ge = scli_get(path, &d, &nf);
    rc = 0;
    if (!ge) {
        uint64_t g = 0;
        if (strcmp(jstr(d, "owner"), oaddr))
            rc = cli_fail("device %s is paired to %s already; only its owner "
                          "can move it (cairn sensor transfer)",
                          daddr, jstr(d, "owner"));
        else if (snode_u64(d, "generation", &g) || g > UINT32_MAX)
            rc = cli_fail("the node's record of device %s has no generation",
                          daddr);
        else
            already = 1;
        gen = (uint32_t)g;
        json_decref(d);
    } else if (nf.status != 404) {
        rc = cli_rpc_fail(cli_node_url(), ge, &nf);
    }
    if (already) { /* nothing to send: the chain would refuse it */
        if (!cli.json)
            printf("device %s is already paired to you (generation %u)\n",
                   daddr, gen);
        cairn_keypair_wipe(&dev);
        cairn_keypair_wipe(&owner);
        return 0;
    }
    snode_ctx ctx;
    snode_err why = {.msg = ""};
    cairn_sensor_pair p = {.device = dev.pk, .generation = gen};
    if (!rc && snode_status(cli_node_url(), &ctx, &why))
        rc = cli_rpc_fail(cli_node_url(), CAIRN_ERR_HTTP, &why);
    if (!rc &&
        cairn_sensor_pair_sign(&p.sig, ctx.chain_id, &owner.pk, gen, &dev))
        rc = cli_fail("cannot sign the pairing for chain \"%s\"", ctx.chain_id);
    cairn_keypair_wipe(&dev);
    if (!rc) {
        cairn_buf b;
        cairn_buf_init(&b, 1024);
        cairn_sensor_pair_encode(&b, &p);
        rc = scli_send(&owner, CAIRN_TX_DEVICE_PAIR, &b, NULL);
        if (!rc && !cli.json)
            printf("device %s paired to %s (generation %u)\n", daddr, oaddr,
                   gen);
    }
    cairn_keypair_wipe(&owner);
    return rc;
}

static int sub_devices(int argc, char **argv)
{
    cli_args a;
    const char *key = NULL, *owner = NULL;
    cli_opt opts[] = {
        {"key", &key, NULL}, {"owner", &owner, NULL}, {NULL, NULL, NULL}};
    char who[CAIRN_ADDR_TEXT_LEN + 1], path[200], msg[SCLI_MSG_MAX];
    cairn_pubkey pk;
    json_t *r, *d;
    size_t i;
    int rc = cli_parse(argc, argv, "sensor devices", sensor_usage, opts, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (owner) {
        if (scli_parse_addr(owner, "--owner", &pk, msg, sizeof msg))
            return bad(msg);
    } else {
        cairn_keypair kp;
        if (cli_key(key, &kp))
            return 1;
        pk = kp.pk;
        cairn_keypair_wipe(&kp);
    }
    cairn_addr_format(who, &pk);
    snprintf(path, sizeof path, "/v1/sensor/devices?owner=%s", who);
    if (api_get(cli_node_url(), path, &r))
        return 1;
    if (cli.json) {
        cli_print_json(r);
        json_decref(r);
        return 0;
    }
    json_t *arr = json_object_get(r, "devices");
    if (!json_array_size(arr))
        printf("no devices of %s (pair one: cairn sensor pair --device-key "
               "FILE)\n",
               who);
    else
        printf("%-78s %4s %8s %8s %5s %6s\n", "DEVICE", "GEN", "LAST_SEQ",
               "BATCHES", "LEVEL", "STREAK");
    json_array_foreach(arr, i, d)
    {
        char b1[32], b2[32], b3[32], b4[32], b5[32];
        printf("%-78s %4s %8s %8s %5s %6s\n", jstr(d, "device"),
               scli_field(d, "generation", b1), scli_field(d, "last_seq", b2),
               scli_field(d, "batches", b3), scli_field(d, "level", b4),
               scli_field(d, "streak_weeks", b5));
    }
    json_decref(r);
    return 0;
}

static int sub_device(int argc, char **argv)
{
    cli_args a;
    char msg[SCLI_MSG_MAX], b1[32], b2[32], b3[32], b4[32], b5[32];
    cairn_pubkey pk;
    json_t *d, *g;
    size_t i;
    int rc = cli_parse(argc, argv, "sensor device", sensor_usage,
                       (cli_opt[]){{NULL, NULL, NULL}}, 1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 1)
        return cli_fail("sensor device: give the DEVICE's address");
    if (scli_parse_addr(a.pos[0], "DEVICE", &pk, msg, sizeof msg))
        return bad(msg);
    if (scli_device(a.pos[0], &d))
        return 1;
    if (cli.json) {
        cli_print_json(d);
        json_decref(d);
        return 0;
    }
    printf("device %s\n  owner %s, generation %s\n  batches %s (last seq "
           "%s), level %s, streak %s weeks\n",
           a.pos[0], jstr(d, "owner"), scli_field(d, "generation", b1),
           scli_field(d, "batches", b2), scli_field(d, "last_seq", b3),
           scli_field(d, "level", b4), scli_field(d, "streak_weeks", b5));
    json_t *gs = json_object_get(d, "grants");
    printf("  grants (%zu):\n", json_array_size(gs));
    json_array_foreach(gs, i, g)
    {
        uint64_t pv = 0, price = 0;
        char pt[40], amt[CAIRN_AMOUNT_TEXT_MAX];
        snode_u64(g, "privileges", &pv);
        snode_u64(g, "price", &price);
        scli_privs_text((uint32_t)pv, pt, sizeof pt);
        cairn_amount_format(amt, price);
        printf("    %s  %s  until epoch %s  %s tokens a period  paid until "
               "period %s  %s\n",
               jstr(g, "app"), pt, scli_field(g, "expiry_epoch", b1), amt,
               scli_field(g, "paid_until_period", b2),
               json_is_true(json_object_get(g, "active")) ? "active"
                                                          : "inactive");
    }
    json_decref(d);
    return 0;
}

/* The owner's key and the device's record, checked to be the owner's.
 * Returns 0, or 1 after printing why. */
static int owner_and_device(const char *key, const char *dev, const char *verb,
                            cairn_keypair *kp, cairn_pubkey *dpk)
{
    char msg[SCLI_MSG_MAX];
    json_t *d;
    if (scli_parse_addr(dev, "DEVICE", dpk, msg, sizeof msg))
        return bad(msg);
    if (cli_key(key, kp))
        return 1;
    int rc = scli_device(dev, &d);
    if (!rc) {
        rc = !scli_is_owner(d, dev, &kp->pk, verb);
        json_decref(d);
    }
    if (rc)
        cairn_keypair_wipe(kp);
    return rc;
}

static int sub_grant(int argc, char **argv)
{
    cli_args a;
    const char *key = NULL, *privs = NULL, *exp = NULL, *price = NULL;
    cli_opt opts[] = {{"key", &key, NULL},
                      {"privileges", &privs, NULL},
                      {"expiry-epochs", &exp, NULL},
                      {"price", &price, NULL},
                      {NULL, NULL, NULL}};
    char msg[SCLI_MSG_MAX];
    cairn_sensor_grant g;
    cairn_keypair kp;
    uint64_t n, epoch;
    int rc = cli_parse(argc, argv, "sensor grant", sensor_usage, opts, 2, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 2)
        return cli_fail("sensor grant: give DEVICE and APP (addresses)");
    if (!privs || !exp || !price)
        return cli_fail("sensor grant: give --privileges, --expiry-epochs and "
                        "--price");
    memset(&g, 0, sizeof g);
    if (scli_parse_addr(a.pos[0], "DEVICE", &g.device, msg, sizeof msg) ||
        scli_parse_addr(a.pos[1], "APP", &g.app, msg, sizeof msg) ||
        scli_parse_privs(privs, &g.privileges, msg, sizeof msg) ||
        scli_parse_count(exp, UINT32_MAX, "--expiry-epochs", &n, msg,
                         sizeof msg) ||
        scli_parse_tokens(price, "--price", 1, &g.price, msg, sizeof msg))
        return bad(msg);
    if (owner_and_device(key, a.pos[0], "grant access to", &kp, &g.device))
        return 1;
    rc = scli_epoch(&epoch);
    if (!rc) {
        cairn_buf b;
        g.expiry_epoch = epoch + n;
        cairn_buf_init(&b, 1024);
        cairn_sensor_grant_encode(&b, &g);
        rc = scli_send(&kp, CAIRN_TX_GRANT, &b, NULL);
        if (!rc && !cli.json) {
            char pt[40], amt[CAIRN_AMOUNT_TEXT_MAX];
            scli_privs_text(g.privileges, pt, sizeof pt);
            cairn_amount_format(amt, g.price);
            printf("granted %s to %s: %s until epoch %llu, %s tokens a "
                   "period\n",
                   a.pos[0], a.pos[1], pt, (unsigned long long)g.expiry_epoch,
                   amt);
        }
    }
    cairn_keypair_wipe(&kp);
    return rc;
}

/* revoke and transfer: DEVICE X --key OWNER, (device, X) bodies. */
static int two_addr(int argc, char **argv, const char *name, const char *what,
                    const char *verb, int kind)
{
    cli_args a;
    const char *key = NULL;
    cli_opt opts[] = {{"key", &key, NULL}, {NULL, NULL, NULL}};
    char cmd[32], msg[SCLI_MSG_MAX];
    cairn_pubkey dev, other;
    cairn_keypair kp;
    snprintf(cmd, sizeof cmd, "sensor %s", name);
    int rc = cli_parse(argc, argv, cmd, sensor_usage, opts, 2, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 2)
        return cli_fail("%s: give DEVICE and %s (addresses)", cmd, what);
    if (scli_parse_addr(a.pos[0], "DEVICE", &dev, msg, sizeof msg) ||
        scli_parse_addr(a.pos[1], what, &other, msg, sizeof msg))
        return bad(msg);
    if (kind == CAIRN_TX_DEVICE_TRANSFER &&
        !memcmp(dev.b, other.b, sizeof dev.b))
        return cli_fail("%s: a device cannot own itself; give the new "
                        "owner's address",
                        cmd);
    if (owner_and_device(key, a.pos[0], verb, &kp, &dev))
        return 1;
    cairn_buf b;
    cairn_buf_init(&b, 256);
    if (kind == CAIRN_TX_REVOKE)
        cairn_sensor_revoke_encode(&b, &dev, &other);
    else
        cairn_sensor_transfer_encode(&b, &dev, &other);
    rc = scli_send(&kp, (uint16_t)kind, &b, NULL);
    cairn_keypair_wipe(&kp);
    if (!rc && !cli.json)
        printf(kind == CAIRN_TX_REVOKE
                   ? "revoked %s's access of %s: new batches are not sealed "
                     "to it\n"
                   : "transferred %2$s to %1$s: every grant of it is "
                     "revoked\n",
               a.pos[1], a.pos[0]);
    return rc;
}

static int sub_revoke(int argc, char **argv)
{
    return two_addr(argc, argv, "revoke", "APP", "revoke access to",
                    CAIRN_TX_REVOKE);
}

static int sub_transfer(int argc, char **argv)
{
    return two_addr(argc, argv, "transfer", "NEWOWNER", "transfer",
                    CAIRN_TX_DEVICE_TRANSFER);
}

/* ---- app ---- */

/* The grant of app on device from the device's record (borrowed from
 * dev), or NULL. */
static const json_t *grant_of(const json_t *dev, const char *app)
{
    const json_t *g;
    size_t i;
    json_array_foreach(json_object_get(dev, "grants"), i,
                       g) if (!strcmp(jstr(g, "app"), app)) return g;
    return NULL;
}

static int sub_pay(int argc, char **argv)
{
    cli_args a;
    const char *key = NULL, *periods = NULL, *maxp = NULL;
    cli_opt opts[] = {{"key", &key, NULL},
                      {"periods", &periods, NULL},
                      {"max-price", &maxp, NULL},
                      {NULL, NULL, NULL}};
    char msg[SCLI_MSG_MAX], me[CAIRN_ADDR_TEXT_LEN + 1];
    cairn_sensor_pay p;
    cairn_keypair kp;
    uint64_t n;
    json_t *d;
    int rc = cli_parse(argc, argv, "sensor pay", sensor_usage, opts, 1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 1)
        return cli_fail("sensor pay: give the DEVICE's address");
    if (!periods || !maxp)
        return cli_fail("sensor pay: give --periods N and --max-price TOKENS "
                        "(the most you pay a period)");
    memset(&p, 0, sizeof p);
    if (scli_parse_addr(a.pos[0], "DEVICE", &p.device, msg, sizeof msg) ||
        scli_parse_count(periods, UINT32_MAX, "--periods", &n, msg,
                         sizeof msg) ||
        scli_parse_tokens(maxp, "--max-price", 1, &p.max_price, msg,
                          sizeof msg))
        return bad(msg);
    p.periods = (uint32_t)n;
    if (cli_key(key, &kp))
        return 1;
    cairn_addr_format(me, &kp.pk);
    rc = scli_device(a.pos[0], &d);
    if (!rc) {
        const json_t *g = grant_of(d, me);
        uint64_t price = 0;
        if (g && !snode_u64(g, "price", &price) && price > p.max_price) {
            char pt[CAIRN_AMOUNT_TEXT_MAX], mt[CAIRN_AMOUNT_TEXT_MAX];
            cairn_amount_format(pt, price);
            cairn_amount_format(mt, p.max_price);
            rc = cli_fail("the grant's price is %s tokens a period, above "
                          "your --max-price %s; nothing was paid (pay with "
                          "--max-price %s, or ask the owner for another "
                          "price)",
                          pt, mt, pt);
        } else if (!g)
            rc = cli_fail("%s has no grant of device %s: ask the owner (%s): "
                          "cairn sensor grant %s %s --privileges ... "
                          "--expiry-epochs N --price P",
                          me, a.pos[0], jstr(d, "owner"), a.pos[0], me);
        json_decref(d);
    }
    if (!rc) {
        cairn_buf b;
        cairn_buf_init(&b, 256);
        cairn_sensor_pay_encode(&b, &p);
        rc = scli_send(&kp, CAIRN_TX_ACCESS_PAY, &b, NULL);
        if (!rc && !cli.json)
            printf("paid %u period(s) of %s\n", p.periods, a.pos[0]);
    }
    cairn_keypair_wipe(&kp);
    return rc;
}

static const cli_sub subs[] = {
    {"pair", sub_pair},   {"devices", sub_devices}, {"device", sub_device},
    {"grant", sub_grant}, {"revoke", sub_revoke},   {"transfer", sub_transfer},
    {"pay", sub_pay},     {"read", scli_read},      {"map", scli_map},
};

int cmd_sensor(int argc, char **argv)
{
    return cli_dispatch(argc, argv, "sensor", sensor_usage, subs,
                        sizeof subs / sizeof subs[0]);
}

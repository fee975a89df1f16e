/* `cairn sensor read DEVICE --from MS --to MS [--out FILE|-]`: the app's
 * view of a device's data it was granted, as CSV (src/sensor/client/
 * sread.h does the work). Batches whose key is not sealed to the app are
 * skipped with the reason: no grant, expired, unpaid, revoked. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/sensor.h"
#include "cli/cli.h"
#include "sensor/cli/scli.h"
#include "sensor/client/sread.h"

#define READ_PAGE 100
#define READ_PAGES_MAX 1000 /* 100000 batches at most */

static const char read_usage[] =
    "usage: cairn sensor read DEVICE --from MS --to MS [--out FILE|-]\n"
    "  the device's readings between --from and --to (milliseconds since\n"
    "  1970) that your grant opens, as CSV: t_ms,lat,lon,value (the\n"
    "  columns your privileges do not open are absent). Signs nothing;\n"
    "  --key FILE (default $CAIRN_KEY, else ~/.cairn/key) is the app's key\n"
    "  the batch keys are sealed to. --out: a file (default -, stdout).\n";

/* The grant of app on the device (borrowed from dev), or NULL. */
static const json_t *grant_of(const json_t *dev, const char *app)
{
    const json_t *g;
    size_t i;
    json_array_foreach(json_object_get(dev, "grants"), i, g)
    {
        if (!strcmp(jstr(g, "app"), app))
            return g;
    }
    return NULL;
}

/* Why batches of the device are not sealed to app: printed as the
 * failure. Returns 1. */
static int why_no_key(const json_t *dev, const char *device, const char *me,
                      int had_key)
{
    const json_t *g = grant_of(dev, me);
    const char *owner = jstr(dev, "owner");
    uint64_t exp = 0, paid = 0, epoch = 0;
    if (!g && had_key)
        return cli_fail("your grant of %s was revoked (or the device changed "
                        "owner): batches since are not sealed to %s; ask the "
                        "owner (%s): cairn sensor grant %s %s --privileges "
                        "... --expiry-epochs N --price P",
                        device, me, owner, device, me);
    if (!g)
        return cli_fail("%s has no grant of device %s: ask the owner (%s): "
                        "cairn sensor grant %s %s --privileges "
                        "location,telemetry --expiry-epochs N --price P",
                        me, device, owner, device, me);
    snode_u64(g, "expiry_epoch", &exp);
    snode_u64(g, "paid_until_period", &paid);
    if (!json_is_true(json_object_get(g, "active")) && !scli_epoch(&epoch) &&
        epoch >= exp)
        return cli_fail("your grant of %s expired at epoch %llu (now %llu): "
                        "ask the owner (%s) to grant it again: cairn sensor "
                        "grant %s %s ...",
                        device, (unsigned long long)exp,
                        (unsigned long long)epoch, owner, device, me);
    if (!json_is_true(json_object_get(g, "active")))
        return cli_fail("your grant of %s is unpaid (paid until period "
                        "%llu): cairn sensor pay %s --periods N --max-price "
                        "P; batches are sealed to you once it is paid",
                        device, (unsigned long long)paid, device);
    return cli_fail("no batch of %s in that time range is sealed to you: "
                    "they were registered before your grant was active "
                    "(granted and paid); newer batches will be",
                    device);
}

/* Lists the device's batches in [from, to] into *out (*n of them; the
 * caller frees it), reading at most `pages` pages. 0, or 1 after printing
 * why. */
static int list_batches(const char *device, uint64_t from, uint64_t to,
                        const char *me, int pages, sread_batch **out, size_t *n)
{
    char path[320];
    uint64_t after = 0;
    *out = NULL;
    *n = 0;
    for (int page = 0; page < pages; page++) {
        json_t *r, *o;
        size_t i;
        int k = snprintf(path, sizeof path,
                         "/v1/sensor/batches?device=%s&from_ms=%llu&to_ms=%llu"
                         "&limit=%d",
                         device, (unsigned long long)from,
                         (unsigned long long)to, READ_PAGE);
        if (page > 0 && k > 0 && (size_t)k < sizeof path)
            snprintf(path + k, sizeof path - (size_t)k, "&after_seq=%llu",
                     (unsigned long long)after);
        if (api_get(cli_node_url(), path, &r))
            return 1;
        json_t *arr = json_object_get(r, "batches");
        sread_batch *a =
            realloc(*out, (*n + json_array_size(arr) + 1) * sizeof *a);
        if (!a) {
            json_decref(r);
            return cli_fail("out of memory");
        }
        *out = a;
        json_array_foreach(arr, i, o)
        {
            if (sread_batch_from_json(&a[*n], o, me)) {
                json_decref(r);
                return cli_fail("the node listed a malformed batch of %s",
                                device);
            }
            after = a[*n].seq;
            (*n)++;
        }
        int more = json_is_true(json_object_get(r, "more"));
        json_decref(r);
        if (!more || !json_array_size(arr))
            return 0;
    }
    return 0;
}

/* 1 when a batch of the device before `before` ms was sealed to app (its
 * grant was revoked since, or the device changed owner). Reads at most
 * 10 pages of batches; 0 when the node cannot say. */
static int sealed_before(const char *device, uint64_t before, const char *me)
{
    sread_batch *b;
    size_t n;
    int had = 0;
    if (before == 0 || list_batches(device, 0, before - 1, me, 10, &b, &n))
        return 0;
    for (size_t i = 0; i < n; i++)
        had |= b[i].has_key;
    free(b);
    return had;
}

/* Fetches, checks, decrypts and prints. Returns the exit status. */
static int read_all(const cairn_keypair *kp, const cairn_pubkey *owner,
                    const json_t *dev, const char *device, const char *me,
                    sread_batch *b, size_t n, FILE *out)
{
    uint8_t **files = calloc(n, sizeof *files);
    size_t *lens = calloc(n, sizeof *lens);
    uint8_t(*gkeys)[SBATCH_KEY_LEN] = sodium_malloc(n * SBATCH_KEY_LEN);
    char(*fail)[SREAD_WHY_MAX] = calloc(n, sizeof *fail);
    char why[SREAD_WHY_MAX];
    int rc = 0;
    size_t opened = 0, rows = 0;
    uint32_t hint = CAIRN_SENSOR_PRIV_ALL, cols = 0;
    const json_t *g = grant_of(dev, me);
    uint64_t gp;
    if (g && !snode_u64(g, "privileges", &gp) && gp >= 1 &&
        gp <= CAIRN_SENSOR_PRIV_ALL)
        hint = (uint32_t)gp;
    if (!files || !lens || !gkeys || !fail) {
        rc = cli_fail("out of memory");
        goto done;
    }
    if (sread_fetch(cli_node_url(), kp, owner, b, n, files, lens, gkeys, fail,
                    why, sizeof why)) {
        rc = cli_fail("%s", why);
        goto done;
    }
    sbatch_reading **r = calloc(n, sizeof *r);
    uint32_t *nr = calloc(n, sizeof *nr), *pv = calloc(n, sizeof *pv);
    if (!r || !nr || !pv) {
        free(r);
        free(nr);
        free(pv);
        rc = cli_fail("out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        if (!files[i])
            continue;
        if (sread_decode(files[i], lens[i], &b[i].content, gkeys[i], hint,
                         &r[i], &nr[i], &pv[i], fail[i], SREAD_WHY_MAX))
            continue;
        cols |= pv[i];
        opened++;
    }
    if (opened) {
        sread_csv_header(out, cols);
        for (size_t i = 0; i < n; i++)
            if (r[i]) {
                sread_csv_rows(out, r[i], nr[i], cols, pv[i]);
                rows += nr[i];
            }
    }
    for (size_t i = 0; i < n; i++) {
        if (b[i].has_key && !r[i])
            fprintf(stderr, "cairn: batch #%llu of %s skipped: %s\n",
                    (unsigned long long)b[i].seq, device,
                    fail[i][0] ? fail[i] : "it could not be read");
        free(r[i]);
    }
    free(r);
    free(nr);
    free(pv);
    if (opened)
        fprintf(stderr, "read %zu readings from %zu of %zu batches of %s\n",
                rows, opened, n, device);
    else
        rc = cli_fail("none of the %zu batches of %s sealed to you could be "
                      "read (see above)",
                      n, device);
done:
    for (size_t i = 0; files && i < n; i++)
        free(files[i]);
    free(files);
    free(lens);
    if (gkeys)
        sodium_free(gkeys);
    free(fail);
    return rc;
}

int scli_read(int argc, char **argv)
{
    cli_args a;
    const char *key = NULL, *from = NULL, *to = NULL, *outp = "-";
    cli_opt opts[] = {{"key", &key, NULL},
                      {"from", &from, NULL},
                      {"to", &to, NULL},
                      {"out", &outp, NULL},
                      {NULL, NULL, NULL}};
    char msg[SCLI_MSG_MAX], me[CAIRN_ADDR_TEXT_LEN + 1];
    cairn_pubkey dpk, owner;
    cairn_keypair kp;
    uint64_t f, t;
    json_t *dev = NULL;
    sread_batch *b = NULL;
    size_t n;
    int rc = cli_parse(argc, argv, "sensor read", read_usage, opts, 1, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (a.npos != 1)
        return cli_fail("sensor read: give the DEVICE's address");
    if (!from || !to)
        return cli_fail("sensor read: give --from MS and --to MS (the time "
                        "range, milliseconds since 1970)");
    if (scli_parse_addr(a.pos[0], "DEVICE", &dpk, msg, sizeof msg) ||
        scli_parse_ms(from, "--from", &f, msg, sizeof msg) ||
        scli_parse_ms(to, "--to", &t, msg, sizeof msg))
        return cli_fail("sensor read: %s", msg);
    if (f > t)
        return cli_fail("sensor read: --from (%llu) is after --to (%llu)",
                        (unsigned long long)f, (unsigned long long)t);
    if (!*outp)
        return cli_fail("sensor read: --out is empty (a file, or - for "
                        "stdout)");
    if (cli_key(key, &kp))
        return 1;
    cairn_addr_format(me, &kp.pk);
    rc = scli_device(a.pos[0], &dev);
    if (!rc && cairn_addr_parse(&owner, jstr(dev, "owner")))
        rc = cli_fail("the node's record of %s has no owner", a.pos[0]);
    if (!rc)
        rc = list_batches(a.pos[0], f, t, me, READ_PAGES_MAX, &b, &n);
    if (rc) {
        cairn_keypair_wipe(&kp);
        json_decref(dev);
        return rc;
    }
    size_t keyed = 0;
    for (size_t i = 0; i < n; i++)
        keyed += b[i].has_key;
    if (!n) {
        fprintf(stderr, "no batches of %s between %llu and %llu\n", a.pos[0],
                (unsigned long long)f, (unsigned long long)t);
    } else if (!keyed) {
        rc = why_no_key(dev, a.pos[0], me, sealed_before(a.pos[0], f, me));
    } else {
        FILE *out = strcmp(outp, "-") ? fopen(outp, "w") : stdout;
        if (!out) {
            rc = cli_fail("cannot write %s", outp);
        } else {
            if (keyed < n)
                fprintf(stderr,
                        "cairn: %zu of %zu batches are not sealed to you "
                        "(registered while you held no active grant)\n",
                        n - keyed, n);
            rc = read_all(&kp, &owner, dev, a.pos[0], me, b, n, out);
            if (out != stdout && fclose(out) && !rc)
                rc = cli_fail("cannot write %s", outp);
        }
    }
    free(b);
    json_decref(dev);
    cairn_keypair_wipe(&kp);
    return rc;
}

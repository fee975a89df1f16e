/* `cairn devnet`: an S3 gateway (`cairn s3`, docs/s3.md) in front of the
 * storage providers, on 127.0.0.1:P+90, as its own account (DIR/keys/
 * s3-1.key, funded by alice), with a demo access key written to
 * DIR/s3-keys. Restarted when it ends, stopped with the devnet. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/devnet.h"
#include "cli/cli.h"
#include "cli/devnet_group.h"

#define S3_READY_MS 30000
#define S3_ACCESS_KEY "devnet"
#define S3_SECRET "devnet-secret-key"

static void s3_args(const devnet *d, const devnet_group *g, int i, char **argv,
                    int max);

static struct {
    devnet_group g;
    char keys[DEVNET_PATH_MAX];
    char k[8], n[8];
} s3 = {.g = {.sector = "s3",
              .label = "S3 gateway",
              .ports = 1,
              .command = "s3",
              .args = s3_args}};

/* `--listen ADDR --key K --store DIR --keys FILE --k K --n N --segment 1MiB`.
 */
static void s3_args(const devnet *d, const devnet_group *g, int i, char **argv,
                    int max)
{
    (void)d;
    char *a[] = {"--listen",  (char *)g->p[i].listen,
                 "--key",     (char *)g->key[i],
                 "--store",   (char *)g->p[i].data,
                 "--keys",    s3.keys,
                 "--k",       s3.k,
                 "--n",       s3.n,
                 "--segment", "1MiB",
                 NULL};
    for (int k = 0; k < max && k < (int)(sizeof a / sizeof a[0]); k++)
        argv[k] = a[k];
}

/* Writes the demo access key once (the user may edit the file after). */
static int write_keys(const devnet *d)
{
    snprintf(s3.keys, sizeof s3.keys, "%s/s3-keys", d->dir);
    if (access(s3.keys, F_OK) == 0)
        return 0;
    FILE *f = fopen(s3.keys, "w");
    if (!f || fprintf(f,
                      "# access key id, secret, cairn key (-: the "
                      "gateway's --key), rw|ro (docs/s3.md)\n%s %s - rw\n",
                      S3_ACCESS_KEY, S3_SECRET) < 0) {
        if (f)
            fclose(f);
        return cli_fail("cannot write %s", s3.keys);
    }
    return fclose(f) ? cli_fail("cannot write %s", s3.keys) : 0;
}

int devnet_s3_start(devnet *d)
{
    if (d->storage < 2)
        return 0; /* nothing to store on */
    int n = d->storage < 6 ? d->storage : 6;
    snprintf(s3.n, sizeof s3.n, "%u", (unsigned)(n & 0xff));
    snprintf(s3.k, sizeof s3.k, "%u",
             (unsigned)((n >= 3 ? n * 2 / 3 : 1) & 0xff));
    s3.g.n = 1;
    s3.g.port_base = d->port + 90;
    if (write_keys(d) || devnet_group_start(d, &s3.g) ||
        devnet_fund_tickets(d, s3.g.key[0]))
        return 1; /* its reads are paid like anyone's */
    for (int t = 0; t < S3_READY_MS / 200; t++) {
        if (devnet_port_listens(s3.g.port_base))
            return 0;
        if (devnet_watch_reap(&s3.g.p[0], 0))
            return 1;
        devnet_sleep_ms(200);
    }
    return cli_fail("devnet: the S3 gateway did not listen within %d s; see "
                    "%s",
                    S3_READY_MS / 1000, s3.g.p[0].log);
}

void devnet_s3_watch(devnet *d)
{
    devnet_group_watch(d, &s3.g);
}

void devnet_s3_stop(devnet *d)
{
    (void)d;
    devnet_group_stop(&s3.g);
}

void devnet_s3_banner(const devnet *d)
{
    if (s3.g.n <= 0)
        return;
    printf("\ns3: a gateway at http://127.0.0.1:%d (log %s; access key %s, "
           "secret %s, in %s):\n",
           s3.g.port_base, s3.g.p[0].log, S3_ACCESS_KEY, S3_SECRET, s3.keys);
    printf("  AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s aws "
           "--endpoint-url http://127.0.0.1:%d s3 mb s3://photos\n",
           S3_ACCESS_KEY, S3_SECRET, s3.g.port_base);
    (void)d;
}

/* `cairn devnet`: the banner printed once the network runs — where things
 * are, the demo accounts, and commands that work as printed (cairn named as
 * it was started, e.g. ./build/cairn). */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/devnet.h"

/* Prints one demo account: name, address, current balance; addr gets the
 * address ("" when unknown). */
static void print_account(const devnet *d, int i,
                          char addr[CAIRN_ADDR_TEXT_LEN + 1])
{
    char path[DEVNET_PATH_MAX], url[160];
    cairn_keypair kp;
    json_t *a = NULL;
    addr[0] = '\0';
    snprintf(path, sizeof path, "%s/keys/%s.key", d->dir, devnet_demos[i].name);
    if (cairn_key_load(path, &kp))
        return;
    cairn_addr_format(addr, &kp.pk);
    cairn_keypair_wipe(&kp);
    snprintf(url, sizeof url, "/v1/account/%.*s", CAIRN_ADDR_TEXT_LEN, addr);
    if (api_get(d->seq.url, url, &a))
        return;
    printf("  %-6s %s  %s CRN%s\n", devnet_demos[i].name, addr,
           jstr(a, "balance"),
           devnet_demos[i].vests
               ? " (vesting: locked until block 60, all free at 600)"
               : "");
    json_decref(a);
}

/* The storage part: providers, the sample and what to do with it. */
static void storage_banner(const devnet *d, const char *c)
{
    int n = devnet_storage_count();
    const char *id = devnet_storage_sample_id();
    if (n <= 0)
        return;
    printf(
        "\nstorage: %d provider daemons on 127.0.0.1:%d..%d (logs %s/storage-N.log)\n",
        n, d->port + 100, d->port + 100 + n - 1, d->dir);
    if (*id) {
        printf("  sample.bin is stored as alice with id %s:\n", id);
        printf(
            "  %s get %s out.bin --key %s/keys/alice.key --store %s/client\n",
            c, id, d->dir, d->dir);
        printf("  %s status %s --key %s/keys/alice.key --store %s/client\n", c,
               id, d->dir, d->dir);
    }
    printf(
        "  %s put FILE --key %s/keys/bob.key --store %s/bob   # store your own\n",
        c, d->dir, d->dir);
    printf(
        "  kill -9 $(cat %s/storage-1.pid)   # the devnet says so and starts it "
        "again after %d s\n",
        d->dir, DEVNET_RESTART_S);
    printf("  providers earn rewards every epoch; one claims them with\n"
           "  %s claim --key %s/keys/storage-1.key\n",
           c, d->dir);
    printf("  reads are paid with lottery tickets (alice, bob, carol hold 10 "
           "tokens for them):\n"
           "  %s tickets show --key %s/keys/alice.key\n",
           c, d->dir);
}

/* The compute part: providers, the sample workload and what to try. */
static void compute_banner(const devnet *d, const char *c)
{
    int n = devnet_compute_count();
    unsigned long long lease = devnet_compute_sample_lease();
    if (n <= 0)
        return;
    printf("\ncompute: %d provider daemons on 127.0.0.1:%d..%d (logs "
           "%s/compute-N.log)\n",
           n, d->port + 200, d->port + 200 + 2 * n - 1, d->dir);
    if (lease) {
        printf("  a sample workload runs as bob in lease %llu:\n", lease);
        printf("  %s compute status %llu --key %s/keys/bob.key\n", c, lease,
               d->dir);
        printf("  %s compute logs %llu --key %s/keys/bob.key\n", c, lease,
               d->dir);
        printf("  %s compute fetch %llu count.txt --key %s/keys/bob.key\n", c,
               lease, d->dir);
    }
    printf("  %s compute deploy %s/sample-job.json --key %s/keys/carol.key   "
           "# deploy your own\n",
           c, d->dir, d->dir);
}

/* The subnet part: miners, validators and what to try. */
static void subnet_banner(const devnet *d, const char *c)
{
    int n = devnet_compute_count();
    if (d->validators <= 0 || n <= 0)
        return;
    printf("\nsubnet matmul: the %d compute providers are its miners (m1..m%d"
           "%s), %d validator daemons check them (logs %s/validator-N.log)\n",
           n, n, n >= 3 ? "; the last cheats on one job in three" : "",
           d->validators, d->dir);
    printf("  %s subnet show matmul\n", c);
    printf("  %s compute job matmul --provider 127.0.0.1:%d --random "
           "64x64x64 --out %s/my-job   # a job of your own, checked\n",
           c, d->port + 200, d->dir);
}

/* The wireless part: hotspots, the liar, the router and what to try. */
static void wireless_banner(const devnet *d, const char *c)
{
    int n = devnet_wireless_count();
    if (n <= 0)
        return;
    printf("\nwireless: %d hotspot daemons (UDP 127.0.0.1:%d..%d, logs "
           "%s/wireless-N.log)%s;\n  `sim radio` plays the air with three "
           "devices (%s/radio.json); a router on 127.0.0.1:%d pays in data "
           "credits\n",
           n, d->port + 300, d->port + 300 + n - 1, d->dir,
           n >= 4 ? ", the last asserts a false location" : "", d->dir,
           d->port + 350);
    printf("  %s wireless hotspots\n", c);
    printf(
        "  %s wireless witnesses $(%s address --key %s/keys/wireless-%d.key)   "
        "# why its witnesses fail\n",
        c, d->cmd, d->dir, n);
    printf("  %s wireless coverage --res 8 --geojson > coverage.geojson\n", c);
}

void devnet_banner(const devnet *d)
{
    char addr[DEVNET_DEMOS][CAIRN_ADDR_TEXT_LEN + 1], c[DEVNET_PATH_MAX + 96];
    snprintf(c, sizeof c, "%s", d->cmd);
    if (d->port != 8645)
        snprintf(c, sizeof c, "%s --node %s", d->cmd, d->seq.url);
    printf("\ncairn devnet is running\n");
    if (d->replicas)
        devnet_replicas_banner(d, d->cmd);
    else
        printf("  sequencer  %s   (log %s)\n", d->seq.url, d->seq.log);
    printf("  follower   %s   (log %s)\n", d->fol.url, d->fol.log);
    printf("  dashboard  %s/\n\naccounts (keys in %s/keys):\n", d->seq.url,
           d->dir);
    for (int i = 0; i < DEVNET_DEMOS; i++)
        print_account(d, i, addr[i]);
    printf("\ntry, in another terminal:\n");
    printf("  %s balance %s\n", c, addr[0]);
    printf("  %s transfer --key %s/keys/alice.key --to %s --amount 10\n", c,
           d->dir, addr[1]);
    printf("  %s account prove %s\n", c, addr[1]);
    printf("  %s block show\n", c);
    printf("  %s --node %s status\n", d->cmd, d->fol.url);
    storage_banner(d, c);
    devnet_s3_banner(d);
    compute_banner(d, c);
    subnet_banner(d, c);
    wireless_banner(d, c);
    printf(
        "\nevery epoch, one line per sector with providers: providers staked and "
        "with work,\nusage (work units), the sector's revenue, the part "
        "burned and its emission,\nand the network's velocity (all from "
        "/v1/metrics);\nthe subnet's line: Yuma's consensus and pay per miner, "
        "each validator's pay, who is jailed;\nwireless adds witnesses valid "
        "and rejected (with reasons), density scale and packets.\n");
    printf("Ctrl-C stops the network; `%s devnet --dir %s` resumes it.\n",
           d->cmd, d->dir);
    fflush(stdout);
}

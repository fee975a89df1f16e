/* `cairn validator`: the command line and the daemon's loop
 * (compute/validator/validator.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "compute/sandbox.h"

#include "cli/cli.h"
#include "cli/econ_cli.h"
#include "compute/validator/validator.h"
#include "core/durable.h"
#include "provider/daemon.h"

#define POLL_MS_DEFAULT 1000
#define DIM_DEFAULT 64

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static const char usage[] =
    "usage: cairn validator --subnet NAME --data DIR --key FILE\n"
    "           [--stake TOKENS] [--dim N] [--poll-ms MS] [--node URL]\n"
    "Validates a compute subnet: every epoch it sends each active miner one\n"
    "job of the subnet's type, checks the output (Freivalds for a matrix, a\n"
    "re-run of one sampled part for a transcode or render), submits the\n"
    "evidence against a miner whose output is wrong, and sets weights over\n"
    "the miners by commit-reveal (faster correct miners weigh more). With\n"
    "--stake it joins the subnet as a validator with that stake when the key\n"
    "is not one yet. --dim sets the matrix jobs' size (default 64, at most\n"
    "512). DIR keeps the weights between a commit and its reveal.\n";

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (!stop_flag && nanosleep(&ts, &ts) != 0)
        ;
}

int val_run(val_config *cfg, volatile sig_atomic_t *stop)
{
    char msg[256];
    int lock = -1;
    val *v = calloc(1, sizeof *v);
    if (!v)
        return cli_fail("validator: out of memory");
    if (pd_lock_dir(cfg->data, &lock, msg, sizeof msg) != CAIRN_OK) {
        free(v);
        return cli_fail("validator: %s", msg);
    }
    v->cfg = *cfg;
    v->done_epoch = v->reveal_tried = v->rand_epoch = v->probed_epoch =
        UINT64_MAX;
    snprintf(v->scratch, sizeof v->scratch, "%s/scratch", cfg->data);
    cairn_dir_remove(v->scratch); /* what a killed run left */
    if (mkdir(v->scratch, 0700) != 0) {
        int rc = cli_fail("validator: cannot create %s: %s", v->scratch,
                          strerror(errno));
        pd_unlock_dir(lock);
        free(v);
        return rc;
    }
    val_log("validating subnet %s from %s", cfg->subnet, cfg->data);
    while (!*stop) {
        val_round(v);
        sleep_ms(cfg->poll_ms);
    }
    val_log("stopped");
    cairn_keypair_wipe(&v->cfg.key);
    free(v->segment);
    free(v);
    pd_unlock_dir(lock);
    return 0;
}

static int numbers(const char *stake, const char *dim, const char *poll,
                   val_config *cfg)
{
    uint64_t x;
    if (stake && econ_parse_tokens(stake, "--stake", &cfg->stake))
        return 1;
    cfg->dim = DIM_DEFAULT;
    if (dim && (econ_parse_u64(dim, "--dim", &x) || x < 1 || x > 512))
        return cli_fail("--dim is 1..512");
    if (dim)
        cfg->dim = (uint32_t)x;
    cfg->poll_ms = POLL_MS_DEFAULT;
    if (poll &&
        (econ_parse_u64(poll, "--poll-ms", &x) || x < 100 || x > 600000))
        return cli_fail("--poll-ms is 100..600000");
    if (poll)
        cfg->poll_ms = (int)x;
    return 0;
}

int cmd_validator(int argc, char **argv)
{
    const char *subnet = NULL, *data = NULL, *key = NULL, *stake = NULL,
               *dim = NULL, *poll = NULL;
    cli_opt opts[] = {{"subnet", &subnet, NULL}, {"data", &data, NULL},
                      {"key", &key, NULL},       {"stake", &stake, NULL},
                      {"dim", &dim, NULL},       {"poll-ms", &poll, NULL},
                      {NULL, NULL, NULL}};
    cli_args pa;
    val_config cfg = {0};
    int rc = cli_parse(argc, argv, "validator", usage, opts, 0, &pa);
    if (rc)
        return CLI_EXIT(rc);
    if (!subnet || !data || !key)
        return cli_fail("validator: --subnet, --data and --key are required "
                        "(see cairn validator --help)");
    if (!cairn_subnet_name_ok(subnet))
        return cli_fail("validator: --subnet \"%s\" is not a subnet name "
                        "(1..16 of a-z, 0-9, -)",
                        subnet);
    if (numbers(stake, dim, poll, &cfg) || cli_load_key(key, &cfg.key))
        return 1;
    cfg.node = cli_node_url();
    cfg.data = data;
    cfg.subnet = subnet;
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    rc = val_run(&cfg, &stop_flag);
    cairn_keypair_wipe(&cfg.key);
    return rc;
}

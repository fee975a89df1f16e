/* `cairn provider wireless` refuses a bad command line before it touches
 * anything (no data dir made, no socket bound): missing options, latitude
 * and longitude out of range or with more than 6 decimals, gain and power
 * out of their chain bounds, a bad --forwarder, a bad --freq. Runs the
 * command's function directly (src/wireless/hotspot/cmd_provider_wireless.c)
 * with --dry-run, so no node is asked for the minimum stake. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/crypto.h"
#include "wireless/hotspot/hotspot.h"

static char dir[64], key[128], data[128];

/* Runs the command with the valid options, one of them replaced (or
 * dropped when value is NULL), or one appended when name is new. */
static int run_with(const char *name, const char *value)
{
    const char *base[][2] = {{"--data", data},
                             {"--key", key},
                             {"--lat", "52.370216"},
                             {"--lon", "4.895168"},
                             {"--gain", "3"},
                             {"--forwarder", "127.0.0.1:0"},
                             {"--node", "http://127.0.0.1:1"}};
    char *argv[32];
    int argc = 0, found = 0;
    for (size_t i = 0; i < sizeof base / sizeof base[0]; i++) {
        const char *v = base[i][1];
        if (strcmp(base[i][0], name) == 0) {
            found = 1;
            if (!value)
                continue;
            v = value;
        }
        argv[argc++] = (char *)base[i][0];
        argv[argc++] = (char *)v;
    }
    if (!found) {
        argv[argc++] = (char *)name;
        argv[argc++] = (char *)value;
    }
    argv[argc++] = "--dry-run";
    argv[argc] = NULL;
    FILE *saved = stderr;
    stderr = fopen("/dev/null", "w");
    int rc = cmd_provider_wireless(argc, argv);
    fclose(stderr);
    stderr = saved;
    return rc;
}

static int setup(void **state)
{
    (void)state;
    cairn_keypair kp;
    cairn_crypto_init();
    snprintf(dir, sizeof dir, "/tmp/cairn-hsargs-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(key, sizeof key, "%s/k.key", dir);
    snprintf(data, sizeof data, "%s/data", dir);
    cairn_keypair_generate(&kp);
    assert_int_equal(cairn_key_save(key, &kp), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(key);
    rmdir(dir);
    return 0;
}

static void refused(const char *name, const char *value)
{
    struct stat st;
    if (run_with(name, value) == 0)
        fail_msg("%s %s was accepted", name, value ? value : "(missing)");
    assert_int_not_equal(stat(data, &st), 0); /* nothing made */
}

static void test_missing(void **state)
{
    (void)state;
    const char *req[] = {"--data", "--key",  "--lat",
                         "--lon",  "--gain", "--forwarder"};
    for (size_t i = 0; i < 6; i++)
        refused(req[i], NULL);
}

static void test_ranges(void **state)
{
    (void)state;
    refused("--lat", "90.000001");
    refused("--lat", "-91");
    refused("--lat", "52.3702161"); /* 7 decimals */
    refused("--lat", "52.");
    refused("--lat", "north");
    refused("--lat", "");
    refused("--lon", "180");
    refused("--lon", "-180.5");
    refused("--gain", "30.01");
    refused("--gain", "-11");
    refused("--gain", "3.001");
    refused("--tx-power", "36.5");
    refused("--tx-power", "-1");
    refused("--elevation", "70000");
    refused("--freq", "12");
    refused("--freq", "904.3");
    refused("--poll-ms", "1");
    refused("--forwarder", "nohost");
    refused("--forwarder", "127.0.0.1:99999");
    refused("--key", "/nonexistent/key");
    refused("--stake", "lots");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_missing),
        cmocka_unit_test(test_ranges),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* `cairn keygen` and `cairn address`: key files and their addresses. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"

/* Prints an address and the key file it belongs to, as text or JSON. */
static void print_address(const cairn_keypair *kp, const char *path)
{
    char addr[CAIRN_ADDR_TEXT_LEN + 1];
    cairn_addr_format(addr, &kp->pk);
    if (!cli.json) {
        printf("%s\n", addr);
        return;
    }
    json_t *o = json_pack("{s:s, s:s}", "address", addr, "key_file", path);
    cli_print_json(o);
    json_decref(o);
}

static const char keygen_usage[] =
    "usage: cairn keygen [--out FILE] [--json]\n"
    "Generates a new Ed25519 key, saves it to FILE (default ~/.cairn/key, the\n"
    "key every command that takes --key reads when given none; ~/.cairn is\n"
    "made with mode 0700), mode 0600 (an existing file is never overwritten),\n"
    "and prints its address.\n";

int cli_default_key(char *out, size_t n)
{
    const char *home = getenv("HOME");
    if (!home || !*home)
        return cli_fail("$HOME is not set: give the key file with --key FILE "
                        "(or --out FILE)");
    if ((size_t)snprintf(out, n, "%s/.cairn/key", home) >= n)
        return cli_fail("$HOME is too long: give the key file with --key "
                        "FILE (or --out FILE)");
    return 0;
}

/* Makes the directory holding the default key (mode 0700) if missing. */
static int make_key_dir(const char *key)
{
    char dir[CLI_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", key);
    char *slash = strrchr(dir, '/');
    if (!slash)
        return 0;
    *slash = '\0';
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return cli_fail("cannot make %s: %s", dir, strerror(errno));
    return 0;
}

int cmd_keygen(int argc, char **argv)
{
    const char *out = NULL;
    char def[CLI_PATH_MAX];
    cli_opt opts[] = {{"out", &out, NULL}, {NULL, NULL, NULL}};
    cli_args a;
    int rc = cli_parse(argc, argv, "keygen", keygen_usage, opts, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (!out) {
        if (cli_default_key(def, sizeof def) || make_key_dir(def))
            return 1;
        out = def;
    }
    if (access(out, F_OK) == 0)
        return cli_fail(
            "%s already exists; not overwriting a key (use --out FILE)", out);
    cairn_keypair kp;
    cairn_keypair_generate(&kp);
    cairn_err e = cairn_key_save(out, &kp);
    if (e) {
        cairn_keypair_wipe(&kp);
        return cli_fail("cannot save the key to %s: %s", out,
                        cairn_strerror(e));
    }
    print_address(&kp, out);
    if (!cli.json)
        fprintf(stderr, "key saved to %s\n", out);
    cairn_keypair_wipe(&kp);
    return 0;
}

static const char address_usage[] = "usage: cairn address --key FILE [--json]\n"
                                    "Prints the address of the key in FILE.\n";

int cmd_address(int argc, char **argv)
{
    const char *key = NULL;
    cli_opt opts[] = {{"key", &key, NULL}, {NULL, NULL, NULL}};
    cli_args a;
    int rc = cli_parse(argc, argv, "address", address_usage, opts, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (!key)
        return cli_fail("address: --key FILE is required");
    cairn_keypair kp;
    if (cli_load_key(key, &kp))
        return 1;
    print_address(&kp, key);
    cairn_keypair_wipe(&kp);
    return 0;
}

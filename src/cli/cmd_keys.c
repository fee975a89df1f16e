/* `cairn keygen` and `cairn address`: key files and their addresses. */
#include <stdio.h>
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
    "Generates a new Ed25519 key, saves it to FILE (default ./cairn.key,\n"
    "mode 0600; an existing file is never overwritten) and prints its address.\n";

int cmd_keygen(int argc, char **argv)
{
    const char *out = "cairn.key";
    cli_opt opts[] = {{"out", &out, NULL}, {NULL, NULL, NULL}};
    cli_args a;
    int rc = cli_parse(argc, argv, "keygen", keygen_usage, opts, 0, &a);
    if (rc)
        return CLI_EXIT(rc);
    if (access(out, F_OK) == 0)
        return cli_fail("%s already exists; not overwriting a key (use --out FILE)", out);
    cairn_keypair kp;
    cairn_keypair_generate(&kp);
    cairn_err e = cairn_key_save(out, &kp);
    if (e) {
        cairn_keypair_wipe(&kp);
        return cli_fail("cannot save the key to %s: %s", out, cairn_strerror(e));
    }
    print_address(&kp, out);
    if (!cli.json)
        fprintf(stderr, "key saved to %s\n", out);
    cairn_keypair_wipe(&kp);
    return 0;
}

static const char address_usage[] =
    "usage: cairn address --key FILE [--json]\n"
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

/* Unit tests of the compute manifest (compute/manifest.c): good manifests
 * and their order, every malformed field refused with a message that
 * names it, and the inline files written under a directory without
 * following a link planted there. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/crypto.h"
#include "cli/cli.h"
#include "compute/manifest.h"

#define RES                                                                    \
    "\"resources\": {\"cpus\": 1, \"memory\": \"64M\", "                       \
    "\"disk\": \"16M\", \"max_epochs\": 10}"
#define GOOD_TAIL RES ", \"max_price\": \"0.5\""

static cairn_err parse(cairn_manifest *m, const char *s, char *msg, size_t len)
{
    return cairn_manifest_parse(m, (const uint8_t *)s, strlen(s), msg, len);
}

/* Asserts that s is refused with a message starting "field:". */
static void bad(const char *s, const char *field)
{
    cairn_manifest m;
    char msg[256];
    cairn_err e = parse(&m, s, msg, sizeof msg);
    size_t n = strlen(field);
    if (e != CAIRN_ERR_BAD_MANIFEST || strncmp(msg, field, n) != 0 ||
        msg[n] != ':')
        fail_msg("manifest %s\nexpected a fault in %s, got %d: %s", s, field,
                 (int)e, msg);
    if (getenv("CAIRN_TEST_VERBOSE")) /* to read the messages */
        printf("%.70s\n    -> %s\n", s, msg);
    cairn_manifest_free(&m);
}

static void full_manifest(void **st)
{
    const char *s =
        "{\"command\": [\"sh\", \"-c\", \"echo hi > out.txt\", \"\"],\n"
        " \"env\": {\"NAME\": \"value\", \"_X1\": \"\"},\n"
        " \"files\": [{\"path\": \"in/a.txt\", \"content\": \"text\"},\n"
        "           {\"path\": \"in/b.bin\", \"base64\": \"AAEC\"},\n"
        "           {\"path\": \"c.dat\", \"storage\": \"ab12CD\"}],\n"
        " \"resources\": {\"cpus\": 2, \"memory\": \"256M\", \"disk\": "
        "\"1GiB\", \"max_epochs\": 100},\n"
        " \"port\": 8080, \"max_price\": \"0.5\", \"escrow\": \"10\"}";
    cairn_manifest m;
    cairn_order o;
    cairn_hash h;
    char msg[256] = "";
    assert_int_equal(parse(&m, s, msg, sizeof msg), CAIRN_OK);
    assert_int_equal(m.argc, 4);
    assert_string_equal(m.argv[2], "echo hi > out.txt");
    assert_string_equal(m.argv[3], "");
    assert_null(m.argv[4]);
    assert_int_equal(m.nenv, 2);
    assert_string_equal(m.env[0], "NAME=value");
    assert_string_equal(m.env[1], "_X1=");
    assert_null(m.env[2]);
    assert_int_equal(m.nfiles, 3);
    assert_int_equal(m.files[0].kind, CAIRN_MFILE_INLINE);
    assert_int_equal(m.files[0].len, 4);
    assert_memory_equal(m.files[0].data, "text", 4);
    assert_int_equal(m.files[1].len, 3);
    assert_memory_equal(m.files[1].data, "\0\1\2", 3);
    assert_int_equal(m.files[2].kind, CAIRN_MFILE_STORAGE);
    assert_string_equal(m.files[2].storage_id, "ab12CD");
    assert_int_equal(m.cpus, 2);
    assert_int_equal(m.mem_mib, 256);
    assert_int_equal(m.disk_mib, 1024);
    assert_int_equal(m.max_epochs, 100);
    assert_int_equal(m.port, 8080);
    assert_true(m.max_price == 500000);
    assert_true(m.escrow == 10000000);
    cairn_hash_bytes(&h, s, strlen(s));
    assert_memory_equal(m.hash.b, h.b, CAIRN_HASH_LEN);
    cairn_manifest_order(&m, &o);
    assert_memory_equal(o.manifest.b, h.b, CAIRN_HASH_LEN);
    assert_int_equal(o.cpus, 2);
    assert_int_equal(o.mem_mib, 256);
    assert_int_equal(o.disk_mib, 1024);
    assert_int_equal(o.port, 8080);
    assert_true(o.max_price == 500000 && o.max_epochs == 100);
    assert_true(o.escrow == 10000000 && o.bid_blocks == 0);
    cairn_manifest_free(&m);
    cairn_manifest_free(&m); /* twice is fine */
}

static void minimal_manifest(void **st)
{
    const char *s = "{\"command\": [\"true\"], " GOOD_TAIL "}";
    cairn_manifest m;
    cairn_order o;
    char msg[256];
    assert_int_equal(parse(&m, s, msg, sizeof msg), CAIRN_OK);
    assert_int_equal(m.argc, 1);
    assert_int_equal(m.nenv, 0);
    assert_int_equal(m.nfiles, 0);
    assert_int_equal(m.port, 0);
    assert_true(m.escrow == 0);
    cairn_manifest_order(&m, &o);
    assert_true(o.escrow == 5000000); /* 10 epochs of 0.5 */
    cairn_manifest_free(&m);
    /* sizes in every unit, whitespace around the JSON */
    s = " {\"command\": [\"x\"], \"resources\": {\"cpus\": 1024, \"memory\": "
        "\"1048576\", \"disk\": \"1T\", \"max_epochs\": 1}, \"max_price\": "
        "\"0.000001\"}\n";
    assert_int_equal(parse(&m, s, msg, sizeof msg), CAIRN_OK);
    assert_int_equal(m.mem_mib, 1);
    assert_int_equal(m.disk_mib, 1u << 20);
    assert_int_equal(m.cpus, 1024);
    cairn_manifest_free(&m);
}

static void bad_command(void **st)
{
    bad("{" GOOD_TAIL "}", "command");
    bad("{\"command\": [], " GOOD_TAIL "}", "command");
    bad("{\"command\": \"ls\", " GOOD_TAIL "}", "command");
    bad("{\"command\": [\"\"], " GOOD_TAIL "}", "command[0]");
    bad("{\"command\": [\"ls\", 3], " GOOD_TAIL "}", "command[1]");
    bad("{\"command\": [\"ls\", null], " GOOD_TAIL "}", "command[1]");
    char s[2048];
    size_t n = (size_t)snprintf(s, sizeof s, "{\"command\": [");
    for (int i = 0; i < CAIRN_MANIFEST_ARGS_MAX + 1; i++)
        n += (size_t)snprintf(s + n, sizeof s - n, i ? ",\"a\"" : "\"a\"");
    snprintf(s + n, sizeof s - n, "], " GOOD_TAIL "}");
    bad(s, "command");
}

static void bad_env(void **st)
{
    bad("{\"command\": [\"x\"], \"env\": [\"A=1\"], " GOOD_TAIL "}", "env");
    bad("{\"command\": [\"x\"], \"env\": {\"A\": 1}, " GOOD_TAIL "}", "env.A");
    bad("{\"command\": [\"x\"], \"env\": {\"1A\": \"v\"}, " GOOD_TAIL "}",
        "env.1A");
    bad("{\"command\": [\"x\"], \"env\": {\"A=B\": \"v\"}, " GOOD_TAIL "}",
        "env.A=B");
    bad("{\"command\": [\"x\"], \"env\": {\"\": \"v\"}, " GOOD_TAIL "}",
        "env.");
    char s[4096];
    size_t n = (size_t)snprintf(s, sizeof s,
                                "{\"command\": [\"x\"], "
                                "\"env\": {");
    for (int i = 0; i < CAIRN_MANIFEST_ENV_MAX + 1; i++)
        n += (size_t)snprintf(s + n, sizeof s - n, "%s\"V%d\": \"\"",
                              i ? "," : "", i);
    snprintf(s + n, sizeof s - n, "}, " GOOD_TAIL "}");
    bad(s, "env");
}

static void bad_files(void **st)
{
#define F(x) "{\"command\": [\"x\"], \"files\": [" x "], " GOOD_TAIL "}"
    bad(F("{\"path\": \"../x\", \"content\": \"\"}"), "files[0].path");
    bad(F("{\"path\": \"/abs\", \"content\": \"\"}"), "files[0].path");
    bad(F("{\"path\": \"a/./b\", \"content\": \"\"}"), "files[0].path");
    bad(F("{\"path\": \"a/../b\", \"content\": \"\"}"), "files[0].path");
    bad(F("{\"path\": \"a//b\", \"content\": \"\"}"), "files[0].path");
    bad(F("{\"path\": \"a/\", \"content\": \"\"}"), "files[0].path");
    bad(F("{\"path\": \".\", \"content\": \"\"}"), "files[0].path");
    bad(F("{\"path\": \"\", \"content\": \"\"}"), "files[0].path");
    bad(F("{\"path\": \"a b\", \"content\": \"\"}"), "files[0].path");
    bad(F("{\"path\": \"a\\\\b\", \"content\": \"\"}"), "files[0].path");
    bad(F("{\"content\": \"\"}"), "files[0].path");
    bad(F("{\"path\": 7, \"content\": \"\"}"), "files[0].path");
    bad(F("{\"path\": \"a\", \"content\": \"x\", \"base64\": \"AA==\"}"),
        "files[0]");
    bad(F("{\"path\": \"a\"}"), "files[0]");
    bad(F("{\"path\": \"a\", \"base64\": \"A?==\"}"), "files[0]");
    bad(F("{\"path\": \"a\", \"base64\": \"AAE\"}"), "files[0]");
    bad(F("{\"path\": \"a\", \"content\": 5}"), "files[0]");
    bad(F("{\"path\": \"a\", \"storage\": \"not hex\"}"), "files[0]");
    bad(F("{\"path\": \"a\", \"content\": \"\", \"mode\": 7}"), "files[0]");
    bad(F("\"a\""), "files[0]");
    bad(F("{\"path\": \"a\", \"content\": \"\"}, "
          "{\"path\": \"b\", \"content\": \"\"}, "
          "{\"path\": \"a\", \"content\": \"\"}"),
        "files[2].path");
    bad(F("{\"path\": \"a\", \"content\": \"\"}, "
          "{\"path\": \"a/b\", \"content\": \"\"}"),
        "files[1].path");
    bad("{\"command\": [\"x\"], \"files\": {}, " GOOD_TAIL "}", "files");
    char path[300];
    memset(path, 'a', 256);
    path[256] = '\0';
    char s[1024];
    snprintf(s, sizeof s, F("{\"path\": \"%s\", \"content\": \"\"}"), path);
    bad(s, "files[0].path");
#undef F
}

static void bad_resources(void **st)
{
#define R(x)                                                                   \
    "{\"command\": [\"x\"], \"resources\": " x ", \"max_price\": \"1\"}"
    bad("{\"command\": [\"x\"], \"max_price\": \"1\"}", "resources");
    bad(R("[]"), "resources");
    bad(R("{\"cpus\": 1, \"memory\": \"1M\", \"disk\": \"1M\"}"),
        "resources.max_epochs");
    bad(R("{\"cpus\": 0, \"memory\": \"1M\", \"disk\": \"1M\", "
          "\"max_epochs\": 1}"),
        "resources.cpus");
    bad(R("{\"cpus\": 1025, \"memory\": \"1M\", \"disk\": \"1M\", "
          "\"max_epochs\": 1}"),
        "resources.cpus");
    bad(R("{\"cpus\": 99999999999999999999, \"memory\": \"1M\", \"disk\": "
          "\"1M\", \"max_epochs\": 1}"),
        "manifest"); /* jansson refuses the number itself */
    bad(R("{\"cpus\": 4294967297, \"memory\": \"1M\", \"disk\": \"1M\", "
          "\"max_epochs\": 1}"),
        "resources.cpus");
    bad(R("{\"cpus\": -1, \"memory\": \"1M\", \"disk\": \"1M\", "
          "\"max_epochs\": 1}"),
        "resources.cpus");
    bad(R("{\"cpus\": 1.5, \"memory\": \"1M\", \"disk\": \"1M\", "
          "\"max_epochs\": 1}"),
        "resources.cpus");
    bad(R("{\"cpus\": \"1\", \"memory\": \"1M\", \"disk\": \"1M\", "
          "\"max_epochs\": 1}"),
        "resources.cpus");
    const char *sizes[] = {"\"\"",    "\"M\"",     "\"12Q\"",
                           "\"-1M\"", "\" 1M\"",   "\"1M \"",
                           "\"0M\"",  "\"1.5G\"",  "\"1K\"",
                           "64",      "\"2048T\"", "\"99999999999999999999T\""};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        char s[512];
        snprintf(s, sizeof s,
                 R("{\"cpus\": 1, \"memory\": %s, \"disk\": \"1M\", "
                   "\"max_epochs\": 1}"),
                 sizes[i]);
        bad(s, "resources.memory");
        snprintf(s, sizeof s,
                 R("{\"cpus\": 1, \"memory\": \"1M\", \"disk\": %s, "
                   "\"max_epochs\": 1}"),
                 sizes[i]);
        bad(s, "resources.disk");
    }
    bad(R("{\"cpus\": 1, \"memory\": \"1M\", \"disk\": \"1M\", "
          "\"max_epochs\": 0}"),
        "resources.max_epochs");
    bad(R("{\"cpus\": 1, \"memory\": \"1M\", \"disk\": \"1M\", "
          "\"max_epochs\": 1, \"gpus\": 1}"),
        "resources");
#undef R
}

static void bad_port_and_money(void **st)
{
    const char *c = "{\"command\": [\"x\"], " RES;
    char s[512];
    const char *ports[] = {"0", "70000", "-1", "\"80\"", "1.0", "65536"};
    for (size_t i = 0; i < sizeof ports / sizeof *ports; i++) {
        snprintf(s, sizeof s, "%s, \"port\": %s, \"max_price\": \"1\"}", c,
                 ports[i]);
        bad(s, "port");
    }
    snprintf(s, sizeof s, "%s, \"port\": 65535, \"max_price\": \"1\"}", c);
    cairn_manifest m;
    char msg[256];
    assert_int_equal(parse(&m, s, msg, sizeof msg), CAIRN_OK);
    assert_int_equal(m.port, 65535);
    cairn_manifest_free(&m);
    const char *prices[] = {"\"-1\"",
                            "\"0\"",
                            "\"1e3\"",
                            "\"abc\"",
                            "\"\"",
                            "0.5",
                            "\"0.0000001\"",
                            "\"18446744073709551616\"",
                            "\"99999999999999999999999\"",
                            "\"18446744073709.551615\""}; /* 10x overflows */
    for (size_t i = 0; i < sizeof prices / sizeof *prices; i++) {
        snprintf(s, sizeof s, "%s, \"max_price\": %s}", c, prices[i]);
        bad(s, "max_price");
    }
    snprintf(s, sizeof s, "%s}", c);
    bad(s, "max_price");
    snprintf(s, sizeof s, "%s, \"max_price\": \"2\", \"escrow\": \"1\"}", c);
    bad(s, "escrow");
    snprintf(s, sizeof s, "%s, \"max_price\": \"2\", \"escrow\": 10}", c);
    bad(s, "escrow");
    snprintf(s, sizeof s, "%s, \"max_price\": \"2\", \"escrow\": \"x\"}", c);
    bad(s, "escrow");
    /* with its own escrow a price whose 10x overflows is fine */
    snprintf(s, sizeof s,
             "%s, \"max_price\": \"18446744073709.551615\", \"escrow\": "
             "\"18446744073709.551615\"}",
             c);
    assert_int_equal(parse(&m, s, msg, sizeof msg), CAIRN_OK);
    assert_true(m.max_price == UINT64_MAX && m.escrow == UINT64_MAX);
    cairn_manifest_free(&m);
}

static void bad_document(void **st)
{
    bad("{\"command\": [\"x\"], " GOOD_TAIL ", \"gpu\": true}", "manifest");
    bad("not json", "manifest");
    bad("", "manifest");
    bad("[1, 2]", "manifest");
    bad("\"x\"", "manifest");
    bad("{\"command\": [\"x\"], " GOOD_TAIL "} trailing", "manifest");
    bad("{\"command\": [\"x\"], " GOOD_TAIL "}{}", "manifest");
    bad("{\"command\": [\"x\"], \"command\": [\"y\"], " GOOD_TAIL "}",
        "manifest");
    bad("{\"command\": [\"a\\u0000b\"], " GOOD_TAIL "}", "manifest");
    /* one byte over the limit is refused before parsing, at the limit
     * the parser runs */
    size_t n = CAIRN_MANIFEST_MAX + 1;
    char *big = malloc(n + 1);
    assert_non_null(big);
    const char *head = "{\"command\": [\"x\"], " GOOD_TAIL ", \"env\": "
                       "{\"A\": \"";
    size_t hl = strlen(head);
    memcpy(big, head, hl);
    memset(big + hl, 'a', n - hl - 3);
    memcpy(big + n - 3, "\"}}", 3);
    big[n] = '\0';
    cairn_manifest m;
    char msg[256];
    assert_int_equal(
        cairn_manifest_parse(&m, (uint8_t *)big, n, msg, sizeof msg),
        CAIRN_ERR_BAD_MANIFEST);
    assert_non_null(strstr(msg, "more than the limit"));
    memmove(big + hl, big + hl + 1, n - hl - 1);
    assert_int_equal(
        cairn_manifest_parse(&m, (uint8_t *)big, n - 1, msg, sizeof msg),
        CAIRN_OK);
    assert_int_equal(strlen(m.env[0]), n - 1 - hl - 3 + 2);
    cairn_manifest_free(&m);
    free(big);
    /* a message buffer of 0 bytes is fine */
    assert_int_equal(parse(&m, "x", NULL, 0), CAIRN_ERR_BAD_MANIFEST);
}

static void read_file(const char *path, char *out, size_t n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t r = fread(out, 1, n - 1, f);
    out[r] = '\0';
    fclose(f);
}

static void writes_files(void **st)
{
    char base[] = "/tmp/cairn-manifest-XXXXXX", dir[128], p[256], got[64];
    assert_non_null(mkdtemp(base));
    snprintf(dir, sizeof dir, "%s/work", base);
    assert_int_equal(mkdir(dir, 0700), 0);
    const char *s =
        "{\"command\": [\"x\"], \"files\": ["
        "{\"path\": \"in/deep/a.txt\", \"content\": \"hello\"},"
        "{\"path\": \"b.bin\", \"base64\": \"AAEC\"},"
        "{\"path\": \"in/c\", \"storage\": \"abcd\"}], " GOOD_TAIL "}";
    cairn_manifest m;
    char msg[256];
    assert_int_equal(parse(&m, s, msg, sizeof msg), CAIRN_OK);
    assert_int_equal(cairn_manifest_write_files(&m, dir, msg, sizeof msg),
                     CAIRN_OK);
    snprintf(p, sizeof p, "%s/in/deep/a.txt", dir);
    read_file(p, got, sizeof got);
    assert_string_equal(got, "hello");
    snprintf(p, sizeof p, "%s/b.bin", dir);
    struct stat sb;
    assert_int_equal(stat(p, &sb), 0);
    assert_int_equal(sb.st_size, 3);
    snprintf(p, sizeof p, "%s/in/c", dir);
    assert_int_equal(access(p, F_OK), -1); /* storage: the caller's */
    /* again: the files are replaced */
    assert_int_equal(cairn_manifest_write_files(&m, dir, msg, sizeof msg),
                     CAIRN_OK);
    cairn_manifest_free(&m);

    /* a link planted where a directory or a file goes leads nowhere */
    char outside[128], secret[160];
    snprintf(outside, sizeof outside, "%s/outside", base);
    assert_int_equal(mkdir(outside, 0700), 0);
    snprintf(secret, sizeof secret, "%s/key", outside);
    FILE *f = fopen(secret, "w");
    assert_non_null(f);
    fputs("secret", f);
    fclose(f);
    snprintf(p, sizeof p, "%s/evil", dir);
    assert_int_equal(symlink(outside, p), 0);
    s = "{\"command\": [\"x\"], \"files\": [{\"path\": \"evil/key\", "
        "\"content\": \"pwned\"}], " GOOD_TAIL "}";
    assert_int_equal(parse(&m, s, msg, sizeof msg), CAIRN_OK);
    assert_int_equal(cairn_manifest_write_files(&m, dir, msg, sizeof msg),
                     CAIRN_ERR_IO);
    assert_non_null(strstr(msg, "files[0]"));
    cairn_manifest_free(&m);
    snprintf(p, sizeof p, "%s/link", dir);
    assert_int_equal(symlink(secret, p), 0);
    s = "{\"command\": [\"x\"], \"files\": [{\"path\": \"link\", "
        "\"content\": \"pwned\"}], " GOOD_TAIL "}";
    assert_int_equal(parse(&m, s, msg, sizeof msg), CAIRN_OK);
    assert_int_equal(cairn_manifest_write_files(&m, dir, msg, sizeof msg),
                     CAIRN_ERR_IO);
    cairn_manifest_free(&m);
    read_file(secret, got, sizeof got);
    assert_string_equal(got, "secret");
    /* a directory that is not there */
    snprintf(p, sizeof p, "%s/missing", base);
    assert_int_equal(cairn_manifest_write_files(&m, p, msg, sizeof msg),
                     CAIRN_ERR_IO);
    assert_int_equal(cli_rmtree(base), 0);
}

int main(void)
{
    cairn_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_manifest),
        cmocka_unit_test(minimal_manifest),
        cmocka_unit_test(bad_command),
        cmocka_unit_test(bad_env),
        cmocka_unit_test(bad_files),
        cmocka_unit_test(bad_resources),
        cmocka_unit_test(bad_port_and_money),
        cmocka_unit_test(bad_document),
        cmocka_unit_test(writes_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

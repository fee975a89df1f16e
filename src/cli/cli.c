/* Command-line plumbing shared by the subcommands: option parsing, error
 * printing, JSON output, keys, addresses and directory removal. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cairn/parse.h"
#include "cli/cli.h"

cli_common cli;

int cli_fail(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("cairn: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

/* Finds the option called name (length n) in opts, or the common ones. */
static const cli_opt *find_opt(const cli_opt *opts, const char *name, size_t n)
{
    static const cli_opt common[] = {{"node", &cli.node, NULL},
                                     {"json", NULL, &cli.json},
                                     {NULL, NULL, NULL}};
    for (const cli_opt *o = opts; o && o->name; o++)
        if (strlen(o->name) == n && strncmp(o->name, name, n) == 0)
            return o;
    for (const cli_opt *o = common; o->name; o++)
        if (strlen(o->name) == n && strncmp(o->name, name, n) == 0)
            return o;
    return NULL;
}

/* Handles the option at argv[*i] ("--name", "--name VALUE", "--name=VALUE").
 * Returns 0, 1 for --help, or 2 after printing an error. */
static int take_opt(int argc, char **argv, int *i, const char *cmd,
                    const cli_opt *opts)
{
    const char *name = argv[*i] + 2, *eq = strchr(name, '=');
    size_t n = eq ? (size_t)(eq - name) : strlen(name);
    if (strcmp(argv[*i], "-h") == 0 || (n == 4 && !strncmp(name, "help", 4)))
        return 1;
    const cli_opt *o = argv[*i][1] == '-' ? find_opt(opts, name, n) : NULL;
    if (!o) {
        cli_fail("%s: unknown option %s (see cairn %s --help)", cmd, argv[*i],
                 cmd);
        return 2;
    }
    if (!o->val && eq) {
        cli_fail("%s: --%s takes no value", cmd, o->name);
        return 2;
    }
    if (!o->val) {
        *o->flag = 1;
        return 0;
    }
    if (eq) {
        *o->val = eq + 1;
    } else if (*i + 1 < argc) {
        *o->val = argv[++*i];
    } else {
        cli_fail("%s: --%s needs a value (see cairn %s --help)", cmd, o->name,
                 cmd);
        return 2;
    }
    return 0;
}

int cli_parse(int argc, char **argv, const char *cmd, const char *usage,
              const cli_opt *opts, int maxpos, cli_args *a)
{
    int only_pos = 0;
    memset(a, 0, sizeof *a);
    for (int i = 0; i < argc; i++) {
        if (!only_pos && strcmp(argv[i], "--") == 0) {
            only_pos = 1;
        } else if (!only_pos && argv[i][0] == '-' && argv[i][1]) {
            int r = take_opt(argc, argv, &i, cmd, opts);
            if (r == 1) {
                fputs(usage, stdout);
                return -1;
            }
            if (r)
                return 2;
        } else if (a->npos < maxpos && a->npos < CLI_MAX_POS) {
            a->pos[a->npos++] = argv[i];
        } else {
            cli_fail("%s: unexpected argument \"%s\" (see cairn %s --help)",
                     cmd, argv[i], cmd);
            return 2;
        }
    }
    return 0;
}

void cli_print_json(const json_t *j)
{
    json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
}

const char *cli_node_url(void)
{
    const char *env = getenv("CAIRN_NODE");
    if (cli.node && *cli.node)
        return cli.node;
    return env && *env ? env : CLI_DEFAULT_NODE;
}

const char *jstr(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

long long jint(const json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

int cli_load_key(const char *path, cairn_keypair *kp)
{
    cairn_err e = cairn_key_load(path, kp);
    if (e == CAIRN_ERR_IO)
        return cli_fail("cannot read key file %s", path);
    if (e)
        return cli_fail("key file %s: %s", path, cairn_strerror(e));
    return 0;
}

int cli_parse_addr(const char *s, const char *what, cairn_pubkey *pk)
{
    if (cairn_addr_parse(pk, s))
        return cli_fail("%s \"%s\": %s", what, s,
                        cairn_strerror(CAIRN_ERR_BAD_ADDRESS));
    return 0;
}

/* nftw callback: removes one entry (children come first with FTW_DEPTH). */
static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int cli_rmtree(const char *path)
{
    if (access(path, F_OK) != 0)
        return 0;
    return nftw(path, rm_entry, 32, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

int cli_fixed(const char *s, unsigned dec, int64_t lo, int64_t hi, int64_t *out)
{
    const char *p = s;
    int neg = 0;
    uint64_t ip = 0, fp = 0;
    unsigned nf = 0;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    const char *dot = strchr(p, '.');
    size_t ni = dot ? (size_t)(dot - p) : strlen(p);
    if (ni == 0 || cairn_parse_u64_n(p, ni, 1000000, &ip))
        return 1;
    if (dot) {
        nf = (unsigned)strlen(dot + 1);
        if (nf == 0 || nf > dec ||
            cairn_parse_u64_n(dot + 1, nf, UINT64_MAX, &fp))
            return 2;
    }
    for (unsigned i = nf; i < dec; i++)
        fp *= 10;
    uint64_t scale = 1;
    for (unsigned i = 0; i < dec; i++)
        scale *= 10;
    int64_t v = (int64_t)(ip * scale + fp);
    if (neg)
        v = -v;
    if (v < lo || v > hi)
        return 3;
    *out = v;
    return 0;
}

int cli_parse_fixed(const char *s, unsigned dec, int64_t lo, int64_t hi,
                    const char *what, int64_t *out)
{
    switch (cli_fixed(s, dec, lo, hi, out)) {
    case 0:
        return 0;
    case 1:
        return cli_fail("%s \"%s\": give a decimal number", what, s);
    case 2:
        return cli_fail("%s \"%s\": at most %u decimals", what, s, dec);
    default:
        return cli_fail("%s \"%s\" is out of range", what, s);
    }
}

int cli_key(const char *opt, cairn_keypair *kp)
{
    char def[CLI_PATH_MAX];
    const char *path = opt ? opt : getenv("CAIRN_KEY");
    if (!path || !*path) {
        if (cli_default_key(def, sizeof def))
            return 1;
        path = def;
    }
    return cli_load_key(path, kp);
}

int cli_dispatch(int argc, char **argv, const char *cmd, const char *usage,
                 const cli_sub *subs, size_t n)
{
    if (argc < 1 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
        fputs(usage, argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    for (size_t i = 0; i < n; i++)
        if (!strcmp(argv[0], subs[i].name))
            return subs[i].run(argc - 1, argv + 1);
    return cli_fail("%s: unknown subcommand \"%s\" (see cairn %s --help)", cmd,
                    argv[0], cmd);
}

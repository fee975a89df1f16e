/* Option files: `cairn node --config FILE` reads the same options as its
 * command line, one `name = value` per line ('#' starts a comment; a flag
 * takes `true` or `false`). The command line wins over the file. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#define CONFIG_MAX (64u << 10)

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* 1 when argv holds --name (or --name=...). */
static int on_cli(int argc, char **argv, const char *name)
{
    size_t k = strlen(name);
    for (int i = 0; i < argc; i++)
        if (!strncmp(argv[i], "--", 2) && !strncmp(argv[i] + 2, name, k) &&
            (argv[i][2 + k] == '\0' || argv[i][2 + k] == '='))
            return 1;
    return 0;
}

/* Sets option `name` from the file unless the command line gave it. */
static int set_opt(const cli_opt *opts, const char *path, int line,
                   const char *name, char *val, int argc, char **argv)
{
    for (const cli_opt *o = opts; o->name; o++) {
        if (strcmp(o->name, name) != 0)
            continue;
        if (o->flag && strcmp(val, "true") && strcmp(val, "false"))
            return cli_fail("%s:%d: %s takes true or false", path, line, name);
        if (o->flag && !on_cli(argc, argv, name))
            *o->flag = strcmp(val, "true") == 0;
        else if (o->val && !*o->val)
            *o->val = val;
        return 0;
    }
    return cli_fail("%s:%d: unknown option \"%s\" (the options are those of "
                    "the command line, without --)",
                    path, line, name);
}

char *cli_config_load(const char *path, const cli_opt *opts, int argc,
                      char **argv)
{
    FILE *f = fopen(path, "r");
    char *buf = calloc(1, CONFIG_MAX + 1);
    if (!f || !buf) {
        cli_fail("cannot read the config file %s", path);
        if (f)
            fclose(f);
        free(buf);
        return NULL;
    }
    size_t n = fread(buf, 1, CONFIG_MAX, f);
    int big = !feof(f);
    fclose(f);
    int line = 0, bad = big ? cli_fail("%s is larger than 64 KiB", path) : 0;
    for (char *s = buf, *nl; !bad && s < buf + n; s = nl + 1) {
        nl = strchr(s, '\n');
        if (!nl)
            nl = buf + n;
        *nl = '\0';
        line++;
        char *hash = strchr(s, '#'), *eq;
        if (hash)
            *hash = '\0';
        s = trim(s);
        if (!*s)
            continue;
        if (!(eq = strchr(s, '='))) {
            bad = cli_fail("%s:%d: want `name = value`", path, line);
            break;
        }
        *eq = '\0';
        bad = set_opt(opts, path, line, trim(s), trim(eq + 1), argc, argv);
    }
    if (bad) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* A lease's directory on the provider and its durable state:
 *
 *   DATA/leases/<id>/state      text, one "key value" per line (below)
 *   DATA/leases/<id>/manifest   the tenant's manifest, as acknowledged
 *   DATA/leases/<id>/keys       the keys of its storage inputs (0600)
 *   DATA/leases/<id>/log        the workload's stdout and stderr, and the
 *                               provider's "[cairn] ..." lines
 *   DATA/leases/<id>/work/      the workload's work directory (/work)
 *
 * state and manifest are written to a temporary file, fsynced, renamed
 * over the old one and the directory fsynced, so a crash leaves either the
 * old or the new file whole. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cairn/parse.h"
#include "compute/provider/cprov_internal.h"
#include "core/durable.h"

#define STATE_MAGIC "cairn-compute-lease 1"
#define STATE_MAX 4096

static const char *const phase_names[] = {"waiting", "staging", "running",
                                          "exited", "failed"};

const char *cprov_phase_name(int phase)
{
    return phase >= CP_WAIT && phase <= CP_FAILED ? phase_names[phase]
                                                  : "unknown";
}

uint8_t cprov_work_state(int phase)
{
    switch (phase) {
    case CP_STAGING:
        return CAIRN_WORK_STARTING;
    case CP_RUNNING:
        return CAIRN_WORK_RUNNING;
    case CP_EXITED:
        return CAIRN_WORK_EXITED;
    case CP_FAILED:
        return CAIRN_WORK_FAILED;
    default:
        return CAIRN_WORK_NONE;
    }
}

void cprov_path(const cprov *p, uint64_t id, const char *name, char *out)
{
    /* the data dir's length is checked at start: these always fit */
    int n = name ? snprintf(out, CPROV_PATH_MAX, "%s/%llu/%s", p->leases_dir,
                            (unsigned long long)id, name)
                 : snprintf(out, CPROV_PATH_MAX, "%s/%llu", p->leases_dir,
                            (unsigned long long)id);
    if (n < 0 || n >= CPROV_PATH_MAX)
        out[0] = '\0';
}

static int mkdir_ok(const char *path)
{
    return mkdir(path, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

cairn_err cprov_make_dirs(cprov *p, uint64_t id)
{
    char dir[CPROV_PATH_MAX], work[CPROV_PATH_MAX];
    cprov_path(p, id, NULL, dir);
    cprov_path(p, id, "work", work);
    if (mkdir_ok(dir) || mkdir_ok(work) || sync_dir(p->leases_dir))
        return CAIRN_ERR_IO;
    /* the workload (another uid when we run as root) writes there */
    if (chmod(work, 0777) != 0)
        return CAIRN_ERR_IO;
    return CAIRN_OK;
}

/* Writes n bytes to DATA/leases/<id>/name durably (core/durable.h). */
static cairn_err write_durable(cprov *p, uint64_t id, const char *name,
                               const void *b, size_t n)
{
    char path[CPROV_PATH_MAX];
    cprov_path(p, id, name, path);
    return path[0] ? cairn_write_durable(path, b, n) : CAIRN_ERR_IO;
}

cairn_err cprov_save(cprov *p, const cprov_lease *l)
{
    char text[STATE_MAX], token[2 * CAIRN_CP_TOKEN_LEN + 1];
    cairn_hex_encode(token, l->token, CAIRN_CP_TOKEN_LEN);
    int n = snprintf(text, sizeof text,
                     STATE_MAGIC "\nid %llu\nphase %s\nexit %u\nstarted "
                                 "%llu\nended %llu\ntoken %s\nnote %s\n",
                     (unsigned long long)l->c.id, cprov_phase_name(l->phase),
                     (unsigned)l->exit_code, (unsigned long long)l->started,
                     (unsigned long long)l->ended, token, l->note);
    if (n < 0 || (size_t)n >= sizeof text)
        return CAIRN_ERR_TOO_LARGE;
    return write_durable(p, l->c.id, "state", text, (size_t)n);
}

cairn_err cprov_save_manifest(cprov *p, uint64_t id, const uint8_t *b, size_t n)
{
    return write_durable(p, id, "manifest", b, n);
}

cairn_err cprov_save_keys(cprov *p, uint64_t id, const uint8_t *b, size_t n)
{
    return write_durable(p, id, "keys", b, n);
}

/* Reads a whole small file: *out malloc'd, NUL-terminated. */
static cairn_err slurp(const char *path, size_t max, uint8_t **out, size_t *n)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return errno == ENOENT ? CAIRN_ERR_NOT_FOUND : CAIRN_ERR_IO;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        (uint64_t)st.st_size > max) {
        close(fd);
        return CAIRN_ERR_TOO_LARGE;
    }
    uint8_t *b = malloc((size_t)st.st_size + 1);
    ssize_t got = b ? pread(fd, b, (size_t)st.st_size, 0) : -1;
    close(fd);
    if (got != (ssize_t)st.st_size) {
        free(b);
        return CAIRN_ERR_IO;
    }
    b[got] = 0;
    *out = b;
    *n = (size_t)got;
    return CAIRN_OK;
}

cairn_err cprov_load_manifest(cprov *p, uint64_t id, uint8_t **out, size_t *n)
{
    char path[CPROV_PATH_MAX];
    cprov_path(p, id, "manifest", path);
    return slurp(path, CAIRN_CP_MANIFEST_MAX, out, n);
}

cairn_err cprov_load_keys(cprov *p, uint64_t id, uint8_t **out, size_t *n)
{
    char path[CPROV_PATH_MAX];
    cprov_path(p, id, "keys", path);
    cairn_err e = slurp(path, CAIRN_CP_KEYS_MAX * CAIRN_CP_KEY_ENTRY, out, n);
    if (!e && *n % CAIRN_CP_KEY_ENTRY) {
        free(*out);
        return CAIRN_ERR_CORRUPT;
    }
    return e;
}

static int parse_phase(const char *s)
{
    for (int i = CP_WAIT; i <= CP_FAILED; i++)
        if (strcmp(s, phase_names[i]) == 0)
            return i;
    return -1;
}

/* One "key value" line into l; -1 when malformed. */
static int state_line(cprov_lease *l, const char *key, const char *val)
{
    uint64_t v;
    if (strcmp(key, "phase") == 0)
        return (l->phase = parse_phase(val)) < 0 ? -1 : 0;
    if (strcmp(key, "token") == 0)
        return cairn_hex_decode(l->token, CAIRN_CP_TOKEN_LEN, val, strlen(val))
                   ? -1
                   : 0;
    if (strcmp(key, "note") == 0) {
        snprintf(l->note, sizeof l->note, "%s", val);
        return 0;
    }
    if (cairn_parse_u64(val, &v))
        return -1;
    if (strcmp(key, "id") == 0)
        l->c.id = v;
    else if (strcmp(key, "exit") == 0 && v <= UINT32_MAX)
        l->exit_code = (uint32_t)v;
    else if (strcmp(key, "started") == 0)
        l->started = v;
    else if (strcmp(key, "ended") == 0)
        l->ended = v;
    else
        return -1;
    return 0;
}

/* Parses a state file's text into l; -1 when it is not one. */
static int parse_state(char *text, cprov_lease *l)
{
    char *save = NULL, *line = strtok_r(text, "\n", &save);
    if (!line || strcmp(line, STATE_MAGIC) != 0)
        return -1;
    while ((line = strtok_r(NULL, "\n", &save))) {
        char *sp = strchr(line, ' ');
        if (!sp)
            return -1;
        *sp = '\0';
        if (state_line(l, line, sp + 1))
            return -1;
    }
    return l->c.id ? 0 : -1;
}

/* Reads lease id's state into a new table entry; -1 when unreadable. */
static int load_one(cprov *p, uint64_t id)
{
    char path[CPROV_PATH_MAX];
    uint8_t *text;
    size_t n;
    cprov_chain_lease c = {.id = id};
    cprov_path(p, id, "state", path);
    if (slurp(path, STATE_MAX, &text, &n))
        return -1;
    cprov_lease tmp = {0};
    int rc = parse_state((char *)text, &tmp);
    free(text);
    if (rc || tmp.c.id != id)
        return -1;
    cprov_lease *l = cprov_add(p, &c);
    if (!l)
        return -1;
    l->phase = tmp.phase;
    l->exit_code = tmp.exit_code;
    l->started = tmp.started;
    l->ended = tmp.ended;
    memcpy(l->token, tmp.token, sizeof l->token);
    memcpy(l->note, tmp.note, sizeof l->note);
    return 0;
}

/* The lease id a directory name is, or 0. */
static uint64_t dir_id(const char *name)
{
    uint64_t v;
    if (name[0] < '1' || name[0] > '9' || cairn_parse_u64(name, &v))
        return 0;
    return v;
}

cairn_err cprov_load_all(cprov *p)
{
    if (mkdir_ok(p->leases_dir))
        return CAIRN_ERR_IO;
    DIR *d = opendir(p->leases_dir);
    if (!d)
        return CAIRN_ERR_IO;
    struct dirent *de;
    size_t found = 0, removed = 0;
    while ((de = readdir(d))) {
        uint64_t id = dir_id(de->d_name);
        if (!id)
            continue;
        pthread_mutex_lock(&p->mu);
        int bad = load_one(p, id);
        pthread_mutex_unlock(&p->mu);
        if (!bad) {
            found++;
            continue;
        }
        /* no state: the manifest was never acknowledged */
        cprov_remove_dir(p, id);
        removed++;
    }
    closedir(d);
    if (found || removed)
        cprov_log(p,
                  "found %zu lease(s) on disk; removed %zu directory(ies) "
                  "without a state",
                  found, removed);
    return CAIRN_OK;
}

int cprov_remove_dir(cprov *p, uint64_t id)
{
    char dir[CPROV_PATH_MAX];
    cprov_path(p, id, NULL, dir);
    return cairn_dir_remove(dir);
}

void cprov_lease_note(cprov *p, uint64_t id, const char *fmt, ...)
{
    char path[CPROV_PATH_MAX], line[512], when[32];
    time_t t = time(NULL);
    struct tm tm;
    va_list ap;
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    int n = snprintf(line, sizeof line, "[cairn %s] ", when);
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = strlen(line);
    line[len++] = '\n';
    cprov_path(p, id, "log", path);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
                  0600);
    if (fd < 0)
        return;
    if (write(fd, line, len) < 0) {
        /* the log is best effort */
    }
    close(fd);
}

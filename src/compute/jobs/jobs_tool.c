/* Running a job's tool in the compute sandbox, and its files (jobs.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "compute/jobs/jobs.h"
#include "compute/sandbox.h"

static const char *const job_env[] = {"PATH=/usr/local/bin:/usr/bin:/bin",
                                      "HOME=/work", "LC_ALL=C", NULL};

static void nap_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The last line(s) of the tool's log, one line of printable text. */
static void log_tail(const char *dir, char *out, size_t len)
{
    uint8_t *b = NULL;
    size_t n = 0;
    out[0] = '\0';
    if (job_read_file(dir, "log", 1u << 20, &b, &n))
        return;
    size_t from = n > 160 ? n - 160 : 0, k = 0;
    for (size_t i = from; i < n && k + 1 < len; i++)
        out[k++] = b[i] >= ' ' && b[i] <= '~' ? (char)b[i] : ' ';
    out[k] = '\0';
    free(b);
}

cairn_err job_sandbox_run(const char *dir, const char *const *argv, char *why,
                          size_t len)
{
    char logp[1024], tail[200];
    cairn_sandbox *s = NULL;
    snprintf(logp, sizeof logp, "%s/log", dir);
    cairn_sandbox_cfg cfg = {.workdir = dir,
                             .argv = argv,
                             .env = job_env,
                             .cpus = 1,
                             .mem_bytes = JOB_MEM_BYTES,
                             .disk_bytes = JOB_DISK_BYTES,
                             .cpu_seconds = JOB_CPU_SECONDS,
                             .max_procs = 64,
                             .log_path = logp,
                             .log_max = 1u << 20};
    cairn_err e = cairn_sandbox_start(&s, &cfg, why, len);
    if (e)
        return e;
    int code = -1, done = 0;
    for (int t = 0; t < JOB_WALL_MS / 10 && !done; t++) {
        done = cairn_sandbox_poll(s, &code);
        if (!done)
            nap_ms(10);
    }
    const char *limit = done ? cairn_sandbox_limit_hit(s) : "time limit";
    cairn_sandbox_stop(s, 500);
    cairn_sandbox_free(s);
    if (done && code == 0 && !limit)
        return CAIRN_OK;
    log_tail(dir, tail, sizeof tail);
    snprintf(why, len, "%s %s (%s): %s", argv[0],
             limit ? "hit a limit" : "failed", limit ? limit : "exit status",
             tail[0] ? tail : "no output");
    return limit && !strcmp(limit, "sandbox setup failed")
               ? CAIRN_ERR_SANDBOX
               : CAIRN_ERR_JOB_FAILED;
}

cairn_err job_write_file(const char *dir, const char *name, const uint8_t *p,
                         size_t n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return job_write_path(path, p, n);
}

cairn_err job_write_path(const char *path, const uint8_t *p, size_t n)
{
    int fd =
        open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        return CAIRN_ERR_IO;
    size_t off = 0;
    while (off < n) {
        ssize_t k = write(fd, p + off, n - off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            close(fd);
            return CAIRN_ERR_IO;
        }
        off += (size_t)k;
    }
    return close(fd) ? CAIRN_ERR_IO : CAIRN_OK;
}

cairn_err job_read_file(const char *dir, const char *name, size_t max,
                        uint8_t **out, size_t *n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return job_read_path(path, max, out, n);
}

cairn_err job_read_path(const char *path, size_t max, uint8_t **out, size_t *n)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return CAIRN_ERR_NOT_FOUND;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
        close(fd);
        return CAIRN_ERR_TOO_LARGE;
    }
    size_t want = (size_t)st.st_size, got = 0;
    uint8_t *b = malloc(want ? want : 1);
    if (!b) {
        close(fd);
        return CAIRN_ERR_NOMEM;
    }
    while (got < want) {
        ssize_t k = read(fd, b + got, want - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    *out = b;
    *n = got;
    return CAIRN_OK;
}

cairn_err job_tmpdir(const char *scratch, char *out, size_t len)
{
    if (mkdir(scratch, 0700) && errno != EEXIST)
        return CAIRN_ERR_IO;
    int k = snprintf(out, len, "%s/job-XXXXXX", scratch);
    if (k < 0 || (size_t)k >= len || !mkdtemp(out))
        return CAIRN_ERR_IO;
    return CAIRN_OK;
}

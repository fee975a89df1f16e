/* `cairn compute job`: the exchange with the provider (job_client.h), the
 * check and the output files (compute_job_cli.h). */
#define _GNU_SOURCE
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cairn/compute_proto.h"
#include "compute/cli/compute_cli.h"
#include "compute/cli/compute_job_cli.h"
#include "compute/jobs/job_client.h"
#include "compute/jobs/verify.h"
#include "compute/sandbox.h"

/* 1 when an executable `name` is on PATH. */
static int on_path(const char *name)
{
    const char *path = getenv("PATH");
    char buf[4096];
    while (path && *path) {
        const char *c = strchr(path, ':');
        size_t n = c ? (size_t)(c - path) : strlen(path);
        snprintf(buf, sizeof buf, "%.*s/%s", (int)n, path, name);
        if (n && access(buf, X_OK) == 0)
            return 1;
        path = c ? c + 1 : path + n;
    }
    return 0;
}

/* The check: *v; *how says what ran. Returns 0, or 1 when it could not
 * run (printed). */
static int check(const ccli_job *j, const cairn_job_claim *c,
                 const job_parts *p, job_verdict *v, const char **how)
{
    const char *tool = j->jp.type == JOB_TRANSCODE ? "ffmpeg"
                       : j->jp.type == JOB_RENDER  ? "povray"
                                                   : NULL;
    const cairn_pubkey *miner = j->has_expect ? &j->expect : NULL;
    char scratch[1100];
    if (tool && (!on_path(tool) || !on_path("bwrap"))) {
        job_verify_claim(&j->jp, j->in, j->n, j->subnet, &j->job_id, c,
                         j->chain_id, miner, p, v);
        *how = "claim only: no ffmpeg/povray or bwrap here to run a part";
        return 0;
    }
    snprintf(scratch, sizeof scratch, "%s/.verify", j->out);
    cairn_err e = job_verify_samples(&j->jp, j->in, j->n, j->subnet, &j->job_id,
                                     c, j->chain_id, miner, p, j->seed,
                                     j->samples, scratch, v);
    cairn_dir_remove(scratch);
    *how = tool ? "claim, and one part run again here"
                : "claim, and Freivalds' check";
    if (e)
        return cli_fail("could not check the output: %s", v->why);
    return 0;
}

static int write_parts(const ccli_job *j, const job_parts *p)
{
    char name[64];
    cairn_err e = CAIRN_OK;
    if (j->jp.type == JOB_TRANSCODE) {
        for (uint32_t i = 0; i < p->count && !e; i++) {
            size_t len;
            const uint8_t *b = job_part(p, i, &len);
            snprintf(name, sizeof name, "rendition-%u-%ux%u.mp4", i,
                     j->jp.u.tc.w[i], j->jp.u.tc.h[i]);
            e = job_write_file(j->out, name, b, len);
        }
        return e;
    }
    if (j->jp.type == JOB_MATMUL)
        return job_write_file(j->out, "c.bin", p->buf, p->off[p->count]);
    char hdr[64];
    int hn = snprintf(hdr, sizeof hdr, "P6\n%u %u\n255\n", j->jp.u.rd.width,
                      j->jp.u.rd.height);
    size_t total = (size_t)hn + p->off[p->count];
    uint8_t *img = malloc(total);
    if (!img)
        return CAIRN_ERR_NOMEM;
    memcpy(img, hdr, (size_t)hn);
    memcpy(img + hn, p->buf, p->off[p->count]);
    e = job_write_file(j->out, "image.ppm", img, total);
    free(img);
    return e;
}

static void print_hex(const char *label, const uint8_t *b, size_t n)
{
    printf("%-12s", label);
    for (size_t i = 0; i < n; i++)
        printf("%02x", b[i]);
    printf("\n");
}

/* DIR/evidence.bin: what a validator submits (job.h, compute_evidence). */
static void write_evidence(const ccli_job *j, const cairn_job_claim *c,
                           const job_parts *p, const job_verdict *v)
{
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_CP_MSG_MAX);
    if (!job_evidence(&b, &j->jp, j->in, c, p, v) &&
        !job_write_file(j->out, "evidence.bin", b.p, b.len))
        printf("%-12s%s/evidence.bin (%zu bytes, %s)\n", "evidence", j->out,
               b.len,
               j->jp.type == JOB_MATMUL ? "a wrong entry any node can check"
                                        : "a re-run vote");
    cairn_buf_free(&b);
}

static double secs(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) +
           (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

int ccli_job_run(const ccli_job *j)
{
    cairn_job_claim c;
    job_parts parts = {0};
    job_verdict v;
    const char *how = "";
    char why[512];
    struct timespec t0, t1, t2;
    job_request r = {.host = j->host,
                     .port = j->port,
                     .key = &j->key,
                     .expect = j->has_expect ? &j->expect : NULL,
                     .subnet = j->subnet,
                     .job_id = j->job_id,
                     .jp = &j->jp,
                     .in = j->in,
                     .n = j->n,
                     .ticket_face = j->ticket_face,
                     .ticket_ev = j->ticket_ev,
                     .ticket_expires = j->ticket_expires};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (job_submit(&r, &c, &parts, why, sizeof why))
        return cli_fail("%s", why);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int rc = check(j, &c, &parts, &v, &how);
    clock_gettime(CLOCK_MONOTONIC, &t2);
    if (!rc) {
        char addr[CAIRN_ADDR_TEXT_LEN + 1];
        cairn_buf cb;
        cairn_addr_format(addr, &c.miner);
        print_hex("job", j->job_id.b, 32);
        printf("%-12s%s\n", "miner", addr);
        printf("%-12s%s\n", "chain", c.chain_id);
        print_hex("output root", c.output_root.b, 32);
        printf("%-12s%u (job %.2f s at the provider and on the wire, check "
               "%.2f s here)\n",
               "parts", parts.count, secs(&t0, &t1), secs(&t1, &t2));
        cairn_buf_init(&cb, CAIRN_JOB_CLAIM_MAX_BYTES);
        cairn_job_claim_encode(&cb, &c);
        if (write_parts(j, &parts) ||
            job_write_file(j->out, "claim.bin", cb.p, cb.len))
            rc = cli_fail("cannot write the output to %s", j->out);
        cairn_buf_free(&cb);
    }
    if (!rc && v.pass)
        printf("%-12sok (%s%s)\n", "verdict", how,
               j->jp.type != JOB_MATMUL && strstr(how, "again") ? ": match"
                                                                : "");
    else if (!rc) {
        printf("%-12sFAILED: %s\n", "verdict", v.why);
        if (v.bad_part >= 0)
            printf("%-12s%lld\n", "bad part", (long long)v.bad_part);
        write_evidence(j, &c, &parts, &v);
        rc = 1;
    }
    job_parts_free(&parts);
    return rc;
}

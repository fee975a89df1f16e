/* `cairn compute job`: the exchange with the provider, the check and the
 * output files (compute_job_cli.h). */
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
#include "compute/jobs/verify.h"
#include "compute/sandbox.h"

#define JOB_DIAL_MS 10000
#define JOB_REPLY_MS 900000 /* the provider runs every part first */

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

static int error_reply(const uint8_t *p, size_t n)
{
    cairn_cp_error m;
    if (cairn_cp_error_decode(&m, p, n))
        return cli_fail("the provider sent a malformed error");
    return cli_fail("the provider refused the job: %s (%s)", m.msg,
                    cairn_errname(cairn_cp_error_code(&m)));
}

/* Asks the provider's TICKET_RAND and signs a ticket for it into tb. */
static cairn_err make_ticket(const ccli_job *j, cairn_conn *c, cairn_buf *tb)
{
    uint8_t type = 0, *p = NULL;
    size_t n = 0;
    cairn_cp_ticket_rand m;
    cairn_ticket t = {0};
    cairn_err e =
        cairn_conn_send(c, CAIRN_CP_TICKET_PARAMS, "", 0, JOB_DIAL_MS);
    if (!e)
        e = cairn_conn_recv(c, &type, &p, &n, CAIRN_CP_MSG_MAX, JOB_DIAL_MS);
    if (!e &&
        (type != CAIRN_CP_TICKET_RAND || cairn_cp_ticket_rand_decode(&m, p, n)))
        e = CAIRN_ERR_BAD_MSG;
    free(p);
    if (e)
        return e;
    memcpy(t.recipient.b, cairn_conn_peer(c)->b, 32);
    memcpy(t.rand_hash.b, m.rand_hash, 32);
    t.face_value = j->ticket_face;
    t.win_prob = cairn_ticket_win_prob_for(j->ticket_ev, j->ticket_face);
    t.expiration = j->ticket_expires;
    randombytes_buf(&t.nonce, sizeof t.nonce);
    if ((e = cairn_ticket_set_chain(&t, m.chain_id)) ||
        (e = cairn_ticket_sign(&t, &j->key)))
        return e;
    cairn_ticket_encode(tb, &t);
    return tb->err;
}

/* Sends the job; *reply (malloc'd) the JOB_RESULT payload. */
static int exchange(const ccli_job *j, uint8_t **reply, size_t *rn)
{
    cairn_conn *c = NULL;
    cairn_buf b;
    uint8_t type = 0;
    cairn_buf pb;
    cairn_buf_init(&pb, JOB_PARAMS_MAX);
    job_params_encode(&pb, &j->jp);
    cairn_cp_job m = {.type = j->jp.type,
                      .subnet = j->subnet,
                      .params = pb.p,
                      .params_len = (uint32_t)pb.len,
                      .input = j->in,
                      .input_len = (uint32_t)j->n};
    memcpy(m.job_id, j->job_id.b, 32);
    cairn_buf tb;
    cairn_buf_init(&tb, CAIRN_TICKET_MAX_BYTES);
    cairn_buf_init(&b, CAIRN_CP_MSG_MAX);
    cairn_err e =
        cairn_conn_dial(&c, j->host, j->port, &j->key,
                        j->has_expect ? &j->expect : NULL, JOB_DIAL_MS);
    if (!e && j->ticket_face && (e = make_ticket(j, c, &tb)))
        cli_fail("the provider's ticket parameters: %s", cairn_strerror(e));
    m.ticket = tb.p;
    m.ticket_len = (uint32_t)tb.len;
    cairn_cp_job_encode(&b, &m);
    cairn_buf_free(&pb);
    cairn_buf_free(&tb);
    if (!e)
        e = b.err;
    if (!e)
        e = cairn_conn_send(c, CAIRN_CP_JOB, b.p, b.len, JOB_DIAL_MS + 60000);
    if (!e)
        e = cairn_conn_recv(c, &type, reply, rn, CAIRN_CP_MSG_MAX,
                            JOB_REPLY_MS);
    cairn_buf_free(&b);
    cairn_conn_close(c);
    if (e)
        return cli_fail("job with the provider at %s:%d: %s", j->host, j->port,
                        cairn_strerror(e));
    if (type == CAIRN_CP_ERROR) {
        int rc = error_reply(*reply, *rn);
        free(*reply);
        return rc;
    }
    if (type != CAIRN_CP_JOB_RESULT) {
        free(*reply);
        return cli_fail("the provider answered with message 0x%02x, not a "
                        "job result",
                        type);
    }
    return 0;
}

static int decode(const uint8_t *p, size_t n, cairn_job_claim *claim,
                  job_parts *parts)
{
    static cairn_cp_job_result res;
    const uint8_t *ptr[CAIRN_CP_JOB_PARTS_MAX];
    size_t len[CAIRN_CP_JOB_PARTS_MAX];
    if (cairn_cp_job_result_decode(&res, p, n) ||
        cairn_job_claim_decode(claim, res.claim, res.claim_len))
        return cli_fail("the provider's job result is malformed");
    for (uint32_t i = 0; i < res.count; i++) {
        ptr[i] = res.part[i];
        len[i] = res.part_len[i];
    }
    if (job_parts_from(parts, res.count, ptr, len))
        return cli_fail("out of memory");
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
    cairn_err e = job_verify(&j->jp, j->in, j->n, j->subnet, &j->job_id, c,
                             j->chain_id, miner, p, j->seed, scratch, v);
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
    uint8_t *reply = NULL;
    size_t rn = 0;
    cairn_job_claim c;
    job_parts parts = {0};
    job_verdict v;
    const char *how = "";
    struct timespec t0, t1, t2;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (exchange(j, &reply, &rn))
        return 1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int rc = decode(reply, rn, &c, &parts);
    if (!rc)
        rc = check(j, &c, &parts, &v, &how);
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
    free(reply);
    return rc;
}

/* The compute provider's verified-work jobs (JOB -> JOB_RESULT;
 * docs/compute-provider.md, "Jobs"): any key may send one for a type the
 * provider serves (--serve); it runs on the connection server's worker
 * (a connection's requests are answered in order, so one job at a time
 * per connection), at most jobs_max at once for the whole provider (BUSY
 * past that), in DATA/jobs/ scratch directories that it removes. The
 * reply carries the parts and the claim signed with the provider's key. */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute/jobs/jobs.h"
#include "compute/provider/cprov_internal.h"

static void job_fail(pd_reply *r, cairn_err e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void job_fail(pd_reply *r, cairn_err e, const char *fmt, ...)
{
    char msg[CAIRN_CP_ERRMSG_MAX + 1];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cairn_buf_reset(&r->body);
    r->type = CAIRN_CP_ERROR;
    cairn_cp_error_encode(&r->body, e, msg);
}

void cprov_jobs_init(cprov *p)
{
    char dir[CPROV_PATH_MAX];
    snprintf(dir, sizeof dir, "%s/jobs", p->cfg.data_dir);
    DIR *d = opendir(dir);
    struct dirent *de;
    int left = 0;
    while (d && (de = readdir(d)))
        left += de->d_name[0] != '.';
    if (d)
        closedir(d);
    if (left && cairn_dir_remove(dir) == 0)
        cprov_log(p, "removed the scratch files of %d job(s) cut short in %s",
                  left, dir);
}

const char *cprov_chain_id(const cprov *p)
{
    return p->cfg.chain_id && *p->cfg.chain_id ? p->cfg.chain_id
                                               : CPROV_LOCAL_CHAIN;
}

static const char *type_name(uint8_t t)
{
    return t == JOB_TRANSCODE ? "transcode"
           : t == JOB_RENDER  ? "render"
           : t == JOB_MATMUL  ? "matmul"
                              : "unknown";
}

/* Takes a job slot: 1, and *cheat set for this job; 0 when full. The
 * cheat depends on the job id alone (its first four bytes, little-endian,
 * divisible by N), so the same job gets the same wrong answer from every
 * asker: validators that probe one job see one claim. */
static int take_slot(cprov *p, const uint8_t job_id[32], int *cheat)
{
    uint32_t max = p->cfg.jobs_max ? p->cfg.jobs_max : CPROV_JOBS_MAX;
    int ok = 0;
    pthread_mutex_lock(&p->mu);
    if (p->jobs_running < max) {
        p->jobs_running++;
        p->jobs_taken++;
        uint32_t h = (uint32_t)job_id[0] | (uint32_t)job_id[1] << 8 |
                     (uint32_t)job_id[2] << 16 | (uint32_t)job_id[3] << 24;
        *cheat = p->cfg.cheat_every && h % p->cfg.cheat_every == 0;
        ok = 1;
    }
    pthread_mutex_unlock(&p->mu);
    return ok;
}

static void give_slot(cprov *p)
{
    pthread_mutex_lock(&p->mu);
    p->jobs_running--;
    pthread_mutex_unlock(&p->mu);
}

/* The reply: the claim over parts, signed, and the parts. */
static void reply(cprov *p, const cairn_cp_job *m, const job_params *jp,
                  const job_parts *parts, pd_reply *r)
{
    static __thread cairn_cp_job_result res; /* 6 KiB */
    cairn_job_claim c = {0};
    cairn_buf cb;
    if (cairn_job_claim_set_chain(&c, cprov_chain_id(p))) {
        job_fail(r, CAIRN_ERR_JOB_FAILED,
                 "the provider's chain id is not one a claim can carry");
        return;
    }
    c.subnet = m->subnet;
    c.type = m->type;
    memcpy(c.job_id.b, m->job_id, 32);
    job_input_root(&c.input_root, jp, m->input, m->input_len);
    c.parts = parts->count;
    if (job_output_root(&c.output_root, parts)) {
        job_fail(r, CAIRN_ERR_NOMEM, "the provider is short of memory");
        return;
    }
    if (cairn_job_claim_sign(&c, &p->cfg.key)) {
        job_fail(r, CAIRN_ERR_JOB_FAILED, "the provider could not sign");
        return;
    }
    cairn_buf_init(&cb, CAIRN_JOB_CLAIM_MAX_BYTES);
    cairn_job_claim_encode(&cb, &c);
    res.claim = cb.p;
    res.claim_len = (uint32_t)cb.len;
    res.count = parts->count;
    for (uint32_t i = 0; i < parts->count; i++) {
        size_t len;
        res.part[i] = job_part(parts, i, &len);
        res.part_len[i] = (uint32_t)len;
    }
    r->type = CAIRN_CP_JOB_RESULT;
    cairn_cp_job_result_encode(&r->body, &res);
    cairn_buf_free(&cb);
    if (r->body.err)
        job_fail(r, CAIRN_ERR_JOB_FAILED,
                 "the job's output does not fit in one reply");
}

void cprov_handle_job(cprov *p, const pd_request *q, pd_reply *r)
{
    cairn_cp_job m;
    job_params jp;
    job_parts parts = {0};
    char why[CAIRN_CP_ERRMSG_MAX + 1] = "", scratch[CPROV_PATH_MAX];
    int cheat = 0;
    if (cairn_cp_job_decode(&m, q->body, q->n)) {
        job_fail(r, CAIRN_ERR_BAD_MSG, "malformed JOB request");
        r->close = 1;
        return;
    }
    if (m.type < 1 || m.type > JOB_TYPE_MAX ||
        !(p->cfg.serve & (1u << m.type))) {
        job_fail(r, CAIRN_ERR_JOB_TYPE,
                 "this provider does not serve %s jobs (type %u)",
                 type_name(m.type), m.type);
        return;
    }
    if (job_params_decode(&jp, m.type, m.params, m.params_len, why,
                          sizeof why) ||
        job_input_ok(&jp, m.input, m.input_len, why, sizeof why)) {
        job_fail(r, CAIRN_ERR_JOB_INPUT, "%s", why);
        return;
    }
    if (!take_slot(p, m.job_id,
                   &cheat)) { /* first: a refused job keeps its ticket */
        job_fail(r, CAIRN_ERR_BUSY,
                 "the provider runs its most jobs at once; try again");
        return;
    }
    cairn_err te =
        cprov_take_ticket(p, m.ticket, m.ticket_len, why, sizeof why);
    if (te) {
        give_slot(p);
        job_fail(r, te, "%s", why);
        return;
    }
    snprintf(scratch, sizeof scratch, "%s/jobs", p->cfg.data_dir);
    cairn_err e = job_run(&jp, m.input, m.input_len, scratch, cheat, &parts,
                          why, sizeof why);
    give_slot(p);
    if (e) {
        cprov_log_peer(p, "%s job failed: %s", type_name(m.type), why);
        job_fail(r, e, "%s", why);
        return;
    }
    cprov_log_peer(p, "%s job done: %u parts%s", type_name(m.type), parts.count,
                   cheat ? " (cheated on purpose)" : "");
    reply(p, &m, &jp, &parts, r);
    job_parts_free(&parts);
}

/* The workers (serve_internal.h): each takes a complete request (a
 * friend's first; strangers never hold every worker), opens its frame in
 * place, calls the sector's handler, frees the request's buffer, and seals
 * the reply in place for the loop to write. A stranger's reply that does
 * not fit the memory budget becomes the sector's refusal. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "provider/serve_internal.h"

#define BUSY_WHY                                                               \
    "the provider's memory for peers without a deal is in use; try again "     \
    "later"

static void q_push(pd_jobq *q, pd_job *j)
{
    j->next = NULL;
    if (q->tail)
        q->tail->next = j;
    else
        q->head = j;
    q->tail = j;
}

static pd_job *q_pop(pd_jobq *q)
{
    pd_job *j = q->head;
    if (j) {
        q->head = j->next;
        if (!q->head)
            q->tail = NULL;
    }
    return j;
}

static int stranger_cap(const pd_server *s)
{
    return s->lim.workers > 1 ? s->lim.workers - 1 : 1;
}

void pd_pool_push(pd_server *s, pd_job *j)
{
    pthread_mutex_lock(&s->mu);
    q_push(j->friend ? &s->friends_q : &s->strangers_q, j);
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->mu);
}

/* The next job a worker may take, or NULL (under mu). */
static pd_job *next_job(pd_server *s)
{
    pd_job *j = q_pop(&s->friends_q);
    if (!j && s->strangers_running < stranger_cap(s) &&
        (j = q_pop(&s->strangers_q)))
        s->strangers_running++;
    return j;
}

static void release_request(pd_server *s, pd_job *j)
{
    if (j->buf) {
        free(j->buf);
        pd_mem_release(s, j->charge, j->stranger);
    }
    j->buf = NULL;
}

/* The sector's refusal in place of a reply that does not fit. */
static void refusal(pd_server *s, pd_reply *rep)
{
    cairn_buf_free(&rep->body);
    memset(rep, 0, sizeof *rep);
    cairn_buf_init(&rep->body, 1024);
    s->cfg.refuse(s->cfg.ctx, CAIRN_ERR_BUSY, BUSY_WHY, rep);
}

/* Turns the reply's buffer into a sealed frame, charged to the budget. */
static void seal_reply(pd_server *s, pd_job *j, pd_reply *rep)
{
    int stranger = !j->friend;
    size_t len = CONN_SRV_FRAME_LEN(rep->body.len);
    if (pd_mem_charge(s, len, stranger, !stranger) != 0) {
        pd_count(s, &s->stats.mem_refused);
        log_limited(&s->lim_mem, s->cfg.log, s->cfg.who,
                    "refused a reply to %s: %s", j->c->ip_text, BUSY_WHY);
        refusal(s, rep);
        len = CONN_SRV_FRAME_LEN(rep->body.len);
        (void)pd_mem_charge(s, len, stranger, 1);
    }
    size_t n = rep->body.len;
    uint8_t *f = realloc(rep->body.p, len);
    if (!f) {
        pd_mem_release(s, len, stranger);
        return; /* the reply's buffer is freed by the caller */
    }
    rep->body.p = NULL;
    rep->body.len = rep->body.cap = 0;
    memmove(f + CONN_SRV_PAYLOAD_AT, f, n);
    conn_srv_seal(&j->c->hs, f, rep->type, n);
    j->frame = f;
    j->frame_len = j->frame_charge = len;
    j->frame_stranger = stranger;
}

/* One request: open, handle, reply. A frame that does not open, or the
 * peer's FINAL, leaves j->frame NULL: the loop closes the connection. */
static void run_job(pd_server *s, pd_job *j)
{
    pd_request req = {.server = s, .peer = j->peer, .friend = j->friend};
    uint8_t *payload = NULL;
    cairn_err e = conn_srv_open(&j->c->hs, j->buf, j->ct_len, &req.type,
                                &payload, &req.n);
    if (e) {
        if (e != CAIRN_ERR_CLOSED) {
            pd_count(s, &s->stats.closed_bad);
            log_limited(&s->lim_close, s->cfg.log, s->cfg.who,
                        "closed a connection from %s: %s", j->c->ip_text,
                        cairn_strerror(e));
        }
        release_request(s, j);
        return;
    }
    req.body = payload;
    pd_reply rep = {0};
    cairn_buf_init(&rep.body, s->cfg.max_reply);
    s->cfg.handle(s->cfg.ctx, &req, &rep);
    release_request(s, j);
    j->close = rep.close;
    if (rep.close) {
        pd_count(s, &s->stats.closed_bad);
        log_limited(&s->lim_close, s->cfg.log, s->cfg.who,
                    "closing a connection from %s after a malformed request "
                    "(type 0x%02x)",
                    j->c->ip_text, req.type);
    }
    if (rep.type != 0 && !rep.body.err)
        seal_reply(s, j, &rep);
    cairn_buf_free(&rep.body);
}

static void *worker_main(void *arg)
{
    pd_server *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        pd_job *j = NULL;
        while (!s->stopping && !(j = next_job(s)))
            pthread_cond_wait(&s->cond, &s->mu);
        if (s->stopping) {
            if (j)
                q_push(j->friend ? &s->friends_q : &s->strangers_q, j);
            break;
        }
        pthread_mutex_unlock(&s->mu);
        run_job(s, j);
        pthread_mutex_lock(&s->mu);
        if (!j->friend)
            s->strangers_running--;
        s->stats.requests++;
        q_push(&s->done_q, j);
        pthread_cond_broadcast(&s->cond); /* a stranger's place is free */
        if (write(s->wake[1], "x", 1) < 0) {
            /* full: the loop is already due to wake */
        }
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

int pd_pool_start(pd_server *s)
{
    for (int i = 0; i < s->lim.workers; i++) {
        if (pthread_create(&s->workers[i], NULL, worker_main, s))
            return -1;
        s->nworkers++;
    }
    return 0;
}

void pd_pool_collect(pd_server *s)
{
    pthread_mutex_lock(&s->mu);
    pd_job *list = s->done_q.head;
    s->done_q.head = s->done_q.tail = NULL;
    pthread_mutex_unlock(&s->mu);
    while (list) {
        pd_job *j = list;
        list = j->next;
        pd_conn_done(j->c, j);
        pd_job_free(s, j);
    }
}

void pd_job_free(pd_server *s, pd_job *j)
{
    release_request(s, j);
    if (j->frame) {
        free(j->frame);
        pd_mem_release(s, j->frame_charge, j->frame_stranger);
    }
    free(j);
}

void pd_pool_stop(pd_server *s)
{
    pthread_mutex_lock(&s->mu);
    s->stopping = 1;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->mu);
    for (int i = 0; i < s->nworkers; i++)
        pthread_join(s->workers[i], NULL);
    pd_jobq *qs[] = {&s->friends_q, &s->strangers_q, &s->done_q};
    for (size_t q = 0; q < 3; q++) {
        pd_job *j;
        while ((j = q_pop(qs[q])))
            pd_job_free(s, j);
    }
}

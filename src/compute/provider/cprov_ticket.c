/* The lottery tickets that pay for jobs (include/cairn/ticket.h;
 * docs/compute-provider.md, "Jobs"). The provider commits to a secret
 * random number (a new one at each start and after each win: redeeming a
 * winning ticket reveals it) and tells its hash with TICKET_RAND. A JOB
 * may carry a ticket naming the provider as recipient and that hash; the
 * provider checks the signature, the chain, the expiration (when it knows
 * the chain's height), that the ticket is new under this random number,
 * and its expected value against --job-price; a winning one is written
 * durably to DATA/tickets/<ticket id> (ticket bytes || random number),
 * what a redemption on chain needs. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compute/provider/cprov_internal.h"

#define TICKETS_SEEN_MAX 65536 /* then the random number changes */

static void new_rand(cprov *p) /* p->mu held or p not shared yet */
{
    randombytes_buf(p->tk_rand, sizeof p->tk_rand);
    cairn_ticket_rand_hash(&p->tk_rand_hash, p->tk_rand);
    p->tk_nseen = 0;
}

cairn_err cprov_tickets_init(cprov *p)
{
    char dir[CPROV_PATH_MAX];
    snprintf(dir, sizeof dir, "%s/tickets", p->cfg.data_dir);
    if (mkdir(dir, 0700) && errno != EEXIST)
        return CAIRN_ERR_IO;
    p->tk_seen = malloc(TICKETS_SEEN_MAX * sizeof *p->tk_seen);
    if (!p->tk_seen)
        return CAIRN_ERR_NOMEM;
    new_rand(p);
    return CAIRN_OK;
}

void cprov_tickets_free(cprov *p)
{
    sodium_memzero(p->tk_rand, sizeof p->tk_rand);
    free(p->tk_seen);
    p->tk_seen = NULL;
}

void cprov_handle_ticket_params(cprov *p, const pd_request *q, pd_reply *r)
{
    cairn_cp_ticket_rand m = {0};
    if (q->n != 0) {
        cairn_buf_reset(&r->body);
        r->type = CAIRN_CP_ERROR;
        cairn_cp_error_encode(&r->body, CAIRN_ERR_BAD_MSG,
                              "malformed TICKET_PARAMS request");
        r->close = 1;
        return;
    }
    pthread_mutex_lock(&p->mu);
    memcpy(m.rand_hash, p->tk_rand_hash.b, 32);
    pthread_mutex_unlock(&p->mu);
    snprintf(m.chain_id, sizeof m.chain_id, "%s", cprov_chain_id(p));
    r->type = CAIRN_CP_TICKET_RAND;
    cairn_cp_ticket_rand_encode(&r->body, &m);
}

/* DATA/tickets/<id hex>: bytes || rand, written durably. */
static cairn_err store(cprov *p, const cairn_hash *id, const uint8_t *t,
                       size_t n, const uint8_t *rand)
{
    char hex[65], path[CPROV_PATH_MAX], tmp[CPROV_PATH_MAX + 8];
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", id->b[i]);
    snprintf(path, sizeof path, "%s/tickets/%s", p->cfg.data_dir, hex);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return CAIRN_ERR_IO;
    int ok = write(fd, t, n) == (ssize_t)n &&
             write(fd, rand, CAIRN_TICKET_RAND_LEN) == CAIRN_TICKET_RAND_LEN &&
             fsync(fd) == 0;
    ok = close(fd) == 0 && ok && rename(tmp, path) == 0;
    if (!ok) {
        unlink(tmp);
        return CAIRN_ERR_IO;
    }
    snprintf(path, sizeof path, "%s/tickets", p->cfg.data_dir);
    fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    return CAIRN_OK;
}

/* The checks that need no lock: 0, or an error with why. */
static cairn_err check(cprov *p, const cairn_ticket *t, char *why, size_t len)
{
    cairn_err e = cairn_ticket_verify(t, cprov_chain_id(p));
    if (e == CAIRN_ERR_CHAIN_ID)
        snprintf(why, len, "the ticket is for chain %s, this provider's is %s",
                 t->chain_id, cprov_chain_id(p));
    else if (e)
        snprintf(why, len, "the ticket's signature is not its sender's");
    else if (sodium_memcmp(t->recipient.b, p->cfg.key.pk.b, 32)) {
        snprintf(why, len, "the ticket pays another recipient");
        e = CAIRN_ERR_BAD_ARG;
    } else if (cairn_ticket_ev(t) < p->cfg.job_price) {
        snprintf(why, len,
                 "the ticket is worth %llu base units on average; a job "
                 "here costs %llu",
                 (unsigned long long)cairn_ticket_ev(t),
                 (unsigned long long)p->cfg.job_price);
        e = CAIRN_ERR_FUNDS;
    }
    return e;
}

cairn_err cprov_take_ticket(cprov *p, const uint8_t *b, size_t n, char *why,
                            size_t len)
{
    cairn_ticket t;
    cairn_hash id;
    uint8_t rand[CAIRN_TICKET_RAND_LEN];
    if (n == 0) {
        if (!p->cfg.job_price)
            return CAIRN_OK;
        snprintf(why, len,
                 "a job here costs a ticket worth %llu base units on average "
                 "(ask TICKET_PARAMS)",
                 (unsigned long long)p->cfg.job_price);
        return CAIRN_ERR_FUNDS;
    }
    if (cairn_ticket_decode(&t, b, n)) {
        snprintf(why, len, "the ticket is malformed");
        return CAIRN_ERR_BAD_ARG;
    }
    cairn_err e = check(p, &t, why, len);
    if (e)
        return e;
    cairn_ticket_id(&id, &t);
    pthread_mutex_lock(&p->mu);
    const uint64_t height = p->view.ok ? p->view.height : 0;
    if (height && t.expiration < height) {
        snprintf(why, len, "the ticket expired at height %llu",
                 (unsigned long long)t.expiration);
        e = CAIRN_ERR_TICKET_EXPIRED;
    } else if (sodium_memcmp(t.rand_hash.b, p->tk_rand_hash.b, 32)) {
        snprintf(why, len,
                 "the ticket names an old random number; ask "
                 "TICKET_PARAMS again");
        e = CAIRN_ERR_BAD_PROOF;
    }
    for (size_t i = 0; !e && i < p->tk_nseen; i++)
        if (!memcmp(p->tk_seen[i].b, id.b, 32)) {
            snprintf(why, len, "this ticket was used already");
            e = CAIRN_ERR_NONCE_USED;
        }
    int won = !e && cairn_ticket_wins(&t, p->tk_rand);
    if (!e) {
        p->tk_seen[p->tk_nseen++] = id;
        memcpy(rand, p->tk_rand, sizeof rand);
        if (won || p->tk_nseen == TICKETS_SEEN_MAX)
            new_rand(p); /* redeeming reveals it; or the list is full */
    }
    pthread_mutex_unlock(&p->mu);
    if (won) {
        if (store(p, &id, b, n, rand))
            cprov_log(p, "cannot store a winning ticket (%s): disk?",
                      strerror(errno));
        else
            cprov_log(p, "winning ticket stored: %llu base units",
                      (unsigned long long)t.face_value);
    }
    sodium_memzero(rand, sizeof rand);
    return e;
}

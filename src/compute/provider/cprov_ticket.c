/* The lottery tickets that pay for jobs (include/cairn/ticket.h;
 * docs/compute-provider.md, "Jobs"). The provider commits to a secret
 * random number (a new one at each start and after each win: redeeming a
 * winning ticket reveals it) and tells its hash with TICKET_RAND. A JOB
 * may carry a ticket naming the provider as recipient and that hash; the
 * provider checks the signature, the chain, the expiration (when it knows
 * the chain's height), that the ticket is new under this random number,
 * and its expected value against --job-price; a winning one is written
 * durably to DATA/tickets/<ticket id> (ticket bytes || random number);
 * with a node, the chain thread redeems it (TICKET_REDEEM) and moves the
 * file to DATA/tickets/sent/ (refused/ when the chain refuses it). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/amount.h"
#include "compute/provider/cprov_internal.h"
#include "net/node_rpc.h"

#define TICKETS_SEEN_MAX 65536 /* then the random number changes */
#define REDEEM_PER_ROUND 8     /* TICKET_REDEEM txs sent per round */

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

/* With a node: the sender's ticket funds on chain cover the face value.
 * 0, or FUNDS with why; a node that does not answer lets it pass (the
 * redemption is checked on chain anyway). */
static cairn_err funded(cprov *p, const cairn_ticket *t, char *why, size_t len)
{
    char addr[CAIRN_ADDR_TEXT_LEN + 1], path[160];
    snode_err ne;
    json_t *j = NULL;
    uint64_t dep = 0, res = 0;
    if (!p->cfg.node)
        return CAIRN_OK;
    cairn_addr_format(addr, &t->sender);
    snprintf(path, sizeof path, "/v1/compute/tickets/%s", addr);
    cairn_err e = snode_get(p->cfg.node, path, &j, &ne);
    if (e == CAIRN_ERR_NOT_FOUND) {
        snprintf(why, len,
                 "the ticket's sender has no ticket funds on chain "
                 "(ticket_fund)");
        return CAIRN_ERR_FUNDS;
    }
    if (e)
        return CAIRN_OK;
    const char *d = json_string_value(json_object_get(j, "deposit"));
    const char *r = json_string_value(json_object_get(j, "reserve"));
    int ok =
        d && r && !cairn_amount_parse(&dep, d) && !cairn_amount_parse(&res, r);
    json_decref(j);
    if (ok && (dep > UINT64_MAX - res || dep + res >= t->face_value))
        return CAIRN_OK;
    snprintf(why, len,
             "the ticket's sender holds %llu base units for tickets, less "
             "than its face value %llu",
             (unsigned long long)(dep + res),
             (unsigned long long)t->face_value);
    return ok ? CAIRN_ERR_FUNDS : CAIRN_OK;
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
    if (!e)
        e = funded(p, &t, why, len);
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

/* ---- redemption (the chain thread) ---- */

/* Moves DATA/tickets/NAME to DATA/tickets/SUB/NAME. */
static void file_away(cprov *p, const char *name, const char *sub)
{
    char dir[CPROV_PATH_MAX], from[CPROV_PATH_MAX + 80],
        to[CPROV_PATH_MAX + 100];
    snprintf(dir, sizeof dir, "%s/tickets/%s", p->cfg.data_dir, sub);
    if (mkdir(dir, 0700) && errno != EEXIST)
        return;
    snprintf(from, sizeof from, "%s/tickets/%s", p->cfg.data_dir, name);
    snprintf(to, sizeof to, "%s/%s", dir, name);
    if (rename(from, to))
        cprov_log(p, "cannot move ticket %s to %s: %s", name, sub,
                  strerror(errno));
}

/* Sends TICKET_REDEEM for one stored ticket: 1 when it is done with (sent,
 * or refused for good), 0 to try again next round. */
static int redeem_one(cprov *p, const char *name)
{
    char path[CPROV_PATH_MAX + 80], why[256] = "";
    uint8_t b[CAIRN_TICKET_MAX_BYTES + CAIRN_TICKET_RAND_LEN];
    cairn_ticket t;
    snprintf(path, sizeof path, "%s/tickets/%s", p->cfg.data_dir, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    ssize_t n = fd >= 0 ? read(fd, b, sizeof b) : -1;
    if (fd >= 0)
        close(fd);
    if (n <= CAIRN_TICKET_RAND_LEN ||
        cairn_ticket_decode(&t, b, (size_t)n - CAIRN_TICKET_RAND_LEN)) {
        cprov_log(p, "ticket file %s is unreadable; set aside", name);
        file_away(p, name, "refused");
        return 1;
    }
    cairn_buf body;
    cairn_buf_init(&body, sizeof b + 16);
    cairn_ticket_redeem_encode(&body, &t, b + n - CAIRN_TICKET_RAND_LEN);
    cairn_err e = cprov_send(p, CAIRN_TX_TICKET_REDEEM, &body, why, sizeof why);
    cairn_buf_free(&body);
    sodium_memzero(b, sizeof b);
    if (e == CAIRN_ERR_IO || e == CAIRN_ERR_TIMEOUT || e == CAIRN_ERR_NOMEM ||
        e == CAIRN_ERR_NOT_READY || e == CAIRN_ERR_BUSY ||
        e == CAIRN_ERR_NONCE_USED || e == CAIRN_ERR_NONCE_GAP)
        return 0; /* the node or the mempool: next round */
    if (e) {
        cprov_log(p, "ticket %s refused by the chain (%s): %s", name,
                  cairn_errname(e), why);
        file_away(p, name, "refused");
        return 1;
    }
    cprov_log(p, "ticket redeemed: %llu base units from its sender",
              (unsigned long long)t.face_value);
    file_away(p, name, "sent");
    return 1;
}

cairn_err cprov_redeem(cprov *p)
{
    char dir[CPROV_PATH_MAX];
    snprintf(dir, sizeof dir, "%s/tickets", p->cfg.data_dir);
    DIR *d = opendir(dir);
    struct dirent *de;
    int sent = 0;
    if (!d)
        return CAIRN_OK;
    while ((de = readdir(d)) && sent < REDEEM_PER_ROUND) {
        size_t len = strlen(de->d_name);
        if (len != 64 || strspn(de->d_name, "0123456789abcdef") != 64)
            continue; /* ".", "..", sent/, refused/, *.tmp */
        if (!redeem_one(p, de->d_name))
            break;
        sent++;
    }
    closedir(d);
    return CAIRN_OK;
}

/* The lottery tickets a provider takes as payment (provider/tickets.h). */
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
#include "core/log.h"
#include "net/node_rpc.h"
#include "cairn/compute.h"
#include "provider/tickets.h"

static void new_rand(pd_tickets *t) /* t->mu held or t not shared yet */
{
    randombytes_buf(t->rand, sizeof t->rand);
    cairn_ticket_rand_hash(&t->rand_hash, t->rand);
    t->nseen = 0;
    if (++t->gen == 0) { /* after 2^32 numbers: clear the slots for good */
        memset(t->seen, 0, PD_TICKETS_SLOTS * sizeof *t->seen);
        t->gen = 1;
    }
}

/* Adds id to the seen set: 1 when it was there already. The set holds at
 * most PD_TICKETS_SEEN_MAX ids in twice as many slots, so a probe ends. */
static int seen_add(pd_tickets *t, const cairn_hash *id)
{
    uint8_t h[crypto_shorthash_BYTES];
    uint64_t i;
    crypto_shorthash(h, id->b, 32, t->seen_key);
    memcpy(&i, h, sizeof i);
    for (i &= PD_TICKETS_SLOTS - 1;; i = (i + 1) & (PD_TICKETS_SLOTS - 1)) {
        pd_tk_seen *s = &t->seen[i];
        if (s->gen != t->gen) {
            memcpy(s->id, id->b, 32);
            s->gen = t->gen;
            t->nseen++;
            return 0;
        }
        if (!memcmp(s->id, id->b, 32))
            return 1;
    }
}

cairn_err pd_tickets_init(pd_tickets *t, const char *data_dir,
                          const cairn_pubkey *me, const char *node, FILE *log,
                          const char *who)
{
    memset(t, 0, sizeof *t);
    pthread_mutex_init(&t->mu, NULL);
    t->ready = 1;
    t->me = *me;
    t->node = node;
    t->log = log;
    t->who = who;
    if (snprintf(t->dir, sizeof t->dir, "%s/tickets", data_dir) >=
        (int)sizeof t->dir - 80)
        return CAIRN_ERR_BAD_ARG; /* room for /refused/<64 hex> */
    if (mkdir(t->dir, 0700) && errno != EEXIST)
        return CAIRN_ERR_IO;
    t->seen = calloc(PD_TICKETS_SLOTS, sizeof *t->seen); /* gen 0: free */
    t->funds = malloc(PD_TICKETS_FUNDS_MAX * sizeof *t->funds);
    if (!t->seen || !t->funds)
        return CAIRN_ERR_NOMEM;
    randombytes_buf(t->seen_key, sizeof t->seen_key);
    new_rand(t);
    return CAIRN_OK;
}

void pd_tickets_free(pd_tickets *t)
{
    if (!t->ready)
        return;
    t->ready = 0;
    sodium_memzero(t->rand, sizeof t->rand);
    free(t->seen);
    free(t->funds);
    t->seen = NULL;
    t->funds = NULL;
    pthread_mutex_destroy(&t->mu);
}

void pd_tickets_rand_hash(pd_tickets *t, uint8_t out[32])
{
    pthread_mutex_lock(&t->mu);
    memcpy(out, t->rand_hash.b, 32);
    pthread_mutex_unlock(&t->mu);
}

void pd_tickets_round(pd_tickets *t)
{
    pthread_mutex_lock(&t->mu);
    t->nfunds = 0;
    t->lookups = 0;
    pthread_mutex_unlock(&t->mu);
}

/* DATA/tickets/<id hex>: bytes || rand, written durably. */
static cairn_err store(pd_tickets *t, const cairn_hash *id, const uint8_t *b,
                       size_t n, const uint8_t *rand)
{
    char hex[65], path[PD_TICKETS_PATH_MAX + 80], tmp[PD_TICKETS_PATH_MAX + 90];
    cairn_hex_encode(hex, id->b, 32);
    snprintf(path, sizeof path, "%s/%s", t->dir, hex);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return CAIRN_ERR_IO;
    int ok = write(fd, b, n) == (ssize_t)n &&
             write(fd, rand, CAIRN_TICKET_RAND_LEN) == CAIRN_TICKET_RAND_LEN &&
             fsync(fd) == 0;
    ok = close(fd) == 0 && ok && rename(tmp, path) == 0;
    if (!ok) {
        unlink(tmp);
        return CAIRN_ERR_IO;
    }
    fd = open(t->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    return CAIRN_OK;
}

cairn_err pd_ticket_funds(const char *node, const cairn_pubkey *sender,
                          uint64_t *out)
{
    char addr[CAIRN_ADDR_TEXT_LEN + 1], path[160];
    snode_err ne;
    json_t *j = NULL;
    uint64_t dep = 0, res = 0;
    cairn_addr_format(addr, sender);
    snprintf(path, sizeof path, "/v1/compute/tickets/%s", addr);
    cairn_err e = snode_get(node, path, &j, &ne);
    *out = 0;
    if (e == CAIRN_ERR_NOT_FOUND)
        return CAIRN_OK;
    if (e)
        return e;
    const char *d = json_string_value(json_object_get(j, "deposit"));
    const char *r = json_string_value(json_object_get(j, "reserve"));
    int ok =
        d && r && !cairn_amount_parse(&dep, d) && !cairn_amount_parse(&res, r);
    json_decref(j);
    if (!ok)
        return CAIRN_ERR_BAD_MSG;
    *out = dep > UINT64_MAX - res ? UINT64_MAX : dep + res;
    return CAIRN_OK;
}

/* With a node: the sender's ticket funds on chain cover the face value.
 * 0, or FUNDS with why; a node that does not answer lets it pass (the
 * redemption is checked on chain anyway). */
static cairn_err funded(pd_tickets *t, const cairn_ticket *k, char *why,
                        size_t len)
{
    uint64_t funds = 0;
    int known = 0, may_ask;
    if (!t->node)
        return CAIRN_OK;
    pthread_mutex_lock(&t->mu);
    for (size_t i = 0; i < t->nfunds && !known; i++)
        if (!memcmp(t->funds[i].sender.b, k->sender.b, 32)) {
            funds = t->funds[i].funds;
            known = 1;
        }
    may_ask = !known && t->lookups < PD_TICKETS_LOOKUPS;
    t->lookups += (unsigned)may_ask;
    pthread_mutex_unlock(&t->mu);
    if (!known && !may_ask) {
        snprintf(why, len,
                 "the provider checks a bounded number of new ticket senders "
                 "per round; try again in a few seconds");
        return CAIRN_ERR_BUSY;
    }
    if (!known) {
        if (pd_ticket_funds(t->node, &k->sender, &funds))
            return CAIRN_OK;
        pthread_mutex_lock(&t->mu);
        if (t->nfunds == PD_TICKETS_FUNDS_MAX)
            t->nfunds = 0;
        t->funds[t->nfunds].sender = k->sender;
        t->funds[t->nfunds++].funds = funds;
        pthread_mutex_unlock(&t->mu);
    }
    if (funds >= k->face_value)
        return CAIRN_OK;
    if (funds == 0)
        snprintf(why, len,
                 "the ticket's sender has no ticket funds on chain; fund them "
                 "with cairn tickets fund TOKENS --key FILE");
    else
        snprintf(why, len,
                 "the ticket's sender holds %llu base units for tickets, less "
                 "than its face value %llu; add some with cairn tickets fund",
                 (unsigned long long)funds, (unsigned long long)k->face_value);
    return CAIRN_ERR_FUNDS;
}

/* The checks that need no lock: 0, or an error with why. */
static cairn_err check(pd_tickets *t, const cairn_ticket *k,
                       const char *chain_id, uint64_t min_ev, char *why,
                       size_t len)
{
    cairn_err e = cairn_ticket_verify(k, chain_id);
    if (e == CAIRN_ERR_CHAIN_ID)
        snprintf(why, len, "the ticket is for chain %s, this provider's is %s",
                 k->chain_id, chain_id);
    else if (e)
        snprintf(why, len, "the ticket's signature is not its sender's");
    else if (sodium_memcmp(k->recipient.b, t->me.b, 32)) {
        snprintf(why, len, "the ticket pays another recipient");
        e = CAIRN_ERR_BAD_ARG;
    } else if (cairn_ticket_ev(k) < min_ev) {
        snprintf(why, len,
                 "the ticket is worth %llu base units on average; this "
                 "costs %llu",
                 (unsigned long long)cairn_ticket_ev(k),
                 (unsigned long long)min_ev);
        e = CAIRN_ERR_FUNDS;
    }
    return e;
}

/* Under t->mu: the checks against the current number and the seen set;
 * takes the ticket when they pass (*won: it wins; rand: its number). */
static cairn_err take_locked(pd_tickets *t, const cairn_ticket *k,
                             const cairn_hash *id, uint64_t height, int *won,
                             uint8_t *rand, char *why, size_t len)
{
    *won = 0;
    if (height && k->expiration < height) {
        snprintf(why, len, "the ticket expired at height %llu",
                 (unsigned long long)k->expiration);
        return CAIRN_ERR_TICKET_EXPIRED;
    }
    if (sodium_memcmp(k->rand_hash.b, t->rand_hash.b, 32)) {
        snprintf(why, len,
                 "the ticket names an old random number; ask for the "
                 "provider's rand hash again");
        return CAIRN_ERR_BAD_PROOF;
    }
    if (seen_add(t, id)) {
        snprintf(why, len, "this ticket was used already");
        return CAIRN_ERR_NONCE_USED;
    }
    *won = cairn_ticket_wins(k, t->rand);
    t->taken++;
    memcpy(rand, t->rand, CAIRN_TICKET_RAND_LEN);
    if (*won || t->nseen == PD_TICKETS_SEEN_MAX)
        new_rand(t); /* redeeming reveals it; or the list is full */
    t->won += (uint64_t)*won;
    return CAIRN_OK;
}

cairn_err pd_tickets_take(pd_tickets *t, const char *chain_id, uint64_t height,
                          uint64_t min_ev, const uint8_t *b, size_t n,
                          char *why, size_t len)
{
    cairn_ticket k;
    cairn_hash id;
    uint8_t rand[CAIRN_TICKET_RAND_LEN];
    int won = 0;
    if (cairn_ticket_decode(&k, b, n)) {
        snprintf(why, len, "the ticket is malformed");
        return CAIRN_ERR_BAD_ARG;
    }
    cairn_err e = check(t, &k, chain_id, min_ev, why, len);
    if (!e)
        e = funded(t, &k, why, len);
    if (e)
        return e;
    cairn_ticket_id(&id, &k);
    pthread_mutex_lock(&t->mu);
    e = take_locked(t, &k, &id, height, &won, rand, why, len);
    pthread_mutex_unlock(&t->mu);
    if (won) {
        if (store(t, &id, b, n, rand))
            log_line(t->log, t->who,
                     "cannot store a winning ticket (%s): disk?",
                     strerror(errno));
        else
            log_line(t->log, t->who, "winning ticket stored: %llu base units",
                     (unsigned long long)k.face_value);
    }
    sodium_memzero(rand, sizeof rand);
    return e;
}

/* ---- redemption (the chain thread) ---- */

/* Moves DATA/tickets/NAME to DATA/tickets/SUB/NAME. */
static void file_away(pd_tickets *t, const char *name, const char *sub)
{
    char dir[PD_TICKETS_PATH_MAX + 16], from[PD_TICKETS_PATH_MAX + 80],
        to[PD_TICKETS_PATH_MAX + 100];
    snprintf(dir, sizeof dir, "%s/%s", t->dir, sub);
    if (mkdir(dir, 0700) && errno != EEXIST)
        return;
    snprintf(from, sizeof from, "%s/%s", t->dir, name);
    snprintf(to, sizeof to, "%s/%s", dir, name);
    if (rename(from, to))
        log_line(t->log, t->who, "cannot move ticket %s to %s: %s", name, sub,
                 strerror(errno));
}

/* Sends TICKET_REDEEM for one stored ticket: 1 when it is done with (sent,
 * or refused for good), 0 to try again next round. */
static int redeem_one(pd_tickets *t, const char *name, pd_tk_send send,
                      void *arg)
{
    char path[PD_TICKETS_PATH_MAX + 80], why[256] = "";
    uint8_t b[CAIRN_TICKET_MAX_BYTES + CAIRN_TICKET_RAND_LEN];
    cairn_ticket k;
    snprintf(path, sizeof path, "%s/%s", t->dir, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    ssize_t n = fd >= 0 ? read(fd, b, sizeof b) : -1;
    if (fd >= 0)
        close(fd);
    if (n <= CAIRN_TICKET_RAND_LEN ||
        cairn_ticket_decode(&k, b, (size_t)n - CAIRN_TICKET_RAND_LEN)) {
        log_line(t->log, t->who, "ticket file %s is unreadable; set aside",
                 name);
        file_away(t, name, "refused");
        return 1;
    }
    cairn_buf body;
    cairn_buf_init(&body, sizeof b + 16);
    cairn_ticket_redeem_encode(&body, &k, b + n - CAIRN_TICKET_RAND_LEN);
    cairn_err e = send(arg, CAIRN_TX_TICKET_REDEEM, &body, why, sizeof why);
    cairn_buf_free(&body);
    sodium_memzero(b, sizeof b);
    if (e == CAIRN_ERR_IO || e == CAIRN_ERR_TIMEOUT || e == CAIRN_ERR_NOMEM ||
        e == CAIRN_ERR_NOT_READY || e == CAIRN_ERR_BUSY ||
        e == CAIRN_ERR_NONCE_USED || e == CAIRN_ERR_NONCE_GAP)
        return 0; /* the node or the mempool: next round */
    if (e) {
        log_line(t->log, t->who, "ticket %s refused by the chain (%s): %s",
                 name, cairn_errname(e), why);
        file_away(t, name, "refused");
        return 1;
    }
    log_line(t->log, t->who, "ticket redeemed: %llu base units from its sender",
             (unsigned long long)k.face_value);
    file_away(t, name, "sent");
    return 1;
}

int pd_tickets_redeem(pd_tickets *t, pd_tk_send send, void *arg)
{
    DIR *d = opendir(t->dir);
    struct dirent *de;
    int sent = 0;
    if (!d)
        return 0;
    while ((de = readdir(d)) && sent < PD_TICKETS_REDEEM_PER_CALL) {
        size_t len = strlen(de->d_name);
        if (len != 64 || strspn(de->d_name, "0123456789abcdef") != 64)
            continue; /* ".", "..", sent/, refused/, *.tmp */
        if (!redeem_one(t, de->d_name, send, arg))
            break;
        sent++;
    }
    closedir(d);
    return sent;
}

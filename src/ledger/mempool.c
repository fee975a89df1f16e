/* Mempool: per-sender nonce-ordered queues, senders served FIFO. */
#include "cairn/mempool.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

typedef struct sender {
    cairn_pubkey pk;
    uint64_t base;     /* nonce of q[head] */
    cairn_mp_entry *q; /* pending entries are q[head..len) */
    uint32_t head, len, cap;
    struct sender *prev, *next; /* FIFO of senders */
} sender;

static sender tombstone;

struct cairn_mempool {
    sender **slots;       /* open addressing with tombstones */
    size_t nslots, nused; /* nused counts live senders and tombstones */
    sender *first, *last;
    size_t count, bytes;
    uint32_t max_txs;
    uint64_t max_bytes;
    uint8_t hkey[crypto_shorthash_KEYBYTES]; /* keyed: no chosen collisions */
};

cairn_mempool *cairn_mempool_new(uint32_t max_txs, uint64_t max_bytes)
{
    cairn_mempool *mp = calloc(1, sizeof *mp);
    if (!mp)
        return NULL;
    mp->nslots = 1024;
    while (mp->nslots < (size_t)max_txs * 4)
        mp->nslots *= 2;
    if (!(mp->slots = calloc(mp->nslots, sizeof *mp->slots))) {
        free(mp);
        return NULL;
    }
    mp->max_txs = max_txs;
    mp->max_bytes = max_bytes;
    crypto_shorthash_keygen(mp->hkey);
    return mp;
}

void cairn_mp_entry_free(cairn_mp_entry *e)
{
    free(e->bytes);
    e->bytes = NULL;
}

static void sender_free(sender *s)
{
    for (uint32_t i = s->head; i < s->len; i++)
        cairn_mp_entry_free(&s->q[i]);
    free(s->q);
    free(s);
}

void cairn_mempool_free(cairn_mempool *mp)
{
    if (!mp)
        return;
    for (sender *s = mp->first, *n; s; s = n) {
        n = s->next;
        sender_free(s);
    }
    free(mp->slots);
    free(mp);
}

static size_t home(const cairn_mempool *mp, const cairn_pubkey *pk)
{
    uint8_t h[8];
    uint64_t i;
    crypto_shorthash(h, pk->b, 32, mp->hkey);
    memcpy(&i, h, 8);
    return (size_t)i & (mp->nslots - 1);
}

/* Index of pk's slot, or of the first free slot on its probe path
 * (*found says which). */
static size_t probe(const cairn_mempool *mp, const cairn_pubkey *pk, int *found)
{
    size_t i = home(mp, pk), free_at = (size_t)-1;
    for (;; i = (i + 1) & (mp->nslots - 1)) {
        sender *s = mp->slots[i];
        if (!s) {
            *found = 0;
            return free_at != (size_t)-1 ? free_at : i;
        }
        if (s == &tombstone) {
            if (free_at == (size_t)-1)
                free_at = i;
        } else if (memcmp(s->pk.b, pk->b, 32) == 0) {
            *found = 1;
            return i;
        }
    }
}

/* Rebuilds the table without tombstones (table is never full: live senders
 * are at most max_txs, a quarter of the slots). */
static void rehash(cairn_mempool *mp)
{
    memset(mp->slots, 0, mp->nslots * sizeof *mp->slots);
    mp->nused = 0;
    for (sender *s = mp->first; s; s = s->next) {
        int found;
        mp->slots[probe(mp, &s->pk, &found)] = s;
        mp->nused++;
    }
}

static sender *find(const cairn_mempool *mp, const cairn_pubkey *pk)
{
    int found;
    size_t i = probe(mp, pk, &found);
    return found ? mp->slots[i] : NULL;
}

uint32_t cairn_mempool_pending(const cairn_mempool *mp, const cairn_pubkey *pk)
{
    sender *s = find(mp, pk);
    return s ? s->len - s->head : 0;
}

size_t cairn_mempool_count(const cairn_mempool *mp)
{
    return mp->count;
}

static void unlink_sender(cairn_mempool *mp, sender *s)
{
    int found;
    size_t i = probe(mp, &s->pk, &found);
    if (found)
        mp->slots[i] = &tombstone;
    if (s->prev)
        s->prev->next = s->next;
    else
        mp->first = s->next;
    if (s->next)
        s->next->prev = s->prev;
    else
        mp->last = s->prev;
}

static sender *add_sender(cairn_mempool *mp, const cairn_pubkey *pk,
                          uint64_t base, int front)
{
    int found;
    if (mp->nused + 1 > mp->nslots / 2)
        rehash(mp);
    sender *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->pk = *pk;
    s->base = base;
    size_t i = probe(mp, pk, &found);
    if (!mp->slots[i])
        mp->nused++;
    mp->slots[i] = s;
    if (front) {
        s->next = mp->first;
        if (mp->first)
            mp->first->prev = s;
        mp->first = s;
        if (!mp->last)
            mp->last = s;
    } else {
        s->prev = mp->last;
        if (mp->last)
            mp->last->next = s;
        mp->last = s;
        if (!mp->first)
            mp->first = s;
    }
    return s;
}

static cairn_err push(sender *s, cairn_mp_entry *e)
{
    if (s->len == s->cap) {
        if (s->head > 0) { /* slide down before growing */
            memmove(s->q, s->q + s->head, (s->len - s->head) * sizeof *s->q);
            s->len -= s->head;
            s->head = 0;
        }
        if (s->len == s->cap) {
            uint32_t cap = s->cap ? s->cap * 2 : 4;
            cairn_mp_entry *q = realloc(s->q, cap * sizeof *q);
            if (!q)
                return CAIRN_ERR_NOMEM;
            s->q = q;
            s->cap = cap;
        }
    }
    s->q[s->len++] = *e;
    return CAIRN_OK;
}

/* Nonce checks against committed state and pending entries. */
static cairn_err check_nonce(const sender *s, uint64_t nonce,
                             uint64_t committed)
{
    uint64_t next = s ? s->base + (s->len - s->head) : committed;
    if (nonce < committed)
        return CAIRN_ERR_NONCE_USED;
    if (nonce < next)
        return CAIRN_ERR_DUPLICATE;
    if (nonce > next)
        return CAIRN_ERR_NONCE_GAP;
    if (s && s->len - s->head >= CAIRN_MEMPOOL_PER_SENDER)
        return CAIRN_ERR_MEMPOOL_FULL;
    return CAIRN_OK;
}

cairn_err cairn_mempool_add(cairn_mempool *mp, const uint8_t *bytes, size_t n,
                            const cairn_tx *tx, const cairn_hash *hash,
                            uint64_t committed_nonce)
{
    sender *s = find(mp, &tx->sender);
    if (s && s->base < committed_nonce) /* stale queue: cannot happen when
                                           callers pop before committing */
        return CAIRN_ERR_NONCE_USED;
    cairn_err e = check_nonce(s, tx->nonce, committed_nonce);
    if (e)
        return e;
    if (mp->count >= mp->max_txs || mp->bytes + n > mp->max_bytes)
        return CAIRN_ERR_MEMPOOL_FULL;
    cairn_mp_entry ent = {.n = (uint32_t)n, .hash = *hash, .tx = *tx};
    if (!(ent.bytes = malloc(n)))
        return CAIRN_ERR_NOMEM;
    memcpy(ent.bytes, bytes, n);
    ent.tx.body = ent.bytes + (tx->body - bytes);
    if ((!s && !(s = add_sender(mp, &tx->sender, tx->nonce, 0))) ||
        push(s, &ent)) {
        free(ent.bytes);
        return CAIRN_ERR_NOMEM;
    }
    mp->count++;
    mp->bytes += n;
    return CAIRN_OK;
}

static void remove_sender(cairn_mempool *mp, sender *s)
{
    unlink_sender(mp, s);
    sender_free(s);
}

size_t cairn_mempool_pop(cairn_mempool *mp, cairn_mp_entry *out, size_t max)
{
    size_t k = 0;
    while (k < max && mp->first) {
        sender *s = mp->first;
        while (k < max && s->head < s->len) {
            out[k] = s->q[s->head++];
            mp->count--;
            mp->bytes -= out[k].n;
            s->base++;
            k++;
        }
        if (s->head == s->len)
            remove_sender(mp, s);
    }
    return k;
}

void cairn_mempool_unpop(cairn_mempool *mp, cairn_mp_entry *e, size_t n)
{
    /* walk backwards so each sender's entries end up in order at the front */
    for (size_t i = n; i-- > 0;) {
        sender *s = find(mp, &e[i].tx.sender);
        if (!s &&
            !(s = add_sender(mp, &e[i].tx.sender, e[i].tx.nonce + 1, 1))) {
            cairn_mp_entry_free(&e[i]);
            continue;
        }
        if (s->head == 0) { /* make room at the front */
            if (push(s, &e[i])) {
                cairn_mp_entry_free(&e[i]);
                continue;
            }
            s->len--;
            memmove(s->q + 1, s->q, s->len * sizeof *s->q);
            s->len++;
        } else {
            s->head--;
        }
        s->q[s->head] = e[i];
        s->base = e[i].tx.nonce;
        mp->count++;
        mp->bytes += e[i].n;
    }
}

size_t cairn_mempool_prune(cairn_mempool *mp, const cairn_pubkey *pk,
                           uint64_t committed_nonce)
{
    sender *s = find(mp, pk);
    size_t k = 0;
    while (s && s->head < s->len && s->base < committed_nonce) {
        mp->count--;
        mp->bytes -= s->q[s->head].n;
        cairn_mp_entry_free(&s->q[s->head++]);
        s->base++;
        k++;
    }
    if (s && s->head == s->len)
        remove_sender(mp, s);
    return k;
}

size_t cairn_mempool_drop_sender(cairn_mempool *mp, const cairn_pubkey *pk,
                                 cairn_hash *out, size_t max)
{
    sender *s = find(mp, pk);
    size_t k = 0;
    if (!s)
        return 0;
    for (uint32_t i = s->head; i < s->len; i++) {
        if (out && k < max)
            out[k] = s->q[i].hash;
        k++;
        mp->count--;
        mp->bytes -= s->q[i].n;
    }
    remove_sender(mp, s);
    return out && k > max ? max : k;
}

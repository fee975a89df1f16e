/* Fetching the pieces of a segment (client/fetch.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/client/fetch.h"
#include "storage/client/par.h"

/* The tickets' terms from the node: 1 when the links can pay. */
static int payer(cfetch *f)
{
    snode_ctx ctx;
    snode_err ne;
    if (!f->c->node || snode_status(f->c->node, &ctx, &ne))
        return 0;
    snprintf(f->pay.chain_id, sizeof f->pay.chain_id, "%s", ctx.chain_id);
    f->pay.min_fee = ctx.min_fee;
    f->pay.expires = ctx.height > UINT64_MAX - CLINK_TICKET_BLOCKS
                         ? UINT64_MAX
                         : ctx.height + CLINK_TICKET_BLOCKS;
    return 1;
}

cairn_err cfetch_init(cfetch *f, sclient *c, const cmeta_piece *pieces,
                      size_t n)
{
    memset(f, 0, sizeof *f);
    f->c = c;
    f->pieces = pieces;
    f->npieces = n;
    f->links = calloc(n ? n : 1, sizeof *f->links);
    f->link_of = calloc(n ? n : 1, sizeof *f->link_of);
    if (!f->links || !f->link_of) {
        cfetch_free(f);
        return sclient_fail(c, CAIRN_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        size_t l = 0;
        while (l < f->nlinks &&
               memcmp(f->links[l].provider.b, pieces[i].provider.b, 32))
            l++;
        if (l == f->nlinks) {
            char ep[CAIRN_ENDPOINT_MAX + 1];
            sclient_endpoint(c, &pieces[i].provider, pieces[i].endpoint, ep);
            clink_init(&f->links[f->nlinks++], &pieces[i].provider, ep,
                       &c->key);
        }
        f->link_of[i] = (int)l;
    }
    if (n && payer(f))
        for (size_t l = 0; l < f->nlinks; l++)
            clink_set_payer(&f->links[l], &f->pay);
    return CAIRN_OK;
}

uint64_t cfetch_paid(const cfetch *f)
{
    uint64_t sum = 0;
    for (size_t l = 0; l < f->nlinks; l++)
        sum += f->links[l].paid;
    return sum;
}

void cfetch_free(cfetch *f)
{
    for (size_t i = 0; f->links && i < f->nlinks; i++)
        clink_close(&f->links[i]);
    free(f->links);
    free(f->link_of);
    f->links = NULL;
    f->link_of = NULL;
}

void cfetch_release(cairn_piece_in *in, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((void *)in[i].bytes);
        in[i].bytes = NULL;
    }
}

/* One round of fetches, in parallel: want[i] is a piece number. */
typedef struct round_ctx {
    cfetch *f;
    const size_t *want;
    uint8_t **bytes;
    cairn_err *err;
} round_ctx;

static void fetch_one(void *arg, size_t i)
{
    round_ctx *r = arg;
    const cmeta_piece *p = &r->f->pieces[r->want[i]];
    clink *l = &r->f->links[r->f->link_of[r->want[i]]];
    r->err[i] = clink_fetch(l, &p->root, p->size, &r->bytes[i]);
}

/* Runs fetches of want[0..n) and moves the good ones into in[]. */
static void run_round(cfetch *f, const size_t *want, size_t n,
                      cairn_piece_in *in, size_t *got, char *fails, size_t flen)
{
    uint8_t *bytes[CAIRN_RS_MAX_N] = {0};
    cairn_err err[CAIRN_RS_MAX_N];
    round_ctx r = {f, want, bytes, err};
    cpar_run(n, fetch_one, &r);
    for (size_t i = 0; i < n; i++) {
        const cmeta_piece *p = &f->pieces[want[i]];
        if (!err[i]) {
            in[*got].index = p->idx;
            in[(*got)++].bytes = bytes[i];
            continue;
        }
        const clink *l = &f->links[f->link_of[want[i]]];
        f->unpaid += err[i] == CAIRN_ERR_PAYMENT_REQUIRED;
        size_t used = strlen(fails);
        snprintf(fails + used, flen - used, "%spiece %u: %s", used ? "; " : "",
                 p->idx, l->why);
        if (f->c->log)
            fprintf(f->c->log, "cairn: segment %u piece %u skipped: %s\n",
                    p->seg, p->idx, l->why);
    }
}

cairn_err cfetch_segment(cfetch *f, uint32_t seg, uint32_t k, const int *skip,
                         cairn_piece_in *in, size_t *got)
{
    size_t cand[CAIRN_RS_MAX_N], ncand = 0, next = 0;
    char fails[SCLIENT_WHY_MAX] = "";
    int unpaid = f->unpaid;
    *got = 0;
    for (size_t i = 0; i < f->npieces && ncand < CAIRN_RS_MAX_N; i++)
        if (f->pieces[i].seg == seg && !(skip && skip[i]))
            cand[ncand++] = i; /* in index order: data pieces first */
    while (*got < k && next < ncand) {
        size_t want = k - *got;
        if (want > ncand - next)
            want = ncand - next;
        run_round(f, cand + next, want, in, got, fails, sizeof fails);
        next += want;
    }
    if (*got >= k)
        return CAIRN_OK;
    cfetch_release(in, *got);
    *got = 0;
    if (f->unpaid > unpaid)
        return sclient_fail(
            f->c, CAIRN_ERR_PAYMENT_REQUIRED,
            "segment %u: fewer than k = %u pieces could be had: providers "
            "want payment for reads; fund tickets with `cairn tickets fund "
            "TOKENS --key FILE` (%s)",
            seg, k, *fails ? fails : "no pieces recorded");
    return sclient_fail(
        f->c, CAIRN_ERR_FEW_PIECES,
        "segment %u: fewer than k = %u good pieces could be fetched (%s)", seg,
        k, *fails ? fails : "no pieces recorded");
}

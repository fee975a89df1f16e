/* `cairn put`: encode a file, store piece i of every segment with provider
 * i (a spare provider takes over a slot whose provider refuses or fails),
 * record it, and open one deal per piece. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cairn/amount.h"
#include "cairn/piecestore.h"
#include "storage/client/names.h"
#include "storage/client/putseg.h"
#include "storage/client/tag.h"

typedef struct put_state {
    sclient *c;
    const sclient_put_opts *o;
    schain ch;
    cmeta_file f;
    cput d;                /* the data path (client/putseg.h) */
    char *record;          /* the name record's JSON (malloc'd) */
    const char *full_name; /* the name, not cut to CMETA_NAME_MAX */
} put_state;

static void put_free(put_state *s)
{
    cput_free(&s->d);
    cpick_free(s->d.peers, s->d.npeers);
    free(s->record);
}

/* The name record of the file: meta_json's members, "name" (in full) and
 * "created" (these two win), checked to fit before anything is uploaded. */
static cairn_err name_record(put_state *s)
{
    json_error_t je;
    uint8_t plain[SNAMES_PLAIN_MAX];
    size_t n;
    json_t *o =
        s->o->meta_json ? json_loads(s->o->meta_json, 0, &je) : json_object();
    if (!o || !json_is_object(o)) {
        json_decref(o);
        return sclient_fail(s->c, CAIRN_ERR_BAD_ARG,
                            "the file's metadata must be a JSON object");
    }
    json_t *name = json_string(s->full_name);
    if (!name) {
        json_decref(o);
        return sclient_fail(s->c, CAIRN_ERR_BAD_ARG,
                            "the file's name is not valid UTF-8: give "
                            "--name NAME");
    }
    json_object_set_new(o, "name", name);
    json_object_set_new(o, "created", json_integer((json_int_t)s->f.created));
    s->record = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!s->record)
        return sclient_fail(s->c, CAIRN_ERR_NOMEM, "out of memory");
    cairn_err e = snames_plain(plain, &n, s->record);
    if (e == CAIRN_ERR_TOO_LARGE)
        return sclient_fail(s->c, e,
                            "the file's name and metadata take %zu bytes of "
                            "JSON; at most %d fit in its name record on chain",
                            strlen(s->record), SNAMES_PLAIN_MAX);
    return e ? sclient_fail(s->c, e, "cannot make the file's name record")
             : CAIRN_OK;
}

/* Writes the name record; a failure is a warning (the file is stored). */
static void put_name(put_state *s)
{
    char why[SCLIENT_WHY_MAX];
    cairn_err e = sclient_name_set(s->c, s->f.id, s->record);
    sclient_cost *cost = s->o->cost;
    if (s->o->named)
        *s->o->named = e == CAIRN_OK;
    if (!e && cost &&
        (cairn_add(&cost->fees, cost->fees, s->ch.ctx.min_fee) ||
         cairn_add(&cost->total, cost->total, s->ch.ctx.min_fee)))
        cost->fees = cost->total = UINT64_MAX; /* cannot be: it was paid */
    if (!e)
        return;
    snprintf(why, sizeof why, "%s", s->c->why);
    sclient_fail(s->c, e,
                 "the file is stored, but its name is not on chain (%s); "
                 "`cairn ls --from-chain` would call it recovered-<id>",
                 why);
    if (s->c->log)
        fprintf(s->c->log, "cairn: warning: %s\n", s->c->why);
}

/* Bytes one provider stores for the whole file (piece i of each segment). */
static uint64_t per_provider(const cairn_file_info *fi, uint64_t segments)
{
    cairn_segment_sizes sz;
    if (cairn_layout_sizes(fi, 0, &sz))
        return 0;
    return segments * cairn_piecestore_cost(sz.piece);
}

/* Chooses the providers and sets up the data path. */
static cairn_err prepare(put_state *s, int fd)
{
    sclient *c = s->c;
    uint32_t n = s->o->p.n;
    snode_err ne;
    cput *d = &s->d;
    cpick_stats st;
    char why[SCLIENT_WHY_MAX] = "";
    uint64_t need = per_provider(&s->f.fi, cairn_layout_segments(&s->f.fi));
    cpick_want w = {.need = need,
                    .max_price = s->o->max_price,
                    .permanent = s->o->permanent};
    cairn_err e = cpick(c, &s->ch, &w, &d->peers, &d->npeers, &st);
    if (e)
        return e;
    if (d->npeers < n) {
        cpick_explain(&st, s->o->permanent, why, sizeof why);
        return sclient_fail(
            c, CAIRN_ERR_FEW_PROVIDERS,
            "%zu of %zu storage provider(s) can take the pieces; %u are "
            "needed (n = %u)%s; lower --n or wait for more providers",
            d->npeers, st.listed, n, n, why);
    }
    if ((e = snode_next_nonce(c->node, &c->key.pk, &d->nonce, &ne)))
        return sclient_fail(c, e, "cannot read the account's nonce: %s",
                            ne.msg);
    d->c = c;
    d->f = &s->f;
    d->ch = &s->ch;
    d->path = s->o->path;
    d->fd = fd;
    d->start = sclient_start_epoch(&s->ch);
    return cput_init(d);
}

/* The piece records of the jobs that were stored. */
static cairn_err record(put_state *s)
{
    size_t total = s->d.segments * s->o->p.n, k = 0;
    cmeta_piece *p = calloc(total, sizeof *p);
    if (!p)
        return sclient_fail(s->c, CAIRN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < total; i++) {
        const cjob *j = &s->d.jobs[i];
        if (j->state != CJOB_SIGNED && j->state != CJOB_OPEN)
            continue;
        p[k].seg = j->m.terms.segment;
        p[k].idx = j->m.terms.piece_index;
        p[k].provider = j->link->provider;
        p[k].root = j->m.root;
        p[k].size = j->m.size;
        p[k].deal = j->state == CJOB_OPEN ? j->deal : 0;
        snprintf(p[k].endpoint, sizeof p[k].endpoint, "%s", j->link->endpoint);
        k++;
    }
    cairn_err e = cmeta_put(s->c->meta, &s->f, p, k);
    free(p);
    return e ? sclient_fail(s->c, e, "cannot write the client's store: %s",
                            cairn_strerror(e))
             : CAIRN_OK;
}

/* What the deals that opened cost: each term deal's price x epochs, or a
 * permanent deal's price (its endowment), and one minimum fee each. */
static void put_cost(const put_state *s, size_t total, sclient_cost *cost)
{
    memset(cost, 0, sizeof *cost);
    for (size_t i = 0; i < total; i++) {
        const cairn_deal_terms *t = &s->d.jobs[i].m.terms;
        uint64_t one = t->price;
        if (s->d.jobs[i].state != CJOB_OPEN)
            continue;
        if (!(t->flags & CAIRN_DEAL_PERMANENT) &&
            cairn_mul(&one, t->price, t->epochs))
            one = UINT64_MAX; /* cannot be: the chain took it */
        cost->deals++;
        if (cairn_add(&cost->escrow, cost->escrow, one))
            cost->escrow = UINT64_MAX;
    }
    if (cairn_mul(&cost->fees, cost->deals, s->ch.ctx.min_fee))
        cost->fees = UINT64_MAX;
    if (cairn_add(&cost->total, cost->escrow, cost->fees))
        cost->total = UINT64_MAX;
}

/* Opens the deals and records their ids; warns of pieces left out. */
static cairn_err open_deals(put_state *s)
{
    size_t total = s->d.segments * s->o->p.n, open = 0;
    uint64_t last = 0;
    cairn_err e = cjobs_submit(s->c, s->d.jobs, total);
    if (e == CAIRN_ERR_HTTP)
        return e;
    for (size_t i = 0; i < total; i++) {
        open += s->d.jobs[i].state == CJOB_OPEN;
        if (s->d.jobs[i].deal > last)
            last = s->d.jobs[i].deal;
    }
    if (s->o->cost)
        put_cost(s, total, s->o->cost);
    cairn_err r = record(s);
    if (!r && last)
        r = cmeta_set_last_deal(s->c->meta, last);
    if (r)
        return r;
    if (open < total && s->c->log)
        fprintf(s->c->log,
                "cairn: warning: %zu of %zu pieces have no deal (%s); "
                "`cairn repair` places them again\n",
                total - open, total, s->c->why);
    return open ? CAIRN_OK : e;
}

/* Fills the file record. */
static void file_record(put_state *s, const uint8_t id[CMETA_ID_LEN])
{
    const char *name = s->o->name ? s->o->name : strrchr(s->o->path, '/');
    name = name ? (name == s->o->name ? name : name + 1) : s->o->path;
    memcpy(s->f.id, id, CMETA_ID_LEN);
    s->f.created = (uint64_t)time(NULL);
    s->f.permanent = (uint8_t)(s->o->permanent != 0);
    s->f.epochs = s->o->permanent ? 0 : s->o->epochs;
    snames_name_copy(s->f.name, sizeof s->f.name, name);
    s->full_name = name;
}

cairn_err sclient_put(sclient *c, const sclient_put_opts *o, cmeta_file *out)
{
    put_state s = {.c = c, .o = o};
    uint8_t id[CMETA_ID_LEN];
    struct stat st;
    cprog bar;
    int fd = open(o->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return sclient_fail(c, CAIRN_ERR_IO, "cannot read %s (a regular file)",
                            o->path);
    }
    cairn_err e =
        ctag_new(&s.f.fi, &s.f.tag, id, &o->p, (uint64_t)st.st_size, c->secret);
    if (e)
        sclient_fail(
            c, e,
            "k, n and segment size out of bounds (1 <= k < n <= 255, segment "
            "1 KiB..32 MiB in whole KiB)");
    file_record(&s, id);
    if (o->named)
        *o->named = 0;
    if (!e)
        e = name_record(&s);
    if (!e && !(e = sclient_chain(c, &s.ch)))
        e = prepare(&s, fd);
    cprog_start(&bar, !e && c->progress ? c->log : NULL, "put",
                (uint64_t)st.st_size);
    if (!e)
        e = cput_run(&s.d, &bar);
    cprog_end(&bar);
    close(fd);
    if (!e && !(e = record(&s)))
        e = open_deals(&s);
    if (!e)
        put_name(&s);
    if (!e)
        *out = s.f;
    put_free(&s);
    return e;
}

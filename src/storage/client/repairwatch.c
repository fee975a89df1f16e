/* The repair checker (client/repairwatch.h). */
#include "storage/client/repairwatch.h"

#include <stdlib.h>
#include <string.h>

#include "storage/client/health.h"

uint32_t srepair_default_min(uint32_t k, uint32_t n)
{
    return n > k ? k + (n - k + 1) / 2 : n;
}

cairn_err srepair_weakest(sclient *c, const char *id, uint32_t *alive)
{
    cmeta_file f;
    cmeta_piece *pieces = NULL;
    chealth *h = NULL;
    size_t n = 0;
    cairn_err e = cfile_load(c, id, &f, &pieces, &n);
    if (!e)
        e = chealth_read(c, pieces, n, &h);
    if (e) {
        free(pieces);
        return e;
    }
    uint64_t segs = cairn_layout_segments(&f.fi);
    uint32_t *count = calloc(segs, sizeof *count);
    if (!count) {
        free(h);
        free(pieces);
        return sclient_fail(c, CAIRN_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        if (h[i].alive && pieces[i].seg < segs)
            count[pieces[i].seg]++;
    uint32_t min = UINT32_MAX;
    for (uint64_t s = 0; s < segs; s++)
        min = count[s] < min ? count[s] : min;
    *alive = min;
    free(count);
    free(h);
    free(pieces);
    return CAIRN_OK;
}

/* Checks one file and repairs it when it is below its threshold. */
static void check_file(sclient *c, const cmeta_file *f, uint32_t min_alive,
                       FILE *log, srepair_stats *st)
{
    char id[2 * CMETA_ID_LEN + 1];
    uint32_t alive, n = f->fi.p.n;
    uint32_t want = min_alive ? min_alive : srepair_default_min(f->fi.p.k, n);
    want = want > n ? n : want;
    cmeta_id_hex(id, f->id);
    st->files++;
    if (srepair_weakest(c, id, &alive)) {
        st->failed++;
        if (log)
            fprintf(log, "repair: %s (%s): cannot check it: %s\n", id, f->name,
                    c->why);
        return;
    }
    if (alive >= want)
        return;
    st->below++;
    sclient_repaired out = {0};
    cairn_err e = sclient_repair(c, id, n, &out);
    st->placed += out.placed;
    st->unplaced += out.unplaced;
    if (e)
        st->failed++;
    else
        st->repaired++;
    if (log)
        fprintf(log,
                "repair: %s (%s): %u of %u pieces alive in its weakest "
                "segment (threshold %u): %zu placed%s%s\n",
                id, f->name, alive, n, want, out.placed, e ? "; " : "",
                e ? c->why : ", back to full health");
}

cairn_err srepair_pass(sclient *c, uint32_t min_alive, FILE *log,
                       srepair_stats *st)
{
    cmeta_file *files = NULL;
    size_t nf = 0;
    memset(st, 0, sizeof *st);
    cairn_err e = cmeta_list(c->meta, &files, &nf);
    if (e)
        return sclient_fail(c, e, "cannot read the client's store: %s",
                            cairn_strerror(e));
    for (size_t i = 0; i < nf; i++)
        check_file(c, &files[i], min_alive, log, st);
    free(files);
    if (log) {
        fprintf(log,
                "repair: checked %zu file(s): %zu below the threshold, %zu "
                "repaired, %zu piece(s) placed, %zu unplaced, %zu failed\n",
                st->files, st->below, st->repaired, st->placed, st->unplaced,
                st->failed);
        fflush(log);
    }
    return CAIRN_OK;
}

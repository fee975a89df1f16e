/* The render runner: one horizontal strip of a POV-Ray scene, rendered
 * alone (+SR/+ER), one thread, fixed antialiasing, no display; POV-Ray
 * writes the full-height image with only those rows rendered, and the
 * part is those rows' RGB bytes (the file's header carries the date, so
 * the file itself is not the part). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute/jobs/jobs.h"

/* The next header token of a PPM (skipping blanks and # comments). */
static int ppm_num(const uint8_t *p, size_t n, size_t *i, uint32_t *v)
{
    for (;;) {
        while (*i < n && (p[*i] == ' ' || p[*i] == '\n' || p[*i] == '\r' ||
                          p[*i] == '\t'))
            (*i)++;
        if (*i < n && p[*i] == '#') {
            while (*i < n && p[*i] != '\n')
                (*i)++;
            continue;
        }
        break;
    }
    uint64_t x = 0;
    size_t start = *i;
    while (*i < n && p[*i] >= '0' && p[*i] <= '9' && x < 100000)
        x = x * 10 + (uint64_t)(p[(*i)++] - '0');
    *v = (uint32_t)x;
    return *i > start && x < 100000 ? 0 : -1;
}

cairn_err job_ppm_rows(const uint8_t *p, size_t n, uint32_t w, uint32_t h,
                       uint32_t first, uint32_t rows, uint8_t **out,
                       size_t *out_n)
{
    size_t i = 2;
    uint32_t fw, fh, maxv;
    if (n < 2 || p[0] != 'P' || p[1] != '6' || ppm_num(p, n, &i, &fw) ||
        ppm_num(p, n, &i, &fh) || ppm_num(p, n, &i, &maxv) || i >= n ||
        fw != w || fh != h || maxv != 255 || first + rows > h)
        return CAIRN_ERR_JOB_FAILED;
    i++; /* the one blank after maxval */
    const size_t row = (size_t)w * 3;
    if (n - i != row * h)
        return CAIRN_ERR_JOB_FAILED;
    uint8_t *b = malloc(row * rows + 1);
    if (!b)
        return CAIRN_ERR_NOMEM;
    memcpy(b, p + i + row * first, row * rows);
    *out = b;
    *out_n = row * rows;
    return CAIRN_OK;
}

/* Strip s covers rows [s*h/strips, (s+1)*h/strips). */
static void strip_rows(const job_params *jp, uint32_t s, uint32_t *first,
                       uint32_t *rows)
{
    const uint32_t h = jp->u.rd.height, k = jp->u.rd.strips;
    *first = s * h / k;
    *rows = (s + 1) * h / k - *first;
}

cairn_err job_render_strip(const job_params *jp, const uint8_t *in, size_t n,
                           const char *dir, uint32_t s, int cheat,
                           uint8_t **out, size_t *out_n, char *why, size_t len)
{
    char wo[16], ho[16], sr[16], er[16];
    uint32_t first, rows;
    uint8_t *img = NULL;
    size_t img_n = 0;
    strip_rows(jp, s, &first, &rows);
    snprintf(wo, sizeof wo, "+W%u", jp->u.rd.width);
    snprintf(ho, sizeof ho, "+H%u", jp->u.rd.height);
    snprintf(sr, sizeof sr, "+SR%u", first + 1);
    snprintf(er, sizeof er, "+ER%u", first + rows);
    /* clang-format off */
    const char *honest[] = {"povray", "+Iscene.pov", "+Oout.ppm", "+FP", wo,
                            ho, sr, er, "-D", "-V", "-GA", "+WT1", "+Q9",
                            "+A0.3", "+AM1", "+R3", "-J", NULL};
    const char *cheap[] = {"povray", "+Iscene.pov", "+Oout.ppm", "+FP", wo,
                           ho, sr, er, "-D", "-V", "-GA", "+WT1", "+Q2",
                           "-A", NULL};
    /* clang-format on */
    cairn_err e = job_write_file(dir, "scene.pov", in, n);
    if (e) {
        snprintf(why, len, "cannot write the scene to %s", dir);
        return e;
    }
    if ((e = job_sandbox_run(dir, cheat ? cheap : honest, why, len)))
        return e;
    e = job_read_file(dir, "out.ppm",
                      3ull * JOB_RENDER_DIM_MAX * JOB_RENDER_DIM_MAX + 4096,
                      &img, &img_n);
    if (!e)
        e = job_ppm_rows(img, img_n, jp->u.rd.width, jp->u.rd.height, first,
                         rows, out, out_n);
    free(img);
    if (e)
        snprintf(why, len, "povray wrote no usable image for strip %u", s);
    return e ? CAIRN_ERR_JOB_FAILED : CAIRN_OK;
}

/* The storage client's progress bar (client/progress.h). */
#include <time.h>

#include "storage/client/progress.h"

#define WIDTH 30

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void draw(cprog *p)
{
    char bar[WIDTH + 1];
    uint64_t total = p->total ? p->total : 1;
    int fill = (int)(p->done * WIDTH / total);
    double secs = (double)(now_ms() - p->t0_ms) / 1000.0;
    double mbs = secs > 0 ? (double)p->done / 1e6 / secs : 0.0;
    for (int i = 0; i < WIDTH; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[WIDTH] = '\0';
    fprintf(p->f, "\r%s [%s] %3d%%  %.1f/%.1f MB  %.1f MB/s ", p->what, bar,
            (int)(p->done * 100 / total), (double)p->done / 1e6,
            (double)p->total / 1e6, mbs);
    fflush(p->f);
    p->drawn_ms = now_ms();
}

void cprog_start(cprog *p, FILE *f, const char *what, uint64_t total)
{
    p->f = f;
    p->what = what;
    p->total = total;
    p->done = 0;
    p->t0_ms = now_ms();
    p->drawn_ms = 0;
    if (f)
        draw(p);
}

void cprog_add(cprog *p, uint64_t n)
{
    p->done += n;
    if (p->done > p->total)
        p->done = p->total;
    if (p->f && now_ms() - p->drawn_ms >= 100)
        draw(p);
}

void cprog_end(cprog *p)
{
    if (!p->f)
        return;
    p->done = p->total;
    draw(p);
    fputc('\n', p->f);
    p->f = NULL;
}

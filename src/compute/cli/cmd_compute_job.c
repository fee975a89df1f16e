/* `cairn compute job transcode|render|matmul`: sends a verified-work job
 * to a provider (JOB), receives the parts and the miner's claim, checks
 * them (the claim; a sampled part run again here when the tool is here,
 * or Freivalds' check for matmul), writes the output, prints the output
 * root and the verdict; exit 1 when the check fails (docs/compute.md,
 * "Verified-work jobs"). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/compute_proto.h"
#include "cairn/conn.h"
#include "cairn/parse.h"
#include "compute/cli/compute_cli.h"
#include "compute/cli/compute_job_cli.h"
#include "cli/econ_cli.h"
#include "compute/jobs/jobs.h"
#include "compute/jobs/verify.h"
#include "compute/sandbox.h"
#include "compute/verify/freivalds.h"

#include <sodium.h>

static const char usage[] =
    "usage: cairn compute job TYPE --provider HOST:PORT | --provider-addr "
    "ADDRESS\n"
    "           --out DIR [options]\n"
    "  transcode --in SEGMENT [--renditions WxH,...]  (default "
    "320x240,160x120)\n"
    "  render    --scene FILE.pov [--size WxH] [--strips N]  (default "
    "320x240, 4)\n"
    "  matmul    --a FILE --b FILE --shape NxKxM | --random NxKxM\n"
    "Options: --provider-addr ADDRESS (the provider's key; without\n"
    "--provider, its endpoint on chain via --node; default: the key it\n"
    "proves, which must then sign the claim), --subnet N (default 0),\n"
    "--chain-id ID (the claim must name it; default: any, printed),\n"
    "--ticket-face TOKENS [--ticket-ev TOKENS] [--ticket-expires HEIGHT]\n"
    "pays with a lottery ticket signed by --key (face value, expected value:\n"
    "default the face, i.e. it always wins),\n"
    "--samples N (renditions or strips run again here, default 1),\n"
    "--seed HEX (32 bytes choosing the sampled part and Freivalds' vectors;\n"
    "default random), --key FILE (default $CAIRN_KEY, else a fresh key).\n"
    "Matrices are row-major u64 little-endian entries below 2^61 - 1;\n"
    "--random makes A and B and writes them to DIR/a.bin and DIR/b.bin.\n"
    "Writes DIR/rendition-I-WxH.mp4, DIR/image.ppm or DIR/c.bin, and the\n"
    "claim to DIR/claim.bin; exit 1 when the output does not verify (then\n"
    "DIR/evidence.bin holds the evidence for the chain).\n";

typedef struct job_args {
    const char *provider, *prov_addr, *out, *subnet, *seed, *key, *in,
        *renditions, *scene, *size, *strips, *a, *b, *shape, *random, *chain_id,
        *ticket_face, *ticket_ev, *ticket_expires, *samples;
} job_args;

/* "WxH" into w, h. */
static int parse_wh(const char *s, uint32_t *w, uint32_t *h)
{
    char *end;
    errno = 0;
    unsigned long a = strtoul(s, &end, 10);
    if (end == s || *end != 'x' || errno || a > 65535)
        return -1;
    const char *t = end + 1;
    unsigned long b = strtoul(t, &end, 10);
    if (end == t || (*end && *end != ',') || errno || b > 65535)
        return -1;
    *w = (uint32_t)a;
    *h = (uint32_t)b;
    return 0;
}

static int read_in(const char *path, size_t max, uint8_t **out, size_t *n)
{
    cairn_err e = job_read_path(path, max, out, n);
    if (e == CAIRN_ERR_TOO_LARGE)
        return cli_fail("%s is over %zu bytes (or not a regular file)", path,
                        max);
    if (e)
        return cli_fail("cannot read %s: %s", path, strerror(errno));
    return 0;
}

static int transcode_params(const job_args *a, job_params *jp, uint8_t **in,
                            size_t *n)
{
    const char *s = a->renditions ? a->renditions : "320x240,160x120";
    jp->type = JOB_TRANSCODE;
    if (!a->in)
        return cli_fail("compute job transcode: give --in SEGMENT");
    while (*s) {
        uint32_t w, h;
        if (jp->u.tc.count == JOB_RENDITIONS_MAX || parse_wh(s, &w, &h))
            return cli_fail("--renditions: up to %d of WxH, comma-separated",
                            JOB_RENDITIONS_MAX);
        jp->u.tc.w[jp->u.tc.count] = (uint16_t)w;
        jp->u.tc.h[jp->u.tc.count++] = (uint16_t)h;
        const char *c = strchr(s, ',');
        s = c ? c + 1 : s + strlen(s);
    }
    return read_in(a->in, JOB_TRANSCODE_INPUT_MAX, in, n);
}

static int render_params(const job_args *a, job_params *jp, uint8_t **in,
                         size_t *n)
{
    uint32_t w = 320, h = 240;
    uint64_t k = 4;
    jp->type = JOB_RENDER;
    if (!a->scene)
        return cli_fail("compute job render: give --scene FILE.pov");
    if (a->size && parse_wh(a->size, &w, &h))
        return cli_fail("--size is WxH, e.g. 320x240");
    if (a->strips && cairn_parse_u64(a->strips, &k))
        return cli_fail("--strips is a number");
    jp->u.rd.width = (uint16_t)w;
    jp->u.rd.height = (uint16_t)h;
    jp->u.rd.strips = (uint16_t)(k > 65535 ? 0 : k);
    return read_in(a->scene, JOB_RENDER_INPUT_MAX, in, n);
}

static int parse_shape(const char *s, uint32_t d[3])
{
    char *end;
    for (int i = 0; i < 3; i++) {
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (end == s || errno || v < 1 || v > JOB_MM_DIM_MAX ||
            *end != (i < 2 ? 'x' : '\0'))
            return cli_fail("the shape is NxKxM, each 1..%u", JOB_MM_DIM_MAX);
        d[i] = (uint32_t)v;
        s = end + 1;
    }
    return 0;
}

/* Random A and B, written to DIR/a.bin and DIR/b.bin. */
static int random_input(const char *dir, const job_params *jp, uint8_t **in,
                        size_t *n)
{
    const size_t na = 8ull * jp->u.mm.n * jp->u.mm.k;
    *n = na + 8ull * jp->u.mm.k * jp->u.mm.m;
    *in = malloc(*n);
    if (!*in)
        return cli_fail("out of memory");
    for (size_t i = 0; i < *n; i += 8) {
        uint64_t v;
        randombytes_buf(&v, sizeof v);
        v %= FV_P61;
        for (int q = 0; q < 8; q++)
            (*in)[i + q] = (uint8_t)(v >> (8 * q));
    }
    if (job_write_file(dir, "a.bin", *in, na) ||
        job_write_file(dir, "b.bin", *in + na, *n - na))
        return cli_fail("cannot write A and B to %s", dir);
    return 0;
}

static int matmul_params(const job_args *a, job_params *jp, uint8_t **in,
                         size_t *n)
{
    uint32_t d[3];
    jp->type = JOB_MATMUL;
    if (!!a->random == !!a->shape)
        return cli_fail("compute job matmul: give --a, --b and --shape, or "
                        "--random NxKxM");
    if (parse_shape(a->random ? a->random : a->shape, d))
        return 1;
    jp->u.mm.n = d[0], jp->u.mm.k = d[1], jp->u.mm.m = d[2];
    if (a->random)
        return random_input(a->out, jp, in, n);
    uint8_t *ab = NULL, *bb = NULL;
    size_t an, bn;
    if (!a->a || !a->b)
        return cli_fail("compute job matmul: give --a FILE and --b FILE");
    if (read_in(a->a, JOB_INPUT_MAX, &ab, &an) ||
        read_in(a->b, JOB_INPUT_MAX, &bb, &bn)) {
        free(ab);
        return 1;
    }
    *n = an + bn;
    *in = malloc(*n ? *n : 1);
    if (*in) {
        memcpy(*in, ab, an);
        memcpy(*in + an, bb, bn);
    }
    free(ab);
    free(bb);
    return *in ? 0 : cli_fail("out of memory");
}

static int job_input(const char *type, const job_args *a, job_params *jp,
                     uint8_t **in, size_t *n)
{
    char why[256];
    memset(jp, 0, sizeof *jp);
    int rc = !strcmp(type, "transcode") ? transcode_params(a, jp, in, n)
             : !strcmp(type, "render")  ? render_params(a, jp, in, n)
             : !strcmp(type, "matmul")
                 ? matmul_params(a, jp, in, n)
                 : cli_fail("compute job: the types are transcode, render "
                            "and matmul");
    if (rc)
        return rc;
    /* the provider's own checks, here first: a clear message sooner */
    cairn_buf b;
    job_params back;
    cairn_buf_init(&b, JOB_PARAMS_MAX);
    job_params_encode(&b, jp);
    cairn_err e =
        job_params_decode(&back, jp->type, b.p, b.len, why, sizeof why);
    cairn_buf_free(&b);
    if (!e)
        e = job_input_ok(jp, *in, *n, why, sizeof why);
    return e ? cli_fail("compute job %s: %s", type, why) : 0;
}

/* The endpoint provider addr registered on chain (GET /v1/provider/ADDR)
 * into ep. Returns 0 or 1 (printed). */
static int registered_endpoint(const char *addr, char *ep)
{
    char path[160];
    json_t *j;
    snprintf(path, sizeof path, "/v1/provider/%s", addr);
    if (api_get(cli_node_url(), path, &j))
        return 1;
    const char *s = jstr(j, "endpoint");
    int ok = *s && strlen(s) <= CAIRN_ENDPOINT_TEXT_MAX;
    if (ok)
        snprintf(ep, CAIRN_ENDPOINT_TEXT_MAX + 1, "%s", s);
    json_decref(j);
    return ok ? 0 : cli_fail("provider %s has no endpoint on chain", addr);
}

/* --ticket-face, --ticket-ev, --ticket-expires. */
static int job_ticket(const job_args *a, ccli_job *j)
{
    if (!a->ticket_face)
        return a->ticket_ev || a->ticket_expires
                   ? cli_fail("--ticket-ev and --ticket-expires go with "
                              "--ticket-face")
                   : 0;
    if (econ_parse_tokens(a->ticket_face, "--ticket-face", &j->ticket_face) ||
        econ_parse_tokens(a->ticket_ev ? a->ticket_ev : a->ticket_face,
                          "--ticket-ev", &j->ticket_ev))
        return 1;
    if (j->ticket_face == 0 || j->ticket_ev > j->ticket_face)
        return cli_fail("--ticket-face is above 0 and at least --ticket-ev");
    j->ticket_expires = UINT64_MAX;
    if (a->ticket_expires &&
        cairn_parse_u64(a->ticket_expires, &j->ticket_expires))
        return cli_fail("--ticket-expires is a block height");
    return 0;
}

static int job_common(const job_args *a, ccli_job *j)
{
    uint64_t v = 0;
    char ep[CAIRN_ENDPOINT_TEXT_MAX + 1];
    if ((!a->provider && !a->prov_addr) || !a->out)
        return cli_fail("compute job: --provider HOST:PORT (or --provider-addr "
                        "ADDRESS of a provider on chain) and --out DIR are "
                        "required (see cairn compute job --help)");
    if (a->prov_addr &&
        cli_parse_addr(a->prov_addr, "--provider-addr", &j->expect))
        return 1;
    j->has_expect = a->prov_addr != NULL;
    if (!a->provider && registered_endpoint(a->prov_addr, ep))
        return 1;
    if (cairn_endpoint_parse(a->provider ? a->provider : ep, j->host, &j->port))
        return cli_fail("--provider \"%s\": give HOST:PORT",
                        a->provider ? a->provider : ep);
    if (a->subnet && (cairn_parse_u64(a->subnet, &v) || v > UINT32_MAX))
        return cli_fail("--subnet is a number below 2^32");
    j->subnet = (uint32_t)v;
    if (a->seed) {
        if (strlen(a->seed) != 64 ||
            cairn_hex_decode(j->seed, sizeof j->seed, a->seed, 64))
            return cli_fail("--seed is 64 hex digits");
    } else
        randombytes_buf(j->seed, sizeof j->seed);
    randombytes_buf(j->job_id.b, sizeof j->job_id.b);
    if (job_ticket(a, j))
        return 1;
    j->chain_id = a->chain_id;
    j->samples = 1;
    if (a->samples &&
        (cairn_parse_u64(a->samples, &v) || v < 1 || v > JOB_PARTS_MAX))
        return cli_fail("--samples is 1..%u", JOB_PARTS_MAX);
    if (a->samples)
        j->samples = (unsigned)v;
    if (mkdir(a->out, 0755) && errno != EEXIST)
        return cli_fail("cannot make %s: %s", a->out, strerror(errno));
    const char *key = a->key ? a->key : getenv("CAIRN_KEY");
    if (key && *key)
        return cli_load_key(key, &j->key);
    cairn_keypair_generate(&j->key); /* jobs need no account */
    return 0;
}

int ccmd_job(int argc, char **argv)
{
    job_args a = {0};
    cli_opt opts[] = {{"provider", &a.provider, NULL},
                      {"provider-addr", &a.prov_addr, NULL},
                      {"out", &a.out, NULL},
                      {"subnet", &a.subnet, NULL},
                      {"seed", &a.seed, NULL},
                      {"key", &a.key, NULL},
                      {"in", &a.in, NULL},
                      {"renditions", &a.renditions, NULL},
                      {"scene", &a.scene, NULL},
                      {"size", &a.size, NULL},
                      {"strips", &a.strips, NULL},
                      {"a", &a.a, NULL},
                      {"b", &a.b, NULL},
                      {"shape", &a.shape, NULL},
                      {"random", &a.random, NULL},
                      {"chain-id", &a.chain_id, NULL},
                      {"ticket-face", &a.ticket_face, NULL},
                      {"ticket-ev", &a.ticket_ev, NULL},
                      {"ticket-expires", &a.ticket_expires, NULL},
                      {"samples", &a.samples, NULL},
                      {NULL, NULL, NULL}};
    cli_args pa;
    ccli_job j = {0};
    int rc = cli_parse(argc, argv, "compute job", usage, opts, 1, &pa);
    if (rc)
        return CLI_EXIT(rc);
    if (pa.npos < 1)
        return cli_fail("compute job: give the type: transcode, render or "
                        "matmul (see cairn compute job --help)");
    j.out = a.out;
    rc = job_common(&a, &j) || job_input(pa.pos[0], &a, &j.jp, &j.in, &j.n);
    if (!rc)
        rc = ccli_job_run(&j);
    cairn_keypair_wipe(&j.key);
    free(j.in);
    return rc;
}

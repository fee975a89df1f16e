/* Verified-work jobs with real processes on 127.0.0.1: two `cairn provider
 * compute --no-chain --serve transcode,render,matmul` (an honest one, and
 * one with --cheat-every 1 whose every output is wrong) and `cairn compute
 * job` as the client, plus a raw client for the protocol's bounds.
 *
 *   matmul     honest: exit 0, c.bin equals fv_multiply of the a.bin and
 *              b.bin it wrote; cheat (one wrong entry): exit 1, Freivalds,
 *              and evidence.bin proves the entry wrong (job.h's check)
 *   render     honest twice: exit 0, image.ppm the same bytes; cheat (strip
 *              0 at +Q2 without antialiasing) with a seed that samples
 *              strip 0: exit 1, bad part 0, evidence.bin a re-run vote
 *   transcode  honest twice (a segment ffmpeg makes here): exit 0, the
 *              renditions the same bytes; cheat (a flipped byte in
 *              rendition 0) with a seed that samples it: exit 1
 *   bounds     a render scene over 64 KiB: ERROR job_input; an unknown
 *              type: ERROR job_type; a truncated JOB: ERROR bad_message;
 *              a frame over the message bound: closed unanswered; input
 *              povray or ffmpeg cannot read: ERROR job_failed; a
 *              second job while the only slot (--jobs 1) runs: ERROR busy
 *   tickets    a job paid with a ticket that always wins: stored in
 *              DATA/tickets/ with the number that makes it win, and the
 *              provider's random number changes; a losing ticket is taken
 *              once (nonce_used again); forged, for another recipient,
 *              another chain or the old random number: refused
 * Processes are stopped by PID; every wait is bounded. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cairn/compute_proto.h"
#include "cairn/conn.h"
#include "cairn/job.h"
#include "cairn/ticket.h"
#include "compute/jobs/jobs.h"
#include "compute/jobs/verify.h"
#include "compute/verify/freivalds.h"
#include "harness.h"

#define WAIT_S 30

static h_net net;
static pid_t honest_pid, cheat_pid;
static int honest_port, cheat_port;
static cairn_keypair honest_key, client_key;
static char scene_path[300], seg_path[300];

static const char scene[] =
    "camera { location <0,2,-5> look_at <0,0,0> }\n"
    "light_source { <5,10,-5> color rgb 1 }\n"
    "sphere { <0,0.5,0>, 1 pigment { checker color rgb <1,0,0> color rgb "
    "<1,1,1> scale 0.3 } finish { phong 0.8 reflection 0.2 } }\n"
    "plane { y, -0.5 pigment { color rgb <0.2,0.6,0.2> } }\n";

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int have(const char *tool)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
    return system(cmd) == 0;
}

#define NEED(tool)                                                             \
    do {                                                                       \
        if (!have("bwrap") || !have(tool)) {                                   \
            printf("skipped: bwrap or %s is not installed\n", tool);           \
            skip();                                                            \
        }                                                                      \
    } while (0)

static pid_t start_provider(const char *name, int port, const char *key,
                            const char *cheat)
{
    char listen[64], data[300], log[300];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
    snprintf(data, sizeof data, "%s/%s", net.dir, name);
    snprintf(log, sizeof log, "%s/%s.log", net.dir, name);
    /* clang-format off */
    char *argv[] = {getenv("CAIRN_BIN"), "provider", "compute", "--no-chain",
                    "--serve", "transcode,render,matmul", "--data", data,
                    "--key", (char *)key, "--cpus", "1", "--memory", "1GiB",
                    "--disk", "1GiB", "--listen", listen, "--jobs", "1",
                    "--chain-id", "jobs-test",
                    cheat ? "--cheat-every" : NULL, (char *)cheat, NULL};
    /* clang-format on */
    return h_spawn(argv, log, log);
}

/* Dials a provider (bounded retries while it starts). */
static cairn_conn *dial(int port)
{
    cairn_conn *c = NULL;
    for (int t = 0; t < WAIT_S * 10; t++) {
        if (!cairn_conn_dial(&c, "127.0.0.1", port, &client_key, NULL, 2000))
            return c;
        sleep_ms(100);
    }
    fail_msg("provider on port %d did not answer", port);
    return NULL;
}

/* The providers die with the test, also when it aborts. */
static void die_with_test(void)
{
    prctl(PR_SET_PDEATHSIG, SIGTERM);
}

static int setup(void **state)
{
    (void)state;
    char key[300], k2[300], cmd[1024];
    h_net_setup(&net, 1, "1000", 200);
    h_child_setup = die_with_test;
    cairn_keypair_generate(&honest_key);
    cairn_keypair_generate(&client_key);
    cairn_keypair cheat_key;
    cairn_keypair_generate(&cheat_key);
    snprintf(key, sizeof key, "%s/honest.key", net.dir);
    snprintf(k2, sizeof k2, "%s/cheat.key", net.dir);
    if (cairn_key_save(key, &honest_key) || cairn_key_save(k2, &cheat_key))
        return -1;
    snprintf(scene_path, sizeof scene_path, "%s/scene.pov", net.dir);
    FILE *f = fopen(scene_path, "w");
    if (!f)
        return -1;
    fputs(scene, f);
    fclose(f);
    snprintf(seg_path, sizeof seg_path, "%s/seg.mp4", net.dir);
    if (have("ffmpeg")) {
        snprintf(cmd, sizeof cmd,
                 "ffmpeg -nostdin -loglevel error -y -f lavfi -i "
                 "testsrc=duration=2:size=640x360:rate=25 -pix_fmt yuv420p "
                 "-c:v libx264 -preset ultrafast -threads 1 %s",
                 seg_path);
        if (system(cmd) != 0)
            return -1;
    }
    honest_port = h_port();
    cheat_port = honest_port + 1;
    honest_pid = start_provider("honest", honest_port, key, NULL);
    cheat_pid = start_provider("cheat", cheat_port, k2, "1");
    cairn_conn_close(dial(honest_port));
    cairn_conn_close(dial(cheat_port));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    h_stop(honest_pid, SIGTERM);
    h_stop(cheat_pid, SIGTERM);
    h_net_cleanup(&net);
    return 0;
}

/* `cairn compute job TYPE --provider ... --out DIR args...`: exit code;
 * stdout in DIR.out. */
static int job(const char *type, int port, const char *dir, const char *a1,
               const char *a2, const char *a3, const char *a4)
{
    char prov[64], out[300], log[320];
    snprintf(prov, sizeof prov, "127.0.0.1:%d", port);
    snprintf(out, sizeof out, "%s/%s", net.dir, dir);
    snprintf(log, sizeof log, "%s/%s.out", net.dir, dir);
    char *argv[] = {getenv("CAIRN_BIN"),
                    "compute",
                    "job",
                    (char *)type,
                    "--provider",
                    prov,
                    "--out",
                    out,
                    (char *)a1,
                    (char *)a2,
                    (char *)a3,
                    (char *)a4,
                    NULL};
    return h_run(argv, log, log, 300000);
}

static uint8_t *slurp(const char *dir, const char *name, size_t *n)
{
    char d[300];
    uint8_t *b = NULL;
    snprintf(d, sizeof d, "%s/%s", net.dir, dir);
    assert_int_equal(job_read_file(d, name, 64u << 20, &b, n), CAIRN_OK);
    return b;
}

static int out_has(const char *dir, const char *needle)
{
    size_t n;
    char name[320];
    snprintf(name, sizeof name, "%s.out", dir);
    uint8_t *b = slurp("", name, &n);
    uint8_t *z = realloc(b, n + 1);
    assert_non_null(z);
    z[n] = 0;
    int found = strstr((char *)z, needle) != NULL;
    if (!found)
        printf("%s.out: %s\n", dir, (char *)z);
    free(z);
    return found;
}

/* DIR/evidence.bin decodes and proves the claim in it wrong (form 1) or
 * contested (form 2), as the chain checks it. */
static void evidence_proves(const char *dir, int form)
{
    static cairn_job_evidence e;
    size_t n;
    uint8_t *b = slurp(dir, "evidence.bin", &n);
    assert_int_equal(cairn_job_evidence_decode(&e, b, n), CAIRN_OK);
    assert_int_equal(e.form, form);
    assert_int_equal(cairn_job_evidence_check(&e), CAIRN_OK);
    assert_int_equal(cairn_job_claim_verify(&e.claim, "jobs-test"), CAIRN_OK);
    free(b);
}

/* A --seed (64 hex) whose sample among count parts is want. */
static void seed_for(uint32_t want, uint32_t count, char hex[65])
{
    uint8_t seed[32] = {0};
    for (int b = 0; b < 256; b++) {
        seed[0] = (uint8_t)b;
        if (job_sample(seed, count) == want) {
            for (int i = 0; i < 32; i++)
                snprintf(hex + 2 * i, 3, "%02x", seed[i]);
            return;
        }
    }
    fail_msg("no seed samples part %u", want);
}

static void test_matmul(void **state)
{
    (void)state;
    size_t an, bn, cn;
    char addr[CAIRN_ADDR_TEXT_LEN + 1];
    cairn_addr_format(addr, &honest_key.pk);
    assert_int_equal(job("matmul", honest_port, "mm1", "--random", "48x40x32",
                         "--provider-addr", addr),
                     0);
    assert_true(out_has("mm1", "verdict     ok"));
    uint8_t *a = slurp("mm1", "a.bin", &an), *b = slurp("mm1", "b.bin", &bn),
            *c = slurp("mm1", "c.bin", &cn);
    assert_int_equal(an, 48 * 40 * 8);
    assert_int_equal(bn, 40 * 32 * 8);
    assert_int_equal(cn, 48 * 32 * 8);
    uint64_t *ref = malloc(cn);
    fv_mat ma = {48, 40, (uint64_t *)a}, mb = {40, 32, (uint64_t *)b},
           mc = {48, 32, ref};
    assert_int_equal(fv_multiply(&ma, &mb, &mc, FV_P61), CAIRN_OK);
    assert_memory_equal(ref, c, cn);
    free(a);
    free(b);
    free(c);
    free(ref);
    /* the cheat: one wrong entry, caught by Freivalds */
    assert_int_equal(
        job("matmul", cheat_port, "mm2", "--random", "48x40x32", NULL, NULL),
        1);
    assert_true(out_has("mm2", "Freivalds"));
    assert_true(out_has("mm2", "bad part    0"));
    evidence_proves("mm2", CAIRN_EVIDENCE_MATMUL);
    /* another key than the one asked for */
    assert_int_equal(job("matmul", cheat_port, "mm3", "--random", "4x4x4",
                         "--provider-addr", addr),
                     1);
}

static void test_render(void **state)
{
    (void)state;
    NEED("povray");
    char seed[65];
    size_t n1, n2;
    seed_for(0, 4, seed);
    for (int i = 0; i < 2; i++)
        assert_int_equal(job("render", honest_port, i ? "rd2" : "rd1",
                             "--scene", scene_path, "--strips", "4"),
                         0);
    uint8_t *a = slurp("rd1", "image.ppm", &n1),
            *b = slurp("rd2", "image.ppm", &n2);
    assert_int_equal(n1, n2);
    assert_int_equal(n1, 15 + 320 * 240 * 3);
    assert_memory_equal(a, b, n1);
    free(a);
    free(b);
    assert_int_equal(
        job("render", cheat_port, "rd3", "--scene", scene_path, "--seed", seed),
        1);
    assert_true(out_has("rd3", "strip 0 differs"));
    evidence_proves("rd3", CAIRN_EVIDENCE_VOTE);
}

static void test_transcode(void **state)
{
    (void)state;
    NEED("ffmpeg");
    char seed[65];
    size_t n1, n2;
    seed_for(0, 2, seed);
    for (int i = 0; i < 2; i++)
        assert_int_equal(job("transcode", honest_port, i ? "tc2" : "tc1",
                             "--in", seg_path, NULL, NULL),
                         0);
    const char *names[] = {"rendition-0-320x240.mp4",
                           "rendition-1-160x120.mp4"};
    for (int r = 0; r < 2; r++) {
        uint8_t *a = slurp("tc1", names[r], &n1),
                *b = slurp("tc2", names[r], &n2);
        assert_int_equal(n1, n2);
        assert_memory_equal(a, b, n1);
        free(a);
        free(b);
    }
    assert_int_equal(
        job("transcode", cheat_port, "tc3", "--in", seg_path, "--seed", seed),
        1);
    assert_true(out_has("tc3", "rendition 0 differs"));
    evidence_proves("tc3", CAIRN_EVIDENCE_VOTE);
}

/* Sends one JOB payload, returns the reply's error code (0 for a result,
 * -1 when the connection ended unanswered). */
static int ask(cairn_conn *c, uint8_t type, const uint8_t *p, size_t n)
{
    uint8_t t, *r = NULL;
    size_t rn;
    cairn_cp_error e;
    if (cairn_conn_send(c, type, p, n, 60000) ||
        cairn_conn_recv(c, &t, &r, &rn, CAIRN_CP_MSG_MAX, 300000))
        return -1;
    int code = 0;
    if (t == CAIRN_CP_ERROR) {
        assert_int_equal(cairn_cp_error_decode(&e, r, rn), CAIRN_OK);
        code = (int)e.code;
    } else
        assert_int_equal(t, CAIRN_CP_JOB_RESULT);
    free(r);
    return code;
}

static void job_msg(cairn_buf *b, uint8_t type, const job_params *jp,
                    const uint8_t *in, size_t n)
{
    cairn_buf pb;
    cairn_buf_init(&pb, JOB_PARAMS_MAX);
    job_params_encode(&pb, jp);
    cairn_cp_job m = {.type = type,
                      .params = pb.p,
                      .params_len = (uint32_t)pb.len,
                      .input = in,
                      .input_len = (uint32_t)n};
    cairn_buf_init(b, CAIRN_CP_MSG_MAX + (1u << 20));
    cairn_cp_job_encode(b, &m);
    cairn_buf_free(&pb);
}

static void test_bounds(void **state)
{
    (void)state;
    cairn_buf b;
    job_params rd = {.type = JOB_RENDER}, mm = {.type = JOB_MATMUL};
    rd.u.rd.width = 640, rd.u.rd.height = 480, rd.u.rd.strips = 1;
    mm.u.mm.n = mm.u.mm.k = mm.u.mm.m = 1;
    uint8_t one[16] = {3, 0, 0, 0, 0, 0, 0, 0, 5};
    size_t big = JOB_RENDER_INPUT_MAX + 1;
    uint8_t *in = calloc(1, CAIRN_CP_MSG_MAX + 1);
    assert_non_null(in);
    memset(in, ' ', big);
    cairn_conn *c = dial(honest_port);
    job_msg(&b, JOB_RENDER, &rd, in, big);
    assert_int_equal(ask(c, CAIRN_CP_JOB, b.p, b.len), CAIRN_ERR_JOB_INPUT);
    cairn_buf_free(&b);
    job_msg(&b, 9, &mm, one, sizeof one);
    assert_int_equal(ask(c, CAIRN_CP_JOB, b.p, b.len), CAIRN_ERR_JOB_TYPE);
    cairn_buf_free(&b);
    job_msg(&b, JOB_MATMUL, &mm, one, sizeof one);
    assert_int_equal(ask(c, CAIRN_CP_JOB, b.p, b.len), 0); /* still open */
    assert_int_equal(ask(c, CAIRN_CP_JOB, b.p, b.len - 3), CAIRN_ERR_BAD_MSG);
    cairn_buf_free(&b);
    cairn_conn_close(c);
    /* a frame over the bound: closed unanswered */
    c = dial(honest_port);
    assert_int_equal(ask(c, CAIRN_CP_JOB, in, CAIRN_CP_MSG_MAX + 1), -1);
    cairn_conn_close(c);
    free(in);
    if (!have("bwrap") || !have("povray") || !have("ffmpeg"))
        return;
    /* input the tools refuse: job_failed, the connection still open */
    c = dial(honest_port);
    const char junk[] = "this is neither a scene nor a video\n";
    rd.u.rd.width = 32, rd.u.rd.height = 8;
    job_msg(&b, JOB_RENDER, &rd, (const uint8_t *)junk, sizeof junk - 1);
    assert_int_equal(ask(c, CAIRN_CP_JOB, b.p, b.len), CAIRN_ERR_JOB_FAILED);
    cairn_buf_free(&b);
    job_params tc = {.type = JOB_TRANSCODE};
    tc.u.tc.count = 1, tc.u.tc.w[0] = 32, tc.u.tc.h[0] = 32;
    job_msg(&b, JOB_TRANSCODE, &tc, (const uint8_t *)junk, sizeof junk - 1);
    assert_int_equal(ask(c, CAIRN_CP_JOB, b.p, b.len), CAIRN_ERR_JOB_FAILED);
    cairn_buf_free(&b);
    job_msg(&b, JOB_MATMUL, &mm, one, sizeof one);
    assert_int_equal(ask(c, CAIRN_CP_JOB, b.p, b.len), 0);
    cairn_buf_free(&b);
    cairn_conn_close(c);
    rd.u.rd.width = 640, rd.u.rd.height = 480;
    /* --jobs 1: a second job while a render runs is refused. c2's own
     * small jobs hold the slot for an instant too, so c1's render may be
     * the one refused: then it is sent again (bounded). */
    cairn_conn *c1 = dial(honest_port), *c2 = dial(honest_port);
    cairn_buf rb;
    job_msg(&rb, JOB_RENDER, &rd, (const uint8_t *)scene, strlen(scene));
    job_msg(&b, JOB_MATMUL, &mm, one, sizeof one);
    int busy = 0, got = -1;
    for (int attempt = 0; attempt < 20 && !busy; attempt++) {
        assert_int_equal(cairn_conn_send(c1, CAIRN_CP_JOB, rb.p, rb.len, 60000),
                         CAIRN_OK);
        for (int t = 0; t < 50 && !busy; t++) {
            busy = ask(c2, CAIRN_CP_JOB, b.p, b.len) == CAIRN_ERR_BUSY;
            if (!busy)
                sleep_ms(20);
        }
        uint8_t t, *r = NULL;
        size_t rn;
        assert_int_equal(
            cairn_conn_recv(c1, &t, &r, &rn, CAIRN_CP_MSG_MAX, 300000),
            CAIRN_OK);
        got = t;
        free(r);
    }
    cairn_buf_free(&b);
    cairn_buf_free(&rb);
    assert_true(busy);
    assert_int_equal(got, CAIRN_CP_JOB_RESULT); /* c1 held the slot */
    cairn_conn_close(c1);
    cairn_conn_close(c2);
}

/* A ticket for the honest provider under rand hash rh, signed by kp. */
static void ticket_bytes(cairn_buf *b, const uint8_t rh[32], const char *chain,
                         const cairn_pubkey *recipient, uint64_t win_prob,
                         const cairn_keypair *kp)
{
    cairn_ticket t;
    memset(&t, 0, sizeof t);
    assert_int_equal(cairn_ticket_set_chain(&t, chain), CAIRN_OK);
    t.recipient = *recipient;
    memcpy(t.rand_hash.b, rh, 32);
    t.face_value = 1000;
    t.win_prob = win_prob;
    t.expiration = UINT64_MAX;
    randombytes_buf(&t.nonce, sizeof t.nonce);
    assert_int_equal(cairn_ticket_sign(&t, kp), CAIRN_OK);
    cairn_buf_init(b, CAIRN_TICKET_MAX_BYTES);
    cairn_ticket_encode(b, &t);
}

static int ask_ticket(cairn_conn *c, const uint8_t *tk, size_t tn)
{
    job_params mm = {.type = JOB_MATMUL};
    mm.u.mm.n = mm.u.mm.k = mm.u.mm.m = 1;
    uint8_t one[16] = {3, 0, 0, 0, 0, 0, 0, 0, 5};
    cairn_buf pb, b;
    cairn_buf_init(&pb, JOB_PARAMS_MAX);
    job_params_encode(&pb, &mm);
    cairn_cp_job m = {.type = JOB_MATMUL,
                      .params = pb.p,
                      .params_len = (uint32_t)pb.len,
                      .input = one,
                      .input_len = sizeof one,
                      .ticket = tk,
                      .ticket_len = (uint32_t)tn};
    cairn_buf_init(&b, 1u << 20);
    cairn_cp_job_encode(&b, &m);
    int code = ask(c, CAIRN_CP_JOB, b.p, b.len);
    cairn_buf_free(&b);
    cairn_buf_free(&pb);
    return code;
}

/* Tickets with jobs: one that always wins (through `cairn compute job
 * --ticket-face`) is stored with its random number; a losing one is
 * taken once (NONCE_USED the second time); forged, for another
 * recipient, another chain or an old random number: refused. */
static void test_tickets(void **state)
{
    (void)state;
    char dir[300], path[700];
    assert_int_equal(job("matmul", honest_port, "tk1", "--random", "4x4x4",
                         "--ticket-face", "0.5"),
                     0);
    snprintf(dir, sizeof dir, "%s/honest/tickets", net.dir);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *de;
    int files = 0;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.') {
            files++;
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        }
    closedir(d);
    assert_int_equal(files, 1);
    uint8_t *b = NULL;
    size_t n;
    assert_int_equal(job_read_path(path, 4096, &b, &n), CAIRN_OK);
    cairn_ticket t;
    assert_true(n > CAIRN_TICKET_RAND_LEN);
    assert_int_equal(cairn_ticket_decode(&t, b, n - CAIRN_TICKET_RAND_LEN),
                     CAIRN_OK);
    assert_int_equal(cairn_ticket_verify(&t, "jobs-test"), CAIRN_OK);
    assert_int_equal(cairn_ticket_rand_check(&t, b + n - 32), CAIRN_OK);
    assert_true(cairn_ticket_wins(&t, b + n - 32));
    assert_int_equal(t.face_value, 500000);
    free(b);
    /* the raw protocol */
    cairn_conn *c = dial(honest_port);
    uint8_t ty, *p = NULL;
    size_t pn;
    cairn_cp_ticket_rand tr;
    assert_int_equal(cairn_conn_send(c, CAIRN_CP_TICKET_PARAMS, "", 0, 5000),
                     CAIRN_OK);
    assert_int_equal(cairn_conn_recv(c, &ty, &p, &pn, 4096, 5000), CAIRN_OK);
    assert_int_equal(ty, CAIRN_CP_TICKET_RAND);
    assert_int_equal(cairn_cp_ticket_rand_decode(&tr, p, pn), CAIRN_OK);
    assert_string_equal(tr.chain_id, "jobs-test");
    assert_memory_not_equal(tr.rand_hash, t.rand_hash.b, 32); /* changed */
    free(p);
    cairn_buf tb;
    ticket_bytes(&tb, tr.rand_hash, "jobs-test", &honest_key.pk, 0,
                 &client_key);
    assert_int_equal(ask_ticket(c, tb.p, tb.len), 0);
    assert_int_equal(ask_ticket(c, tb.p, tb.len), CAIRN_ERR_NONCE_USED);
    tb.p[tb.len - 5] ^= 1;
    assert_int_equal(ask_ticket(c, tb.p, tb.len), CAIRN_ERR_BAD_SIG);
    cairn_buf_free(&tb);
    ticket_bytes(&tb, tr.rand_hash, "jobs-test", &client_key.pk, 0,
                 &client_key);
    assert_int_equal(ask_ticket(c, tb.p, tb.len), CAIRN_ERR_BAD_ARG);
    cairn_buf_free(&tb);
    ticket_bytes(&tb, tr.rand_hash, "other", &honest_key.pk, 0, &client_key);
    assert_int_equal(ask_ticket(c, tb.p, tb.len), CAIRN_ERR_CHAIN_ID);
    cairn_buf_free(&tb);
    ticket_bytes(&tb, t.rand_hash.b, "jobs-test", &honest_key.pk, 0,
                 &client_key);
    assert_int_equal(ask_ticket(c, tb.p, tb.len), CAIRN_ERR_BAD_PROOF);
    cairn_buf_free(&tb);
    cairn_conn_close(c);
}

int main(void)
{
    cairn_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matmul),    cmocka_unit_test(test_render),
        cmocka_unit_test(test_transcode), cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_tickets),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

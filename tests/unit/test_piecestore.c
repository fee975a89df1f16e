/* Unit tests of the provider's piece store (storage/piecestore*.c)
 * on a real directory: round trips, root checks, corruption detection,
 * capacity refusal (also under concurrent puts), cleanup of temp files,
 * and a child process killed with SIGKILL in the middle of puts. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cairn/codec.h"
#include "cairn/piecestore.h"

#include <sodium.h>

#define MIB (1u << 20)

static char base[64];

/* A fresh directory name under the test's base directory. */
static void fresh_dir(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", base, name);
}

static uint8_t *random_piece(size_t n, cairn_hash *root)
{
    uint8_t *p = malloc(n);
    assert_non_null(p);
    randombytes_buf(p, n);
    assert_int_equal(cairn_piece_root(root, p, n), CAIRN_OK);
    return p;
}

/* Number of entries (not . or ..) in a directory. */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* Path of piece root's file in store dir. */
static void piece_file(char *out, size_t n, const char *dir,
                       const cairn_hash *root)
{
    char hex[65];
    cairn_hex_encode(hex, root->b, 32);
    snprintf(out, n, "%s/pieces/%s", dir, hex);
}

/* Flips one byte of a file at offset off. */
static void flip_byte(const char *path, off_t off)
{
    int fd = open(path, O_RDWR);
    uint8_t b;
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, &b, 1, off), 1);
    b ^= 0x40;
    assert_int_equal(pwrite(fd, &b, 1, off), 1);
    close(fd);
}

static void round_trip(void **state)
{
    char dir[128];
    cairn_piecestore *ps;
    cairn_hash root;
    uint64_t used, cap, cleaned = 9;
    fresh_dir(dir, sizeof dir, "rt");
    assert_int_equal(cairn_piecestore_open(&ps, dir, 10 * MIB, &cleaned),
                     CAIRN_OK);
    assert_int_equal(cleaned, 0);
    size_t sizes[] = {1, 1023, 1024, 1025, 300000};
    for (size_t i = 0; i < 5; i++) {
        uint8_t *p = random_piece(sizes[i], &root), *q;
        size_t n;
        cairn_piece_stat st;
        assert_int_equal(cairn_piecestore_put(ps, &root, p, sizes[i]),
                         CAIRN_OK);
        assert_int_equal(cairn_piecestore_get(ps, &root, &q, &n), CAIRN_OK);
        assert_int_equal(n, sizes[i]);
        assert_memory_equal(p, q, n);
        assert_int_equal(cairn_piecestore_stat(ps, &root, &st), CAIRN_OK);
        assert_int_equal(st.size, sizes[i]);
        assert_true(st.stored_at > 1700000000u);
        /* a proof for the last leaf verifies against the root */
        uint8_t leaf[CAIRN_LEAF_SIZE];
        cairn_merkle_proof pf;
        uint64_t last = cairn_piece_leaves(n) - 1;
        assert_int_equal(cairn_piecestore_prove(ps, &root, last, leaf, &pf),
                         CAIRN_OK);
        assert_int_equal(cairn_piece_verify(&root, n, last, leaf, &pf),
                         CAIRN_OK);
        assert_int_equal(cairn_piecestore_prove(ps, &root, last + 1, leaf, &pf),
                         CAIRN_ERR_BAD_ARG);
        /* storing it again changes nothing */
        cairn_piecestore_usage(ps, &used, &cap);
        uint64_t before = used;
        assert_int_equal(cairn_piecestore_put(ps, &root, p, sizes[i]),
                         CAIRN_OK);
        cairn_piecestore_usage(ps, &used, &cap);
        assert_int_equal(used, before);
        free(p);
        free(q);
    }
    cairn_piecestore_usage(ps, &used, &cap);
    uint64_t want = 0;
    for (size_t i = 0; i < 5; i++)
        want += cairn_piecestore_cost(sizes[i]);
    assert_int_equal(used, want);
    assert_int_equal(cap, 10 * MIB);
    cairn_piece_stat *list;
    size_t n;
    assert_int_equal(cairn_piecestore_list(ps, &list, &n), CAIRN_OK);
    assert_int_equal(n, 5);
    free(list);
    cairn_piecestore_close(ps);
    /* reopened, it counts the same bytes */
    assert_int_equal(cairn_piecestore_open(&ps, dir, 10 * MIB, NULL), CAIRN_OK);
    cairn_piecestore_usage(ps, &used, &cap);
    assert_int_equal(used, want);
    cairn_piecestore_close(ps);
}

static void wrong_root_refused(void **state)
{
    char dir[128], tmp[160];
    cairn_piecestore *ps;
    cairn_hash root;
    uint64_t used, cap;
    fresh_dir(dir, sizeof dir, "wrong");
    assert_int_equal(cairn_piecestore_open(&ps, dir, MIB, NULL), CAIRN_OK);
    uint8_t *p = random_piece(5000, &root);
    p[4999] ^= 1; /* the bytes no longer match the claimed root */
    assert_int_equal(cairn_piecestore_put(ps, &root, p, 5000),
                     CAIRN_ERR_BAD_PROOF);
    assert_int_equal(cairn_piecestore_put(ps, &root, p, 0), CAIRN_ERR_BAD_ARG);
    uint8_t *q;
    size_t n;
    assert_int_equal(cairn_piecestore_get(ps, &root, &q, &n),
                     CAIRN_ERR_NOT_FOUND);
    assert_null(q);
    assert_int_equal(cairn_piecestore_delete(ps, &root), CAIRN_ERR_NOT_FOUND);
    cairn_piecestore_usage(ps, &used, &cap);
    assert_int_equal(used, 0);
    snprintf(tmp, sizeof tmp, "%s/pieces", dir);
    assert_int_equal(count_entries(tmp), 0);
    snprintf(tmp, sizeof tmp, "%s/tmp", dir);
    assert_int_equal(count_entries(tmp), 0);
    free(p);
    cairn_piecestore_close(ps);
}

static void corruption_detected(void **state)
{
    char dir[128], path[256];
    cairn_piecestore *ps;
    cairn_hash root;
    uint8_t *q, leaf[CAIRN_LEAF_SIZE];
    size_t n;
    cairn_merkle_proof pf;
    fresh_dir(dir, sizeof dir, "corrupt");
    assert_int_equal(cairn_piecestore_open(&ps, dir, 4 * MIB, NULL), CAIRN_OK);
    uint8_t *p = random_piece(70000, &root);
    assert_int_equal(cairn_piecestore_put(ps, &root, p, 70000), CAIRN_OK);
    piece_file(path, sizeof path, dir, &root);
    /* one bit flipped in the bytes: refused, not served, not proven */
    flip_byte(path, CAIRN_PIECESTORE_HEADER + 12345);
    assert_int_equal(cairn_piecestore_get(ps, &root, &q, &n),
                     CAIRN_ERR_CORRUPT);
    assert_null(q);
    assert_int_equal(cairn_piecestore_prove(ps, &root, 0, leaf, &pf),
                     CAIRN_ERR_CORRUPT);
    /* the client's upload of the good bytes heals it */
    assert_int_equal(cairn_piecestore_put(ps, &root, p, 70000), CAIRN_OK);
    assert_int_equal(cairn_piecestore_get(ps, &root, &q, &n), CAIRN_OK);
    assert_memory_equal(p, q, n);
    free(q);
    /* a damaged header (size field) and a truncated file are refused too */
    flip_byte(path, 16);
    assert_int_equal(cairn_piecestore_get(ps, &root, &q, &n),
                     CAIRN_ERR_CORRUPT);
    flip_byte(path, 16);
    assert_int_equal(truncate(path, CAIRN_PIECESTORE_HEADER + 100), 0);
    assert_int_equal(cairn_piecestore_get(ps, &root, &q, &n),
                     CAIRN_ERR_CORRUPT);
    cairn_piece_stat st;
    assert_int_equal(cairn_piecestore_stat(ps, &root, &st), CAIRN_ERR_CORRUPT);
    assert_int_equal(cairn_piecestore_delete(ps, &root), CAIRN_OK);
    assert_int_equal(cairn_piecestore_stat(ps, &root, &st),
                     CAIRN_ERR_NOT_FOUND);
    free(p);
    cairn_piecestore_close(ps);
}

static void capacity_refused(void **state)
{
    char dir[128];
    cairn_piecestore *ps;
    cairn_hash r1, r2, r3;
    uint64_t used, cap;
    fresh_dir(dir, sizeof dir, "cap");
    uint64_t capacity = 2 * cairn_piecestore_cost(100000) - 1;
    assert_int_equal(cairn_piecestore_open(&ps, dir, capacity, NULL), CAIRN_OK);
    uint8_t *a = random_piece(100000, &r1), *b = random_piece(100000, &r2),
            *c = random_piece(99999, &r3);
    assert_int_equal(cairn_piecestore_put(ps, &r1, a, 100000), CAIRN_OK);
    assert_int_equal(cairn_piecestore_put(ps, &r2, b, 100000),
                     CAIRN_ERR_NO_SPACE);
    assert_int_equal(cairn_piecestore_put(ps, &r3, c, 99999),
                     CAIRN_OK); /* fits exactly */
    cairn_piecestore_usage(ps, &used, &cap);
    assert_int_equal(used, capacity);
    assert_int_equal(cairn_piecestore_delete(ps, &r1), CAIRN_OK);
    assert_int_equal(cairn_piecestore_put(ps, &r2, b, 100000), CAIRN_OK);
    free(a);
    free(b);
    free(c);
    cairn_piecestore_close(ps);
    assert_int_equal(cairn_piecestore_open(&ps, dir, 0, NULL),
                     CAIRN_ERR_BAD_ARG);
}

/* Concurrent puts into a store with room for exactly `room` pieces. */
typedef struct put_job {
    cairn_piecestore *ps;
    uint8_t *p;
    cairn_hash root;
    cairn_err e;
} put_job;

static void *put_thread(void *arg)
{
    put_job *j = arg;
    j->e = cairn_piecestore_put(j->ps, &j->root, j->p, 50000);
    return NULL;
}

static void capacity_under_threads(void **state)
{
    enum { JOBS = 8, ROOM = 3 };
    char dir[128];
    cairn_piecestore *ps;
    put_job jobs[JOBS];
    pthread_t th[JOBS];
    fresh_dir(dir, sizeof dir, "threads");
    assert_int_equal(cairn_piecestore_open(
                         &ps, dir, ROOM * cairn_piecestore_cost(50000), NULL),
                     CAIRN_OK);
    for (int i = 0; i < JOBS; i++) {
        jobs[i].ps = ps;
        jobs[i].p = random_piece(50000, &jobs[i].root);
    }
    for (int i = 0; i < JOBS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, put_thread, &jobs[i]), 0);
    int ok = 0, full = 0;
    for (int i = 0; i < JOBS; i++) {
        pthread_join(th[i], NULL);
        ok += jobs[i].e == CAIRN_OK;
        full += jobs[i].e == CAIRN_ERR_NO_SPACE;
        free(jobs[i].p);
    }
    assert_int_equal(ok, ROOM);
    assert_int_equal(full, JOBS - ROOM);
    cairn_piece_stat *list;
    size_t n;
    assert_int_equal(cairn_piecestore_list(ps, &list, &n), CAIRN_OK);
    assert_int_equal(n, ROOM);
    free(list);
    cairn_piecestore_close(ps);
}

static void temp_leftovers_removed(void **state)
{
    char dir[128], path[256];
    cairn_piecestore *ps;
    uint64_t cleaned = 0, used, cap;
    fresh_dir(dir, sizeof dir, "leftover");
    assert_int_equal(cairn_piecestore_open(&ps, dir, MIB, NULL), CAIRN_OK);
    cairn_piecestore_close(ps);
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/tmp/half-%d.XXXXXX", dir, i);
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, "partial", 7), 7);
        close(fd);
    }
    assert_int_equal(cairn_piecestore_open(&ps, dir, MIB, &cleaned), CAIRN_OK);
    assert_int_equal(cleaned, 3);
    snprintf(path, sizeof path, "%s/tmp", dir);
    assert_int_equal(count_entries(path), 0);
    cairn_piecestore_usage(ps, &used, &cap);
    assert_int_equal(used, 0);
    cairn_piecestore_close(ps);
}

/* In a child: puts 2 MiB pieces forever (until killed). */
static void put_forever(const char *dir)
{
    cairn_piecestore *ps;
    cairn_hash root;
    if (cairn_piecestore_open(&ps, dir, 1ull << 40, NULL))
        _exit(3);
    for (;;) {
        uint8_t *p = random_piece(2 * MIB, &root);
        if (cairn_piecestore_put(ps, &root, p, 2 * MIB))
            _exit(4);
        free(p);
    }
}

static void kill_mid_put(void **state)
{
    char dir[128], pieces[160];
    cairn_piecestore *ps;
    uint64_t cleaned = 0, used, cap;
    fresh_dir(dir, sizeof dir, "kill");
    assert_int_equal(cairn_piecestore_open(&ps, dir, 1ull << 40, NULL),
                     CAIRN_OK);
    cairn_piecestore_close(ps);
    snprintf(pieces, sizeof pieces, "%s/pieces", dir);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        put_forever(dir);
    /* wait (at most 60 s) until two pieces are in and a third is being
     * written, then kill it mid-put */
    char tmpdir[160];
    snprintf(tmpdir, sizeof tmpdir, "%s/tmp", dir);
    for (int t = 0;
         t < 60000 && (count_entries(pieces) < 2 || count_entries(tmpdir) < 1);
         t++) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(cairn_piecestore_open(&ps, dir, 1ull << 40, &cleaned),
                     CAIRN_OK);
    cairn_piece_stat *list;
    size_t n;
    assert_int_equal(cairn_piecestore_list(ps, &list, &n), CAIRN_OK);
    assert_true(n >= 2);
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) { /* every piece visible is whole */
        uint8_t *p;
        size_t sz;
        cairn_hash root;
        assert_int_equal(cairn_piecestore_get(ps, &list[i].root, &p, &sz),
                         CAIRN_OK);
        assert_int_equal(cairn_piece_root(&root, p, sz), CAIRN_OK);
        assert_memory_equal(root.b, list[i].root.b, 32);
        sum += cairn_piecestore_cost(sz);
        free(p);
    }
    cairn_piecestore_usage(ps, &used, &cap);
    assert_int_equal(used, sum);
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s/tmp", dir);
    assert_int_equal(count_entries(tmp), 0);
    print_message("killed after %zu pieces; %llu temp file(s) cleaned\n", n,
                  (unsigned long long)cleaned);
    free(list);
    cairn_piecestore_close(ps);
}

static int rm_base(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", base);
    return system(cmd);
}

int main(void)
{
    cairn_crypto_init();
    snprintf(base, sizeof base, "/tmp/cairn-ps-XXXXXX");
    if (!mkdtemp(base))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(wrong_root_refused),
        cmocka_unit_test(corruption_detected),
        cmocka_unit_test(capacity_refused),
        cmocka_unit_test(capacity_under_threads),
        cmocka_unit_test(temp_leftovers_removed),
        cmocka_unit_test(kill_mid_put),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (rm_base() != 0)
        return 1;
    return rc;
}

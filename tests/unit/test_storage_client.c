/* Unit tests of the storage client's local parts: file tags (what makes
 * metadata recoverable from the chain and the key) and the LMDB metadata
 * store, on a real directory. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/client/meta.h"
#include "storage/client/tag.h"

static void tags_round_trip(void **state)
{
    cairn_keypair kp, other;
    uint8_t secret[CAIRN_SECRET_LEN], secret2[CAIRN_SECRET_LEN],
        id[CMETA_ID_LEN], id2[CMETA_ID_LEN];
    cairn_file_info fi, back;
    cairn_hash tag;
    cairn_layout_params p = {4, 6, 1u << 20};
    cairn_keypair_generate(&kp);
    cairn_keypair_generate(&other);
    ctag_secret(secret, &kp);
    ctag_secret(secret2, &kp);
    assert_memory_equal(secret, secret2,
                        sizeof secret); /* from the key alone */
    assert_int_equal(ctag_new(&fi, &tag, id, &p, 3145728, secret), CAIRN_OK);
    assert_int_equal(ctag_open(&back, id2, &tag, secret), CAIRN_OK);
    assert_memory_equal(id, id2, CMETA_ID_LEN);
    assert_memory_equal(id, tag.b, CMETA_ID_LEN);
    assert_int_equal(back.p.k, 4);
    assert_int_equal(back.p.n, 6);
    assert_int_equal(back.p.segment_size, 1u << 20);
    assert_int_equal(back.size, 3145728);
    assert_memory_equal(back.nonce, fi.nonce,
                        CAIRN_FILE_NONCE_LEN); /* derived again */
    /* another key's secret does not open it, nor does a changed tag */
    ctag_secret(secret2, &other);
    assert_int_equal(ctag_open(&back, id2, &tag, secret2), CAIRN_ERR_BAD_ARG);
    tag.b[20] ^= 1;
    assert_int_equal(ctag_open(&back, id2, &tag, secret), CAIRN_ERR_BAD_ARG);
    /* two files never share a nonce */
    cairn_file_info fi2;
    cairn_hash tag2;
    assert_int_equal(ctag_new(&fi2, &tag2, id2, &p, 10, secret), CAIRN_OK);
    assert_memory_not_equal(fi.nonce, fi2.nonce, CAIRN_FILE_NONCE_LEN);
    /* parameters a tag cannot carry are refused */
    cairn_layout_params odd = {4, 6, 1500};
    assert_int_equal(ctag_new(&fi2, &tag2, id2, &odd, 10, secret),
                     CAIRN_ERR_BAD_ARG);
    cairn_layout_params bad = {6, 6, 4096};
    assert_int_equal(ctag_new(&fi2, &tag2, id2, &bad, 10, secret),
                     CAIRN_ERR_BAD_ARG);
}

static cmeta_file sample_file(uint8_t first, const char *name)
{
    cmeta_file f;
    memset(&f, 0, sizeof f);
    memset(f.id, first, CMETA_ID_LEN);
    f.id[15] = 7;
    memset(f.tag.b, 3, 32);
    f.fi.p = (cairn_layout_params){2, 3, 4096};
    f.fi.size = 12345;
    memset(f.fi.nonce, 9, CAIRN_FILE_NONCE_LEN);
    f.created = 1700000000;
    f.epochs = 40;
    snprintf(f.name, sizeof f.name, "%s", name);
    return f;
}

static void meta_store(void **state)
{
    char dir[64], cmd[96], hex[33];
    cmeta *m;
    cmeta_file a = sample_file(0xab, "a.bin"), b = sample_file(0xac, "b.bin"),
               got, *list;
    cmeta_piece p[3], *pl;
    size_t n;
    uint64_t last;
    snprintf(dir, sizeof dir, "/tmp/cairn-meta-XXXXXX");
    assert_non_null(mkdtemp(dir));
    assert_int_equal(cmeta_open(&m, dir), CAIRN_OK);
    memset(p, 0, sizeof p);
    for (uint32_t i = 0; i < 3; i++) {
        p[i].seg = 2 - i / 2; /* written out of order */
        p[i].idx = i;
        p[i].size = 100 + i;
        p[i].deal = i ? 10 + i : 0;
        snprintf(p[i].endpoint, sizeof p[i].endpoint, "127.0.0.1:%u", 9000 + i);
    }
    assert_int_equal(cmeta_put(m, &a, p, 3), CAIRN_OK);
    assert_int_equal(cmeta_put(m, &b, NULL, 0), CAIRN_OK);
    assert_int_equal(cmeta_find(m, "abab", &got), CAIRN_OK);
    assert_string_equal(got.name, "a.bin");
    assert_int_equal(got.fi.size, 12345);
    assert_int_equal(got.fi.p.segment_size, 4096);
    assert_memory_equal(got.fi.nonce, a.fi.nonce, CAIRN_FILE_NONCE_LEN);
    assert_int_equal(cmeta_find(m, "ab", &got),
                     CAIRN_ERR_BAD_ARG); /* too short */
    assert_int_equal(cmeta_find(m, "ABAB", &got),
                     CAIRN_ERR_BAD_ARG); /* not lowercase */
    assert_int_equal(cmeta_find(m, "acad", &got), CAIRN_ERR_NOT_FOUND);
    assert_int_equal(cmeta_list(m, &list, &n), CAIRN_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[1].name, "b.bin");
    free(list);
    assert_int_equal(cmeta_pieces(m, a.id, &pl, &n), CAIRN_OK);
    assert_int_equal(n, 3);
    assert_int_equal(pl[0].seg, 1); /* (segment, index) order */
    assert_int_equal(pl[0].idx, 2);
    assert_int_equal(pl[1].seg, 2);
    assert_int_equal(pl[1].idx, 0);
    assert_string_equal(pl[2].endpoint, "127.0.0.1:9001");
    free(pl);
    /* an update of one piece, then the file's removal */
    p[0].deal = 99;
    assert_int_equal(cmeta_put_pieces(m, a.id, p, 1), CAIRN_OK);
    assert_int_equal(cmeta_pieces(m, a.id, &pl, &n), CAIRN_OK);
    assert_int_equal(pl[1].deal, 99);
    free(pl);
    cmeta_id_hex(hex, b.id);
    assert_int_equal(cmeta_delete(m, a.id), CAIRN_OK);
    assert_int_equal(cmeta_pieces(m, a.id, &pl, &n), CAIRN_OK);
    assert_int_equal(n, 0);
    assert_null(pl);
    assert_int_equal(cmeta_find(m, hex, &got), CAIRN_OK); /* b untouched */
    assert_int_equal(cmeta_last_deal(m, &last), CAIRN_OK);
    assert_int_equal(last, 0);
    assert_int_equal(cmeta_set_last_deal(m, 40), CAIRN_OK);
    assert_int_equal(cmeta_set_last_deal(m, 30),
                     CAIRN_OK); /* never goes back */
    cmeta_close(m);
    assert_int_equal(cmeta_open(&m, dir), CAIRN_OK); /* and it persists */
    assert_int_equal(cmeta_last_deal(m, &last), CAIRN_OK);
    assert_int_equal(last, 40);
    cmeta_close(m);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    cairn_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tags_round_trip),
        cmocka_unit_test(meta_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

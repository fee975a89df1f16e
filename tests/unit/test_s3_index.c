/* The S3 gateway's index (src/s3/index.h): buckets, objects listed in key
 * order from a prefix and after a key (what ListObjectsV2's pages and
 * start-after need), keys that share a prefix with the bucket's name kept
 * apart per bucket, multipart uploads whose parts go with them, records
 * that survive a reopen; and the bucket name rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "s3/gw.h"
#include "s3/index.h"

static char dir[64];

static s3idx *open_fresh(void)
{
    s3idx *x = NULL;
    snprintf(dir, sizeof dir, "/tmp/cairn-s3idx-XXXXXX");
    assert_non_null(mkdtemp(dir));
    assert_int_equal(s3idx_open(&x, dir), CAIRN_OK);
    return x;
}

static void remove_dir(void)
{
    char p[128];
    snprintf(p, sizeof p, "%s/data.mdb", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/lock.mdb", dir);
    unlink(p);
    rmdir(dir);
}

static void put_obj(s3idx *x, const char *b, const char *k, int size)
{
    json_t *r = json_pack("{s:s, s:i}", "etag", k, "size", size);
    assert_int_equal(s3idx_obj_put(x, b, k, r), CAIRN_OK);
    json_decref(r);
}

typedef struct seen {
    char keys[16][64];
    size_t n, stop_at;
} seen;

static int collect(void *arg, const char *key, const json_t *rec)
{
    seen *s = arg;
    assert_string_equal(json_string_value(json_object_get(rec, "etag")), key);
    snprintf(s->keys[s->n++], sizeof s->keys[0], "%s", key);
    return s->stop_at && s->n == s->stop_at;
}

static void list(s3idx *x, const char *b, const char *prefix, const char *after,
                 size_t stop_at, const char *want)
{
    seen s = {.stop_at = stop_at};
    char got[1024] = "";
    assert_int_equal(s3idx_objs(x, b, prefix, after, collect, &s), CAIRN_OK);
    size_t off = 0;
    for (size_t i = 0; i < s.n; i++)
        off += (size_t)snprintf(got + off, sizeof got - off, "%s ", s.keys[i]);
    assert_string_equal(got, want);
}

static void test_buckets_and_objects(void **state)
{
    (void)state;
    s3idx *x = open_fresh();
    assert_true(s3idx_empty(x));
    json_t *b = json_pack("{s:s, s:i}", "id", "", "created", 1);
    assert_int_equal(s3idx_bucket_put(x, "photos", b), CAIRN_OK);
    assert_int_equal(s3idx_bucket_put(x, "photos2", b), CAIRN_OK);
    json_decref(b);
    assert_false(s3idx_empty(x));
    assert_true(s3idx_bucket_empty(x, "photos"));
    put_obj(x, "photos", "b/2", 2);
    put_obj(x, "photos", "a/1", 1);
    put_obj(x, "photos", "a/2", 2);
    put_obj(x, "photos", "c", 3);
    put_obj(x, "photos2", "a/0", 0); /* another bucket, same key prefix */
    assert_false(s3idx_bucket_empty(x, "photos"));
    list(x, "photos", "", NULL, 0, "a/1 a/2 b/2 c ");
    list(x, "photos", "a/", NULL, 0, "a/1 a/2 ");
    list(x, "photos", "", "a/2", 0, "b/2 c ");      /* after is exclusive */
    list(x, "photos", "", "a/15", 0, "a/2 b/2 c "); /* not a key */
    list(x, "photos", "a/", "0", 0, "a/1 a/2 ");    /* before the prefix */
    list(x, "photos", "", NULL, 2, "a/1 a/2 ");     /* the callback stops */
    list(x, "photos2", "", NULL, 0, "a/0 ");
    list(x, "photos", "zz", NULL, 0, "");
    json_t *r = NULL;
    assert_int_equal(s3idx_obj_get(x, "photos", "c", &r), CAIRN_OK);
    assert_int_equal(json_integer_value(json_object_get(r, "size")), 3);
    json_decref(r);
    assert_int_equal(s3idx_obj_get(x, "photos", "nope", &r),
                     CAIRN_ERR_NOT_FOUND);
    assert_null(r);
    assert_int_equal(s3idx_obj_del(x, "photos", "c"), CAIRN_OK);
    list(x, "photos", "", NULL, 0, "a/1 a/2 b/2 ");
    assert_int_equal(s3idx_bucket_get(x, "nobucket", &r), CAIRN_ERR_NOT_FOUND);
    assert_int_equal(s3idx_bucket_del(x, "photos2"), CAIRN_OK);
    assert_int_equal(s3idx_bucket_get(x, "photos2", &r), CAIRN_ERR_NOT_FOUND);
    /* the records survive a reopen */
    s3idx_close(x);
    assert_int_equal(s3idx_open(&x, dir), CAIRN_OK);
    list(x, "photos", "", NULL, 0, "a/1 a/2 b/2 ");
    assert_int_equal(s3idx_bucket_get(x, "photos", &r), CAIRN_OK);
    json_decref(r);
    s3idx_close(x);
    remove_dir();
}

typedef struct parts_seen {
    uint32_t num[8];
    size_t n;
} parts_seen;

static int part_cb(void *arg, uint32_t part, const json_t *rec)
{
    parts_seen *p = arg;
    assert_int_equal(json_integer_value(json_object_get(rec, "size")), part);
    p->num[p->n++] = part;
    return 0;
}

static void test_uploads(void **state)
{
    (void)state;
    s3idx *x = open_fresh();
    json_t *u = json_pack("{s:s, s:s}", "bucket", "b", "key", "k");
    assert_int_equal(s3idx_upload_put(x, "u1", u), CAIRN_OK);
    assert_int_equal(s3idx_upload_put(x, "u10", u), CAIRN_OK);
    json_decref(u);
    uint32_t order[] = {300, 2, 1, 70000};
    for (size_t i = 0; i < 4; i++) {
        json_t *p = json_pack("{s:I}", "size", (json_int_t)order[i]);
        assert_int_equal(s3idx_part_put(x, "u1", order[i], p), CAIRN_OK);
        json_decref(p);
    }
    json_t *p = json_pack("{s:I}", "size", (json_int_t)5);
    assert_int_equal(s3idx_part_put(x, "u10", 5, p), CAIRN_OK);
    json_decref(p);
    parts_seen s = {0};
    assert_int_equal(s3idx_parts(x, "u1", part_cb, &s), CAIRN_OK);
    assert_int_equal(s.n, 4); /* numeric order, not u10's */
    assert_int_equal(s.num[0], 1);
    assert_int_equal(s.num[1], 2);
    assert_int_equal(s.num[2], 300);
    assert_int_equal(s.num[3], 70000);
    assert_int_equal(s3idx_upload_del(x, "u1"), CAIRN_OK);
    json_t *r = NULL;
    assert_int_equal(s3idx_upload_get(x, "u1", &r), CAIRN_ERR_NOT_FOUND);
    s = (parts_seen){0};
    assert_int_equal(s3idx_parts(x, "u1", part_cb, &s), CAIRN_OK);
    assert_int_equal(s.n, 0);
    s = (parts_seen){0};
    assert_int_equal(s3idx_parts(x, "u10", part_cb, &s), CAIRN_OK);
    assert_int_equal(s.n, 1); /* the other upload keeps its part */
    assert_int_equal(s3idx_upload_get(x, "u10", &r), CAIRN_OK);
    json_decref(r);
    s3idx_close(x);
    remove_dir();
}

static void test_bucket_names(void **state)
{
    (void)state;
    assert_true(gw_bucket_name_ok("photos"));
    assert_true(gw_bucket_name_ok("my.bucket-1"));
    assert_true(gw_bucket_name_ok("abc"));
    assert_false(gw_bucket_name_ok("ab"));
    assert_false(gw_bucket_name_ok("Photos"));
    assert_false(gw_bucket_name_ok("-abc"));
    assert_false(gw_bucket_name_ok("abc-"));
    assert_false(gw_bucket_name_ok("a..b"));
    assert_false(gw_bucket_name_ok("a.-b"));
    assert_false(gw_bucket_name_ok("a_b"));
    assert_false(gw_bucket_name_ok("192.168.1.1"));
    char longname[70];
    memset(longname, 'a', 64);
    longname[64] = '\0';
    assert_false(gw_bucket_name_ok(longname));
    longname[63] = '\0';
    assert_true(gw_bucket_name_ok(longname));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buckets_and_objects),
        cmocka_unit_test(test_uploads),
        cmocka_unit_test(test_bucket_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

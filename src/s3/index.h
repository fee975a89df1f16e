/* Internal: the S3 gateway's index (docs/s3.md, "The index"): one LMDB
 * environment per account, in the gateway's DIR/s3/<address>/, that maps
 * what S3 clients name (buckets, keys, multipart uploads and their parts)
 * onto the account's storage files. Every value is a small JSON object.
 * The index can be rebuilt from the chain and the account's key (the
 * encrypted name records, docs/storage.md), except uploads in progress.
 *
 * Records (one unnamed database; keys sort bytewise, which is S3's order):
 *   "b" ‖ bucket                    -> {"id": hex32, "created": unix}
 *   "o" ‖ bucket ‖ 0x00 ‖ key       -> {"id": hex32 | "", "size", "etag",
 *                                       "type", "meta": {...}, "mtime"}
 *   "u" ‖ upload id                 -> {"bucket", "key", "type", "meta",
 *                                       "initiated"}
 *   "p" ‖ upload id ‖ BE32 part     -> {"size", "etag", "mtime"} */
#ifndef CAIRN_S3_INDEX_H
#define CAIRN_S3_INDEX_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"

typedef struct s3idx s3idx;

/* Opens (creating) the index in dir. The caller owns *out (s3idx_close). */
cairn_err s3idx_open(s3idx **out, const char *dir);
void s3idx_close(s3idx *x);

/* Buckets. get: NOT_FOUND when absent; *rec is a new reference. */
cairn_err s3idx_bucket_put(s3idx *x, const char *bucket, const json_t *rec);
cairn_err s3idx_bucket_get(s3idx *x, const char *bucket, json_t **rec);
cairn_err s3idx_bucket_del(s3idx *x, const char *bucket);
/* Calls cb for every bucket in name order (rec borrowed for the call);
 * non-zero from cb stops. */
cairn_err s3idx_buckets(s3idx *x,
                        int (*cb)(void *arg, const char *bucket,
                                  const json_t *rec),
                        void *arg);
/* 1 when the bucket holds no object, else 0 (and on a read error). */
int s3idx_bucket_empty(s3idx *x, const char *bucket);

/* Objects. get: NOT_FOUND when absent; *rec is a new reference. */
cairn_err s3idx_obj_put(s3idx *x, const char *bucket, const char *key,
                        const json_t *rec);
cairn_err s3idx_obj_get(s3idx *x, const char *bucket, const char *key,
                        json_t **rec);
cairn_err s3idx_obj_del(s3idx *x, const char *bucket, const char *key);
/* Calls cb for the objects of bucket whose key starts with prefix and
 * sorts after `after` (NULL or "": from the first), in key order; key and
 * rec are borrowed for the call; non-zero from cb stops. */
cairn_err s3idx_objs(s3idx *x, const char *bucket, const char *prefix,
                     const char *after,
                     int (*cb)(void *arg, const char *key, const json_t *rec),
                     void *arg);

/* Multipart uploads (id: the upload id text) and their parts. Deleting an
 * upload deletes its parts. */
cairn_err s3idx_upload_put(s3idx *x, const char *id, const json_t *rec);
cairn_err s3idx_upload_get(s3idx *x, const char *id, json_t **rec);
cairn_err s3idx_upload_del(s3idx *x, const char *id);
cairn_err s3idx_uploads(s3idx *x,
                        int (*cb)(void *arg, const char *id, const json_t *rec),
                        void *arg);
cairn_err s3idx_part_put(s3idx *x, const char *id, uint32_t part,
                         const json_t *rec);
/* The parts of upload id in part-number order. */
cairn_err s3idx_parts(s3idx *x, const char *id,
                      int (*cb)(void *arg, uint32_t part, const json_t *rec),
                      void *arg);

/* 1 when the index holds no bucket at all (a new or lost index). */
int s3idx_empty(s3idx *x);

#endif

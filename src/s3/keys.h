/* Internal: the gateway's access keys file (docs/s3-auth.md).
 *
 * One key per line:
 *
 *   ACCESS_KEY_ID SECRET_ACCESS_KEY [CAIRN_KEY_FILE|-] [rw|ro]
 *
 * separated by spaces or tabs; blank lines and lines starting with '#' (after
 * leading blanks) are skipped. `-` or an absent key file = the gateway's
 * --key account; the access mode defaults to rw. The id is 3..128 of
 * [A-Za-z0-9._-], the secret 8..128 printable ASCII without blanks, ids
 * unique. A relative key file path is taken from the keys file's folder.
 * The file is refused when group or others may write it (anyone could add a
 * key); keep it 0600, it holds secrets.
 *
 * Threads: a loaded s3_keys is read-only and may be shared between threads. */
#ifndef CAIRN_S3_KEYS_H
#define CAIRN_S3_KEYS_H

#include <stddef.h>

#include "cairn/error.h"

#define S3_KEYS_MAX 4096 /* keys in one file */

typedef struct s3_key {
    char id[129];
    char secret[129];
    char key_file[4096]; /* "" = the gateway's --key account */
    int read_only;
} s3_key;

typedef struct s3_keys {
    s3_key *k;
    size_t n;
} s3_keys;

/* Reads the keys file at path into *out. On error, why gets a sentence that
 * names the file and line and says what to fix. Allocates: the caller
 * releases *out with s3_keys_free (also after an error: safe). */
cairn_err s3_keys_load(s3_keys *out, const char *path, char *why,
                       size_t whylen);

/* Frees the keys (wiping the secrets) and zeroes *k. */
void s3_keys_free(s3_keys *k);

/* The key whose id is id, or NULL. Borrowed from k. */
const s3_key *s3_keys_find(const s3_keys *k, const char *id);

#endif

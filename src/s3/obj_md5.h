/* Internal: MD5 (RFC 1321), for S3's ETags and Content-MD5 only: S3
 * clients check objects with it. Not used for anything that needs a secure
 * hash (the storage layer uses BLAKE2b and SHA-256). The hashing is
 * Nettle's (Debian's nettle, which GnuTLS and so libmicrohttpd use). */
#ifndef CAIRN_S3_OBJ_MD5_H
#define CAIRN_S3_OBJ_MD5_H

#include <nettle/md5.h>
#include <stddef.h>
#include <stdint.h>

typedef struct s3_md5 {
    struct md5_ctx ctx;
} s3_md5;

void s3_md5_init(s3_md5 *m);
void s3_md5_update(s3_md5 *m, const void *p, size_t n);
void s3_md5_final(s3_md5 *m, uint8_t out[16]);

#endif

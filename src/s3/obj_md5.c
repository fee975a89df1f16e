/* MD5 for ETags (s3/obj_md5.h), over Nettle. */
#include "s3/obj_md5.h"

void s3_md5_init(s3_md5 *m)
{
    md5_init(&m->ctx);
}

void s3_md5_update(s3_md5 *m, const void *p, size_t n)
{
    md5_update(&m->ctx, n, p);
}

void s3_md5_final(s3_md5 *m, uint8_t out[16])
{
    md5_digest(&m->ctx, MD5_DIGEST_SIZE, out);
}

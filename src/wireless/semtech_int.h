/* Internals of the Semtech packet-forwarder codec (include/cairn/semtech.h):
 * the JSON halves, shared by semtech.c (framing), semtech_dec.c and
 * semtech_enc.c. */
#ifndef CAIRN_SEMTECH_INT_H
#define CAIRN_SEMTECH_INT_H

#include <stdarg.h>

#include "cairn/semtech.h"

/* Writes the reason (printf-style) into why and returns e. */
cairn_err sm_fail(char *why, size_t len, cairn_err e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* JSON after the binary header: p[0..n). Fill the matching fields of *m. */
cairn_err sm_dec_push(cairn_sm_msg *m, const uint8_t *p, size_t n, char *why,
                      size_t len);
cairn_err sm_dec_resp(cairn_sm_msg *m, const uint8_t *p, size_t n, char *why,
                      size_t len);
cairn_err sm_dec_txack(cairn_sm_msg *m, const uint8_t *p, size_t n, char *why,
                       size_t len);

/* A bounded text writer into a caller's buffer; over is set (and writing
 * stops) once the text does not fit. */
typedef struct sm_w {
    uint8_t *p;
    size_t cap, len;
    int over;
} sm_w;

void sm_put(sm_w *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sm_put_bytes(sm_w *w, const void *b, size_t n);

/* The JSON of each message type; CAIRN_ERR_BAD_MSG for out-of-range fields. */
cairn_err sm_enc_push(sm_w *w, const cairn_sm_msg *m, char *why, size_t len);
cairn_err sm_enc_txpk(sm_w *w, const cairn_sm_txpk *t, char *why, size_t len);

/* Field checks shared by both directions. */
int sm_rate_ok(const cairn_sm_rate *r);
int sm_time_ok(const char *s, size_t n);
extern const char *const sm_txerr_names[];
#define SM_TXERR_COUNT 8

#endif

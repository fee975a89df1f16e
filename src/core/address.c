/* Text addresses with a checksum, and key files. */
#include "cairn/codec.h"
#include "cairn/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ADDR_PREFIX "cairn1"
#define ADDR_PREFIX_LEN 6
#define CHECK_LEN 4

static void checksum(uint8_t out[CHECK_LEN], const cairn_pubkey *pk)
{
    uint8_t buf[10 + CAIRN_PK_LEN];
    cairn_hash h;
    memcpy(buf, "cairn-addr", 10);
    memcpy(buf + 10, pk->b, CAIRN_PK_LEN);
    cairn_hash_bytes(&h, buf, sizeof buf);
    memcpy(out, h.b, CHECK_LEN);
}

void cairn_addr_format(char out[CAIRN_ADDR_TEXT_LEN + 1],
                       const cairn_pubkey *pk)
{
    uint8_t raw[CAIRN_PK_LEN + CHECK_LEN];
    memcpy(raw, pk->b, CAIRN_PK_LEN);
    checksum(raw + CAIRN_PK_LEN, pk);
    memcpy(out, ADDR_PREFIX, ADDR_PREFIX_LEN);
    cairn_hex_encode(out + ADDR_PREFIX_LEN, raw, sizeof raw);
}

cairn_err cairn_addr_parse(cairn_pubkey *pk, const char *s)
{
    uint8_t raw[CAIRN_PK_LEN + CHECK_LEN], want[CHECK_LEN];
    cairn_pubkey k;
    if (!s || strlen(s) != CAIRN_ADDR_TEXT_LEN ||
        memcmp(s, ADDR_PREFIX, ADDR_PREFIX_LEN) != 0)
        return CAIRN_ERR_BAD_ADDRESS;
    for (const char *c = s + ADDR_PREFIX_LEN; *c; c++)
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
            return CAIRN_ERR_BAD_ADDRESS; /* lowercase only: one text per key */
    if (cairn_hex_decode(raw, sizeof raw, s + ADDR_PREFIX_LEN,
                         CAIRN_ADDR_TEXT_LEN - ADDR_PREFIX_LEN))
        return CAIRN_ERR_BAD_ADDRESS;
    memcpy(k.b, raw, CAIRN_PK_LEN);
    checksum(want, &k);
    if (sodium_memcmp(want, raw + CAIRN_PK_LEN, CHECK_LEN) != 0)
        return CAIRN_ERR_BAD_ADDRESS;
    *pk = k;
    return CAIRN_OK;
}

#define KEY_TAG "cairn-key-v1 "
#define KEY_TAG_LEN 13

cairn_err cairn_key_save(const char *path, const cairn_keypair *kp)
{
    char line[KEY_TAG_LEN + 2 * CAIRN_SEED_LEN + 2];
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return CAIRN_ERR_IO;
    memcpy(line, KEY_TAG, KEY_TAG_LEN);
    cairn_hex_encode(line + KEY_TAG_LEN, kp->sk, CAIRN_SEED_LEN);
    line[sizeof line - 2] = '\n';
    ssize_t w = write(fd, line, sizeof line - 1);
    int ok = w == (ssize_t)(sizeof line - 1) && fsync(fd) == 0;
    sodium_memzero(line, sizeof line);
    if (close(fd) != 0 || !ok) {
        unlink(path);
        return CAIRN_ERR_IO;
    }
    return CAIRN_OK;
}

/* The seed of a key file's bytes line[0..n): exactly "cairn-key-v1 ",
 * 64 lowercase hex digits, then nothing, "\n" or "\r\n". */
static cairn_err key_parse(uint8_t seed[CAIRN_SEED_LEN], const char *line,
                           size_t n)
{
    const size_t body = KEY_TAG_LEN + 2 * CAIRN_SEED_LEN;
    if (n == body + 1 && line[body] == '\n')
        n = body;
    else if (n == body + 2 && line[body] == '\r' && line[body + 1] == '\n')
        n = body;
    if (n != body || memcmp(line, KEY_TAG, KEY_TAG_LEN) != 0)
        return CAIRN_ERR_BAD_KEY;
    for (size_t i = KEY_TAG_LEN; i < body; i++)
        if (!((line[i] >= '0' && line[i] <= '9') ||
              (line[i] >= 'a' && line[i] <= 'f')))
            return CAIRN_ERR_BAD_KEY; /* lowercase only, as written */
    return cairn_hex_decode(seed, CAIRN_SEED_LEN, line + KEY_TAG_LEN,
                            2 * CAIRN_SEED_LEN)
               ? CAIRN_ERR_BAD_KEY
               : CAIRN_OK;
}

cairn_err cairn_key_load(const char *path, cairn_keypair *kp)
{
    char line[128];
    uint8_t seed[CAIRN_SEED_LEN];
    FILE *f = fopen(path, "r");
    if (!f)
        return CAIRN_ERR_IO;
    size_t n = fread(line, 1, sizeof line, f); /* more than a key: refused */
    fclose(f);
    cairn_err e = key_parse(seed, line, n);
    if (!e)
        cairn_keypair_from_seed(kp, seed);
    sodium_memzero(line, sizeof line);
    sodium_memzero(seed, sizeof seed);
    return e;
}

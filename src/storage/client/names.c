/* A client's sealed file names on chain: FILE_NAME records of the key's
 * account, sealed with a key derived from the storage secret (names.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cairn/storage.h"
#include "storage/client/names.h"

#define KEY_DOMAIN "cairn-name-key-v1"
#define AD_DOMAIN "cairn-name-v1"
#define AD_LEN (sizeof AD_DOMAIN - 1 + 32 + CMETA_ID_LEN)

void snames_key(uint8_t key[32], const uint8_t secret[CAIRN_SECRET_LEN])
{
    crypto_generichash(key, 32, (const uint8_t *)KEY_DOMAIN,
                       sizeof KEY_DOMAIN - 1, secret, CAIRN_SECRET_LEN);
}

static void name_ad(uint8_t ad[AD_LEN], const cairn_pubkey *owner,
                    const uint8_t id[CMETA_ID_LEN])
{
    memcpy(ad, AD_DOMAIN, sizeof AD_DOMAIN - 1);
    memcpy(ad + sizeof AD_DOMAIN - 1, owner->b, 32);
    memcpy(ad + sizeof AD_DOMAIN - 1 + 32, id, CMETA_ID_LEN);
}

void snames_name_copy(char *out, size_t cap, const char *name)
{
    size_t n = strlen(name);
    if (cap == 0)
        return;
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)name[n] & 0xC0) == 0x80)
            n--; /* name[n] continues a character: cut before it starts */
    }
    memcpy(out, name, n);
    out[n] = '\0';
}

cairn_err snames_seal(uint8_t blob[SNAMES_BLOB_MAX], size_t *blen,
                      const uint8_t key[32], const cairn_pubkey *owner,
                      const uint8_t id[CMETA_ID_LEN], const uint8_t *plain,
                      size_t n)
{
    uint8_t ad[AD_LEN];
    unsigned long long clen;
    if (n > SNAMES_PLAIN_MAX)
        return CAIRN_ERR_TOO_LARGE;
    name_ad(ad, owner, id);
    randombytes_buf(blob, SNAMES_NONCE_LEN);
    crypto_aead_xchacha20poly1305_ietf_encrypt(blob + SNAMES_NONCE_LEN, &clen,
                                               plain, n, ad, sizeof ad, NULL,
                                               blob, key);
    *blen = SNAMES_NONCE_LEN + (size_t)clen;
    return CAIRN_OK;
}

cairn_err snames_open(json_t **obj, const uint8_t key[32],
                      const cairn_pubkey *owner, const uint8_t id[CMETA_ID_LEN],
                      const uint8_t *blob, size_t blen)
{
    uint8_t ad[AD_LEN], plain[SNAMES_PLAIN_MAX];
    unsigned long long n;
    json_error_t je;
    *obj = NULL;
    if (blen < SNAMES_NONCE_LEN + SNAMES_TAG_LEN || blen > SNAMES_BLOB_MAX)
        return CAIRN_ERR_BAD_SIG;
    name_ad(ad, owner, id);
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            plain, &n, NULL, blob + SNAMES_NONCE_LEN, blen - SNAMES_NONCE_LEN,
            ad, sizeof ad, blob, key) != 0)
        return CAIRN_ERR_BAD_SIG;
    json_t *j = json_loadb((const char *)plain, (size_t)n, 0, &je);
    sodium_memzero(plain, sizeof plain);
    if (!j || !json_is_object(j)) {
        json_decref(j);
        return CAIRN_ERR_BAD_JSON;
    }
    *obj = j;
    return CAIRN_OK;
}

cairn_err snames_plain(uint8_t out[SNAMES_PLAIN_MAX], size_t *n,
                       const char *json)
{
    json_error_t je;
    json_t *j = json ? json_loads(json, 0, &je) : NULL;
    if (!j || !json_is_object(j)) {
        json_decref(j);
        return CAIRN_ERR_BAD_ARG;
    }
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!text)
        return CAIRN_ERR_NOMEM;
    size_t len = strlen(text);
    if (len > SNAMES_PLAIN_MAX) {
        free(text);
        return CAIRN_ERR_TOO_LARGE;
    }
    size_t padded = (len + SNAMES_PAD - 1) / SNAMES_PAD * SNAMES_PAD;
    memcpy(out, text, len);
    memset(out + len, ' ', padded - len); /* JSON allows trailing spaces */
    free(text);
    *n = padded;
    return CAIRN_OK;
}

/* Sends one FILE_NAME body and waits for its block. */
static cairn_err send_name(sclient *c, const uint8_t *body, size_t len,
                           const char *what)
{
    snode_ctx ctx;
    snode_err ne = {.msg = ""};
    uint64_t nonce;
    cairn_err e = snode_status(c->node, &ctx, &ne);
    if (!e)
        e = snode_require_sequencer(c->node, &ctx, &ne);
    if (!e)
        e = snode_next_nonce(c->node, &c->key.pk, &nonce, &ne);
    if (!e)
        e = snode_send(c->node, &ctx, &c->key, nonce, CAIRN_TX_FILE_NAME, body,
                       len, 1, NULL, &ne);
    if (e)
        return sclient_fail(c, e, "cannot %s the file's name record: %s", what,
                            ne.msg);
    if (ne.status == 202)
        return sclient_fail(c, CAIRN_ERR_IO,
                            "the transaction that %ss the file's name record "
                            "is still pending (not in a block yet)",
                            what);
    return CAIRN_OK;
}

cairn_err sclient_name_set(sclient *c, const uint8_t id[CMETA_ID_LEN],
                           const char *json)
{
    uint8_t plain[SNAMES_PLAIN_MAX], key[32], blob[SNAMES_BLOB_MAX];
    size_t n = 0, blen = 0;
    cairn_buf b;
    cairn_err e = snames_plain(plain, &n, json);
    if (e == CAIRN_ERR_BAD_ARG)
        return sclient_fail(c, e, "a file's name record is a JSON object");
    if (e == CAIRN_ERR_TOO_LARGE)
        return sclient_fail(c, e,
                            "a file's name record takes at most %d bytes of "
                            "JSON: shorten the name or the metadata",
                            SNAMES_PLAIN_MAX);
    if (e)
        return sclient_fail(c, e, "out of memory");
    snames_key(key, c->secret);
    e = snames_seal(blob, &blen, key, &c->key.pk, id, plain, n);
    sodium_memzero(key, sizeof key);
    sodium_memzero(plain, sizeof plain);
    if (e)
        return sclient_fail(c, e, "cannot seal the file's name record");
    cairn_file_name f = {.len = (uint16_t)blen, .blob = blob};
    memcpy(f.id, id, CMETA_ID_LEN);
    cairn_buf_init(&b, CAIRN_TX_BODY_MAX);
    cairn_file_name_encode(&b, &f);
    e = b.err ? sclient_fail(c, b.err, "cannot encode the name record")
              : send_name(c, b.p, b.len, "write");
    cairn_buf_free(&b);
    return e;
}

cairn_err sclient_name_del(sclient *c, const uint8_t id[CMETA_ID_LEN])
{
    uint8_t body[CMETA_ID_LEN + 2] = {0};
    memcpy(body, id, CMETA_ID_LEN); /* u16 length 0: delete */
    cairn_err e = send_name(c, body, sizeof body, "delete");
    if (e == CAIRN_ERR_NOT_FOUND) {
        c->why[0] = '\0';
        return CAIRN_OK; /* there was none */
    }
    return e;
}

/* One page of the key's records: calls cb for those that open. Sets
 * *after to the last id seen and *more. *stop when cb asked to. */
static cairn_err names_page(sclient *c, const uint8_t key[32],
                            uint8_t after[CMETA_ID_LEN], int first, int *more,
                            int *stop,
                            int (*cb)(void *, const uint8_t *, json_t *),
                            void *arg)
{
    char addr[CAIRN_ADDR_TEXT_LEN + 1], hex[2 * CMETA_ID_LEN + 1], path[256];
    json_t *j;
    snode_err ne = {.msg = ""};
    cairn_addr_format(addr, &c->key.pk);
    cmeta_id_hex(hex, after);
    snprintf(path, sizeof path, "/v1/storage/names?owner=%s&limit=%d%s%s", addr,
             CAIRN_FILE_NAMES_MAX, first ? "" : "&after=", first ? "" : hex);
    cairn_err e = snode_get(c->node, path, &j, &ne);
    if (e)
        return sclient_fail(c, e, "cannot read the name records from %s: %s",
                            c->node, ne.msg);
    json_t *arr = json_object_get(j, "names");
    size_t i;
    json_t *r;
    *more = json_is_true(json_object_get(j, "more"));
    if (!json_is_array(arr))
        e = sclient_fail(c, CAIRN_ERR_BAD_JSON,
                         "the node's name records are malformed");
    json_array_foreach(e ? NULL : arr, i, r)
    {
        const char *id = json_string_value(json_object_get(r, "id"));
        const char *bh = json_string_value(json_object_get(r, "blob"));
        uint8_t rid[CMETA_ID_LEN], *blob = NULL;
        size_t blen = 0;
        json_t *obj;
        if (!id || !bh || strlen(id) != 2 * CMETA_ID_LEN ||
            cairn_hex_decode(rid, CMETA_ID_LEN, id, strlen(id)) ||
            cairn_hex_decode_alloc(&blob, &blen, bh, CAIRN_FILE_NAME_MAX)) {
            e = sclient_fail(c, CAIRN_ERR_BAD_JSON,
                             "the node's name records are malformed");
            break;
        }
        memcpy(after, rid, CMETA_ID_LEN);
        cairn_err oe = snames_open(&obj, key, &c->key.pk, rid, blob, blen);
        free(blob);
        if (oe)
            continue; /* not sealed under this key's secret */
        *stop = cb(arg, rid, obj) != 0;
        json_decref(obj);
        if (*stop)
            break;
    }
    json_decref(j);
    return e;
}

cairn_err sclient_names(sclient *c,
                        int (*cb)(void *arg, const uint8_t id[CMETA_ID_LEN],
                                  json_t *obj),
                        void *arg)
{
    uint8_t key[32], after[CMETA_ID_LEN] = {0};
    int more = 1, stop = 0, first = 1;
    cairn_err e = CAIRN_OK;
    snames_key(key, c->secret);
    while (!e && more && !stop) {
        e = names_page(c, key, after, first, &more, &stop, cb, arg);
        first = 0;
    }
    sodium_memzero(key, sizeof key);
    return e;
}

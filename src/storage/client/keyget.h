/* Internal: getting another account's storage file with that file's key
 * alone (a reader the owner gave one key: a compute provider fetching its
 * tenant's inputs, an app reading a device's sensor batch).
 *
 * The reader has no metadata store: the file's pieces are found from the
 * owner's deals on chain (each deal carries the file's tag: its id, k, n,
 * segment size and size; and the piece's segment, index, root and
 * provider; the latest deal of a piece wins, a repair's), the providers'
 * endpoints from their registrations, and k good pieces of every segment
 * are fetched and decrypted with `cairn get`'s code (getseg.h). */
#ifndef CAIRN_CLIENT_KEYGET_H
#define CAIRN_CLIENT_KEYGET_H

#include "cairn/layout.h"
#include "storage/client/meta.h"

/* One file being looked for: set id, zero the rest. After ckey_scan,
 * found says whether a deal of the owner carries it; f and p[0..n) are
 * its tag and pieces. p is allocated: release with ckey_free. */
typedef struct ckey_file {
    uint8_t id[CMETA_ID_LEN];
    int found;
    cmeta_file f;
    cmeta_piece *p;
    size_t n, cap;
} ckey_file;

/* Reads owner's deals (bounded: at most 100000) from the node API at node
 * into the files[0..n) they belong to. NOMEM; or the node's failure (msg,
 * len bytes, says why). A file no deal names is left with found 0. */
cairn_err ckey_scan(const char *node, const cairn_pubkey *owner,
                    ckey_file *files, size_t n, char *msg, size_t len);

/* Gets found file x into the open file fd (pwrite at each segment's
 * offset; not synced), decrypting with key; `who` is the identity the
 * storage providers see. FEW_PIECES or DECRYPT (its pieces cannot be had,
 * or the key is not the file's), IO, NOMEM; msg says why. */
cairn_err ckey_get(const char *node, const cairn_keypair *who, ckey_file *x,
                   const uint8_t key[CAIRN_FILE_KEY_LEN], int fd, char *msg,
                   size_t len);

/* Frees x's pieces. */
void ckey_free(ckey_file *x);

#endif

/* Internal: the storage client's metadata store, one LMDB environment in
 * the client's directory (default ~/.cairn/client). It holds, per file put,
 * what getting it back needs besides the user's secret — the file info, and
 * per piece its provider, root, size and deal — so that get, status, rm and
 * repair need no scan of the chain. Everything in it can be rebuilt from the
 * chain and the user's key (recover.c; the name from the file's sealed name
 * record, names.h).
 *
 * Records (one unnamed database; little-endian, docs/storage.md):
 *   "f" ‖ [16] file id                    -> file record
 *   "p" ‖ [16] file id ‖ BE32 seg ‖ BE32 i -> piece record
 *   "m" ‖ "last_deal"                     -> u64: highest deal id of this
 *                                            client seen on chain */
#ifndef CAIRN_CLIENT_META_H
#define CAIRN_CLIENT_META_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/layout.h"
#include "cairn/staking.h"

#define CMETA_ID_LEN 16
#define CMETA_NAME_MAX 255

typedef struct cmeta cmeta;

/* A file as put. */
typedef struct cmeta_file {
    uint8_t id[CMETA_ID_LEN];
    cairn_hash tag; /* the file tag every deal of it carries */
    cairn_file_info fi;
    uint64_t created; /* Unix seconds */
    uint8_t permanent;
    uint64_t epochs; /* term deals: epochs each; permanent: 0 */
    char name[CMETA_NAME_MAX + 1];
} cmeta_file;

/* One piece of a file: where it is and under which deal. */
typedef struct cmeta_piece {
    uint32_t seg, idx;
    cairn_pubkey provider;
    cairn_hash root;
    uint64_t size;
    uint64_t deal; /* 0: no deal on chain yet */
    char endpoint[CAIRN_ENDPOINT_MAX + 1];
} cmeta_piece;

/* Opens (creating) the store in dir. The caller owns *out (cmeta_close). */
cairn_err cmeta_open(cmeta **out, const char *dir);
void cmeta_close(cmeta *m);

/* Writes a file record and its pieces in one transaction (n may be 0). */
cairn_err cmeta_put(cmeta *m, const cmeta_file *f, const cmeta_piece *p,
                    size_t n);
/* Updates pieces of file id (same keys) in one transaction. */
cairn_err cmeta_put_pieces(cmeta *m, const uint8_t id[CMETA_ID_LEN],
                           const cmeta_piece *p, size_t n);
/* The file whose id in hex starts with `prefix` (at least 4 hex digits):
 * NOT_FOUND, DUPLICATE if several match, BAD_ARG for a prefix that is
 * not 4..32 lowercase hex digits. */
cairn_err cmeta_find(cmeta *m, const char *prefix, cmeta_file *f);
/* Every file, in id order: *out is a new malloc'd array (caller frees). */
cairn_err cmeta_list(cmeta *m, cmeta_file **out, size_t *n);
/* The pieces of file id in (segment, index) order: *out is a new malloc'd
 * array (caller frees; NULL when n is 0). */
cairn_err cmeta_pieces(cmeta *m, const uint8_t id[CMETA_ID_LEN],
                       cmeta_piece **out, size_t *n);
/* Removes a file and its pieces. */
cairn_err cmeta_delete(cmeta *m, const uint8_t id[CMETA_ID_LEN]);
/* The highest deal id of this client seen so far (0: none), and an update. */
cairn_err cmeta_last_deal(cmeta *m, uint64_t *id);
cairn_err cmeta_set_last_deal(cmeta *m, uint64_t id);

/* The file id as 32 hex digits and a NUL. */
void cmeta_id_hex(char out[2 * CMETA_ID_LEN + 1],
                  const uint8_t id[CMETA_ID_LEN]);

#endif

/* Internal: choosing storage providers for new pieces. */
#ifndef CAIRN_CLIENT_PICK_H
#define CAIRN_CLIENT_PICK_H

#include "storage/client/client.h"
#include "storage/client/link.h"

#define CPICK_MAX 256 /* providers asked, at most */

/* A provider that answered and will take the pieces. */
typedef struct cpeer {
    clink link;
    cairn_sp_info info;
    int ok; /* answered, and fits */
} cpeer;

/* Lists the chain's active, unjailed storage providers (not the client's
 * own key, none of exclude[0..nex)), asks each at once for its terms, and
 * keeps those that have `need` bytes free, put up at least the chain's
 * collateral share and ask at most max_price per MiB and epoch (0: any).
 * *out (a new array the caller frees with cpick_free) is sorted by price,
 * in random order among equal prices; its links stay open for the upload. */
cairn_err cpick(sclient *c, const schain *ch, uint64_t need, uint64_t max_price,
                const cairn_pubkey *exclude, size_t nex, cpeer **out,
                size_t *n);
void cpick_free(cpeer *p, size_t n);

#endif

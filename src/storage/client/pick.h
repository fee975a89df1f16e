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
    int ok;      /* answered, and fits */
    int verdict; /* what its ASK told (pick.c) */
} cpeer;

/* What the pieces need of a provider. */
typedef struct cpick_want {
    uint64_t need;      /* bytes free */
    uint64_t max_price; /* term deals: most per MiB and epoch (0: any) */
    int permanent;      /* permanent deals: ask at most the network's rate */
    const cairn_pubkey *exclude; /* providers not to take (may be NULL) */
    size_t nex;
} cpick_want;

/* Why the providers listed were not kept, for the user. */
typedef struct cpick_stats {
    size_t listed;     /* active, unjailed, with an endpoint */
    size_t silent;     /* did not answer an ASK */
    size_t no_room;    /* too little room or collateral */
    size_t too_dear;   /* price above the limit */
    uint64_t limit;    /* that limit (max_price, or the permanent rate) */
    uint64_t cheapest; /* lowest price of those with room (UINT64_MAX: none) */
} cpick_stats;

/* Lists the chain's active, unjailed storage providers (not the client's
 * own key, none of w->exclude), asks each at once for its terms, and keeps
 * those that have w->need bytes free, put up at least the chain's
 * collateral share, and whose price fits: for a term deal, what it pays
 * per MiB and epoch (cpick_price) at most w->max_price; for a permanent
 * one, an ask no higher than the network's permanent rate (a provider
 * takes nothing less). *out (a new array the caller frees with
 * cpick_free) is sorted by price, in random order among equal prices; its
 * links stay open for the upload. *st (may be NULL) gets the counts of
 * the others. */
cairn_err cpick(sclient *c, const schain *ch, const cpick_want *w, cpeer **out,
                size_t *n, cpick_stats *st);
/* The price a term deal with a provider pays per MiB and epoch: its ask,
 * or the chain's floor when that is higher. */
uint64_t cpick_price(const schain *ch, const cairn_sp_info *info);
/* Appends to out (size len, NUL-terminated) why providers were left out,
 * from st: "; 3 did not answer; 2 ask more than ...". */
void cpick_explain(const cpick_stats *st, int permanent, char *out, size_t len);
void cpick_free(cpeer *p, size_t n);

#endif

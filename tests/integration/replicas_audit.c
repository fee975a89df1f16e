/* replicas_audit DIR: the books audit (cairn_chain_econ_audit) of a
 * stopped node's chain directory, for tests/integration/test_replicas.sh
 * (no CLI command or API endpoint runs the audit). Opening the chain also
 * rebuilds the state commitment and checks it against the tip's state
 * root. Prints "height H tip HASH state_root ROOT" and the audit's sums;
 * exits 0 when the audit holds, 1 when it does not or the chain would not
 * open. */
#include <stdio.h>

#include "cairn/chain.h"
#include "cairn/codec.h"
#include "cairn/crypto.h"
#include "cairn/staking.h"

int main(int argc, char **argv)
{
    cairn_chain *c = NULL;
    cairn_header tip;
    cairn_hash hash;
    cairn_econ_audit au;
    char th[2 * CAIRN_HASH_LEN + 1], sr[2 * CAIRN_HASH_LEN + 1];
    if (argc != 2) {
        fprintf(stderr, "usage: replicas_audit DIR\n");
        return 2;
    }
    cairn_crypto_init();
    cairn_err e = cairn_chain_open(&c, argv[1]);
    if (e) {
        fprintf(stderr, "replicas_audit: open %s: %s\n", argv[1],
                cairn_strerror(e));
        return 1;
    }
    cairn_chain_tip(c, &tip, &hash);
    cairn_hex_encode(th, hash.b, CAIRN_HASH_LEN);
    cairn_hex_encode(sr, tip.state_root.b, CAIRN_HASH_LEN);
    e = cairn_chain_econ_audit(c, &au);
    cairn_chain_close(c);
    if (e) {
        fprintf(stderr, "replicas_audit: audit: %s\n", cairn_strerror(e));
        return 1;
    }
    printf("height %llu tip %s state_root %s\n", (unsigned long long)tip.height,
           th, sr);
    printf("audit %s: supply %llu = genesis %llu + minted %llu - burned "
           "%llu; balances %llu staked %llu unbonding %llu pools %llu "
           "escrow %llu treasury %llu\n",
           au.ok ? "ok" : "FAILED", (unsigned long long)au.supply,
           (unsigned long long)au.genesis_supply, (unsigned long long)au.minted,
           (unsigned long long)au.burned, (unsigned long long)au.balances,
           (unsigned long long)au.staked, (unsigned long long)au.unbonding,
           (unsigned long long)au.pools, (unsigned long long)au.escrow,
           (unsigned long long)au.treasury);
    return au.ok ? 0 : 1;
}

/* Helpers over the beacon payload codec (hs_wire.h). */
#include "wireless/hotspot/hs_wire.h"

int hs_beacon_parse(const uint8_t *p, size_t n, cairn_pubkey *beaconer,
                    uint64_t *epoch, cairn_sig *sig)
{
    cairn_beacon_payload b;
    if (cairn_beacon_payload_parse(&b, p, n) != CAIRN_OK)
        return -1;
    if (beaconer)
        *beaconer = b.beaconer;
    if (epoch)
        *epoch = b.epoch;
    if (sig)
        *sig = b.sig;
    return 0;
}

int hs_beacon_verify(const uint8_t p[HS_P_LEN], const char *chain_id,
                     const cairn_hash *seed)
{
    cairn_beacon_payload b;
    return cairn_beacon_payload_parse(&b, p, HS_P_LEN) == CAIRN_OK &&
           cairn_beacon_verify(&b.sig, chain_id, b.epoch, seed, &b.beaconer) ==
               CAIRN_OK;
}

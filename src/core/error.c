/* cairn_strerror / cairn_errname: the table of error messages. */
#include "cairn/error.h"

static const struct {
    const char *name;
    const char *msg;
} errs
    [CAIRN__ERR_COUNT] =
        {
            [CAIRN_OK] = {"ok", "success"},
            [CAIRN_ERR_NOMEM] = {"nomem", "out of memory"},
            [CAIRN_ERR_TRUNCATED] =
                {"truncated",
                 "input is truncated: it ends before the structure does"},
            [CAIRN_ERR_TOO_LARGE] = {"too_large", "a length exceeds its limit"},
            [CAIRN_ERR_TRAILING] =
                {"trailing", "unexpected bytes after the end of the structure"},
            [CAIRN_ERR_BAD_VERSION] = {"bad_version",
                                       "unknown encoding version"},
            [CAIRN_ERR_BAD_SIG] =
                {"bad_signature",
                 "signature does not verify for the sender's key"},
            [CAIRN_ERR_CHAIN_ID] =
                {"wrong_chain",
                 "transaction is for another network (chain id differs); sign it for this network"},
            [CAIRN_ERR_NONCE_USED] =
                {"nonce_used",
                 "nonce already used (replay); fetch the account's next nonce and sign again"},
            [CAIRN_ERR_NONCE_GAP] =
                {"nonce_gap",
                 "nonce skips ahead of the account's next nonce; send the missing ones first"},
            [CAIRN_ERR_FUNDS] = {"insufficient_funds",
                                 "balance too low for amount plus fee"},
            [CAIRN_ERR_OVERFLOW] = {"overflow",
                                    "amount arithmetic overflows 64 bits"},
            [CAIRN_ERR_LOCKED] =
                {"vesting_locked",
                 "tokens are still locked by the vesting schedule; wait for them to vest"},
            [CAIRN_ERR_BAD_KIND] = {"bad_kind", "unknown transaction kind"},
            [CAIRN_ERR_BAD_BODY] =
                {"bad_body", "transaction body is malformed for its kind"},
            [CAIRN_ERR_FEE_LOW] =
                {"fee_too_low",
                 "fee is below the network minimum; raise --fee"},
            [CAIRN_ERR_MEMPOOL_FULL] =
                {"mempool_full",
                 "the node's mempool is full; retry after the next block"},
            [CAIRN_ERR_DUPLICATE] = {"duplicate", "already known"},
            [CAIRN_ERR_BAD_ADDRESS] =
                {"bad_address",
                 "address is malformed or its checksum is wrong; it looks like cairn1 followed by 72 hex digits"},
            [CAIRN_ERR_BAD_AMOUNT] =
                {"bad_amount",
                 "amount is malformed: use tokens with at most 6 decimals, e.g. 12.5"},
            [CAIRN_ERR_NOT_FOUND] = {"not_found", "not found"},
            [CAIRN_ERR_DB] =
                {"db",
                 "the state database failed; check disk space and permissions of the data directory"},
            [CAIRN_ERR_IO] = {"io", "file or network I/O failed"},
            [CAIRN_ERR_GENESIS] = {"bad_genesis", "genesis file is invalid"},
            [CAIRN_ERR_BAD_BLOCK] =
                {"bad_block",
                 "block is malformed or does not extend the chain"},
            [CAIRN_ERR_STATE_ROOT] =
                {"state_root_mismatch",
                 "re-executed state root differs from the block's; block refused"},
            [CAIRN_ERR_TX_ROOT] =
                {"tx_root_mismatch",
                 "block's transaction root does not match its transactions"},
            [CAIRN_ERR_BAD_PROPOSER] =
                {"bad_proposer",
                 "block is not signed by this network's sequencer"},
            [CAIRN_ERR_SUPPLY_CAP] = {"supply_cap",
                                      "would exceed the token's supply cap"},
            [CAIRN_ERR_BAD_PROOF] =
                {"bad_proof", "Merkle proof does not verify against the root"},
            [CAIRN_ERR_BAD_ARG] = {"bad_argument",
                                   "invalid argument; see --help"},
            [CAIRN_ERR_HTTP] =
                {"http",
                 "HTTP request failed; is the node running at that address?"},
            [CAIRN_ERR_BAD_JSON] =
                {"bad_json", "JSON is malformed or misses a required field"},
            [CAIRN_ERR_SELF_TRANSFER] =
                {"self_transfer", "sender and recipient are the same account"},
            [CAIRN_ERR_ZERO_AMOUNT] = {"zero_amount",
                                       "amount must be greater than zero"},
            [CAIRN_ERR_READ_ONLY] =
                {"read_only",
                 "this node follows another node; submit transactions to the sequencer"},
            [CAIRN_ERR_BAD_KEY] =
                {"bad_key",
                 "key file is malformed; expected 'cairn-key-v1 <64 hex>'"},
            [CAIRN_ERR_STAKE_LOW] =
                {"stake_too_low",
                 "stake or delegation is below the minimum; `cairn provider params` shows the minimums"},
            [CAIRN_ERR_NOT_PROVIDER] =
                {"not_provider",
                 "no provider is registered at that address; register first with `cairn provider register`"},
            [CAIRN_ERR_PROVIDER_EXISTS] =
                {"provider_exists",
                 "this address is already registered as a provider"},
            [CAIRN_ERR_UNBOND_TOO_MUCH] = {"unbond_too_much",
                                           "cannot unbond more than is bonded"},
            [CAIRN_ERR_JAILED] =
                {"jailed",
                 "the provider is jailed for repeated faults; wait for the jail term to end"},
            [CAIRN_ERR_BAD_PARAM] =
                {"bad_param",
                 "unknown parameter, or value outside its declared bounds"},
            [CAIRN_ERR_NO_PROPOSAL] = {"no_proposal",
                                       "no proposal with that id"},
            [CAIRN_ERR_VOTING_CLOSED] =
                {"voting_closed", "the proposal's voting period is over"},
            [CAIRN_ERR_ALREADY_VOTED] =
                {"already_voted",
                 "this address already voted on that proposal"},
            [CAIRN_ERR_NO_STAKE] =
                {"no_stake",
                 "voting needs bonded stake (as a provider or a delegator)"},
            [CAIRN_ERR_NO_PRICE] =
                {"no_price",
                 "no credit price feed has been set yet; the oracle must publish one first"},
            [CAIRN_ERR_NOT_ORACLE] =
                {"not_oracle",
                 "only the network's price-feed key may publish prices"},
            [CAIRN_ERR_PRICE_JUMP] =
                {"price_jump", "price change exceeds the per-epoch bound"},
            [CAIRN_ERR_NO_CREDITS] =
                {"no_credits",
                 "not enough service credits; buy more with `cairn credits buy`"},
            [CAIRN_ERR_BAD_SECTOR] =
                {"bad_sector",
                 "unknown sector; use storage, compute, wireless or sensor"},
            [CAIRN_ERR_NOT_DELEGATED] =
                {"not_delegated",
                 "no delegation from this address to that provider"},
            [CAIRN_ERR_TREASURY] =
                {"treasury_short",
                 "the treasury holds less than the amount asked for"},
            [CAIRN_ERR_TIMEOUT] =
                {"timeout",
                 "the peer did not answer before the deadline; check that it is up and reachable, or allow a longer timeout"},
            [CAIRN_ERR_BAD_HELLO] =
                {"bad_hello",
                 "the peer's handshake is malformed: it is not a cairn storage peer, or it speaks another protocol"},
            [CAIRN_ERR_PEER_MISMATCH] =
                {"peer_mismatch",
                 "the peer proved a different identity key than the one expected; the endpoint is not served by that provider"},
            [CAIRN_ERR_BAD_MAC] =
                {"bad_mac",
                 "a frame failed authentication: the stream was tampered with, reordered or replayed; the connection was dropped, reconnect"},
            [CAIRN_ERR_CLOSED] =
                {"closed",
                 "the peer ended the stream; open a new connection to exchange more messages"},
            [CAIRN_ERR_BAD_ENDPOINT] =
                {"bad_endpoint",
                 "endpoint is malformed; use host:port (or [ipv6]:port) with a port from 1 to 65535"},
            [CAIRN_ERR_FEW_PIECES] =
                {"few_pieces",
                 "fewer than k distinct pieces of a segment are at hand; fetch more pieces from other providers"},
            [CAIRN_ERR_DECRYPT] =
                {"decrypt_failed",
                 "a segment failed to decrypt: a piece is corrupt, or the file's key, nonce or size is wrong; check each piece against its root and fetch others"},
            [CAIRN_ERR_NO_DEAL] =
                {"no_deal",
                 "no storage deal with that id; list deals with GET /v1/deals?client=ADDR"},
            [CAIRN_ERR_NOT_DEAL_PARTY] =
                {"not_deal_party",
                 "only the deal's client may end or move a deal, and only its provider may prove it"},
            [CAIRN_ERR_PROOF_EPOCH] =
                {"proof_epoch",
                 "a proof is accepted only for the current epoch of a running deal; poll GET /v1/storage/challenges for the epoch to prove"},
            [CAIRN_ERR_ALREADY_PROVEN] =
                {"already_proven",
                 "this deal was already proven for this epoch; prove again next epoch"},
            [CAIRN_ERR_WRONG_LEAF] =
                {"wrong_leaf",
                 "the proof answers a leaf other than the one challenged; GET /v1/storage/challenges names the leaf"},
            [CAIRN_ERR_PROOF_PATH] =
                {"proof_path",
                 "the Merkle path has the wrong length for the challenged leaf of a piece of this size"},
            [CAIRN_ERR_DEAL_ENDED] =
                {"deal_ended",
                 "the deal has ended, or ends at the end of this epoch"},
            [CAIRN_ERR_DEAL_TERMS] =
                {"deal_terms",
                 "deal terms are outside the network's bounds (start epoch, duration, price); see GET /v1/storage/params for the rules in force"},
            [CAIRN_ERR_COLLATERAL_LOW] =
                {"collateral_low",
                 "the provider's collateral is below deal_collateral_bps of the deal's total price; raise it"},
            [CAIRN_ERR_CORRUPT] =
                {"corrupt",
                 "stored data failed its checksum: the disk copy is damaged; it is not served or proven (delete it, or let repair replace it)"},
            [CAIRN_ERR_NO_SPACE] =
                {"no_space",
                 "the provider's store is at its capacity; pick another provider, or raise --capacity"},
            [CAIRN_ERR_PRICE_LOW] =
                {"price_low",
                 "the offered price is below the provider's ask; offer at least its price (see cairn provider list)"},
            [CAIRN_ERR_FEW_PROVIDERS] =
                {"few_providers",
                 "fewer active storage providers are reachable than the pieces need; lower --n or wait for more providers"},
            [CAIRN_ERR_BAD_MSG] =
                {"bad_message",
                 "the peer sent a message that is malformed or not expected at this point of the protocol"},
            [CAIRN_ERR_NOT_READY] =
                {"not_ready",
                 "the provider has not read the chain's rules yet; try again in a few seconds"},
            [CAIRN_ERR_BUSY] =
                {"busy",
                 "the provider is at its limit of connections or memory for this peer; try again later, or use another provider"},
            [CAIRN_ERR_ADDR_IN_USE] =
                {"addr_in_use",
                 "the port is already in use by another process; stop it or pick another port (--listen)"},
            [CAIRN_ERR_NO_ORDER] =
                {"no_order",
                 "no compute order or lease has that id; list them with cairn compute ls"},
            [CAIRN_ERR_ORDER_CLOSED] =
                {"order_closed",
                 "the compute order no longer takes bids or a lease (leased, cancelled, or its bid window ended); post a new one"},
            [CAIRN_ERR_BID_PRICE] =
                {"bid_price",
                 "the bid is above the order's max price or below the network's floor (compute_min_price_per_core x cores)"},
            [CAIRN_ERR_NO_CAPACITY] =
                {"no_capacity",
                 "the compute provider has not that many free cores, memory or disk; pick another bid, or raise the provider's capacity"},
            [CAIRN_ERR_BID_LIMIT] =
                {"bid_limit",
                 "the order already has its most bids (compute_max_bids), or this provider already bid on it"},
            [CAIRN_ERR_NOT_LEASE_PARTY] =
                {"not_lease_party",
                 "only the lease's tenant (or, where allowed, its provider) may do this; use the key that made the order"},
            [CAIRN_ERR_LEASE_STATE] =
                {"lease_state",
                 "the lease is not in a state for this (closed, or not paused); see cairn compute status LEASE"},
            [CAIRN_ERR_BAD_MANIFEST] =
                {"bad_manifest",
                 "the compute manifest is malformed; the message names the field (docs/compute.md shows the format)"},
            [CAIRN_ERR_SANDBOX] =
                {
                    "sandbox", "the workload's sandbox could not start: is bubblewrap installed (apt-get install bubblewrap)? the provider log says more"},
            [CAIRN_ERR_TICKET_LOST] =
                {"ticket_lost",
                 "the ticket does not win with the revealed number; only winning tickets are redeemed, keep the next one"},
            [CAIRN_ERR_TICKET_EXPIRED] =
                {"ticket_expired",
                 "the ticket is past its expiration height and can no longer be redeemed; redeem winning tickets promptly"},
            [CAIRN_ERR_TICKET_LOCKED] =
                {"ticket_locked",
                 "the ticket funds are still in their unlock period (compute_ticket_unlock_blocks); withdraw again at or after the unlock height"},
            [CAIRN_ERR_NO_SUBNET] =
                {"no_subnet",
                 "no subnet with that id or name; cairn subnet ls lists them"},
            [CAIRN_ERR_NOT_MEMBER] =
                {"not_member",
                 "the sender is not an active member of the subnet in that role; join it first (cairn subnet join NAME --role ...)"},
            [CAIRN_ERR_WEIGHTS_EPOCH] =
                {"weights_epoch",
                 "weights are committed for the current epoch and revealed in the next one only; read the epoch from cairn status and send again"},
            [CAIRN_ERR_COMMIT_MISMATCH] =
                {"commit_mismatch",
                 "the revealed weights and salt do not hash to the commit of that epoch (or there is none); reveal exactly what was committed"},
            [CAIRN_ERR_SUBNET_FULL] =
                {"subnet_full",
                 "the subnet has all the miners or validators it takes (256 miners, 64 validators); try another subnet"},
            [CAIRN_ERR_NAME_TAKEN] =
                {"name_taken",
                 "a subnet with that name exists; choose another name"},
            [CAIRN_ERR_JOB_TYPE] =
                {"job_type",
                 "the provider does not serve this job type; ask one started with --serve naming it"},
            [CAIRN_ERR_JOB_INPUT] =
                {"job_input",
                 "the job's parameters or input are malformed or too large; see docs/compute-verify.md, \"Jobs\" for the bounds"},
            [CAIRN_ERR_JOB_FAILED] =
                {"job_failed",
                 "the job's tool failed or hit a limit (time, memory, disk); check the input, or try a smaller job"},
            [CAIRN_ERR_JOB_MISMATCH] =
                {"job_mismatch",
                 "the job's output does not verify (a bad claim, a wrong part or a failed Freivalds check); do not accept it"},
            [CAIRN_ERR_NOT_HOTSPOT] =
                {"not_hotspot",
                 "no hotspot is asserted at that address; send hotspot_assert first (cairn provider wireless does it at start)"},
            [CAIRN_ERR_POC_EPOCH] =
                {"poc_epoch",
                 "the witness report or beacon receipt is for another epoch than the chain's current one; reports and receipts are taken in their own epoch only"},
            [CAIRN_ERR_WITNESS_LATE] =
                {"witness_late",
                 "the witness report came after the beacon's deadline (its slot plus wireless_witness_blocks); submit reports as soon as the beacon is heard"},
            [CAIRN_ERR_BEACON_EARLY] =
                {"beacon_early",
                 "the beacon receipt came before its witness window closed (slot plus wireless_witness_blocks); send it in a later block of the same epoch"},
            [CAIRN_ERR_WITNESS_DUP] =
                {"witness_dup",
                 "this hotspot already reported this beacon in this epoch; each witness counts once per beacon"},
            [CAIRN_ERR_WITNESS_FULL] =
                {"witness_full",
                 "the beacon already has wireless_reports_max witness reports stored; later reports are not taken"},
            [CAIRN_ERR_NO_BEACON_SLOT] =
                {"no_beacon_slot",
                 "epochs are too short for a beacon slot and its witness window (epoch_blocks must exceed wireless_witness_blocks + 1); no beacons are scheduled"},
            [CAIRN_ERR_BEACON_DONE] =
                {"beacon_done",
                 "this hotspot already reported its beacon in this epoch; one beacon per hotspot per epoch"},
            [CAIRN_ERR_APPEAL_WINDOW] =
                {"appeal_window",
                 "appeals are taken after the beacon's epoch has ended and within wireless_appeal_epochs epochs of it; this one is too early or too late"},
            [CAIRN_ERR_APPEAL_REFUSED] =
                {"appeal_refused",
                 "only a witness judged not_reported can be appealed, once; other verdicts follow from what the witness signed and are final (cairn wireless witnesses shows why)"},
            [CAIRN_ERR_APPEAL_EVIDENCE] =
                {"appeal_evidence",
                 "the payload given is not the beacon's (bad signature for that epoch's seed, or its hash differs from the one the witness reported)"},
            [CAIRN_ERR_APPEAL_FAILED] =
                {"appeal_failed",
                 "on review with the beacon's scheduled time the witness still fails a check (timing, distance or RSSI); the verdict stands"},
            [CAIRN_ERR_ROUTE_OVERLAP] =
                {"route_overlap",
                 "that DevAddr range (or JoinEUI) overlaps another router's route; pick a free range (cairn wireless route ls)"},
            [CAIRN_ERR_NO_ROUTE] =
                {"no_route",
                 "no route for that DevAddr range or address; a router registers one with cairn wireless route register"},
            [CAIRN_ERR_NOT_ROUTE_OWNER] =
                {"not_route_owner",
                 "only the router that registered this route may change or close it"},
            [CAIRN_ERR_RECEIPT_CLAIMED] = {"receipt_claimed", "that packet receipt was already paid (a replay, or a second receipt for the same packet); drop it"},
            [CAIRN_ERR_RECEIPT_EPOCH] =
                {"receipt_epoch",
                 "the packet receipt's epoch is outside the claim window (wireless_receipt_epochs); claim receipts sooner"},
            [CAIRN_ERR_NOT_CARRIER] =
                {"not_carrier",
                 "only the hotspot a packet receipt names may claim it, and it must be a wireless provider"},
            [CAIRN_ERR_BAD_FRAME] =
                {"bad_frame",
                 "the device frame is malformed, from an unknown device, or fails its MIC; check the device's keys"},
            [CAIRN_ERR_FCNT_REPLAY] =
                {"fcnt_replay",
                 "the device's frame counter is not above the last one seen (a replayed uplink); it is not bought again"},
            [CAIRN_ERR_DEVICE_PAIRED] =
                {"device_paired",
                 "that device is already paired to an owner; a new owner gets it by a transfer from the current one (cairn sensor transfer)"},
            [CAIRN_ERR_NOT_DEVICE] =
                {"not_device",
                 "no device with that key is paired on this chain; pair it first (cairn sensor pair)"},
            [CAIRN_ERR_NOT_DEVICE_OWNER] =
                {"not_device_owner",
                 "the sender does not own that device; sign with the owner's key (cairn sensor devices --owner ADDR lists an owner's devices)"},
            [CAIRN_ERR_BATCH_REPLAY] =
                {"batch_replay",
                 "the batch's seq is not above the device's last one, or its content is already registered; make a new batch with the next seq"},
            [CAIRN_ERR_BATCH_STALE] =
                {"batch_stale",
                 "the batch's ref_height is not one of the last sensor_ref_window blocks; sign it again with a recent block height"},
            [CAIRN_ERR_BATCH_TIME] =
                {"batch_time",
                 "the batch's time range overlaps the device's previous batch or is longer than sensor_batch_span_ms; split it or fix the device's clock"},
            [CAIRN_ERR_BATCH_TELEPORT] =
                {"batch_teleport",
                 "two consecutive tiles of the batch are farther apart than the device could have driven in the time between them (sensor_max_speed_mps); the positions are refused"},
            [CAIRN_ERR_NO_GRANT] =
                {"no_grant",
                 "that app holds no active grant of the device (none, revoked, or not paid for this period); ask the owner for one (cairn sensor grant) and pay it"},
            [CAIRN_ERR_GRANT_EXPIRED] =
                {"grant_expired",
                 "the grant's expiry epoch has passed (or is not in the future); ask the owner for a new grant"},
            [CAIRN_ERR_NO_TILE_DATA] =
                {"no_tile_data",
                 "no independent devices have agreed on that tile yet; fund a bounty (cairn sensor map bounty TILE AMOUNT) or try later"},
            [CAIRN_ERR_BAD_TILE] =
                {"bad_tile",
                 "a tile of the batch is not a valid cell at sensor_tile_res, is repeated, or its enter_ms is out of order or past the batch's span; fix the device agent's tiling"},
            [CAIRN_ERR_PAIR_GENERATION] =
                {"pair_generation",
                 "the pairing names a device generation other than the device record's (0 for a new device); sign the pairing again with the right generation"},
            [CAIRN_ERR_BOUNTY_EPOCHS] =
                {"bounty_epochs",
                 "a bounty may run at most sensor_bounty_max epochs; fund it for fewer epochs"},
            [CAIRN_ERR_PAYMENT_REQUIRED] =
                {"payment_required",
                 "the storage provider serves pieces for a lottery ticket the reader's ticket funds on chain must cover; fund them with cairn tickets fund TOKENS --key FILE"},
};

const char *cairn_strerror(cairn_err e)
{
    if ((unsigned)e >= CAIRN__ERR_COUNT || !errs[e].msg)
        return "unknown error";
    return errs[e].msg;
}

const char *cairn_errname(cairn_err e)
{
    if ((unsigned)e >= CAIRN__ERR_COUNT || !errs[e].name)
        return "unknown";
    return errs[e].name;
}

/* cairn — probabilistic micropayment tickets (issue 10; Livepeer's design).
 *
 * A sender pays a recipient per piece of work with lottery tickets sent off
 * chain. The recipient first commits to a secret 32-byte random number by
 * giving the sender its hash; the sender signs a ticket naming that hash.
 * The ticket wins iff H(signature ‖ recipient_rand), read as a 256-bit
 * big-endian integer, is below win_prob · 2^192 -- that is, iff its first
 * 8 bytes read big-endian are below win_prob -- so it wins with
 * probability exactly win_prob / 2^64 (0 never wins). Neither side can
 * steer the outcome: the sender does not know the random number when it
 * signs, and the recipient committed to it before the signature existed.
 * A winning ticket pays face_value on chain; its expected value is
 * face_value · win_prob / 2^64 (cairn_ticket_ev).
 *
 * Encoding (integers little-endian, docs/compute-verify.md "Lottery
 * tickets"):
 *   u8   magic           0xE1 (a ticket, version 1)
 *   var8 chain_id        u8 length (1..32) then printable ASCII, no space
 *   [32] sender          Ed25519 public key that signs
 *   [32] recipient       Ed25519 public key paid when it wins
 *   u64  face_value      base units paid by a winning ticket
 *   u64  win_prob        wins with probability win_prob / 2^64
 *   u64  nonce           the sender's counter under this rand hash
 *   u64  expiration      last block height at which it may be redeemed
 *   [32] rand_hash       BLAKE2b-256("cairn-ticket-rand-v1" ‖ recipient_rand)
 *   [64] signature       Ed25519 by sender over "cairn-ticket-v1" ‖ every
 *                        byte above
 * 195..226 bytes in all. Every decoded ticket re-encodes to the same bytes.
 */
#ifndef CAIRN_TICKET_H
#define CAIRN_TICKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/codec.h"
#include "cairn/crypto.h"
#include "cairn/tx.h"

#define CAIRN_TICKET_MAGIC 0xE1
#define CAIRN_TICKET_RAND_LEN 32
#define CAIRN_TICKET_MIN_BYTES (1 + 1 + 1 + 32 + 32 + 8 * 4 + 32 + 64)
#define CAIRN_TICKET_MAX_BYTES (CAIRN_TICKET_MIN_BYTES - 1 + CAIRN_CHAIN_ID_MAX)

typedef struct cairn_ticket {
    uint8_t chain_id_len;
    char chain_id[CAIRN_CHAIN_ID_MAX + 1]; /* NUL-terminated */
    cairn_pubkey sender;
    cairn_pubkey recipient;
    uint64_t face_value;
    uint64_t win_prob;
    uint64_t nonce;
    uint64_t expiration;
    cairn_hash rand_hash;
    cairn_sig sig;
} cairn_ticket;

/* Sets the chain id from a NUL-terminated string: BAD_ARG unless it is 1
 * to 32 printable ASCII characters without spaces. */
CAIRN_API cairn_err cairn_ticket_set_chain(cairn_ticket *t,
                                           const char *chain_id) CAIRN_WUR;

/* Appends the full encoding (with the signature) to b. */
CAIRN_API void cairn_ticket_encode(cairn_buf *b, const cairn_ticket *t);
/* Decodes exactly one ticket from p[0..n) without checking the signature.
 * Errors: TRUNCATED, TOO_LARGE (chain id length above 32), TRAILING,
 * BAD_VERSION (magic), CHAIN_ID (empty or non-printable chain id). */
CAIRN_API cairn_err cairn_ticket_decode(cairn_ticket *t, const uint8_t *p,
                                        size_t n) CAIRN_WUR;

/* Sets t->sender to kp's key and signs every other field (the chain id
 * must be set: BAD_ARG otherwise). */
CAIRN_API cairn_err cairn_ticket_sign(cairn_ticket *t,
                                      const cairn_keypair *kp) CAIRN_WUR;
/* CHAIN_ID when the ticket is for another chain than chain_id, BAD_SIG
 * when the signature is not the sender's over these fields. */
CAIRN_API cairn_err cairn_ticket_verify(const cairn_ticket *t,
                                        const char *chain_id) CAIRN_WUR;

/* The ticket id: BLAKE2b-256 of the signed message, signature left out,
 * so that one ticket signed twice has one id (what redemption records). */
CAIRN_API void cairn_ticket_id(cairn_hash *out, const cairn_ticket *t);

/* The commitment the recipient hands out: BLAKE2b-256 of
 * "cairn-ticket-rand-v1" ‖ rand. */
CAIRN_API void
cairn_ticket_rand_hash(cairn_hash *out,
                       const uint8_t rand[CAIRN_TICKET_RAND_LEN]);
/* CAIRN_OK when rand hashes to t->rand_hash; BAD_PROOF (the revealed
 * number does not open the ticket's commitment) otherwise. */
CAIRN_API cairn_err cairn_ticket_rand_check(
    const cairn_ticket *t, const uint8_t rand[CAIRN_TICKET_RAND_LEN]) CAIRN_WUR;

/* The win rule: BLAKE2b-256(signature ‖ rand)'s first 8 bytes, big-endian,
 * below win_prob. Checks neither the signature nor the commitment. */
CAIRN_API bool cairn_ticket_wins(const cairn_ticket *t,
                                 const uint8_t rand[CAIRN_TICKET_RAND_LEN]);

/* floor(face_value · win_prob / 2^64): a ticket's expected value in base
 * units, rounded down (the exact value is below it plus 1). */
CAIRN_API uint64_t cairn_ticket_ev(const cairn_ticket *t);

/* The win probability that gives expected value ev at face value face:
 * floor(ev · 2^64 / face), saturated at 2^64 - 1; 0 when face is 0. */
CAIRN_API uint64_t cairn_ticket_win_prob_for(uint64_t ev, uint64_t face);

#endif

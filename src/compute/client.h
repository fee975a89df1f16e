/* Internal: the tenant's calls to its lease's provider (cairn/compute_proto.h),
 * under `cairn compute status | logs | fetch | tunnel` and the manifest
 * step of `cairn compute deploy`.
 *
 * A session (cclient) holds the tenant's key and one authenticated
 * connection to the provider of the lease it last talked to. Each call
 * finds that lease's provider on chain (GET /v1/compute/lease/ID for the
 * provider's key, GET /v1/provider/ADDR for its registered endpoint, as
 * the storage client finds its providers), dials it expecting that key
 * (cairn_conn_dial) unless already connected to it, sends one request and
 * waits for its reply. A transport error closes the connection (the next
 * call dials again); an ERROR reply comes back as its code with the
 * provider's words in c->why. Every failure leaves one sentence in c->why.
 *
 * Threads: one session per thread. */
#ifndef CAIRN_COMPUTE_CLIENT_H
#define CAIRN_COMPUTE_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/compute_proto.h"
#include "cairn/conn.h"
#include "cairn/crypto.h"
#include "cairn/error.h"

#define CCLIENT_TIMEOUT_MS 30000
#define CCLIENT_WHY_MAX 512

typedef struct cclient {
    const char *node; /* node API base URL (borrowed) */
    cairn_keypair key;
    int timeout_ms; /* per call; CCLIENT_TIMEOUT_MS unless changed */
    cairn_conn *conn;
    cairn_pubkey provider; /* whom conn is to */
    uint64_t lease;        /* the lease conn was dialed for */
    char endpoint[CAIRN_ENDPOINT_TEXT_MAX + 1];
    char why[CCLIENT_WHY_MAX];
} cclient;

/* Sets up a session for the tenant key kp (copied). No network yet. Ends
 * with cclient_close. */
void cclient_init(cclient *c, const char *node, const cairn_keypair *kp);
/* Closes the connection and wipes the key. */
void cclient_close(cclient *c);

/* Dials the provider of lease `lease` (no-op when connected for that
 * lease already, or to its provider). NO_ORDER when the chain has no such
 * lease, LEASE_STATE when it has no provider (still an open order),
 * NOT_PROVIDER when the provider has no endpoint; the transport's errors
 * otherwise. */
cairn_err cclient_dial(cclient *c, uint64_t lease);

/* Sends the manifest's n bytes for lease (the provider checks them against
 * the order's hash and stores them before it answers), with the key of
 * each storage input the manifest names (cclient_input_keys: the
 * provider can read those files of the tenant and no other). *state (may
 * be NULL): the workload state the provider reports after. */
cairn_err cclient_manifest(cclient *c, uint64_t lease, const uint8_t *bytes,
                           size_t n, uint8_t *state);
/* The keys of the storage inputs of manifest bytes (n), for the tenant
 * key of c: *keys a new malloc'd array of *nkeys entries of
 * CAIRN_CP_KEY_ENTRY bytes (file id ‖ file key, ids ascending), NULL when
 * none; the caller wipes and frees it with cclient_keys_free.
 * BAD_MANIFEST when the manifest does not parse or a storage id is not a
 * file id (32 hex digits, as `cairn put` printed it). */
cairn_err cclient_input_keys(cclient *c, const uint8_t *bytes, size_t n,
                             uint8_t **keys, size_t *nkeys);
void cclient_keys_free(uint8_t *keys, size_t nkeys);

/* The workload's state (out: the provider's STATE, with the service
 * endpoint and token when the lease publishes a port). */
cairn_err cclient_status(cclient *c, uint64_t lease, cairn_cp_state *out);

/* One chunk of the lease's log from offset, at most max bytes (1..
 * CAIRN_CP_CHUNK_MAX). *bytes is a new malloc'd buffer of *n bytes
 * (non-NULL, also when empty) the caller frees; *next the offset to ask
 * next; *ended 1 when the workload has ended and the log is read to its
 * end (`logs --follow` stops there). */
cairn_err cclient_logs(cclient *c, uint64_t lease, uint64_t offset,
                       uint32_t max, uint8_t **bytes, size_t *n, uint64_t *next,
                       int *ended);

/* One chunk (at most CAIRN_CP_CHUNK_MAX bytes) of the file at path (in
 * the lease's work directory) from offset: *bytes new malloc'd (caller
 * frees, non-NULL), *n its length, *total the file's size now. */
cairn_err cclient_fetch_chunk(cclient *c, uint64_t lease, const char *path,
                              uint64_t offset, uint8_t **bytes, size_t *n,
                              uint64_t *total);
/* The whole file, chunk by chunk, into out_path (written to a temporary
 * file beside it, fsynced and renamed). *size (may be NULL): its bytes.
 * A file that changes size while being read is fetched to the size it had
 * at the first chunk. */
cairn_err cclient_fetch(cclient *c, uint64_t lease, const char *path,
                        const char *out_path, uint64_t *size);

/* Opens a connection to a service workload through its provider's
 * service port: connects to st->endpoint and sends st->token's line.
 * The caller owns *fd (a connected, blocking TCP socket) and closes it;
 * what it writes then reaches the workload's port. NOT_FOUND when st has
 * no endpoint (the lease publishes no port, or has no manifest yet).
 * The provider closes a connection whose token it does not know without
 * a word, so a wrong token shows as the peer closing at the first read. */
cairn_err cclient_tunnel(const cairn_cp_state *st, int timeout_ms, int *fd,
                         char *why, size_t len);

#endif

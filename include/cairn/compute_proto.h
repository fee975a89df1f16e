/* cairn — the compute tenant<->provider protocol: the messages carried over
 * a cairn_conn (include/cairn/conn.h, the transport storage uses) and their
 * encodings (docs/compute-provider.md, "The protocol").
 *
 * The tenant dials the endpoint its lease's provider registered on chain,
 * expecting the provider's identity key; the provider learns the tenant's
 * key from the handshake and serves a lease only to the key that is the
 * lease's tenant on chain (ERROR not_lease_party otherwise). One connection
 * carries any number of requests, each answered by exactly one reply, in
 * order. Message type = the frame's type byte; payloads little-endian
 * (docs/encoding.md), var = u32 length ‖ bytes:
 *
 *   MANIFEST 0x01 u64 lease ‖ var manifest (1..CAIRN_CP_MANIFEST_MAX) ‖
 *                 u8 count (0..CAIRN_CP_KEYS_MAX) ‖ count × ([16] file id ‖
 *                 [32] file key), ids in ascending order: the keys of the
 *                 manifest's storage inputs (each reads that one file)
 *                 the provider checks BLAKE2b-256(manifest) against the
 *                 order's hash, stores it and the keys durably, then
 *                 answers; it starts the workload on its own  -> ACCEPTED
 *   STATUS   0x02 u64 lease                                  -> STATE
 *   LOGS     0x03 u64 lease ‖ u64 offset ‖ u32 max (1..CAIRN_CP_CHUNK_MAX)
 *                                                            -> LOG
 *   FETCH    0x04 u64 lease ‖ var path ‖ u64 offset           -> CHUNK
 *                 path: relative to the lease's work directory, 1..
 *                 CAIRN_CP_PATH_MAX bytes of [A-Za-z0-9._/-], no empty,
 *                 "." or ".." part (cairn_cp_path_ok); the provider
 *                 follows no symbolic link
 *   JOB      0x05 u8 type (1 transcode, 2 render, 3 matmul) ‖ u32 subnet ‖
 *                 [32] job id (the client's choice) ‖ var params
 *                 (1..CAIRN_CP_JOB_PARAMS_MAX) ‖ var input (1..
 *                 CAIRN_CP_JOB_INPUT_MAX) ‖ var ticket (0..
 *                 CAIRN_TICKET_MAX_BYTES; empty: none; cairn/ticket.h,
 *                 recipient the provider, rand hash its TICKET_RAND's):
 *                 a verified-work job (docs/compute-verify.md, "Jobs"),
 *                 served by a provider started with --serve naming its
 *                 type, to any key, no lease                  -> JOB_RESULT
 *   TICKET_PARAMS 0x06 (empty): what a ticket must name     -> TICKET_RAND
 *   ACCEPTED 0x81 u64 lease ‖ u8 workload state (cairn_workload_state)
 *   STATE    0x82 u64 lease ‖ u8 workload state ‖ u8 flags ‖ u32 exit
 *                 code ‖ u64 started ‖ u64 ended (Unix seconds, 0: not
 *                 yet) ‖ u64 disk used (bytes) ‖ u64 log size (bytes) ‖
 *                 var note (0..CAIRN_CP_NOTE_MAX printable ASCII: why it
 *                 failed, a limit that ended it) ‖ var service endpoint
 *                 (0..CAIRN_ENDPOINT_TEXT_MAX bytes, HOST:PORT; empty when
 *                 the lease publishes no port) ‖ [32] access token (only
 *                 with an endpoint)
 *                 flags: 1 the manifest is stored, 2 the workload is
 *                 frozen (lease PAUSED), 4 restarted after a provider
 *                 restart
 *   LOG      0x83 u64 next offset ‖ u64 log size ‖ u8 ended (0 or 1: the
 *                 workload has ended, the log will not grow) ‖ var bytes
 *                 (0..CAIRN_CP_CHUNK_MAX: the log from offset)
 *   CHUNK    0x84 u64 total size of the file ‖ var bytes
 *                 (0..CAIRN_CP_CHUNK_MAX, from offset)
 *   TICKET_RAND 0x86 [32] rand hash (the provider's commitment to its
 *                 current random number) ‖ var chain id (1..32 printable)
 *   JOB_RESULT 0x85 var claim (1..CAIRN_CP_CLAIM_MAX: the miner's signed
 *                 claim) ‖ u32 count (1..CAIRN_CP_JOB_PARTS_MAX) ‖ count ×
 *                 var part (together at most CAIRN_CP_JOB_OUTPUT_MAX bytes)
 *   ERROR    0xFF u32 code (a cairn_err) ‖ var message (<= 256 bytes)
 *
 * Any request may be answered by ERROR instead. Decoders check every length
 * and bound and refuse trailing bytes (CAIRN_ERR_BAD_MSG); the encoding is
 * canonical (decode then encode gives back the same bytes). Decoded
 * MANIFEST, LOG and CHUNK borrow the payload (their bytes point into it).
 *
 * The service port (docs/compute-provider.md, "The service port"): a lease
 * whose order publishes a TCP port is reached at the STATE's endpoint; a client
 * connects with plain TCP and first sends the token as 64 lower-case hex
 * digits and "\n" (CAIRN_CP_TOKEN_LINE bytes); after that the bytes go
 * both ways to the workload's port. A wrong token is closed unanswered. */
#ifndef CAIRN_COMPUTE_PROTO_H
#define CAIRN_COMPUTE_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/codec.h"
#include "cairn/conn.h"
#include "cairn/error.h"
#include "cairn/ticket.h"
#include "cairn/tx.h"

enum cairn_cp_type {
    CAIRN_CP_MANIFEST = 0x01,
    CAIRN_CP_STATUS = 0x02,
    CAIRN_CP_LOGS = 0x03,
    CAIRN_CP_FETCH = 0x04,
    CAIRN_CP_JOB = 0x05,
    CAIRN_CP_TICKET_PARAMS = 0x06,
    CAIRN_CP_ACCEPTED = 0x81,
    CAIRN_CP_STATE = 0x82,
    CAIRN_CP_LOG = 0x83,
    CAIRN_CP_CHUNK = 0x84,
    CAIRN_CP_JOB_RESULT = 0x85,
    CAIRN_CP_TICKET_RAND = 0x86,
    CAIRN_CP_ERROR = 0xFF,
};

#define CAIRN_CP_MANIFEST_MAX (1u << 20) /* = CAIRN_MANIFEST_MAX */
#define CAIRN_CP_CHUNK_MAX (1u << 20)
#define CAIRN_CP_PATH_MAX 255
#define CAIRN_CP_NOTE_MAX 256
#define CAIRN_CP_ERRMSG_MAX 256
#define CAIRN_CP_TOKEN_LEN 32
#define CAIRN_CP_KEYS_MAX 64 /* = CAIRN_MANIFEST_FILES_MAX */
#define CAIRN_CP_FILE_ID_LEN 16
#define CAIRN_CP_FILE_KEY_LEN 32
#define CAIRN_CP_KEY_ENTRY (CAIRN_CP_FILE_ID_LEN + CAIRN_CP_FILE_KEY_LEN)
#define CAIRN_CP_TOKEN_LINE (2 * CAIRN_CP_TOKEN_LEN + 1)
#define CAIRN_CP_JOB_PARAMS_MAX 64
#define CAIRN_CP_JOB_INPUT_MAX (8u << 20)
#define CAIRN_CP_JOB_OUTPUT_MAX (8u << 20)
#define CAIRN_CP_JOB_PARTS_MAX 512u
#define CAIRN_CP_CLAIM_MAX 256u
/* Bound on any message's payload: pass it as cairn_conn_recv's max (a
 * JOB's input or a JOB_RESULT's parts and their framing). */
#define CAIRN_CP_MSG_MAX (CAIRN_CP_JOB_INPUT_MAX + (64u << 10))

/* STATE flags */
#define CAIRN_CP_HAS_MANIFEST 1u
#define CAIRN_CP_FROZEN 2u
#define CAIRN_CP_RESUMED 4u
#define CAIRN_CP_FLAGS_ALL 7u

typedef struct cairn_cp_manifest {
    uint64_t lease;
    const uint8_t *bytes; /* borrowed */
    uint32_t len;
    const uint8_t *keys; /* borrowed: nkeys × CAIRN_CP_KEY_ENTRY bytes */
    uint8_t nkeys;
} cairn_cp_manifest;

typedef struct cairn_cp_logs_req {
    uint64_t lease, offset;
    uint32_t max;
} cairn_cp_logs_req;

typedef struct cairn_cp_fetch_req {
    uint64_t lease;
    char path[CAIRN_CP_PATH_MAX + 1]; /* NUL-terminated, checked */
    uint64_t offset;
} cairn_cp_fetch_req;

typedef struct cairn_cp_accepted {
    uint64_t lease;
    uint8_t state;
} cairn_cp_accepted;

typedef struct cairn_cp_state {
    uint64_t lease;
    uint8_t state; /* cairn_workload_state, NONE..FAILED */
    uint8_t flags; /* CAIRN_CP_HAS_MANIFEST | ... */
    uint32_t exit_code;
    uint64_t started, ended; /* Unix seconds; 0: not yet */
    uint64_t disk_used, log_size;
    char note[CAIRN_CP_NOTE_MAX + 1];           /* "" when none */
    char endpoint[CAIRN_ENDPOINT_TEXT_MAX + 1]; /* "" when no port */
    uint8_t token[CAIRN_CP_TOKEN_LEN];          /* with an endpoint */
} cairn_cp_state;

typedef struct cairn_cp_log {
    uint64_t next, size;
    uint8_t ended;
    const uint8_t *bytes; /* borrowed */
    uint32_t len;
} cairn_cp_log;

typedef struct cairn_cp_chunk {
    uint64_t total;
    const uint8_t *bytes; /* borrowed */
    uint32_t len;
} cairn_cp_chunk;

typedef struct cairn_cp_job {
    uint8_t type;
    uint32_t subnet;
    uint8_t job_id[32];
    const uint8_t *params; /* borrowed */
    uint32_t params_len;
    const uint8_t *input; /* borrowed */
    uint32_t input_len;
    const uint8_t *ticket; /* borrowed; NULL / 0: none */
    uint32_t ticket_len;
} cairn_cp_job;

typedef struct cairn_cp_ticket_rand {
    uint8_t rand_hash[32];
    char chain_id[CAIRN_CHAIN_ID_MAX + 1]; /* NUL-terminated, 1..32 */
} cairn_cp_ticket_rand;

typedef struct cairn_cp_job_result {
    const uint8_t *claim; /* borrowed */
    uint32_t claim_len;
    uint32_t count;
    const uint8_t *part[CAIRN_CP_JOB_PARTS_MAX]; /* borrowed */
    uint32_t part_len[CAIRN_CP_JOB_PARTS_MAX];
} cairn_cp_job_result;

typedef struct cairn_cp_error {
    uint32_t code;
    char msg[CAIRN_CP_ERRMSG_MAX + 1]; /* NUL-terminated, printable ASCII */
} cairn_cp_error;

/* 1 if p (n bytes) is a path FETCH takes, else 0. */
CAIRN_API int cairn_cp_path_ok(const char *p, size_t n);

/* Encoders append to b (its limit must allow CAIRN_CP_MSG_MAX for a
 * MANIFEST, LOG or CHUNK with bytes). Text fields are cut at their bound;
 * a byte outside printable ASCII in a note or message becomes '?'. */
CAIRN_API void cairn_cp_manifest_encode(cairn_buf *b,
                                        const cairn_cp_manifest *m);
CAIRN_API void cairn_cp_status_encode(cairn_buf *b, uint64_t lease);
CAIRN_API void cairn_cp_logs_encode(cairn_buf *b, const cairn_cp_logs_req *m);
CAIRN_API void cairn_cp_fetch_encode(cairn_buf *b, const cairn_cp_fetch_req *m);
CAIRN_API void cairn_cp_accepted_encode(cairn_buf *b,
                                        const cairn_cp_accepted *m);
CAIRN_API void cairn_cp_state_encode(cairn_buf *b, const cairn_cp_state *m);
CAIRN_API void cairn_cp_log_encode(cairn_buf *b, const cairn_cp_log *m);
CAIRN_API void cairn_cp_chunk_encode(cairn_buf *b, const cairn_cp_chunk *m);
CAIRN_API void cairn_cp_error_encode(cairn_buf *b, cairn_err code,
                                     const char *msg);
CAIRN_API void cairn_cp_job_encode(cairn_buf *b, const cairn_cp_job *m);
CAIRN_API void cairn_cp_job_result_encode(cairn_buf *b,
                                          const cairn_cp_job_result *m);
CAIRN_API void cairn_cp_ticket_rand_encode(cairn_buf *b,
                                           const cairn_cp_ticket_rand *m);

/* Decoders: CAIRN_ERR_BAD_MSG for any malformed payload (wrong length, a
 * bound exceeded, an empty manifest, keys out of order, a bad path, unknown
 * flags or workload state, text outside printable ASCII, an endpoint that does
 * not parse, a token without an endpoint). */
CAIRN_API cairn_err cairn_cp_manifest_decode(cairn_cp_manifest *m,
                                             const uint8_t *p,
                                             size_t n) CAIRN_WUR;
CAIRN_API cairn_err cairn_cp_status_decode(uint64_t *lease, const uint8_t *p,
                                           size_t n) CAIRN_WUR;
CAIRN_API cairn_err cairn_cp_logs_decode(cairn_cp_logs_req *m, const uint8_t *p,
                                         size_t n) CAIRN_WUR;
CAIRN_API cairn_err cairn_cp_fetch_decode(cairn_cp_fetch_req *m,
                                          const uint8_t *p, size_t n) CAIRN_WUR;
CAIRN_API cairn_err cairn_cp_accepted_decode(cairn_cp_accepted *m,
                                             const uint8_t *p,
                                             size_t n) CAIRN_WUR;
CAIRN_API cairn_err cairn_cp_state_decode(cairn_cp_state *m, const uint8_t *p,
                                          size_t n) CAIRN_WUR;
CAIRN_API cairn_err cairn_cp_log_decode(cairn_cp_log *m, const uint8_t *p,
                                        size_t n) CAIRN_WUR;
CAIRN_API cairn_err cairn_cp_chunk_decode(cairn_cp_chunk *m, const uint8_t *p,
                                          size_t n) CAIRN_WUR;
CAIRN_API cairn_err cairn_cp_error_decode(cairn_cp_error *m, const uint8_t *p,
                                          size_t n) CAIRN_WUR;
/* JOB: BAD_MSG for a length out of bounds or trailing bytes (the type
 * and params are the job's to check: job_type, job_input). JOB_RESULT:
 * BAD_MSG for a count or length out of bounds, parts over the total,
 * trailing bytes. Both borrow the payload. */
CAIRN_API cairn_err cairn_cp_job_decode(cairn_cp_job *m, const uint8_t *p,
                                        size_t n) CAIRN_WUR;
CAIRN_API cairn_err cairn_cp_job_result_decode(cairn_cp_job_result *m,
                                               const uint8_t *p,
                                               size_t n) CAIRN_WUR;
/* TICKET_RAND: BAD_MSG for a chain id empty, over 32 bytes or not
 * printable ASCII, or trailing bytes. */
CAIRN_API cairn_err cairn_cp_ticket_rand_decode(cairn_cp_ticket_rand *m,
                                                const uint8_t *p,
                                                size_t n) CAIRN_WUR;
/* The error code an ERROR carries, as a cairn_err: codes this build does
 * not know become CAIRN_ERR_BAD_MSG. */
CAIRN_API cairn_err cairn_cp_error_code(const cairn_cp_error *m);

/* The service port's first line for token: 64 lower-case hex digits and
 * "\n" into line (CAIRN_CP_TOKEN_LINE bytes, no NUL). */
CAIRN_API void cairn_cp_token_line(char line[CAIRN_CP_TOKEN_LINE],
                                   const uint8_t token[CAIRN_CP_TOKEN_LEN]);
/* Parses such a line (exactly CAIRN_CP_TOKEN_LINE bytes); BAD_MSG unless
 * it is 64 lower-case hex digits and "\n". */
CAIRN_API cairn_err cairn_cp_token_parse(uint8_t token[CAIRN_CP_TOKEN_LEN],
                                         const char *line, size_t n) CAIRN_WUR;

#endif

/* Internal: sending a verified-work job to a provider (JOB -> JOB_RESULT,
 * cairn/compute_proto.h), for `cairn compute job` and validators. One
 * connection per call: dial (expecting the provider's key when given),
 * TICKET_PARAMS then a signed ticket when the request pays, JOB, the
 * result decoded into the claim and the parts. Nothing is verified here
 * (verify.h does that). */
#ifndef CAIRN_COMPUTE_JOB_CLIENT_H
#define CAIRN_COMPUTE_JOB_CLIENT_H

#include <stdint.h>

#include "cairn/conn.h"
#include "cairn/crypto.h"
#include "cairn/job.h"
#include "compute/jobs/jobs.h"

#define JOB_CLIENT_DIAL_MS 10000
#define JOB_CLIENT_REPLY_MS 900000 /* the provider runs every part first */

typedef struct job_request {
    const char *host;
    int port;
    const cairn_keypair *key;   /* ours: the handshake, the ticket */
    const cairn_pubkey *expect; /* the provider's key; NULL: any */
    uint32_t subnet;
    cairn_hash job_id;
    const job_params *jp;
    const uint8_t *in;
    size_t n;
    uint64_t ticket_face;    /* base units; 0: no ticket */
    uint64_t ticket_ev;      /* expected value: win prob = ev / face */
    uint64_t ticket_expires; /* last height it may be redeemed at */
    int reply_ms;            /* 0: JOB_CLIENT_REPLY_MS */
    int dial_ms;             /* dial and send, each; 0: JOB_CLIENT_DIAL_MS
                                (and 60 s more to send) */
} job_request;

/* Sends the job and fills *claim and *parts (the caller frees them with
 * job_parts_free). Errors, with one sentence in why (len bytes): the
 * transport's, the provider's ERROR code (its message in why), BAD_MSG for
 * a reply that is not a well-formed JOB_RESULT, NOMEM. */
cairn_err job_submit(const job_request *r, cairn_job_claim *claim,
                     job_parts *parts, char *why, size_t len) CAIRN_WUR;

#endif

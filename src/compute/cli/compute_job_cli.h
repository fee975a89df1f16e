/* `cairn compute job` (cmd_compute_job.c: options and input;
 * cmd_compute_job_io.c: the exchange with the provider, the check, the
 * output files). */
#ifndef CAIRN_COMPUTE_JOB_CLI_H
#define CAIRN_COMPUTE_JOB_CLI_H

#include <stdint.h>

#include "cairn/conn.h"
#include "cairn/crypto.h"
#include "cairn/job.h"
#include "compute/jobs/jobs.h"

typedef struct ccli_job {
    char host[CAIRN_HOST_MAX + 1];
    int port;
    cairn_pubkey expect; /* with has_expect: the provider's key */
    int has_expect;
    cairn_keypair key; /* ours, for the handshake */
    uint32_t subnet;
    cairn_hash job_id;
    uint8_t seed[32];
    const char *chain_id; /* the claim must name it; NULL: any */
    unsigned samples;     /* parts run again (transcode, render) */
    job_params jp;
    uint8_t *in; /* owned by the caller */
    size_t n;
    const char *out;                 /* the output directory (exists) */
    uint64_t ticket_face, ticket_ev; /* base units; face 0: no ticket */
    uint64_t ticket_expires;         /* last height it may be redeemed */
} ccli_job;

/* Sends the job, checks the result, writes the files, prints the claim's
 * output root and the verdict. Returns 0, or 1 (printed) when anything
 * fails, the check included. */
int ccli_job_run(const ccli_job *j);

#endif

/* Internal: the compute provider daemon (`cairn provider compute`,
 * docs/compute.md "Running a provider", docs/compute-provider.md).
 *
 * It registers in the compute sector with stake (provider/daemon.h),
 * offers its capacity on chain (COMPUTE_OFFER), bids on open orders that
 * fit what it has not committed yet, runs the workloads of the leases it
 * wins in the sandbox (compute/sandbox.h), reports them every epoch
 * (LEASE_REPORT), and stops and removes each one when its lease ends.
 * Tenants talk to it over the authenticated transport with the messages of
 * cairn/compute_proto.h; service workloads are reached through its service
 * port (a token line, then bytes both ways to the workload's port).
 *
 * Every lease has a directory DATA/leases/<id>/ holding its durable state
 * (written by write-temp + fsync + rename), its manifest, its work
 * directory work/ and its log. After a crash (kill -9) the daemon reads
 * its leases from chain and from those directories: a live lease's
 * workload starts again in its work directory ("resumed"), a closed one
 * is removed.
 *
 * Threads: the connection server's loop and workers (the handlers), the
 * service port's loop, one stager thread per lease being set up (inline
 * files, storage inputs), and the caller's thread for the chain loop
 * (cprov_tick), which alone starts, stops and removes workloads. */
#ifndef CAIRN_COMPUTE_PROVIDER_H
#define CAIRN_COMPUTE_PROVIDER_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "cairn/crypto.h"
#include "cairn/error.h"
#include "provider/daemon.h"

#define CPROV_STOP_GRACE_MS 3000  /* SIGTERM to SIGKILL for a workload */
#define CPROV_JOBS_MAX 2          /* verified-work jobs at once */
#define CPROV_LOCAL_CHAIN "local" /* claims' chain id without a node */

typedef struct cprov_config {
    const char *data_dir; /* DIR/leases/<id>/ per lease */
    cairn_keypair key;    /* identity and account */
    const char *node;     /* node API base URL; NULL: no chain (tests) */
    const char *listen_host;
    int listen_port;          /* 0: the kernel picks one */
    const char *endpoint;     /* registered HOST:PORT; NULL: the listen one */
    const char *service_host; /* NULL: no service port (orders with a
                                 port are not bid on) */
    int service_port;
    const char *service_endpoint; /* told to tenants; NULL: service listen */
    uint32_t cpus, mem_mib, disk_mib; /* capacity offered */
    uint64_t price;                   /* base units per core per epoch */
    uint64_t stake;                   /* self stake put up when registering */
    uint32_t commission_bps;
    const char *forwarder; /* the cairn binary (sandbox port forwarder) */
    int stop_grace_ms;     /* 0: CPROV_STOP_GRACE_MS */
    pd_limits limits;      /* the tenant port's bounds; 0: defaults */
    uint32_t serve;        /* job types served: bit 1 << type (jobs.h);
                              0: none (JOB answered job_type) */
    uint32_t jobs_max;     /* jobs running at once; 0: CPROV_JOBS_MAX */
    uint32_t cheat_every;  /* tests, devnet: one job in N (by job id) is
                              wrong (jobs.h, job_run's cheat); 0: never */
    const char *chain_id;  /* put in job claims; NULL or "":
                              CPROV_LOCAL_CHAIN */
    uint64_t job_price;    /* base units: the least expected value of the
                              ticket a job must carry; 0: tickets are
                              optional */
    FILE *log;             /* NULL: stderr */
} cprov_config;

typedef struct cprov cprov;

/* Locks the data dir (CAIRN_ERR_LOCKED when another daemon holds it),
 * reads the leases' durable state, and starts the tenant server and the
 * service port. No chain work yet. msg (len bytes) says why it failed.
 * The caller owns *out and stops it with cprov_stop. */
cairn_err cprov_start(cprov **out, const cprov_config *cfg, char *msg,
                      size_t len);
int cprov_port(const cprov *p);
int cprov_service_port(const cprov *p); /* 0: none */
/* One round of chain work: the chain's parameters, the capacity offer,
 * the leases (their workloads driven one step), the epoch's reports and
 * the bids. Logs its news; returns the first error. */
cairn_err cprov_tick(cprov *p);
/* Stops the servers and every workload (the leases' state stays on disk:
 * a restart resumes them), frees everything, releases the data dir. NULL
 * is fine. */
void cprov_stop(cprov *p);

/* The whole daemon: start, register, cprov_tick every poll_ms until *stop
 * becomes non-zero, stop. Returns 0, or 1 after logging why it could not
 * start or gave up. */
int cprov_run(const cprov_config *cfg, int poll_ms,
              volatile sig_atomic_t *stop);

/* `cairn provider compute ...` (src/compute/provider/cmd_provider.c). */
int cmd_provider_compute(int argc, char **argv);

#endif

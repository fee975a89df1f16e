/* Internal: a compute lease's storage inputs (manifest files with a
 * "storage" source), fetched by the provider into the lease's work
 * directory with the storage client's code (docs/compute-provider.md, "Storage
 * inputs"). */
#ifndef CAIRN_COMPUTE_PROVIDER_INPUTS_H
#define CAIRN_COMPUTE_PROVIDER_INPUTS_H

#include "compute/manifest.h"
#include "compute/provider/cprov.h"

/* Which lease the inputs are for. */
typedef struct cprov_input_ctx {
    uint64_t lease;
    cairn_pubkey tenant; /* whose deals hold the files */
    uint64_t disk_bytes; /* the lease's disk: the inputs must fit */
} cprov_input_ctx;

/* Fetches every storage file of m into work (at its path), with the keys
 * stored with the lease's manifest. Runs on a stager thread. msg (len
 * bytes) names the file that failed and why: BAD_MANIFEST (no key for
 * it), NOT_FOUND (no such file of the tenant on chain), NO_SPACE (more
 * than the lease's disk), FEW_PIECES or DECRYPT (its pieces cannot be
 * had, or the key is not the file's), IO. */
cairn_err cprov_fetch_inputs(cprov *p, const cprov_input_ctx *ctx,
                             const cairn_manifest *m, const char *work,
                             char *msg, size_t len);

#endif

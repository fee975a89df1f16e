/* Internal: a compute lease's storage inputs (manifest files with a
 * "storage" source), fetched by the provider into the lease's work
 * directory with the storage client's code (docs/compute.md, "Inputs from
 * storage"). */
#ifndef CAIRN_COMPUTE_PROVIDER_INPUTS_H
#define CAIRN_COMPUTE_PROVIDER_INPUTS_H

#include "compute/manifest.h"
#include "compute/provider/cprov.h"

/* Fetches every storage file of m into work (at its path). Runs on a
 * stager thread. msg (len bytes) names the file that failed and why. */
cairn_err cprov_fetch_inputs(cprov *p, uint64_t lease, const cairn_manifest *m,
                             const char *work, char *msg, size_t len);

#endif

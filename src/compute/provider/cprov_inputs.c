/* A lease's storage inputs (cprov_inputs.h). */
#include <stdio.h>

#include "compute/provider/cprov_inputs.h"

cairn_err cprov_fetch_inputs(cprov *p, uint64_t lease, const cairn_manifest *m,
                             const char *work, char *msg, size_t len)
{
    (void)p;
    (void)lease;
    (void)work;
    for (size_t i = 0; i < m->nfiles; i++)
        if (m->files[i].kind == CAIRN_MFILE_STORAGE) {
            snprintf(msg, len,
                     "files[%zu] (%s): storage inputs are not supported by "
                     "this provider yet",
                     i, m->files[i].path);
            return CAIRN_ERR_BAD_MANIFEST;
        }
    return CAIRN_OK;
}

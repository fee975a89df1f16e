/* Internal: a layout (cairn/layout.h) made from one file's key instead of
 * the owner's secret, for a reader that was given that key alone (a
 * compute provider fetching a tenant's input file, docs/compute-provider.md).
 */
#ifndef CAIRN_STORAGE_LAYOUT_KEY_H
#define CAIRN_STORAGE_LAYOUT_KEY_H

#include "cairn/layout.h"

/* As cairn_layout_new, with the file key given (copied; wiped by
 * cairn_layout_free). The caller owns *out. */
cairn_err storage_layout_with_key(cairn_layout **out, const cairn_file_info *fi,
                                  const uint8_t key[CAIRN_FILE_KEY_LEN]);

#endif

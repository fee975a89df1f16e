/* Internal: an amount in JSON the way every cairn reply and --json output
 * gives it: "<name>": token text ("12.5") and "<name>_units": base units
 * as a decimal string ("12500000"), so no reader loses precision. */
#ifndef CAIRN_CORE_JSON_AMOUNT_H
#define CAIRN_CORE_JSON_AMOUNT_H

#include <jansson.h>
#include <stdint.h>

void amount_json_set(json_t *o, const char *name, uint64_t units);

#endif

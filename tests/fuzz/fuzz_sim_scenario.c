/* libFuzzer target for the simulator's scenario files (src/sim/
 * scenario.c): a scenario is a file a user may have from anyone, so any
 * bytes must parse or be refused with a message, without undefined
 * behaviour or a leak. A refusal must say what is wrong (a non-empty
 * message that is the same on a second parse); an accepted scenario parses
 * again to the same result (the parser keeps no state between calls).
 *
 * Input: the JSON text (a NUL ends it early). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *json = malloc(size + 1);
    if (!json)
        return 0;
    memcpy(json, data, size);
    json[size] = '\0';
    esim_scenario a, b;
    char msg[256] = "", msg2[256] = "";
    esim_scenario_defaults(&a);
    esim_scenario_defaults(&b);
    cairn_err e1 = esim_scenario_parse(&a, json, msg, sizeof msg);
    cairn_err e2 = esim_scenario_parse(&b, json, msg2, sizeof msg2);
    if (e1 != e2 || (e1 && (!msg[0] || strcmp(msg, msg2) != 0)))
        abort();
    if (!e1 && (a.nshocks != b.nshocks || a.seed != b.seed))
        abort();
    esim_scenario_free(&a);
    esim_scenario_free(&b);
    free(json);
    return 0;
}

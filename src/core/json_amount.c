/* Amounts in JSON: token text and base units, both strings. */
#include "core/json_amount.h"

#include <stdio.h>

#include "cairn/amount.h"

void amount_json_set(json_t *o, const char *name, uint64_t units)
{
    char txt[CAIRN_AMOUNT_TEXT_MAX], key[64], num[24];
    cairn_amount_format(txt, units);
    snprintf(key, sizeof key, "%s_units", name);
    snprintf(num, sizeof num, "%llu", (unsigned long long)units);
    json_object_set_new(o, name, json_string(txt));
    json_object_set_new(o, key, json_string(num));
}

/* The registry: one line per sector. Adding a sector is its folders plus
 * one line in `sectors` below (docs/sectors.md). A sector not built yet
 * holds its id, name, ranges and weight here as a reserved entry, so that
 * networks launched today already carry its weight and nothing else can
 * take its ranges; it replaces that line with its descriptor when it
 * lands. */
#include "sectors/registry.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "compute/plugin.h"
#include "sensor/plugin.h"
#include "storage/plugin.h"
#include "wireless/plugin.h"

/* A sector that is planned but not built: no kinds, no hooks. */
#define RESERVED(sid, sname, tag, kind)                                        \
    {                                                                          \
        .id = sid, .name = sname,                                              \
        .weight = ECON_WEIGHT(sid, "weight_" sname, 2500), .tag_first = tag,   \
        .tag_last = tag + 0x0F, .kind_first = kind, .kind_last = kind + 0x0F   \
    }

/* The sectors, one line each, in id order. */
static const cairn_sector_plugin *const plugins[] = {
    &cairn_storage_plugin,
    &cairn_compute_plugin,
    &cairn_wireless_plugin,
    &cairn_sensor_plugin,
};

#define NPLUGINS (sizeof plugins / sizeof plugins[0])

static const econ_sector *rules_of[NPLUGINS];
static econ_registry registry;
static cairn_rules rules;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void build(void)
{
    for (size_t i = 0; i < NPLUGINS; i++)
        rules_of[i] = plugins[i]->rules;
    registry = (econ_registry){rules_of, NPLUGINS};
    econ_rules_init(&rules, &registry);
}

const econ_registry *cairn_registry(void)
{
    pthread_once(&once, build);
    return &registry;
}

const cairn_rules *cairn_registry_rules(void)
{
    pthread_once(&once, build);
    return &rules;
}

const cairn_sector_plugin *const *cairn_plugins(size_t *n)
{
    *n = NPLUGINS;
    return plugins;
}

const cairn_sector_plugin *cairn_plugin(const char *name)
{
    for (size_t i = 0; name && i < NPLUGINS; i++)
        if (strcmp(plugins[i]->rules->name, name) == 0)
            return plugins[i];
    return NULL;
}

cairn_err cairn_chain_create(const char *dir, const cairn_genesis *g)
{
    return cairn_chain_create_rules(dir, g, cairn_registry_rules());
}

cairn_err cairn_chain_open(cairn_chain **out, const char *dir)
{
    return cairn_chain_open_rules(out, dir, cairn_registry_rules());
}

cairn_err cairn_chain_replay(const char *dir, const char *tmpdir,
                             cairn_hash *tip_root, uint64_t *blocks)
{
    return cairn_chain_replay_rules(dir, tmpdir, cairn_registry_rules(),
                                    tip_root, blocks);
}

cairn_err cairn_econ_check(const char *economy_json, char *msg, size_t len)
{
    return econ_params_check(cairn_registry(), economy_json, msg, len);
}

const char *cairn_sector_name(unsigned sector)
{
    const econ_sector *s = econ_sector_by_id(cairn_registry(), sector);
    return s ? s->name : "unknown";
}

cairn_err cairn_sector_parse(const char *name, uint8_t *sector)
{
    const econ_sector *s = econ_sector_by_name(cairn_registry(), name);
    if (!s)
        return CAIRN_ERR_BAD_SECTOR;
    *sector = s->id;
    return CAIRN_OK;
}

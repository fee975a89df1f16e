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

#include "sectors/storage/sector.h"

/* A sector that is planned but not built: no kinds, no hooks. */
#define RESERVED(sid, sname, tag, kind)                                     \
    {.id = sid, .name = sname,                                              \
     .weight = ECON_WEIGHT(sid, "weight_" sname, 2500),                     \
     .tag_first = tag, .tag_last = tag + 0x0F,                              \
     .kind_first = kind, .kind_last = kind + 0x0F}

static const econ_sector compute = RESERVED(1, "compute", 0x60, 0x50);
static const econ_sector wireless = RESERVED(2, "wireless", 0x70, 0x60);
static const econ_sector sensor = RESERVED(3, "sensor", 0x80, 0x70);

static const econ_sector *const sectors[] = {
    &cairn_storage_sector,
    &compute,
    &wireless,
    &sensor,
};

static const econ_registry registry = {sectors, sizeof sectors / sizeof sectors[0]};
static cairn_rules rules;
static pthread_once_t rules_once = PTHREAD_ONCE_INIT;

const econ_registry *cairn_registry(void) { return &registry; }

static void rules_build(void) { econ_rules_init(&rules, &registry); }

const cairn_rules *cairn_registry_rules(void)
{
    pthread_once(&rules_once, rules_build);
    return &rules;
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
    return econ_params_check(&registry, economy_json, msg, len);
}

const char *cairn_sector_name(unsigned sector)
{
    const econ_sector *s = econ_sector_by_id(&registry, sector);
    return s ? s->name : "unknown";
}

cairn_err cairn_sector_parse(const char *name, uint8_t *sector)
{
    const econ_sector *s = econ_sector_by_name(&registry, name);
    if (!s)
        return CAIRN_ERR_BAD_SECTOR;
    *sector = s->id;
    return CAIRN_OK;
}

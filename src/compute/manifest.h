/* Internal: the compute manifest, the tenant's description of a workload
 * (JSON; docs/compute.md has the format and examples):
 *
 *   {
 *     "command": ["sh", "-c", "echo hi > out.txt"],   1..64 strings
 *     "env": {"NAME": "value"},                        optional, <= 64
 *     "files": [                                       optional, <= 64
 *       {"path": "in/a.txt", "content": "text"},
 *       {"path": "in/b.bin", "base64": "AAEC"},
 *       {"path": "in/c.dat", "storage": "<file id>"}   fetched from storage
 *     ],
 *     "resources": {"cpus": 1, "memory": "256M", "disk": "64M",
 *                   "max_epochs": 100},
 *     "port": 8080,                                    optional, 1..65535
 *     "max_price": "0.5",                              tokens per epoch
 *     "escrow": "10"                                   optional; default
 *   }                                                  10 epochs' max_price
 *
 * Paths are relative, of [A-Za-z0-9._/-], no "." or ".." part, <= 255
 * bytes. The manifest's hash (BLAKE2b-256 of its exact bytes) goes on
 * chain in the order; the tenant sends the bytes to the provider that
 * wins, which checks them against that hash. At most
 * CAIRN_MANIFEST_MAX bytes. */
#ifndef CAIRN_COMPUTE_MANIFEST_H
#define CAIRN_COMPUTE_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/compute.h"

#define CAIRN_MANIFEST_MAX (1u << 20)
#define CAIRN_MANIFEST_ARGS_MAX 64
#define CAIRN_MANIFEST_ENV_MAX 64
#define CAIRN_MANIFEST_FILES_MAX 64
#define CAIRN_MANIFEST_PATH_MAX 255

typedef enum cairn_mfile_kind {
    CAIRN_MFILE_INLINE = 1, /* content / base64: bytes in data */
    CAIRN_MFILE_STORAGE = 2 /* a storage sector file id in storage_id */
} cairn_mfile_kind;

typedef struct cairn_mfile {
    char *path;
    int kind;
    uint8_t *data; /* INLINE */
    size_t len;
    char *storage_id; /* STORAGE: as `cairn get` takes it */
} cairn_mfile;

typedef struct cairn_manifest {
    char **argv; /* NULL-terminated */
    size_t argc;
    char **env; /* "K=V", NULL-terminated */
    size_t nenv;
    cairn_mfile *files;
    size_t nfiles;
    uint32_t cpus, mem_mib, disk_mib;
    uint64_t max_epochs;
    uint16_t port;
    uint64_t max_price; /* base units per epoch */
    uint64_t escrow;    /* base units; 0 when the manifest has none */
    cairn_hash hash;    /* of the bytes parsed */
} cairn_manifest;

/* Parses and checks n bytes of manifest JSON into *m (the caller frees
 * it with cairn_manifest_free, also after an error). BAD_MANIFEST with
 * msg naming the field ("resources.memory: ...") on any fault; a
 * manifest over CAIRN_MANIFEST_MAX is refused before parsing. */
cairn_err cairn_manifest_parse(cairn_manifest *m, const uint8_t *p, size_t n,
                               char *msg, size_t len);
void cairn_manifest_free(cairn_manifest *m);
/* The order a manifest asks for (escrow: the manifest's, or
 * 10 × max_price when it has none; bid_blocks left 0 for the caller). */
void cairn_manifest_order(const cairn_manifest *m, cairn_order *o);
/* Writes its inline files under dir (making parent directories); storage
 * files are the caller's. 0 on success, else msg says which file. */
cairn_err cairn_manifest_write_files(const cairn_manifest *m, const char *dir,
                                     char *msg, size_t len);

#endif

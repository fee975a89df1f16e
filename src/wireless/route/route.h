/* The router daemon and commands of the wireless sector's data transfer
 * (docs/wireless-data.md): `cairn wireless route register | close | ls |
 * run`, and the node API's routes endpoints.
 *
 * A router owns a DevAddr range on chain and answers the hotspots that
 * forward its devices' uplinks (POST /v1/uplink) with a signed packet
 * receipt (include/cairn/wireless_data.h), and join requests with a join
 * accept. It checks each frame's MIC under the device's key
 * (src/wireless/frame.h) and its frame counter (no replay; kept in --data
 * so a restart does not buy a packet again), and signs only while its
 * data credits on chain cover what it has signed in the claim window. */
#ifndef CAIRN_WIRELESS_ROUTE_H
#define CAIRN_WIRELESS_ROUTE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/crypto.h"
#include "cairn/tx.h"
#include "cairn/wireless_data.h"
#include "wireless/frame.h"

/* `cairn wireless route ...`: argv are the words after "route"
 * (argv[0] is register, close, ls or run). Returns the exit status. */
int cmd_wireless_route(int argc, char **argv);

/* The node API: GET /v1/wireless/routes and /v1/wireless/route/{devaddr}
 * (8 hex digits). Returns 1 when path was one of them (answered), else 0.
 * The integrator calls it from the wireless sector's API router. */
struct node;
struct httpd_req;
int api_wireless_data_route(struct node *n, struct httpd_req *req,
                            const char *path, const char *query);

/* ---- the router's core (route_core.c), without sockets ---- */

#define RT_DEVICES_MAX 10000
#define RT_SPENT_SLOTS 80 /* epochs of signed credits remembered */
#define RT_NET_ID 0x000013
#define RT_JOIN_DELAY_MS 5000
#define RT_RECEIPT_HEX (2 * CAIRN_PACKET_RECEIPT_LEN + 1)

typedef struct rt_device {
    int otaa; /* 1: joins with app_key; 0: ABP (fixed session) */
    uint64_t dev_eui, join_eui;
    uint8_t app_key[LORA_KEY_LEN];
    int active; /* has a session (ABP always; OTAA after a join) */
    uint32_t dev_addr;
    uint8_t nwk_skey[LORA_KEY_LEN];
    int has_fcnt;
    uint16_t fcnt; /* last uplink counter bought */
    int has_nonce;
    uint16_t dev_nonce; /* last join DevNonce accepted */
    /* the last receipt, given again to the same hotspot for the same
     * packet (a retry after a lost answer is not a replay) */
    int has_last;
    cairn_hash last_hash;
    cairn_pubkey last_hotspot;
    char last_receipt[RT_RECEIPT_HEX];
    char last_downlink[64]; /* base64 join accept, "" for uplinks */
} rt_device;

typedef struct rt_router {
    cairn_keypair kp;
    char chain_id[CAIRN_CHAIN_ID_MAX + 1];
    rt_device *dev;
    size_t ndev;
    uint32_t join_nonce; /* last JoinNonce given */
    int has_range;
    uint32_t base;
    uint8_t bits;
    char state_path[4096]; /* "" : nothing persisted */
    /* the chain as last seen (poller thread), under mu */
    pthread_mutex_t mu;
    int chain_ok;
    uint64_t epoch, credits, window;
    /* credits signed per epoch (slot epoch % RT_SPENT_SLOTS) */
    uint64_t spent_epoch[RT_SPENT_SLOTS], spent_dc[RT_SPENT_SLOTS];
    /* counters for GET /v1/status */
    uint64_t n_uplinks, n_joins, n_retries, n_bad, n_replay, n_no_credits;
    uint64_t dc_signed;
} rt_router;

/* The answer to one forwarded frame. */
typedef struct rt_answer {
    int status; /* HTTP status */
    cairn_err err;
    char why[160];
    char receipt[RT_RECEIPT_HEX];
    char downlink[64]; /* base64 of a join accept, or "" */
    uint32_t dc, dev_addr;
    uint16_t fcnt;
    uint64_t epoch;
} rt_answer;

/* Loads the devices file (JSON array, see docs/wireless-data.md) into r;
 * BAD_JSON with why on anything malformed. */
cairn_err rt_load_devices(rt_router *r, const char *path, char *why,
                          size_t whylen);
/* Reads the persisted counters from r->state_path (absent: nothing) and
 * writes them back (durably). */
cairn_err rt_state_load(rt_router *r);
cairn_err rt_state_save(const rt_router *r);
/* Handles one frame forwarded by hotspot: fills *a. Caller holds no lock. */
void rt_handle(rt_router *r, const cairn_pubkey *hotspot, const uint8_t *phy,
               size_t n, rt_answer *a);
/* Credits signed in epochs [epoch - window, epoch]. */
uint64_t rt_outstanding(const rt_router *r, uint64_t epoch, uint64_t window);
/* Frees r's devices. */
void rt_free(rt_router *r);

#endif

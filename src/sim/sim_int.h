/* Internal: the simulator's engine state, shared by engine.c (the chain:
 * genesis, transactions, blocks, output) and agents.c (the agents' model:
 * providers, users, the token market, shocks). Floats are fine here: none
 * of this is consensus; every token movement is a signed transaction the
 * real chain code applies. */
#ifndef CAIRN_SIM_INT_H
#define CAIRN_SIM_INT_H

#include <stdint.h>
#include <stdio.h>

#include "cairn/chain.h"
#include "cairn/metrics.h"
#include "cairn/sim.h"
#include "sim/scenario.h"

typedef struct sim_engine sim_engine;

#define SIM_EXCHANGES 256 /* market-maker keys (spread per-sender limits) */
#define SIM_DROP_KINDS 256

enum { SIM_P_NONE = 0, SIM_P_ACTIVE = 1, SIM_P_LEFT = 2 };
enum { SIM_U_IDLE = 0, SIM_U_ORDER = 1, SIM_U_LEASED = 2 };

typedef struct sim_prov {
    cairn_keypair kp;
    int state;
    uint64_t cpus;    /* capacity offered */
    uint64_t used;    /* cores of its leases and of its open bids */
    uint64_t joined;  /* epoch */
    double income;    /* tokens earned in the epoch (fees + rewards) */
    uint32_t bad;     /* unprofitable epochs in a row */
    uint64_t nleases; /* leases it holds (the agents' view) */
    double cost;      /* USD per cpu-epoch, its own */
    int leave;        /* 1: leaves at the next phase 0 */
    uint64_t nbids;   /* bids sent in this epoch */
} sim_prov;

typedef struct sim_user {
    cairn_keypair kp;
    int has_key, state;
    double u;         /* a uniform draw in [0, 1): its place in demand */
    double budget;    /* USD per cpu-epoch it would pay at most */
    uint64_t lease;   /* order or lease id; 0: none */
    uint64_t last_id; /* its newest order id seen (for the next lookup) */
    uint64_t cpus, price, paid_seen, escrow;
    uint64_t want;      /* cores it wants now (0: none) */
    uint64_t max_price; /* of its order, per epoch */
    int act;            /* phase 1 action: 1 order, 2 deposit */
    uint64_t deposit;
    uint32_t prov; /* provider index of the lease */
    uint32_t bids; /* bids sent on its open order */
} sim_user;

/* Per-epoch flows and counts of the model. */
typedef struct sim_flow {
    double buy_tokens, sell_tokens;
    uint64_t joined, left;
    double profit_usd;
} sim_flow;

struct sim_engine {
    esim_scenario sc;
    const cairn_sim_opts *opts;
    char dir[512];      /* the chain's directory */
    int dir_made;       /* 1: this run made it (removed on error) */
    char *genesis_json; /* owned */
    cairn_chain *chain;
    cairn_mempool *mp;
    cairn_keypair seq, oracle, buyer, ex[SIM_EXCHANGES];
    char chain_id[CAIRN_CHAIN_ID_MAX + 1];
    uint64_t min_fee;
    /* parameters read from the chain */
    uint64_t fee_provider_bps, floor_per_core, max_epochs;
    uint64_t bid_deposit, gov_deposit, weight_compute;
    sim_prov *prov;
    size_t nprov, prov_cap;
    uint32_t *bidders; /* bids_per_order provider indices per user */
    sim_user *user;
    size_t nuser, user_cap;
    double users_target; /* the population, fractional */
    double users_max;
    double price;          /* USD per token, in force this epoch */
    double mkt_cpu_usd;    /* the last mean lease price per cpu-epoch, USD */
    double exp_cpu_tokens; /* last epoch's provider income per cpu */
    uint64_t epoch;        /* the current epoch */
    sim_flow flow;
    cairn_epoch_metrics last; /* the last settled epoch */
    int have_last;
    uint64_t rng;
    /* counters */
    uint64_t txs, blocks, dropped, spilled;
    double settle_seconds;
    uint64_t drops[SIM_DROP_KINDS];
    uint64_t pending_proposal; /* governance: proposal id to vote on */
    double pending_yes_bps;
    FILE *csv;
};

/* engine.c */
uint64_t sim_rand(sim_engine *s);
double sim_rand01(sim_engine *s);
void sim_key(cairn_keypair *kp, uint64_t seed, uint8_t role, uint64_t i);
/* Signs a transaction of kp and admits it to the mempool as the node
 * does (cairn_chain_check_tx, then the mempool with the committed
 * nonce); an admission failure is counted as a drop. */
cairn_err sim_submit(sim_engine *s, const cairn_keypair *kp, uint16_t kind,
                     const cairn_buf *body);
cairn_err sim_transfer(sim_engine *s, const cairn_keypair *from,
                       const cairn_pubkey *to, uint64_t amount);
/* Proposes one block at the deterministic time of its height. */
cairn_err sim_block(sim_engine *s);
uint64_t sim_param(sim_engine *s, const char *name);

/* agents.c: the phases of one epoch (docs/simulator.md, "An epoch"). */
cairn_err sim_agents_start(sim_engine *s);
cairn_err sim_phase(sim_engine *s, int phase);
/* After the epoch's last block: reads the settled epoch into the agents
 * (income, leases) and the market model; fills the CSV row's model
 * values. */
cairn_err sim_epoch_end(sim_engine *s, const cairn_epoch_metrics *m);
uint64_t sim_users_leased(const sim_engine *s);

#endif

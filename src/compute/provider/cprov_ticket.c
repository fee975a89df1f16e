/* The lottery tickets that pay for jobs (docs/compute-provider.md,
 * "Jobs"): the shared ticket taker of provider/tickets.h with the price
 * --job-price, the random number's hash told by TICKET_PARAMS, and the
 * redemptions sent from the chain thread. */
#include <stdio.h>
#include <string.h>

#include "compute/provider/cprov_internal.h"

cairn_err cprov_tickets_init(cprov *p)
{
    return pd_tickets_init(&p->tk, p->cfg.data_dir, &p->cfg.key.pk, p->cfg.node,
                           p->cfg.log, "provider");
}

void cprov_tickets_free(cprov *p)
{
    pd_tickets_free(&p->tk);
}

void cprov_handle_ticket_params(cprov *p, const pd_request *q, pd_reply *r)
{
    cairn_cp_ticket_rand m = {0};
    if (q->n != 0) {
        cairn_buf_reset(&r->body);
        r->type = CAIRN_CP_ERROR;
        cairn_cp_error_encode(&r->body, CAIRN_ERR_BAD_MSG,
                              "malformed TICKET_PARAMS request");
        r->close = 1;
        return;
    }
    pd_tickets_rand_hash(&p->tk, m.rand_hash);
    snprintf(m.chain_id, sizeof m.chain_id, "%s", cprov_chain_id(p));
    r->type = CAIRN_CP_TICKET_RAND;
    cairn_cp_ticket_rand_encode(&r->body, &m);
}

cairn_err cprov_take_ticket(cprov *p, const uint8_t *b, size_t n, char *why,
                            size_t len)
{
    if (n == 0) {
        if (!p->cfg.job_price)
            return CAIRN_OK;
        snprintf(why, len,
                 "a job here costs a ticket worth %llu base units on average "
                 "(ask TICKET_PARAMS)",
                 (unsigned long long)p->cfg.job_price);
        return CAIRN_ERR_FUNDS;
    }
    pthread_mutex_lock(&p->mu);
    const uint64_t height = p->view.ok ? p->view.height : 0;
    pthread_mutex_unlock(&p->mu);
    return pd_tickets_take(&p->tk, cprov_chain_id(p), height, p->cfg.job_price,
                           b, n, why, len);
}

static cairn_err send_tx(void *arg, uint16_t kind, const cairn_buf *body,
                         char *why, size_t len)
{
    return cprov_send(arg, kind, body, why, len);
}

cairn_err cprov_redeem(cprov *p)
{
    pd_tickets_round(&p->tk);
    (void)pd_tickets_redeem(&p->tk, send_tx, p);
    return CAIRN_OK;
}

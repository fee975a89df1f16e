/* Commit failures: a node that cannot write blocks (full disk, failing
 * store) says so in its log, at most every NODE_LOG_EVERY_MS, and in
 * /v1/status, and says when it writes again. The transactions of a block
 * that failed stay in the mempool (cairn_chain_propose puts them back), so
 * they commit once the disk has room. */
#include <stdio.h>

#include "node/node_internal.h"

void node_note_write(node *n, cairn_err e, uint64_t height, size_t ntx)
{
    uint64_t skipped = 0, failures, since;
    int say;
    pthread_mutex_lock(&n->lock);
    failures = n->write_failures;
    since = n->write_fail_ms;
    if (e) {
        if (!n->write_failures++)
            n->write_fail_ms = node_now_ms();
        n->write_err = e;
        say = cairn_ratelimit_allow(&n->write_log, node_mono_ms(), &skipped);
    } else {
        n->write_failures = 0;
        say = failures > 0;
        (void)cairn_ratelimit_reset(&n->write_log);
    }
    pthread_mutex_unlock(&n->lock);
    char more[80] = "";
    if (skipped)
        snprintf(more, sizeof more,
                 " (%llu more failures since the last warning)",
                 (unsigned long long)skipped);
    if (e && say)
        node_log(n, 1,
                 "block %llu could not be written: %s; its %zu transaction(s) "
                 "stay in the mempool and the node retries%s%s",
                 (unsigned long long)height, cairn_strerror(e), ntx,
                 n->sequencer ? " every block interval" : "", more);
    else if (!e && say)
        node_log(n, 1,
                 "blocks are written again, from block %llu, after %llu "
                 "failure(s) over %llu s",
                 (unsigned long long)height, (unsigned long long)failures,
                 (unsigned long long)((node_now_ms() - since) / 1000));
}

json_t *node_write_error_json(const node *n)
{
    if (!n->write_failures)
        return NULL;
    json_t *o = json_object();
    json_object_set_new(o, "error", json_string(cairn_errname(n->write_err)));
    json_object_set_new(o, "code", json_integer(n->write_err));
    json_object_set_new(o, "message",
                        json_string(cairn_strerror(n->write_err)));
    json_object_set_new(o, "since_ms", api_json_u64(n->write_fail_ms));
    json_object_set_new(o, "failures", api_json_u64(n->write_failures));
    return o;
}

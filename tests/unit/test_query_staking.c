/* The staking queries on a real chain (src/econ/query_staking.c): an
 * address's unbonding entries with their release epochs until they are
 * released, the provider list in key order with sector filter and paging,
 * the staking status, and the sector names. */
#include "gov_fixture.h"

/* Sector ids of the reserved entries in src/sectors/registry.c. */
enum { SECTOR_COMPUTE = 1, SECTOR_WIRELESS = 2, SECTOR_SENSOR = 3 };
#define CAIRN_SECTOR_STORAGE 0

/* 3-block epochs, 2 epochs of unbonding. */
static const char *ECON = "{\"epoch_blocks\":3,\"unbonding_epochs\":2}";

static cairn_staking_status status_of(twin *t)
{
    cairn_staking_status st;
    assert_int_equal(cairn_chain_staking_status(t->c[0], &st), CAIRN_OK);
    return st;
}

/* Registers keys[who] in `sector` with `stake` tokens (not yet in a block). */
static void reg(twin *t, int who, uint8_t sector, uint64_t stake, cairn_buf *b)
{
    cairn_register r = {sector, 100, stake * TOK, "127.0.0.1:9000"};
    cairn_register_encode(b, &r);
    both(t, who, CAIRN_TX_REGISTER, b);
}

static void unbond(twin *t, int who, uint64_t tokens, cairn_buf *b)
{
    cairn_amount_body_encode(b, tokens * TOK);
    both(t, who, CAIRN_TX_UNBOND, b);
}

static size_t unbonding_of(twin *t, int who, cairn_unbond_entry *e, size_t max,
                           uint64_t *total)
{
    size_t n = 99;
    assert_int_equal(
        cairn_chain_unbonding(t->c[0], &fx_keys[who].pk, e, max, &n, total),
        CAIRN_OK);
    return n;
}

static void unbonding_entries(void **st)
{
    twin t;
    cairn_buf b;
    cairn_unbond_entry e[4];
    uint64_t total = 1;
    (void)st;
    twin_open(&t, ECON);
    cairn_buf_init(&b, 256);
    reg(&t, 1, CAIRN_SECTOR_STORAGE, 300, &b);
    reg(&t, 2, SECTOR_COMPUTE, 200, &b);
    assert_int_equal(step(&t), CAIRN_OK);
    assert_int_equal(unbonding_of(&t, 1, e, 4, &total), 0);
    assert_int_equal(total, 0);

    uint64_t e1 = status_of(&t).epoch;
    unbond(&t, 1, 30, &b);
    unbond(&t, 2, 7, &b);
    assert_int_equal(step(&t), CAIRN_OK);
    step_to(&t, fx_height(&t) + 3); /* the next epoch */
    uint64_t e2 = status_of(&t).epoch;
    assert_true(e2 > e1);
    unbond(&t, 1, 20, &b);
    assert_int_equal(step(&t), CAIRN_OK);

    assert_int_equal(unbonding_of(&t, 1, e, 4, &total), 2);
    assert_int_equal(total, 50 * TOK);
    assert_int_equal(e[0].release_epoch, e1 + 2);
    assert_int_equal(e[0].amount, 30 * TOK);
    assert_int_equal(e[1].release_epoch, e2 + 2);
    assert_int_equal(e[1].amount, 20 * TOK);
    assert_true(e[1].seq > e[0].seq);
    assert_int_equal(unbonding_of(&t, 1, e, 1, &total), 2); /* count past max */
    assert_int_equal(e[0].amount, 30 * TOK);
    assert_int_equal(unbonding_of(&t, 2, e, 4, NULL), 1);
    assert_int_equal(e[0].amount, 7 * TOK);
    assert_int_equal(unbonding_of(&t, 3, e, 4, &total), 0);

    /* the first entry goes at the end of epoch e1 + 2, the second after */
    uint64_t bal = fx_account(&t, 1).balance;
    for (int i = 0; i < 20 && status_of(&t).epoch <= e1 + 2; i++)
        assert_int_equal(step(&t), CAIRN_OK);
    assert_int_equal(unbonding_of(&t, 1, e, 4, &total), 1);
    assert_int_equal(total, 20 * TOK);
    assert_int_equal(fx_account(&t, 1).balance, bal + 30 * TOK);
    for (int i = 0; i < 20 && status_of(&t).epoch <= e2 + 2; i++)
        assert_int_equal(step(&t), CAIRN_OK);
    assert_int_equal(unbonding_of(&t, 1, e, 4, &total), 0);
    assert_int_equal(status_of(&t).unbonding, 0);
    cairn_buf_free(&b);
    twin_close(&t);
}

/* Collects the whole list page by page (max per page); returns the count. */
static size_t all_pages(twin *t, unsigned sector, size_t max,
                        cairn_provider_entry *all)
{
    cairn_pubkey next, after;
    size_t total = 0, n;
    int more = 1, first = 1;
    for (int pages = 0; more && pages < 20; pages++) {
        assert_int_equal(
            cairn_chain_providers(t->c[0], sector, first ? NULL : &after,
                                  all + total, max, &n, &next, &more),
            CAIRN_OK);
        assert_true(n <= max);
        total += n;
        after = next;
        first = 0;
    }
    assert_int_equal(more, 0);
    return total;
}

static void provider_list(void **st)
{
    twin t;
    cairn_buf b;
    cairn_provider_entry all[FX_KEYS + 1], page[FX_KEYS + 1];
    cairn_pubkey next;
    size_t n;
    int more;
    (void)st;
    twin_open(&t, ECON);
    cairn_buf_init(&b, 256);
    assert_int_equal(cairn_chain_providers(t.c[0], CAIRN_SECTOR_SLOTS, NULL,
                                           page, 4, &n, &next, &more),
                     CAIRN_OK);
    assert_int_equal(n, 0);
    assert_int_equal(more, 0);
    for (int i = 1; i <= FX_KEYS; i++) /* sectors: storage for odd keys */
        reg(&t, i, i % 2 ? CAIRN_SECTOR_STORAGE : SECTOR_SENSOR,
            100 + (uint64_t)i, &b);
    assert_int_equal(step(&t), CAIRN_OK);

    for (size_t max = 1; max <= FX_KEYS + 1; max++) {
        assert_int_equal(all_pages(&t, CAIRN_SECTOR_SLOTS, max, all), FX_KEYS);
        for (int i = 1; i < FX_KEYS; i++)
            assert_true(memcmp(all[i - 1].address.b, all[i].address.b, 32) < 0);
    }
    int storage = 0;
    for (int i = 0; i < FX_KEYS; i++) {
        int who = 0;
        for (int k = 1; k <= FX_KEYS; k++)
            if (!memcmp(fx_keys[k].pk.b, all[i].address.b, 32))
                who = k;
        assert_true(who > 0);
        assert_int_equal(all[i].info.self_stake, (100 + (uint64_t)who) * TOK);
        assert_int_equal(all[i].info.commission_bps, 100);
        assert_true(all[i].info.active);
        assert_string_equal(all[i].info.endpoint, "127.0.0.1:9000");
        storage += all[i].info.sector == CAIRN_SECTOR_STORAGE;
    }
    assert_int_equal(storage, 3);
    for (size_t max = 1; max <= 4; max++) {
        assert_int_equal(all_pages(&t, CAIRN_SECTOR_STORAGE, max, page), 3);
        for (int i = 0; i < 3; i++)
            assert_int_equal(page[i].info.sector, CAIRN_SECTOR_STORAGE);
    }
    assert_int_equal(all_pages(&t, SECTOR_COMPUTE, 2, page), 0);
    /* a full page with nothing after it is complete */
    assert_int_equal(cairn_chain_providers(t.c[0], CAIRN_SECTOR_SLOTS, NULL,
                                           page, FX_KEYS, &n, &next, &more),
                     CAIRN_OK);
    assert_int_equal(n, FX_KEYS);
    assert_int_equal(more, 0);
    /* after the last: nothing */
    assert_int_equal(cairn_chain_providers(t.c[0], CAIRN_SECTOR_SLOTS,
                                           &all[FX_KEYS - 1].address, page, 4,
                                           &n, &next, &more),
                     CAIRN_OK);
    assert_int_equal(n, 0);
    assert_int_equal(more, 0);
    cairn_buf_free(&b);
    twin_close(&t);
}

static void status_and_names(void **st)
{
    twin t;
    uint8_t s = 9;
    (void)st;
    twin_open(&t, ECON);
    cairn_staking_status ss = status_of(&t);
    assert_int_equal(ss.epoch, 0);
    assert_int_equal(ss.epoch_blocks, 3);
    assert_int_equal(ss.unbonding_epochs, 2);
    assert_int_equal(ss.min_provider_stake, 100 * TOK);
    assert_int_equal(ss.min_delegation, 10 * TOK);
    assert_int_equal(ss.max_commission_bps, 5000);
    assert_int_equal(ss.staked, 0);
    step_to(&t, 4);
    ss = status_of(&t);
    assert_int_equal(ss.epoch, 1);
    assert_int_equal(ss.epoch_start_height, 4);
    twin_close(&t);

    assert_string_equal(cairn_sector_name(SECTOR_WIRELESS), "wireless");
    assert_string_equal(cairn_sector_name(CAIRN_SECTOR_SLOTS), "unknown");
    assert_int_equal(cairn_sector_parse("sensor", &s), CAIRN_OK);
    assert_int_equal(s, SECTOR_SENSOR);
    assert_int_equal(cairn_sector_parse("Storage", &s), CAIRN_ERR_BAD_SECTOR);
    assert_int_equal(cairn_sector_parse("", &s), CAIRN_ERR_BAD_SECTOR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unbonding_entries),
        cmocka_unit_test(provider_list),
        cmocka_unit_test(status_and_names),
    };
    cairn_crypto_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}

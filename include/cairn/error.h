/* cairn — one error space for the whole library.
 *
 * Every fallible call returns a cairn_err. CAIRN_OK is 0; the numbers are
 * part of the API (they appear in JSON errors) and are never renumbered:
 * new codes go at the end. */
#ifndef CAIRN_ERROR_H
#define CAIRN_ERROR_H

#define CAIRN_WUR __attribute__((warn_unused_result))
#define CAIRN_API __attribute__((visibility("default")))

typedef enum cairn_err {
    CAIRN_OK = 0,
    CAIRN_ERR_NOMEM = 1,          /* out of memory */
    CAIRN_ERR_TRUNCATED = 2,      /* input ended before the structure did */
    CAIRN_ERR_TOO_LARGE = 3,      /* a length exceeds its bound */
    CAIRN_ERR_TRAILING = 4,       /* bytes left after a complete structure */
    CAIRN_ERR_BAD_VERSION = 5,    /* unknown encoding version */
    CAIRN_ERR_BAD_SIG = 6,        /* signature does not verify */
    CAIRN_ERR_CHAIN_ID = 7,       /* transaction is for another network */
    CAIRN_ERR_NONCE_USED = 8,     /* nonce already used (replay) */
    CAIRN_ERR_NONCE_GAP = 9,      /* nonce skips ahead of the next one */
    CAIRN_ERR_FUNDS = 10,         /* balance too low */
    CAIRN_ERR_OVERFLOW = 11,      /* amount arithmetic overflowed */
    CAIRN_ERR_LOCKED = 12,        /* tokens are still locked by vesting */
    CAIRN_ERR_BAD_KIND = 13,      /* unknown transaction kind */
    CAIRN_ERR_BAD_BODY = 14,      /* transaction body malformed for its kind */
    CAIRN_ERR_FEE_LOW = 15,       /* fee below the network minimum */
    CAIRN_ERR_MEMPOOL_FULL = 16,  /* mempool is at its bound */
    CAIRN_ERR_DUPLICATE = 17,     /* already known */
    CAIRN_ERR_BAD_ADDRESS = 18,   /* address text malformed or checksum wrong */
    CAIRN_ERR_BAD_AMOUNT = 19,    /* amount text malformed */
    CAIRN_ERR_NOT_FOUND = 20,     /* no such account/block/transaction */
    CAIRN_ERR_DB = 21,            /* the LMDB store failed */
    CAIRN_ERR_IO = 22,            /* file or socket I/O failed */
    CAIRN_ERR_GENESIS = 23,       /* genesis file invalid */
    CAIRN_ERR_BAD_BLOCK = 24,     /* block does not link or is malformed */
    CAIRN_ERR_STATE_ROOT = 25,    /* re-executed state root differs */
    CAIRN_ERR_TX_ROOT = 26,       /* block's tx root does not match its txs */
    CAIRN_ERR_BAD_PROPOSER = 27,  /* block not signed by the sequencer */
    CAIRN_ERR_SUPPLY_CAP = 28,    /* would exceed the supply cap */
    CAIRN_ERR_BAD_PROOF = 29,     /* Merkle proof does not verify */
    CAIRN_ERR_BAD_ARG = 30,       /* invalid argument or option */
    CAIRN_ERR_HTTP = 31,          /* HTTP request failed */
    CAIRN_ERR_BAD_JSON = 32,      /* JSON malformed or missing fields */
    CAIRN_ERR_SELF_TRANSFER = 33, /* transfer to oneself */
    CAIRN_ERR_ZERO_AMOUNT = 34,   /* amount must be positive */
    CAIRN_ERR_READ_ONLY = 35,     /* this node follows another; submit there */
    CAIRN_ERR_BAD_KEY = 36,       /* key file malformed */
    CAIRN_ERR_STAKE_LOW = 37,     /* stake below the sector's minimum */
    CAIRN_ERR_NOT_PROVIDER = 38,  /* no provider registered at that address */
    CAIRN_ERR_PROVIDER_EXISTS = 39, /* already registered */
    CAIRN_ERR_UNBOND_TOO_MUCH = 40, /* more than is bonded */
    CAIRN_ERR_JAILED = 41,          /* provider is jailed */
    CAIRN_ERR_BAD_PARAM = 42,     /* unknown parameter or value out of bounds */
    CAIRN_ERR_NO_PROPOSAL = 43,   /* no such proposal */
    CAIRN_ERR_VOTING_CLOSED = 44, /* voting period over (or not open) */
    CAIRN_ERR_ALREADY_VOTED = 45, /* this address already voted */
    CAIRN_ERR_NO_STAKE = 46,      /* voting needs bonded stake */
    CAIRN_ERR_NO_PRICE = 47,      /* no price feed set yet */
    CAIRN_ERR_NOT_ORACLE = 48,    /* only the price-feed key may do this */
    CAIRN_ERR_PRICE_JUMP = 49,    /* price change beyond the per-epoch bound */
    CAIRN_ERR_NO_CREDITS = 50,    /* not enough service credits */
    CAIRN_ERR_BAD_SECTOR = 51,    /* unknown sector */
    CAIRN_ERR_NOT_DELEGATED = 52, /* no delegation to undo */
    CAIRN_ERR_TREASURY = 53,      /* treasury holds less than asked */
    CAIRN_ERR_TIMEOUT = 54,       /* the peer missed the call's deadline */
    CAIRN_ERR_BAD_HELLO = 55,     /* peer's handshake malformed */
    CAIRN_ERR_PEER_MISMATCH = 56, /* peer is not the expected identity */
    CAIRN_ERR_BAD_MAC = 57,       /* frame failed authentication */
    CAIRN_ERR_CLOSED = 58,        /* peer ended the stream in order */
    CAIRN_ERR_BAD_ENDPOINT = 59,  /* endpoint text is not host:port */
    CAIRN_ERR_FEW_PIECES = 60,    /* fewer than k pieces of a segment */
    CAIRN_ERR_DECRYPT = 61,       /* segment failed to decrypt/authenticate */
    CAIRN_ERR_NO_DEAL = 62,       /* no such storage deal */
    CAIRN_ERR_NOT_DEAL_PARTY =
        63, /* sender is not the deal's client/provider */
    CAIRN_ERR_PROOF_EPOCH =
        64, /* proof not for the current epoch of a running deal */
    CAIRN_ERR_ALREADY_PROVEN = 65, /* deal already proven this epoch */
    CAIRN_ERR_WRONG_LEAF =
        66, /* proof answers a leaf other than the challenged one */
    CAIRN_ERR_PROOF_PATH = 67, /* Merkle path length wrong for the leaf */
    CAIRN_ERR_DEAL_ENDED = 68, /* deal has ended (or ends this epoch) */
    CAIRN_ERR_DEAL_TERMS = 69, /* deal terms outside the network's bounds */
    CAIRN_ERR_COLLATERAL_LOW =
        70,                   /* provider collateral below the required ratio */
    CAIRN_ERR_CORRUPT = 71,   /* stored data failed its checksum */
    CAIRN_ERR_NO_SPACE = 72,  /* store is at its capacity */
    CAIRN_ERR_PRICE_LOW = 73, /* offered price below the ask */
    CAIRN_ERR_FEW_PROVIDERS = 74, /* fewer providers than pieces */
    CAIRN_ERR_BAD_MSG = 75,       /* peer message malformed or unexpected */
    CAIRN_ERR_NOT_READY = 76,     /* provider has not read the chain yet */
    CAIRN_ERR_BUSY = 77,          /* provider is at a limit for this peer */
    CAIRN_ERR_ADDR_IN_USE = 78,   /* the port to listen on is taken */
    CAIRN_ERR_NO_ORDER = 79,      /* no such compute order or lease */
    CAIRN_ERR_ORDER_CLOSED = 80,  /* order no longer takes bids or a lease */
    CAIRN_ERR_BID_PRICE = 81,     /* bid above the order's max or below floor */
    CAIRN_ERR_NO_CAPACITY = 82,   /* provider lacks the free capacity */
    CAIRN_ERR_BID_LIMIT = 83,     /* order has its bids, or provider bid */
    CAIRN_ERR_NOT_LEASE_PARTY = 84, /* sender is not the lease's party */
    CAIRN_ERR_LEASE_STATE = 85,     /* lease not in a state for this */
    CAIRN_ERR_BAD_MANIFEST = 86,    /* compute manifest malformed */
    CAIRN_ERR_SANDBOX = 87,         /* the sandbox could not start */
    CAIRN_ERR_TICKET_LOST = 88,     /* ticket does not win with that number */
    CAIRN_ERR_TICKET_EXPIRED = 89,  /* ticket past its expiration height */
    CAIRN_ERR_TICKET_LOCKED = 90,   /* ticket funds still in their unlock */
    CAIRN_ERR_NO_SUBNET = 91,       /* no subnet with that id or name */
    CAIRN_ERR_NOT_MEMBER = 92,      /* not an active member in that role */
    CAIRN_ERR_WEIGHTS_EPOCH = 93,   /* commit or reveal for another epoch */
    CAIRN_ERR_COMMIT_MISMATCH = 94, /* reveal does not open the commit */
    CAIRN_ERR_SUBNET_FULL = 95,     /* subnet has all its miners/validators */
    CAIRN_ERR_NAME_TAKEN = 96,      /* subnet name already taken */
    CAIRN_ERR_JOB_TYPE = 97,        /* provider does not serve that job type */
    CAIRN_ERR_JOB_INPUT = 98,       /* job params or input malformed/too big */
    CAIRN_ERR_JOB_FAILED = 99,      /* the job's tool failed or hit a limit */
    CAIRN_ERR_JOB_MISMATCH = 100,   /* a job's output fails verification */
    CAIRN_ERR_NOT_HOTSPOT = 101,    /* no hotspot asserted at that address */
    CAIRN_ERR_POC_EPOCH = 102, /* witness report or beacon for another epoch
                                  than the current one */
    CAIRN_ERR_WITNESS_LATE =
        103, /* witness report after the beacon's witness deadline */
    CAIRN_ERR_BEACON_EARLY =
        104, /* beacon receipt before its witness window closed */
    CAIRN_ERR_WITNESS_DUP = 105, /* this hotspot already reported this beacon */
    CAIRN_ERR_WITNESS_FULL = 106, /* beacon has its maximum witness reports */
    CAIRN_ERR_NO_BEACON_SLOT =
        107,                       /* no beacons this epoch (epoch too short) */
    CAIRN_ERR_BEACON_DONE = 108,   /* beacon already reported this epoch */
    CAIRN_ERR_APPEAL_WINDOW = 109, /* appeal outside its window */
    CAIRN_ERR_APPEAL_REFUSED = 110,  /* verdict not appealable */
    CAIRN_ERR_APPEAL_EVIDENCE = 111, /* appeal evidence does not match */
    CAIRN_ERR_APPEAL_FAILED = 112,   /* witness fails its check on review */
    /* 101..112: the wireless sector's proof of coverage (wchain) */
    CAIRN_ERR_ROUTE_OVERLAP = 113,   /* DevAddr range/JoinEUI has a router */
    CAIRN_ERR_NO_ROUTE = 114,        /* no route for that range or DevAddr */
    CAIRN_ERR_NOT_ROUTE_OWNER = 115, /* sender does not own that route */
    CAIRN_ERR_RECEIPT_CLAIMED = 116, /* packet receipt already paid */
    CAIRN_ERR_RECEIPT_EPOCH = 117,   /* receipt outside its claim window */
    CAIRN_ERR_NOT_CARRIER = 118,     /* sender is not the receipt's hotspot */
    CAIRN_ERR_BAD_FRAME = 119,       /* device frame malformed or bad MIC */
    CAIRN_ERR_FCNT_REPLAY = 120,     /* device frame counter replayed */
    /* 121..: the sensor sector (docs/sensor-chain.md) */
    CAIRN_ERR_DEVICE_PAIRED = 121,    /* device already paired */
    CAIRN_ERR_NOT_DEVICE = 122,       /* no such device */
    CAIRN_ERR_NOT_DEVICE_OWNER = 123, /* sender does not own the device */
    CAIRN_ERR_BATCH_REPLAY = 124,     /* batch sequence or content replayed */
    CAIRN_ERR_BATCH_STALE = 125,      /* batch ref_height outside the window */
    CAIRN_ERR_BATCH_TIME = 126,       /* batch time range refused */
    CAIRN_ERR_BATCH_TELEPORT = 127,   /* batch tiles not reachable in time */
    CAIRN_ERR_NO_GRANT = 128,         /* no active grant */
    CAIRN_ERR_GRANT_EXPIRED = 129,    /* grant expired */
    CAIRN_ERR_NO_TILE_DATA = 130,     /* tile has no agreed data */
    CAIRN_ERR_BAD_TILE = 131,         /* batch tile invalid */
    CAIRN_ERR_PAIR_GENERATION = 132,  /* pairing generation mismatch */
    CAIRN_ERR_BOUNTY_EPOCHS = 133,    /* bounty deadline too far */
    CAIRN_ERR_PAYMENT_REQUIRED = 134, /* provider wants a (better) ticket */
    CAIRN__ERR_COUNT
} cairn_err;

/* A static, human sentence for `e` that tells the user what happened and,
 * where possible, what to do. Never NULL. */
CAIRN_API const char *cairn_strerror(cairn_err e);

/* The stable short name of `e` ("nonce_used"), used in JSON errors. */
CAIRN_API const char *cairn_errname(cairn_err e);

#endif

/* Internal to net/httpd*.c: the server's and each connection's state. */
#ifndef CAIRN_NET_HTTPD_INTERNAL_H
#define CAIRN_NET_HTTPD_INTERNAL_H

#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "cairn/ratelimit.h"
#include "net/httpd.h"

#define HTTPD_LINGER_MS                                                        \
    2000                   /* reading what a client still sends after a        \
                              closing answer, so it gets the answer and        \
                              not a reset */
#define HTTPD_PAUSE_MS 100 /* accepting pauses this long after an error */
#define HTTPD_SWEEP_MS 250 /* how often deadlines are checked */
#define HTTPD_LOG_EVERY_MS 10000

typedef enum hstate {
    C_IDLE,     /* waiting for a request's first byte */
    C_HEAD,     /* reading the request line and headers */
    C_BODY,     /* reading the body */
    C_HANDLING, /* the owner has the request */
    C_WRITING,  /* the answer is being sent */
    C_LINGER,   /* answer sent, write side shut, draining until EOF */
} hstate;

struct hconn;

struct httpd_req {
    struct hconn *c;
    http_head h;
    char *target; /* owned NUL-terminated copy of h.target */
    struct evhttp_uri *uri;
    struct evbuffer *body;
    http_chunks chunks;
    void (*on_close)(httpd_req *r, void *arg);
    void *close_arg;
};

typedef struct hconn {
    struct httpd *d;
    struct bufferevent *bev;
    struct hconn *prev, *next;
    hstate st;
    uint64_t since_ms; /* when st began; C_BODY keeps C_HEAD's */
    uint64_t turn;     /* when it was accepted or its last answer sent,
                          as a count (ms would tie in a burst): the oldest
                          turn is dropped first at the cap */
    int close_after;   /* close once the answer is sent */
    int peer_eof;      /* the client has shut its side */
    httpd_req req;
} hconn;

struct httpd {
    struct event_base *base;
    httpd_limits lim;
    httpd_hooks hooks;
    struct evconnlistener *lst;
    struct event *sweep, *resume, *grace;
    hconn *conns; /* newest first */
    size_t nconns;
    size_t body_total; /* bytes of bodies being received */
    uint64_t turns;    /* the count behind hconn.turn */
    int paused;        /* after an accept error, for HTTPD_PAUSE_MS */
    int full;          /* at the cap with nothing to evict */
    int stopping;
    void (*done)(void *arg);
    void *done_arg;
    cairn_ratelimit accept_log, evict_log, budget_log;
};

uint64_t httpd_now_ms(void);
/* Logs through the owner's hook when lim allows; fmt gets the count of
 * unlogged events as its last argument. */
void httpd_warn(httpd *d, cairn_ratelimit *lim, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* httpd_conn.c */
/* A connection on fd, reading (NULL: out of memory; fd is not closed). */
hconn *hconn_new(httpd *d, evutil_socket_t fd);
/* Closes c; a held request's close callback runs first. */
void hconn_free(hconn *c);
/* Closes c if its deadline passed (or answers 408 when a request is late). */
void hconn_expire(hconn *c, uint64_t now_ms);
/* Where c stands in line to be dropped for a new connection: 0 first,
 * -1 never (it holds a request or an answer). */
int hconn_evict_rank(const hconn *c);

/* httpd.c: c is gone (unlinked, counted, maybe resumes accepting). */
void httpd_conn_gone(httpd *d, hconn *c);

#endif

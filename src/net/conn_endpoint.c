/* cairn_endpoint_parse: "host:port" / "[ipv6]:port" from untrusted text
 * (providers register their endpoint on chain). */
#include <arpa/inet.h>
#include <string.h>

#include "cairn/conn.h"

#define LABEL_MAX 63
#define IPV6_TEXT_MAX 45

static int is_alnum(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch >= '0' && ch <= '9');
}

/* A DNS name or dotted IPv4: labels of letters, digits and inner '-',
 * 1..63 bytes each, separated by single dots. */
static int host_ok(const char *h, size_t n)
{
    size_t label = 0;
    if (n == 0 || n > CAIRN_HOST_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = h[i];
        if (ch == '.') {
            if (label == 0 || h[i - 1] == '-')
                return 0;
            label = 0;
        } else if (is_alnum(ch) || (ch == '-' && label > 0)) {
            if (++label > LABEL_MAX)
                return 0;
        } else {
            return 0;
        }
    }
    return label > 0 && h[n - 1] != '-';
}

/* 1..65535 in decimal, no sign, no leading zero, nothing after. */
static int port_parse(const char *s, int *port)
{
    long v = 0;
    size_t n = strlen(s);
    if (n == 0 || n > 5 || s[0] == '0')
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    if (v > 65535)
        return 0;
    *port = (int)v;
    return 1;
}

static cairn_err parse_v6(const char *s, char host[CAIRN_HOST_MAX + 1],
                          int *port)
{
    const char *rb = strchr(s, ']');
    struct in6_addr a;
    char tmp[IPV6_TEXT_MAX + 1];
    size_t n = rb ? (size_t)(rb - s - 1) : 0;
    if (!rb || n == 0 || n > IPV6_TEXT_MAX || rb[1] != ':')
        return CAIRN_ERR_BAD_ENDPOINT;
    memcpy(tmp, s + 1, n);
    tmp[n] = '\0';
    if (inet_pton(AF_INET6, tmp, &a) != 1 || !port_parse(rb + 2, port))
        return CAIRN_ERR_BAD_ENDPOINT;
    memcpy(host, tmp, n + 1);
    return CAIRN_OK;
}

cairn_err cairn_endpoint_parse(const char *s, char host[CAIRN_HOST_MAX + 1],
                               int *port)
{
    int pt = 0;
    if (!s || !host || !port ||
        strnlen(s, CAIRN_ENDPOINT_TEXT_MAX + 1) > CAIRN_ENDPOINT_TEXT_MAX)
        return CAIRN_ERR_BAD_ENDPOINT;
    if (s[0] == '[')
        return parse_v6(s, host, port);
    const char *colon = strchr(s, ':');
    if (!colon || strchr(colon + 1, ':'))
        return CAIRN_ERR_BAD_ENDPOINT;
    size_t n = (size_t)(colon - s);
    if (!host_ok(s, n) || !port_parse(colon + 1, &pt))
        return CAIRN_ERR_BAD_ENDPOINT;
    memcpy(host, s, n);
    host[n] = '\0';
    *port = pt;
    return CAIRN_OK;
}

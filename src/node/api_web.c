/* The dashboard's static files (docs/dashboard.md): every request that is
 * neither under /v1/ nor /metrics is a file of the web directory, `/` its
 * index.html. GET and HEAD only; the path is a plain relative name (letters,
 * digits, '.', '_', '-', '/'; no "..", no hidden files), the file a regular
 * file inside the directory once symlinks are resolved, at most
 * WEB_FILE_MAX bytes. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/api_handlers.h"

#define WEB_FILE_MAX (4u << 20) /* the largest file served */
#define WEB_PATH_MAX 256        /* the longest request path served */

#ifndef CAIRN_WEB_DIR
#define CAIRN_WEB_DIR "/usr/local/share/cairn/web"
#endif
#ifndef CAIRN_SOURCE_WEB_DIR
#define CAIRN_SOURCE_WEB_DIR ""
#endif

/* 1 when dir holds an index.html. */
static int has_index(const char *dir)
{
    char p[PATH_MAX];
    struct stat st;
    int k = snprintf(p, sizeof p, "%s/index.html", dir);
    return k > 0 && (size_t)k < sizeof p && stat(p, &st) == 0 &&
           S_ISREG(st.st_mode);
}

/* The installed share directory next to the running binary
 * (BIN/../share/cairn/web) into out; 0, or -1 when unknown. */
static int exe_share_dir(char *out, size_t len)
{
    char exe[PATH_MAX];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k <= 0)
        return -1;
    exe[k] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return -1;
    *slash = '\0';
    int w = snprintf(out, len, "%s/../share/cairn/web", exe);
    return w > 0 && (size_t)w < len ? 0 : -1;
}

void api_web_init(node *n, const char *dir)
{
    char cand[PATH_MAX];
    const char *pick = NULL;
    n->web_dir[0] = '\0';
    if (dir) {
        pick = dir;
    } else if (!exe_share_dir(cand, sizeof cand) && has_index(cand)) {
        pick = cand;
    } else if (*CAIRN_SOURCE_WEB_DIR && has_index(CAIRN_SOURCE_WEB_DIR)) {
        pick = CAIRN_SOURCE_WEB_DIR; /* a build of this source tree */
    } else if (has_index(CAIRN_WEB_DIR)) {
        pick = CAIRN_WEB_DIR;
    }
    char real[PATH_MAX];
    if (pick && realpath(pick, real) && strlen(real) < sizeof n->web_dir) {
        memcpy(n->web_dir, real, strlen(real) + 1);
        node_log(n, 0, "dashboard files from %s", n->web_dir);
    } else if (dir) {
        node_log(n, 1, "--web %s: no such directory; the dashboard is off",
                 dir);
    }
}

/* 1 when path (starting with '/') is a name the dashboard may serve. */
int api_web_safe_path(const char *path)
{
    size_t len = strlen(path);
    if (len < 2 || len > WEB_PATH_MAX || path[0] != '/')
        return 0;
    for (size_t i = 1; i < len; i++) {
        char ch = path[i];
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                 (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' ||
                 ch == '/' || ch == '.';
        if (!ok)
            return 0;
        /* no "..", no hidden files, no empty segments */
        if ((ch == '.' && path[i - 1] == '/') ||
            (ch == '/' && path[i - 1] == '/'))
            return 0;
    }
    return path[len - 1] != '/';
}

/* The Content-Type for a file name. */
static const char *mime_of(const char *path)
{
    static const struct {
        const char *ext, *type;
    } tab[] = {{".html", "text/html; charset=utf-8"},
               {".js", "text/javascript; charset=utf-8"},
               {".css", "text/css; charset=utf-8"},
               {".json", "application/json"},
               {".png", "image/png"},
               {".svg", "image/svg+xml"},
               {".ico", "image/x-icon"},
               {".txt", "text/plain; charset=utf-8"}};
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof tab / sizeof tab[0]; i++)
        if (strcmp(dot, tab[i].ext) == 0)
            return tab[i].type;
    if (strstr(path, "LICENSE"))
        return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

/* A refusal as plain text (the dashboard's files are not JSON). */
static void web_refuse(httpd_req *req, int status, const char *msg)
{
    httpd_reply_hdr(req, status, "text/plain; charset=utf-8",
                    "Cache-Control: no-store\r\n", msg, strlen(msg));
}

/* Reads the file at real (already checked to be inside the web dir) into
 * a malloc'd buffer (the caller frees it); 0, or an HTTP status. */
static int read_file(const char *real, char **buf, size_t *len)
{
    int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (fd < 0)
        return 404;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        close(fd);
        return 404;
    }
    if ((uint64_t)st.st_size > WEB_FILE_MAX) {
        close(fd);
        return 413;
    }
    *len = (size_t)st.st_size;
    *buf = malloc(*len ? *len : 1);
    size_t got = 0;
    while (*buf && got < *len) {
        ssize_t k = read(fd, *buf + got, *len - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    if (!*buf || got != *len) {
        free(*buf);
        *buf = NULL;
        return 500;
    }
    return 0;
}

void api_web(node *n, httpd_req *req, const char *path)
{
    http_method m = httpd_req_method(req);
    if (m != HTTP_GET && m != HTTP_HEAD) {
        web_refuse(req, 405, "only GET and HEAD are allowed here\n");
        return;
    }
    if (!n->web_dir[0]) {
        web_refuse(req, 404,
                   "the dashboard's files were not found: start the node "
                   "with --web DIR (the web/ folder of cairn's sources, or "
                   "PREFIX/share/cairn/web once installed)\n");
        return;
    }
    if (strcmp(path, "/") == 0)
        path = "/index.html";
    if (!api_web_safe_path(path)) {
        web_refuse(req, 404, "no such file\n");
        return;
    }
    char full[PATH_MAX], real[PATH_MAX];
    int k = snprintf(full, sizeof full, "%s%s", n->web_dir, path);
    size_t dl = strlen(n->web_dir);
    if (k <= 0 || (size_t)k >= sizeof full || !realpath(full, real) ||
        strncmp(real, n->web_dir, dl) != 0 || real[dl] != '/') {
        web_refuse(req, 404, "no such file\n"); /* or a link out of it */
        return;
    }
    char *buf = NULL;
    size_t len = 0;
    int st = read_file(real, &buf, &len);
    if (st) {
        web_refuse(req, st,
                   st == 413   ? "file too large\n"
                   : st == 404 ? "no such file\n"
                               : "cannot read the file\n");
        return;
    }
    /* the vendored library changes only with its version; the rest with
     * each build of the dashboard */
    const char *cache = strncmp(path, "/vendor/", 8) == 0
                            ? "Cache-Control: public, max-age=86400\r\n"
                              "X-Content-Type-Options: nosniff\r\n"
                            : "Cache-Control: no-cache\r\n"
                              "X-Content-Type-Options: nosniff\r\n";
    httpd_reply_hdr(req, 200, mime_of(path), cache, buf, len);
    free(buf);
}

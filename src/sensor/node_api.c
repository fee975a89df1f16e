/* Sensor endpoints: stub until the routes land. */
#include "node/api_handlers.h"

int api_sensor_route(node *n, httpd_req *req, const char *path,
                     const char *query);

int api_sensor_route(node *n, httpd_req *req, const char *path,
                     const char *query)
{
    (void)n;
    (void)req;
    (void)path;
    (void)query;
    return 0;
}

/* A Redfish client over libcurl: HTTPS with verification on unless the
 * config says insecure, Basic auth or a session that rf_client_free always
 * deletes, retries with exponential backoff on connection errors and 5xx,
 * PATCH with If-Match and a fresh ETag on every try, 202 followed through the
 * task monitor, redirects followed (https only), a timeout on every request.
 * Paths are whatever the service linked (@odata.id, Actions targets). */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include "bmc_config.h"
#include "lib/error.h"

struct rf_client;

struct rf_response {
        long status;
        char *body;
        size_t len;
        char *etag, *location, *token;
};
void rf_response_done(struct rf_response *r);

/* The client keeps a pointer to cfg (which must outlive it). */
int rf_client_new(const struct bmc_config *cfg, struct rf_client **ret, struct error *e);
/* Deletes the session (if any), then frees. */
void rf_client_free(struct rf_client *c);
static inline void rf_client_freep(struct rf_client **c) {
        rf_client_free(*c);
}

/* POST the credentials to the sessions collection; later requests carry
 * X-Auth-Token. */
int rf_login(struct rf_client *c, const char *sessions_path, struct error *e);
int rf_logout(struct rf_client *c, struct error *e);

/* One request; retry: on connection errors and 5xx. Any HTTP status is a
 * success here (see r->status); body may be NULL. */
int rf_request(struct rf_client *c, const char *method, const char *path, json_object *body, const char *if_match,
               bool retry, struct rf_response *r, struct error *e);

/* GET a resource: 200 and a JSON object, or an error naming the path. */
int rf_get(struct rf_client *c, const char *path, json_object **ret, char **ret_etag, struct error *e);
/* POST an action: 200/201/204, or 202 followed through the task monitor. */
int rf_post_action(struct rf_client *c, const char *target, json_object *body, struct error *e);
/* PATCH with If-Match: GET for the ETag, PATCH, and on 412/5xx/connection
 * errors GET again and retry with the fresh ETag. */
int rf_patch(struct rf_client *c, const char *path, json_object *body, struct error *e);

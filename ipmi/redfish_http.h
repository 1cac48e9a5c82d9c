/* A Redfish client over libcurl: HTTPS with verification on unless the
 * config says insecure, Basic auth or a session that rf_client_free always
 * deletes, retries with exponential backoff only where a repeat is safe
 * (GET and DELETE on connection errors and 5xx; a POST or PATCH only when it
 * never left: a 5xx or a lost answer to one is BMC_UNCONFIRMED), PATCH with
 * If-Match and a fresh ETag after a 412, 202 followed through the task
 * monitor, redirects followed (https only), all requests of a command within
 * cfg->deadline_ms.
 * Paths are whatever the service linked (@odata.id, Actions targets). */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include "bmc.h"
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
 * X-Auth-Token. -EACCES: the credentials were refused (401/403);
 * RF_NO_SESSION: the service answered, but gave no session. */
#define RF_NO_SESSION (-EPROTONOSUPPORT)
int rf_login(struct rf_client *c, const char *sessions_path, struct error *e);
/* From now on, Basic auth on every request. */
void rf_use_basic(struct rf_client *c);
int rf_logout(struct rf_client *c, struct error *e);

/* One request, tried again where that is safe (see above). Any HTTP status
 * is a success here (see r->status); body may be NULL. */
int rf_request(struct rf_client *c, const char *method, const char *path, json_object *body, const char *if_match,
               struct rf_response *r, struct error *e);

/* GET a resource: 200 and a JSON object, or an error naming the path. */
int rf_get(struct rf_client *c, const char *path, json_object **ret, char **ret_etag, struct error *e);
/* POST an action: 200/201/204, or 202 followed through the task monitor;
 * a 5xx is BMC_UNCONFIRMED. */
int rf_post_action(struct rf_client *c, const char *target, json_object *body, struct error *e);
/* PATCH with If-Match: GET for the ETag, PATCH, and on 412/5xx/connection
 * errors GET again and retry with the fresh ETag. */
int rf_patch(struct rf_client *c, const char *path, json_object *body, struct error *e);

/* Does the image URL answer (HEAD, or a GET of its first byte when HEAD is
 * refused)? http and https only; not the BMC: the client's own view. */
int rf_url_answers(const struct bmc_config *cfg, const char *url, struct error *e);

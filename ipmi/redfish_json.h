/* Pure readers of Redfish JSON (no I/O): links, actions, members, and the
 * resources hostd reads. They accept any JSON (the fuzz target feeds them
 * garbage) and take what is there: a missing or mistyped field is absent. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include "bmc.h"

/* o[key]["@odata.id"], or NULL. */
const char *rf_link(json_object *o, const char *key);
/* o.Links[key] (an object, or the first of an array) ["@odata.id"]. */
const char *rf_links_first(json_object *o, const char *key);
/* o.Actions[action].target, e.g. action "#ComputerSystem.Reset". */
const char *rf_action_target(json_object *o, const char *action);
/* Is value in o.Actions[action][param@Redfish.AllowableValues]? true when no list is given. */
bool rf_action_allows(json_object *o, const char *action, const char *param, const char *value);
/* The @odata.id of each member of a collection (a new strv; empty when none). */
int rf_members(json_object *coll, char ***ret);
/* The next page of a collection: Members@odata.nextLink (the standard's,
 * DMTF's tools, iDRAC) or @odata.nextLink (older services); NULL: the last. */
const char *rf_next_page(json_object *coll);
/* The member that is want (an @odata.id, or the Id it ends with); the first
 * when want is NULL; NULL when none matches. */
const char *rf_member_pick(char *const *members, const char *want);

int rf_power_state(json_object *system, enum bmc_power *ret);      /* -EBADMSG when absent */
/* serial: SerialNumber (the board's); service_tag: SKU (where iDRAC puts the service tag) */
int rf_read_system(json_object *system, struct bmc_inventory *inv);
int rf_read_processor(json_object *o, struct bmc_inventory *inv);
int rf_read_nic(json_object *o, struct bmc_inventory *inv);
/* A Storage resource: its controllers go to inv, its drive links to *ret_drives. */
int rf_read_storage(json_object *o, struct bmc_inventory *inv, char ***ret_drives);
/* The @odata.id of each drive a Storage resource lists (a new strv; NULL when none). */
int rf_storage_drives(json_object *storage, char ***ret);
/* A Drive resource: its serial, bay and LED to bays; a drive without a valid
 * serial, bay or @odata.id is left out (0). */
int rf_read_drive_bay(json_object *drive, struct bmc_bays *bays);
/* A drive's serial (blanks around it dropped; NULL when empty or not
 * printable ASCII) and bay (PhysicalLocation's ordinal, else Dell's Disk.Bay.N). */
char *rf_drive_serial(json_object *drive);
char *rf_drive_bay(json_object *drive);
/* A Storage resource as one controller of st (Dell's controller mode when told). */
int rf_read_storage_controller(json_object *storage, struct bmc_storage *st);
/* A Drive resource as one drive of c (Dell's RaidStatus when told); an Id that
 * could not be sent back in a request is left out (0). */
int rf_read_storage_drive(json_object *drive, struct bmc_storage_controller *c);
/* A Dell job (JobState, Message, PercentComplete). */
int rf_read_job(json_object *job, struct bmc_job *ret);
int rf_read_simple_storage(json_object *o, struct bmc_inventory *inv);
int rf_read_drive(json_object *o, struct bmc_inventory *inv);
int rf_read_log_entry(json_object *o, struct bmc_sel *sel);
int rf_read_vmedia(json_object *o, struct bmc_vmedia *ret);
bool rf_vmedia_is_cd(json_object *o);

/* The message of a Redfish error body (error.@Message.ExtendedInfo[0].Message
 * or error.message), or NULL. */
char *rf_error_message(const char *body, size_t len);

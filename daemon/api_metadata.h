/* The OData service document (/redfish/v1/odata) and the CSDL $metadata
 * (/redfish/v1/$metadata) DSP0266 asks for, from the one table of the
 * DMTF schema types hostd's resources use (api_metadata.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "api.h"

#define API_DMTF_SCHEMAS "http://redfish.dmtf.org/schemas/v1/"
/* The CSDL of hostd's own (Oem) types, which $metadata references. */
#define API_OEM_CSDL "/redfish/v1/Schemas/Hostd_v1.xml"

/* "#ComputerSystem.v1_20_0.ComputerSystem" -> "ComputerSystem.v1_20_0",
 * "#DriveCollection.DriveCollection" -> "DriveCollection", when the table
 * has that type; false for any other (hostd's Oem types). */
bool api_metadata_namespace(const char *odata_type, char *ns, size_t len);
/* Answers req when it asks for the service document, $metadata or API_OEM_CSDL. */
bool api_metadata_handle(struct hostd *h, const struct api_request *req, struct api_response *r);

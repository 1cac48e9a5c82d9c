/* libvirt and libxml2, bound on first use (lib/lazy.h): together with their
 * own dependencies they are most of what a start of hostctl or hostd used to
 * link. Include this instead of <libvirt/...> and <libxml/...>. */
#pragma once

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "lib/lazy.h"

extern struct lazy_lib lazy_libvirt, lazy_libxml2;

#define LAZY_VIRT_FUNCS(X)                                                        \
        X(virConnectClose) X(virConnectDomainEventDeregisterAny)                  \
        X(virConnectDomainEventRegisterAny) X(virConnectListAllDomains)           \
        X(virConnectOpen) X(virDomainCreate) X(virDomainDefineXML)                \
        X(virDomainDestroy) X(virDomainFree) X(virDomainGetAutostart)             \
        X(virDomainGetID) X(virDomainGetInfo) X(virDomainGetName)                 \
        X(virDomainGetUUIDString) X(virDomainGetXMLDesc) X(virDomainIsActive)     \
        X(virDomainIsPersistent) X(virDomainLookupByName)                         \
        X(virDomainLookupByUUIDString) X(virDomainReboot) X(virDomainReset)       \
        X(virDomainSetAutostart) X(virDomainShutdown) X(virDomainUndefine)        \
        X(virDomainUndefineFlags) X(virDomainUpdateDeviceFlags)                   \
        X(virEventAddTimeout) X(virEventRegisterDefaultImpl)                      \
        X(virEventRunDefaultImpl) X(virGetLastError) X(virGetLastErrorMessage)    \
        X(virNetworkCreate) X(virNetworkFree) X(virNetworkIsActive)               \
        X(virNetworkLookupByName) X(virNodeGetInfo) X(virNodeGetMemoryStats)      \
        X(virSetErrorFunc) X(virStoragePoolBuild) X(virStoragePoolCreate)         \
        X(virStoragePoolDefineXML) X(virStoragePoolDestroy) X(virStoragePoolFree) \
        X(virStoragePoolGetAutostart) X(virStoragePoolGetInfo)                    \
        X(virStoragePoolGetName) X(virStoragePoolGetXMLDesc)                      \
        X(virStoragePoolIsActive) X(virStoragePoolListAllVolumes)                 \
        X(virStoragePoolLookupByName) X(virStoragePoolRefresh)                    \
        X(virStoragePoolSetAutostart) X(virStoragePoolUndefine)                   \
        X(virStorageVolCreateXML) X(virStorageVolDelete) X(virStorageVolFree)     \
        X(virStorageVolGetName) X(virStorageVolLookupByName)

#define LAZY_XML_FUNCS(X)                                                          \
        X(xmlAddChild) X(xmlAddPrevSibling) X(xmlBufferContent) X(xmlBufferCreate) \
        X(xmlBufferFree) X(xmlDocDumpFormatMemoryEnc) X(xmlDocGetRootElement)      \
        X(xmlDocSetRootElement) X(xmlFreeDoc) X(xmlFreeNode) X(xmlGetProp)         \
        X(xmlNewChild) X(xmlNewDoc) X(xmlNewNode) X(xmlNewProp) X(xmlNewTextChild) \
        X(xmlNodeDump) X(xmlNodeGetContent) X(xmlReadMemory) X(xmlStrEqual)        \
        X(xmlUnlinkNode) X(xmlXPathEvalExpression) X(xmlXPathFreeContext)          \
        X(xmlXPathFreeObject) X(xmlXPathNewContext) X(xmlFree)  \
        X(xmlCleanupParser)

LAZY_VIRT_FUNCS(LAZY_DECLARE)
LAZY_XML_FUNCS(LAZY_DECLARE)

#ifndef LAZY_DEFINING
#define virConnectClose (lazy_virConnectClose())
#define virConnectDomainEventDeregisterAny (lazy_virConnectDomainEventDeregisterAny())
#define virConnectDomainEventRegisterAny (lazy_virConnectDomainEventRegisterAny())
#define virConnectListAllDomains (lazy_virConnectListAllDomains())
#define virConnectOpen (lazy_virConnectOpen())
#define virDomainCreate (lazy_virDomainCreate())
#define virDomainDefineXML (lazy_virDomainDefineXML())
#define virDomainDestroy (lazy_virDomainDestroy())
#define virDomainFree (lazy_virDomainFree())
#define virDomainGetAutostart (lazy_virDomainGetAutostart())
#define virDomainGetID (lazy_virDomainGetID())
#define virDomainGetInfo (lazy_virDomainGetInfo())
#define virDomainGetName (lazy_virDomainGetName())
#define virDomainGetUUIDString (lazy_virDomainGetUUIDString())
#define virDomainGetXMLDesc (lazy_virDomainGetXMLDesc())
#define virDomainIsActive (lazy_virDomainIsActive())
#define virDomainIsPersistent (lazy_virDomainIsPersistent())
#define virDomainLookupByName (lazy_virDomainLookupByName())
#define virDomainLookupByUUIDString (lazy_virDomainLookupByUUIDString())
#define virDomainReboot (lazy_virDomainReboot())
#define virDomainReset (lazy_virDomainReset())
#define virDomainSetAutostart (lazy_virDomainSetAutostart())
#define virDomainShutdown (lazy_virDomainShutdown())
#define virDomainUndefine (lazy_virDomainUndefine())
#define virDomainUndefineFlags (lazy_virDomainUndefineFlags())
#define virDomainUpdateDeviceFlags (lazy_virDomainUpdateDeviceFlags())
#define virEventAddTimeout (lazy_virEventAddTimeout())
#define virEventRegisterDefaultImpl (lazy_virEventRegisterDefaultImpl())
#define virEventRunDefaultImpl (lazy_virEventRunDefaultImpl())
#define virGetLastError (lazy_virGetLastError())
#define virGetLastErrorMessage (lazy_virGetLastErrorMessage())
#define virNetworkCreate (lazy_virNetworkCreate())
#define virNetworkFree (lazy_virNetworkFree())
#define virNetworkIsActive (lazy_virNetworkIsActive())
#define virNetworkLookupByName (lazy_virNetworkLookupByName())
#define virNodeGetInfo (lazy_virNodeGetInfo())
#define virNodeGetMemoryStats (lazy_virNodeGetMemoryStats())
#define virSetErrorFunc (lazy_virSetErrorFunc())
#define virStoragePoolBuild (lazy_virStoragePoolBuild())
#define virStoragePoolCreate (lazy_virStoragePoolCreate())
#define virStoragePoolDefineXML (lazy_virStoragePoolDefineXML())
#define virStoragePoolDestroy (lazy_virStoragePoolDestroy())
#define virStoragePoolFree (lazy_virStoragePoolFree())
#define virStoragePoolGetAutostart (lazy_virStoragePoolGetAutostart())
#define virStoragePoolGetInfo (lazy_virStoragePoolGetInfo())
#define virStoragePoolGetName (lazy_virStoragePoolGetName())
#define virStoragePoolGetXMLDesc (lazy_virStoragePoolGetXMLDesc())
#define virStoragePoolIsActive (lazy_virStoragePoolIsActive())
#define virStoragePoolListAllVolumes (lazy_virStoragePoolListAllVolumes())
#define virStoragePoolLookupByName (lazy_virStoragePoolLookupByName())
#define virStoragePoolRefresh (lazy_virStoragePoolRefresh())
#define virStoragePoolSetAutostart (lazy_virStoragePoolSetAutostart())
#define virStoragePoolUndefine (lazy_virStoragePoolUndefine())
#define virStorageVolCreateXML (lazy_virStorageVolCreateXML())
#define virStorageVolDelete (lazy_virStorageVolDelete())
#define virStorageVolFree (lazy_virStorageVolFree())
#define virStorageVolGetName (lazy_virStorageVolGetName())
#define virStorageVolLookupByName (lazy_virStorageVolLookupByName())

#define xmlFree (*lazy_xmlFree())   /* a variable: the free function libxml2 uses */
#define xmlAddChild (lazy_xmlAddChild())
#define xmlCleanupParser (lazy_xmlCleanupParser())
#define xmlAddPrevSibling (lazy_xmlAddPrevSibling())
#define xmlBufferContent (lazy_xmlBufferContent())
#define xmlBufferCreate (lazy_xmlBufferCreate())
#define xmlBufferFree (lazy_xmlBufferFree())
#define xmlDocDumpFormatMemoryEnc (lazy_xmlDocDumpFormatMemoryEnc())
#define xmlDocGetRootElement (lazy_xmlDocGetRootElement())
#define xmlDocSetRootElement (lazy_xmlDocSetRootElement())
#define xmlFreeDoc (lazy_xmlFreeDoc())
#define xmlFreeNode (lazy_xmlFreeNode())
#define xmlGetProp (lazy_xmlGetProp())
#define xmlNewChild (lazy_xmlNewChild())
#define xmlNewDoc (lazy_xmlNewDoc())
#define xmlNewNode (lazy_xmlNewNode())
#define xmlNewProp (lazy_xmlNewProp())
#define xmlNewTextChild (lazy_xmlNewTextChild())
#define xmlNodeDump (lazy_xmlNodeDump())
#define xmlNodeGetContent (lazy_xmlNodeGetContent())
#define xmlReadMemory (lazy_xmlReadMemory())
#define xmlStrEqual (lazy_xmlStrEqual())
#define xmlUnlinkNode (lazy_xmlUnlinkNode())
#define xmlXPathEvalExpression (lazy_xmlXPathEvalExpression())
#define xmlXPathFreeContext (lazy_xmlXPathFreeContext())
#define xmlXPathFreeObject (lazy_xmlXPathFreeObject())
#define xmlXPathNewContext (lazy_xmlXPathNewContext())
#endif

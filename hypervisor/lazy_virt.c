/* libvirt's and libxml2's resolvers (lazy_virt.h). */
#define LAZY_DEFINING
#include "lazy_virt.h"

#ifndef SONAME_VIRT
#define SONAME_VIRT "libvirt.so.0"
#endif
#ifndef SONAME_XML2
#define SONAME_XML2 "libxml2.so.2"
#endif
LAZY_RECORD_SONAME(virt, SONAME_VIRT);
LAZY_RECORD_SONAME(xml2, SONAME_XML2);
LAZY_TABLE(lazy_libvirt, LAZY_VIRT_FUNCS);
LAZY_TABLE(lazy_libxml2, LAZY_XML_FUNCS);
struct lazy_lib lazy_libvirt = LAZY_LIB_INIT(lazy_libvirt, SONAME_VIRT, "libvirt0");
struct lazy_lib lazy_libxml2 = LAZY_LIB_INIT(lazy_libxml2, SONAME_XML2, "libxml2");

#define DEFINE_VIRT(fn) LAZY_DEFINE(lazy_libvirt, fn)
#define DEFINE_XML(fn) LAZY_DEFINE(lazy_libxml2, fn)
LAZY_VIRT_FUNCS(DEFINE_VIRT)
LAZY_XML_FUNCS(DEFINE_XML)

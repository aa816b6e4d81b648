// Run-time loading of libvirt: see include/CLibvirt.h.
//
// Each function below has libvirt's name and signature (checked by the compiler against libvirt's
// headers), opens libvirt.so.0 once (pthread_once), looks its own symbol up once, and forwards the
// call. When libvirt cannot be loaded, each returns libvirt's own failure value (-1 or NULL) and
// stratus_virt_load_error() says why. The definitions are hidden: they are not exported from the
// binary, so they never interpose on libvirt's internal calls to the same functions.
#include "CLibvirt.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

// Only the definitions below, not the system headers' declarations above, are hidden.
#pragma GCC visibility push(hidden)

static void *library;
static char load_error[512];
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load_library(void) {
    library = dlopen("libvirt.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        const char *reason = dlerror();
        snprintf(load_error, sizeof load_error, "cannot load libvirt (libvirt.so.0): %s", reason ? reason : "unknown error");
    }
}

/// Fills *slot with the address of `name` in libvirt (once); false when libvirt or the symbol is missing.
static int resolve(void **slot, const char *name) {
    void *found = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (found) return 1;
    pthread_once(&load_once, load_library);
    if (!library) return 0;
    found = dlsym(library, name);
    if (!found) {
        snprintf(load_error, sizeof load_error, "libvirt has no %s", name);
        return 0;
    }
    __atomic_store_n(slot, found, __ATOMIC_RELEASE);
    return 1;
}

const char *stratus_virt_load_error(void) {
    return load_error[0] ? load_error : NULL;
}

#define FORWARD(type, name, failure, parameters, arguments)                        \
    type name parameters {                                                          \
        static type (*function) parameters;                                         \
        if (!resolve((void **)&function, #name)) return failure;                    \
        return function arguments;                                                  \
    }

#define FORWARD_VOID(name, parameters, arguments)                                  \
    void name parameters {                                                          \
        static void (*function) parameters;                                         \
        if (!resolve((void **)&function, #name)) return;                            \
        function arguments;                                                         \
    }

FORWARD(int, virInitialize, -1, (void), ())
FORWARD_VOID(virSetErrorFunc, (void *userData, virErrorFunc handler), (userData, handler))
FORWARD(virErrorPtr, virGetLastError, NULL, (void), ())
FORWARD_VOID(virResetLastError, (void), ())

FORWARD(virConnectPtr, virConnectOpenReadOnly, NULL, (const char *name), (name))
FORWARD(int, virConnectClose, -1, (virConnectPtr conn), (conn))
FORWARD(int, virConnectRef, -1, (virConnectPtr conn), (conn))
FORWARD(int, virConnectIsAlive, -1, (virConnectPtr conn), (conn))
FORWARD(int, virConnectListAllDomains, -1, (virConnectPtr conn, virDomainPtr **domains, unsigned int flags),
        (conn, domains, flags))
FORWARD(int, virConnectGetAllDomainStats, -1,
        (virConnectPtr conn, unsigned int stats, virDomainStatsRecordPtr **retStats, unsigned int flags),
        (conn, stats, retStats, flags))
FORWARD(int, virDomainListGetStats, -1,
        (virDomainPtr *doms, unsigned int stats, virDomainStatsRecordPtr **retStats, unsigned int flags),
        (doms, stats, retStats, flags))
FORWARD_VOID(virDomainStatsRecordListFree, (virDomainStatsRecordPtr *stats), (stats))

FORWARD(virDomainPtr, virDomainLookupByUUIDString, NULL, (virConnectPtr conn, const char *uuid), (conn, uuid))
FORWARD(int, virDomainFree, -1, (virDomainPtr domain), (domain))
FORWARD(const char *, virDomainGetName, NULL, (virDomainPtr domain), (domain))
FORWARD(int, virDomainGetUUIDString, -1, (virDomainPtr domain, char *buf), (domain, buf))
FORWARD(int, virDomainGetInfo, -1, (virDomainPtr domain, virDomainInfoPtr info), (domain, info))
FORWARD(char *, virDomainGetXMLDesc, NULL, (virDomainPtr domain, unsigned int flags), (domain, flags))
FORWARD(char *, virDomainGetMetadata, NULL, (virDomainPtr domain, int type, const char *uri, unsigned int flags),
        (domain, type, uri, flags))
FORWARD(int, virDomainGetVcpus, -1,
        (virDomainPtr domain, virVcpuInfoPtr info, int maxinfo, unsigned char *cpumaps, int maplen),
        (domain, info, maxinfo, cpumaps, maplen))
FORWARD(int, virDomainMemoryStats, -1,
        (virDomainPtr dom, virDomainMemoryStatPtr stats, unsigned int nr_stats, unsigned int flags),
        (dom, stats, nr_stats, flags))
FORWARD(int, virDomainBlockStats, -1, (virDomainPtr dom, const char *disk, virDomainBlockStatsPtr stats, size_t size),
        (dom, disk, stats, size))
FORWARD(int, virDomainBlockStatsFlags, -1,
        (virDomainPtr dom, const char *disk, virTypedParameterPtr params, int *nparams, unsigned int flags),
        (dom, disk, params, nparams, flags))
FORWARD(int, virDomainGetBlockInfo, -1, (virDomainPtr domain, const char *disk, virDomainBlockInfoPtr info, unsigned int flags),
        (domain, disk, info, flags))
FORWARD(int, virDomainInterfaceStats, -1,
        (virDomainPtr dom, const char *device, virDomainInterfaceStatsPtr stats, size_t size),
        (dom, device, stats, size))
FORWARD(int, virDomainGetPerfEvents, -1, (virDomainPtr dom, virTypedParameterPtr *params, int *nparams, unsigned int flags),
        (dom, params, nparams, flags))

FORWARD(int, virTypedParamsAddInt, -1, (virTypedParameterPtr *params, int *nparams, int *maxparams, const char *name, int value),
        (params, nparams, maxparams, name, value))
FORWARD(int, virTypedParamsAddUInt, -1,
        (virTypedParameterPtr *params, int *nparams, int *maxparams, const char *name, unsigned int value),
        (params, nparams, maxparams, name, value))
FORWARD(int, virTypedParamsAddLLong, -1,
        (virTypedParameterPtr *params, int *nparams, int *maxparams, const char *name, long long value),
        (params, nparams, maxparams, name, value))
FORWARD(int, virTypedParamsAddULLong, -1,
        (virTypedParameterPtr *params, int *nparams, int *maxparams, const char *name, unsigned long long value),
        (params, nparams, maxparams, name, value))
FORWARD(int, virTypedParamsAddDouble, -1,
        (virTypedParameterPtr *params, int *nparams, int *maxparams, const char *name, double value),
        (params, nparams, maxparams, name, value))
FORWARD(int, virTypedParamsAddBoolean, -1,
        (virTypedParameterPtr *params, int *nparams, int *maxparams, const char *name, int value),
        (params, nparams, maxparams, name, value))
FORWARD(int, virTypedParamsAddString, -1,
        (virTypedParameterPtr *params, int *nparams, int *maxparams, const char *name, const char *value),
        (params, nparams, maxparams, name, value))
FORWARD_VOID(virTypedParamsFree, (virTypedParameterPtr params, int nparams), (params, nparams))

static void silent_error(void *userData, virErrorPtr error) {
    (void)userData;
    (void)error;
}

void stratus_virt_silence_errors(void) {
    virSetErrorFunc(NULL, silent_error);
}

#pragma GCC visibility pop

// System-library shim for libvirt (libvirt-dev, found through `pkg-config libvirt`).
// Only the public C API is exposed; Swift code wraps it in StratusCompute.
#ifndef STRATUS_CLIBVIRT_SHIM_H
#define STRATUS_CLIBVIRT_SHIM_H

#include <stddef.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

/// An error callback that ignores every error: installed with virSetErrorFunc so that libvirt does
/// not print to stderr. Errors are read with virGetLastError / virConnCopyLastError instead.
static inline void stratus_virt_silent_error(void *userData, virErrorPtr error) {
    (void)userData;
    (void)error;
}

/// Installs the silent error handler process-wide (a Swift closure cannot be a C callback with a
/// void* user-data argument without capturing, hence the C helper).
static inline void stratus_virt_silence_errors(void) {
    virSetErrorFunc(NULL, stratus_virt_silent_error);
}

#endif

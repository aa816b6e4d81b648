// libvirt's public C API for StratusCompute (headers of libvirt-dev), loaded at run time.
//
// The functions Stratus calls are defined in loader.c, which opens libvirt.so.0 with dlopen on the
// first call and forwards each call to libvirt's own function. The `stratus` binary is therefore not
// linked against libvirt: the roles that never poll libvirt (api, metricd, evaluator, notification)
// do not load it or the ~60 libraries it pulls in (about 10 MiB of resident memory each).
#ifndef STRATUS_CLIBVIRT_H
#define STRATUS_CLIBVIRT_H

#include <stddef.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

/// Installs a process-wide error handler that ignores every error, so that libvirt does not print to
/// stderr; errors are read with virGetLastError instead.
void stratus_virt_silence_errors(void);

/// Why libvirt could not be loaded (dlopen's or dlsym's message), or NULL when it is loaded or has not
/// been tried yet.
const char *stratus_virt_load_error(void);

#endif

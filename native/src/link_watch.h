/* Watching an interface's link state through rtnetlink: see link_watch.c. */
#ifndef RSTWATCH_LINK_WATCH_H
#define RSTWATCH_LINK_WATCH_H
#include <node_api.h>

/** The state of an interface, as rw_interface_state reads it. */
enum rw_link_state { RW_LINK_UP = 0, RW_LINK_DOWN = 1, RW_LINK_GONE = 2 };

/**
 * The state of interface `name` in the process's network namespace: RW_LINK_GONE when no such
 * interface exists, RW_LINK_DOWN when it exists without IFF_UP, RW_LINK_UP otherwise (also when
 * the state cannot be read, or `name` is not an interface name, e.g. a libpcap pseudo-device).
 */
enum rw_link_state rw_interface_state(const char *name);

/** watchLink(name, onChange): see link_watch.c. */
napi_value rw_watch_link(napi_env env, napi_callback_info info);
/** unwatchLink(handle): see link_watch.c. */
napi_value rw_unwatch_link(napi_env env, napi_callback_info info);

#endif

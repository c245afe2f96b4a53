/* Switching to an unprivileged user while keeping CAP_NET_RAW: see privileges.c. */
#ifndef RSTWATCH_PRIVILEGES_H
#define RSTWATCH_PRIVILEGES_H
#include <node_api.h>

/** switchUser(uid, gid, keepNetAdmin): see privileges.c. Throws ERR_SWITCH_USER on failure. */
napi_value rw_switch_user(napi_env env, napi_callback_info info);

#endif

/* Dropping privileges once the capture is open: see privileges.c. */
#ifndef RSTWATCH_PRIVILEGES_H
#define RSTWATCH_PRIVILEGES_H
#include <node_api.h>

/** switchUser(uid, gid): see privileges.c. Throws ERR_SWITCH_USER on failure. */
napi_value rw_switch_user(napi_env env, napi_callback_info info);
/** lockDown(): see privileges.c. Throws ERR_LOCK_DOWN on failure. */
napi_value rw_lock_down(napi_env env, napi_callback_info info);

#endif

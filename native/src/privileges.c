/*
 * Switching from root to an unprivileged user while keeping the capture capability, so that a
 * capture that fails (the interface went away) can be reopened after the switch, unlike
 * `tcpdump -Z`. Linux only: prctl(PR_SET_KEEPCAPS) keeps the permitted set across setuid(), then
 * capset() leaves exactly CAP_NET_RAW (and CAP_NET_ADMIN for promiscuous mode) permitted and
 * effective.
 *
 * Capabilities are per thread. The capture is opened from the JavaScript main thread, which is the
 * thread that calls this; the other threads (libuv's pool, V8's helpers) lose every capability
 * with the switch, which is what least privilege wants.
 */
#include "privileges.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static napi_value fail(napi_env env, const char *what) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(errno));
  napi_throw_error(env, "ERR_SWITCH_USER", msg);
  return NULL;
}

napi_value rw_switch_user(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  uint32_t uid = 0, gid = 0;
  bool keep_net_admin = false;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3 ||
      napi_get_value_uint32(env, argv[0], &uid) != napi_ok || napi_get_value_uint32(env, argv[1], &gid) != napi_ok ||
      napi_get_value_bool(env, argv[2], &keep_net_admin) != napi_ok) {
    napi_throw_type_error(env, NULL, "switchUser(uid, gid, keepNetAdmin) takes two numbers and a boolean");
    return NULL;
  }
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return fail(env, "prctl(PR_SET_KEEPCAPS)");
  gid_t groups[1] = {(gid_t)gid};
  if (setgroups(1, groups) != 0) return fail(env, "setgroups");
  if (setgid((gid_t)gid) != 0) return fail(env, "setgid");
  if (setuid((uid_t)uid) != 0) return fail(env, "setuid");
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
  memset(data, 0, sizeof data);
  uint32_t keep = 1u << CAP_NET_RAW;
  if (keep_net_admin) keep |= 1u << CAP_NET_ADMIN;
  data[0].permitted = keep;
  data[0].effective = keep;
  if (syscall(SYS_capset, &hdr, data) != 0) return fail(env, "capset");
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) return fail(env, "prctl(PR_SET_KEEPCAPS, 0)");
  napi_value ok;
  if (napi_get_boolean(env, true, &ok) != napi_ok) return NULL;
  return ok;
}

/*
 * Watching one interface's link state through rtnetlink, so that a capture lost with its interface
 * is reopened the moment the interface is back instead of at the next backoff tick (issue 11).
 *
 *   watchLink(name, onChange) -> handle   a NETLINK_ROUTE socket subscribed to RTMGRP_LINK, watched
 *                                         with a uv_poll_t on the main loop (unref'd: it never keeps
 *                                         the process alive by itself)
 *   unwatchLink(handle)                   stops it; idempotent
 *
 * onChange(state) is called with the interface's state now ('up', 'down' or 'gone', read with
 * SIOCGIFFLAGS as rw_interface_state does) once per poll callback in which a link message named
 * the interface (RTM_NEWLINK or RTM_DELLINK carrying IFLA_IFNAME == name), or in which the socket
 * overflowed (ENOBUFS: messages were lost, so the state is read again rather than guessed). Reading
 * the state, not the message, makes the order of messages irrelevant: the last call tells the state
 * at that time. It is called with 'error' once if the socket fails; the watch has then stopped.
 *
 * Why rtnetlink and not polling /sys/class/net/NAME/operstate: the kernel tells at once, nothing
 * runs while nothing changes, and the socket belongs to the network namespace the process is in
 * (sysfs shows the namespace of whoever mounted it, which after a bare setns() is another one).
 * Receiving link notifications needs no privilege (rtnetlink allows non-root listeners), so the
 * watch keeps working after the switch to --user. Messages not sent by the kernel (nl_pid != 0)
 * are ignored.
 *
 * Lifetime as for captures (polled.h): the handle is an External; unwatchLink, garbage collection
 * and environment teardown all stop the poll and close the socket; the struct is freed once both
 * the External is gone and the poll handle's close callback has run.
 */
#include "link_watch.h"
#include "polled.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* recvmsg calls per poll callback before the event loop gets a turn (the poll is level-triggered). */
#define MAX_READS_PER_POLL 64
/* Receive buffer asked for, bytes: link storms (hundreds of veths) overflow less; ENOBUFS is handled anyway. */
#define RCVBUF_BYTES (256 * 1024)

typedef struct link_watch {
  rw_polled_t polled; /* first (polled.h): the poll handle and the lifetime */
  napi_env env;
  int fd;
  char name[IF_NAMESIZE];
  napi_ref on_change;
  napi_async_context async;
  char buf[16384]; /* one datagram of link messages (MSG_TRUNC counts as an overflow) */
} link_watch_t;

enum rw_link_state rw_interface_state(const char *name) {
  if (if_nametoindex(name) == 0) return RW_LINK_GONE;
  struct ifreq ifr;
  size_t len = strlen(name);
  if (len >= sizeof ifr.ifr_name) return RW_LINK_UP; /* not a network interface name (a pseudo-device) */
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return RW_LINK_UP;
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, name, len + 1);
  int rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
  int err = errno;
  close(fd);
  if (rc != 0) return (err == ENODEV || err == ENXIO) ? RW_LINK_GONE : RW_LINK_UP;
  return (ifr.ifr_flags & IFF_UP) ? RW_LINK_UP : RW_LINK_DOWN;
}

static napi_value throw_errno(napi_env env, const char *what) {
  char msg[256];
  snprintf(msg, sizeof msg, "watchLink: %s: %s", what, strerror(errno));
  napi_throw_error(env, "ERR_LINK_WATCH", msg);
  return NULL;
}

_Static_assert(offsetof(link_watch_t, polled) == 0, "rw_polled_t must come first (polled.h)");

/* Stops the watch and closes its socket; idempotent (see polled.h). */
static void teardown(rw_polled_t *p) {
  if (!rw_polled_shut(p)) return; /* the poll stops before the socket is closed */
  link_watch_t *w = (link_watch_t *)p;
  if (w->fd >= 0) close(w->fd);
  w->fd = -1;
  if (w->on_change != NULL) napi_delete_reference(w->env, w->on_change);
  w->on_change = NULL;
  if (w->async != NULL) napi_async_destroy(w->env, w->async);
  w->async = NULL;
  rw_polled_unhook(&w->polled);
}

/* True when the link message `h` (RTM_NEWLINK or RTM_DELLINK) names the watched interface. */
static int names_interface(const link_watch_t *w, const struct nlmsghdr *h) {
  if (h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK) return 0;
  if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg))) return 0;
  const struct ifinfomsg *ifi = NLMSG_DATA(h);
  int len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof *ifi));
  size_t want = strlen(w->name);
  for (const struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
    if (a->rta_type != IFLA_IFNAME) continue;
    const char *s = RTA_DATA(a);
    size_t n = strnlen(s, RTA_PAYLOAD(a));
    return n == want && memcmp(s, w->name, n) == 0;
  }
  return 0;
}

/* Reads what is waiting; 1 when a message named the interface or messages were lost, -1 on a socket error. */
static int read_messages(link_watch_t *w) {
  int changed = 0;
  for (int i = 0; i < MAX_READS_PER_POLL; i++) {
    struct sockaddr_nl from;
    struct iovec iov = {w->buf, sizeof w->buf};
    struct msghdr msg = {&from, sizeof from, &iov, 1, NULL, 0, 0};
    ssize_t n = recvmsg(w->fd, &msg, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOBUFS) { /* the kernel dropped messages: read the state again */
        changed = 1;
        continue;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return -1;
    }
    if (n == 0) break;
    if (from.nl_pid != 0) continue; /* not from the kernel */
    if (msg.msg_flags & MSG_TRUNC) {
      changed = 1;
      continue;
    }
    int left = (int)n;
    for (const struct nlmsghdr *h = (const struct nlmsghdr *)w->buf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
      if (names_interface(w, h)) changed = 1;
    }
  }
  return changed;
}

static void notify(link_watch_t *w, const char *state) {
  napi_env env = w->env;
  napi_value fn, recv, arg, result;
  if (w->on_change == NULL || napi_get_reference_value(env, w->on_change, &fn) != napi_ok || fn == NULL) return;
  if (napi_get_global(env, &recv) != napi_ok || napi_create_string_utf8(env, state, NAPI_AUTO_LENGTH, &arg) != napi_ok) return;
  if (napi_make_callback(env, w->async, recv, fn, 1, &arg, &result) == napi_pending_exception) {
    napi_value e; /* as for captures: never swallow what escapes the JS layer */
    if (napi_get_and_clear_last_exception(env, &e) == napi_ok) napi_fatal_exception(env, e);
  }
}

static void on_poll(uv_poll_t *h, int status, int events) {
  link_watch_t *w = (link_watch_t *)h->data;
  if (w->polled.closed) return;
  napi_handle_scope scope;
  if (napi_open_handle_scope(w->env, &scope) != napi_ok) return;
  int changed = status < 0 ? -1 : read_messages(w);
  if (changed < 0) {
    uv_poll_stop(&w->polled.poll);
    notify(w, "error");
  } else if (changed > 0) {
    static const char *const names[] = {"up", "down", "gone"};
    notify(w, names[rw_interface_state(w->name)]);
  }
  napi_close_handle_scope(w->env, scope);
}

/* Opens the netlink socket subscribed to link notifications; -1 with errno set on failure. */
static int open_socket(void) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
  if (fd < 0) return -1;
  int rcvbuf = RCVBUF_BYTES;
  (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf); /* capped by rmem_max: fine */
  struct sockaddr_nl sa;
  memset(&sa, 0, sizeof sa);
  sa.nl_family = AF_NETLINK;
  sa.nl_groups = RTMGRP_LINK;
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
    int err = errno;
    close(fd);
    errno = err;
    return -1;
  }
  return fd;
}

/* Starts polling `w->fd` and registers the callback; 0 on success, -1 after throwing. */
static int start_watch(napi_env env, link_watch_t *w, napi_value on_change) {
  napi_value name;
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || napi_create_string_utf8(env, "rstwatch:link", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env, NULL, name, &w->async) != napi_ok || napi_create_reference(env, on_change, 1, &w->on_change) != napi_ok) {
    bool pending = false;
    if (napi_is_exception_pending(env, &pending) != napi_ok || !pending) napi_throw_error(env, "ERR_LINK_WATCH", "watchLink: N-API set-up failed");
    return -1;
  }
  int rc = rw_polled_start(&w->polled, loop, w->fd, w, on_poll);
  if (rc != 0) {
    char msg[128];
    snprintf(msg, sizeof msg, "watchLink: uv_poll: %s", uv_strerror(rc));
    napi_throw_error(env, "ERR_LINK_WATCH", msg);
    return -1;
  }
  uv_unref((uv_handle_t *)&w->polled.poll);
  rw_polled_hook(&w->polled);
  return 0;
}

napi_value rw_watch_link(napi_env env, napi_callback_info info) {
  size_t argc = 2, len = 0;
  napi_value argv[2], handle;
  napi_valuetype t0, t1;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 2 || napi_typeof(env, argv[0], &t0) != napi_ok || napi_typeof(env, argv[1], &t1) != napi_ok || t0 != napi_string || t1 != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "watchLink(name, onChange) takes a string and a function");
    return NULL;
  }
  link_watch_t *w = calloc(1, sizeof *w);
  if (w == NULL) return throw_errno(env, "calloc");
  w->env = env;
  w->fd = -1;
  rw_polled_init(&w->polled, env, teardown);
  if (napi_get_value_string_utf8(env, argv[0], NULL, 0, &len) != napi_ok || len == 0 || len >= sizeof w->name ||
      napi_get_value_string_utf8(env, argv[0], w->name, sizeof w->name, &len) != napi_ok) {
    free(w);
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", "watchLink(): name must be an interface name (1 to 15 bytes)");
    return NULL;
  }
  w->fd = open_socket();
  if (w->fd < 0) {
    free(w);
    return throw_errno(env, "netlink socket");
  }
  if (napi_create_external(env, w, rw_polled_finalizer, NULL, &handle) != napi_ok) {
    close(w->fd);
    free(w);
    return NULL;
  }
  /* From here on the External owns `w`: errors below leave it to the finalizer. */
  if (start_watch(env, w, argv[1]) != 0) {
    teardown(&w->polled);
    return NULL;
  }
  return handle;
}

napi_value rw_unwatch_link(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], undef;
  napi_valuetype t;
  void *p = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 1 || napi_typeof(env, argv[0], &t) != napi_ok || t != napi_external || napi_get_value_external(env, argv[0], &p) != napi_ok || p == NULL) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "unwatchLink(handle): handle must be what watchLink returned");
    return NULL;
  }
  teardown((rw_polled_t *)p);
  napi_get_undefined(env, &undef);
  return undef;
}

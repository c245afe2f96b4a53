/* The lifetime of the addon's polled objects: see polled.h. */
#include "polled.h"

#include <stddef.h>
#include <stdlib.h>

_Static_assert(offsetof(rw_polled_t, handle) == 0, "the handle must be the first member");

static void on_closed(uv_handle_t *h) {
  rw_polled_t *p = (rw_polled_t *)h;
  p->poll_open = 0;
  if (p->finalized) free(p);
}

int rw_polled_start(rw_polled_t *p, uv_loop_t *loop, int fd, void *data, uv_poll_cb cb) {
  int rc = uv_poll_init(loop, &p->poll, fd);
  if (rc != 0) return rc;
  p->poll.data = data;
  p->poll_open = 1;
  return uv_poll_start(&p->poll, UV_READABLE, cb);
}

int rw_polled_start_async(rw_polled_t *p, uv_loop_t *loop, void *data, uv_async_cb cb) {
  int rc = uv_async_init(loop, &p->async, cb);
  if (rc != 0) return rc;
  p->async.data = data;
  p->poll_open = 1;
  return 0;
}

int rw_polled_shut(rw_polled_t *p) {
  if (p->closed) return 0;
  p->closed = 1;
  if (p->poll_open) {
    if (p->handle.type == UV_POLL) uv_poll_stop(&p->poll);
    uv_close(&p->handle, on_closed);
  }
  return 1;
}

void rw_polled_init(rw_polled_t *p, napi_env env, rw_teardown_fn teardown) {
  p->env = env;
  p->teardown = teardown;
}

static void cleanup_hook(void *arg) {
  rw_polled_t *p = (rw_polled_t *)arg;
  p->hook = 0; /* Node has removed it already */
  p->teardown(p);
}

void rw_polled_hook(rw_polled_t *p) {
  if (napi_add_env_cleanup_hook(p->env, cleanup_hook, p) == napi_ok) p->hook = 1;
}

void rw_polled_unhook(rw_polled_t *p) {
  if (!p->hook) return;
  p->hook = 0;
  napi_remove_env_cleanup_hook(p->env, cleanup_hook, p);
}

void rw_polled_finalizer(napi_env env, void *data, void *hint) {
  rw_polled_t *p = (rw_polled_t *)data;
  p->teardown(p);
  p->finalized = 1;
  if (!p->poll_open) free(p);
}

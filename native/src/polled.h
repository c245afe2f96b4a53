/*
 * What the addon's polled objects share (a capture, a link watch): a libuv handle on the main loop
 * (a link watch's uv_poll_t; a capture's uv_async_t, which its capture thread wakes) and the
 * lifetime rule. Such an object is stopped by its close call, by its External's finalizer or at
 * environment teardown, whichever comes first; it is freed once both the External is gone and the
 * handle's close callback has run (libuv still holds the handle until then).
 *
 * The rw_polled_t must be the object's first member (each file checks it with _Static_assert), so
 * that freeing it frees the object.
 */
#ifndef RSTWATCH_POLLED_H
#define RSTWATCH_POLLED_H
#include <node_api.h>
#include <uv.h>

typedef struct rw_polled rw_polled_t;
/* Stops the object: idempotent; it calls rw_polled_close and rw_polled_unhook. */
typedef void (*rw_teardown_fn)(rw_polled_t *p);

struct rw_polled {
  union {               /* first: the close callback finds the object from the handle */
    uv_handle_t handle;
    uv_poll_t poll;     /* a link watch's */
    uv_async_t async;   /* a capture's: its thread wakes the main loop with it */
  };
  int poll_open;    /* the handle is initialized and its close callback has not run yet */
  int finalized;    /* the External is gone: free once the poll is closed */
  int closed;       /* torn down (rw_polled_shut ran): the object does nothing more */
  int hook;         /* the env cleanup hook is registered */
  napi_env env;
  rw_teardown_fn teardown;
};

/* Sets up `p` (zeroed by calloc) for `env`, with the object's teardown. */
void rw_polled_init(rw_polled_t *p, napi_env env, rw_teardown_fn teardown);
/* Registers the teardown at environment exit (a worker or the process ending). */
void rw_polled_hook(rw_polled_t *p);
/* Removes that registration (teardown calls it). */
void rw_polled_unhook(rw_polled_t *p);
/* The External's finalizer (napi_create_external's `data` is the object): teardown, then free. */
void rw_polled_finalizer(napi_env env, void *data, void *hint);

/* Polls `fd` for reading on `loop`, calling `cb` with `poll.data` = `data`; 0 or a libuv error. */
int rw_polled_start(rw_polled_t *p, uv_loop_t *loop, int fd, void *data, uv_poll_cb cb);
/* Initializes the async handle on `loop`: `cb` runs on the loop, with `async.data` = `data`, after
   any thread's uv_async_send; 0 or a libuv error. */
int rw_polled_start_async(rw_polled_t *p, uv_loop_t *loop, void *data, uv_async_cb cb);
/* Starts a teardown: marks the object closed, stops polling and closes the handle (before the fd
   is closed; a capture stops its thread first). Returns 0 when it was closed already (the teardown
   has nothing left to do). */
int rw_polled_shut(rw_polled_t *p);

#endif

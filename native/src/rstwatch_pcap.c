/*
 * rstwatch_pcap: the project's libpcap binding (N-API, C). It opens a live capture, hands captured
 * frames to JavaScript in batches, and reports statistics, devices and faults. It decodes nothing:
 * frames go on as bytes (src/wire/ decodes them).
 *
 * Exports (typed in src/capture/native-binding.ts):
 *   open(opts)                     -> { handle, linkType, snaplen, nanosecond, warnings, data, records }
 *   setFilter(handle, expr)        compiles `expr` for the handle's link type and installs it
 *   start(handle, onBatch, onFault) starts the capture thread; batches come on the main event loop
 *   stats(handle)                  -> { received, droppedKernel, droppedInterface, droppedQueue, queued, queueBytes, queuePeakBytes }
 *   close(handle)                  idempotent
 *   findAllDevs()                  -> [{ name, description, addresses, flags }]
 *   libVersion()                   -> pcap_lib_version()
 *   inject(handle, bytes)          -> bytes sent (pcap_inject; internal: the tests' forged-reset attacker)
 *   switchUser(uid, gid), lockDown()  dropping privileges (privileges.c)
 *   watchLink(name, onChange), unwatchLink(handle)  link-state notifications (link_watch.c)
 *
 * Reading. start() runs a capture thread (capture_thread.c) that blocks on the capture socket and
 * pcap_dispatch()es what the kernel has into the capture queue (frame_queue.c), as tcpdump reads:
 * the kernel ring is emptied while the main thread is busy (the pipeline, a /metrics scrape, a
 * garbage collection) or waits for a CPU, and the queue holds the frames until it comes back. The
 * queue is bounded (`queueBytes`): a frame beyond it is dropped and counted (stats().droppedQueue),
 * never lost silently; it takes memory only while frames wait.
 *
 * Batches. The thread wakes the main loop (uv_async_send); there each chunk of the queue is one
 * batch: its records and frames are copied into two ArrayBuffers allocated once by open() (`data`,
 * frames packed back to back, and `records`, five uint32 per frame: offset, capLen, origLen, tsSec,
 * tsNsec; uint32 rather than double so that V8 reads small integers and passes them on unboxed),
 * then JavaScript is called once with the frame count. A chunk ends at maxBatchFrames frames or
 * when the next frame does not fit its data area (min(batchBytes, maxBatchFrames x snapshot), at
 * least two snapshots). Up to MAX_BATCHES_PER_WAKE batches run per wake-up, then the event loop
 * gets a turn (a busy capture cannot starve /metrics) and the rest comes next turn.
 *
 * Buffer ownership: `data` and `records` are allocated once by open() and owned by this module;
 * JavaScript only reads them, and a batch is valid until the onBatch call returns (the next batch
 * overwrites both).
 *
 * Faults. When the interface goes down or away, the kernel sets ENETDOWN on the packet socket:
 * poll() reports POLLERR or pcap_dispatch() returns PCAP_ERROR with libpcap's message ("The
 * interface went down", "The interface disappeared"). The thread hands on what it read and ends;
 * the main thread delivers those frames, then calls onFault(reason, message) once; nothing aborts.
 *
 * Lifetime. The handle is a JS External. close() stops the thread (and waits for it), closes the
 * async handle (uv_close) and pcap_close()s; the same happens when the External is
 * garbage-collected and at environment teardown (an env cleanup hook), so a worker or the process
 * can exit. The struct is freed once both the External is gone and the async handle's close
 * callback has run.
 */
#include <errno.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <node_api.h>
#include <pcap/pcap.h>
#include <uv.h>

#include "capture_thread.h"
#include "frame_queue.h"
#include "link_watch.h"
#include "polled.h"
#include "privileges.h"

/* uint32 values per frame in the records area: offset, capLen, origLen, tsSec, tsNsec. */
#define REC_FIELDS RW_REC_FIELDS
/* Batches handed on per wake-up before the event loop gets a turn. */
#define MAX_BATCHES_PER_WAKE 8
/* Default largest size of a batch's data area, bytes. */
#define DEFAULT_BATCH_BYTES (4 * 1024 * 1024)
/* Default cap of the capture queue, bytes (src/config.ts DEFAULT_QUEUE_BYTES gives the daemon's). */
#define DEFAULT_QUEUE_BYTES (64u * 1024 * 1024)
/* Bounds of the numeric options (sanity, not policy: the JS config validates first). */
#define MAX_BATCH_FRAMES 1000000
#define MAX_BATCH_BYTES (256 * 1024 * 1024)
#define MAX_SNAPLEN 262144

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

typedef struct capture {
  rw_polled_t polled;       /* first (polled.h): the async handle and the lifetime */
  napi_env env;
  pcap_t *pcap;             /* also the reader's; libpcap calls hold reader.pcap_mu once started */
  rw_reader_t reader;       /* the capture thread and its queue */
  char device[IF_NAMESIZE + 64];
  int link_type;
  int nano;                 /* timestamps are nanoseconds (else microseconds) */
  uint32_t snapshot;        /* pcap_snapshot(): the largest caplen libpcap hands us */
  uint32_t max_frames;      /* frames per batch */

  uint8_t *data;            /* the data area (inside the `data` ArrayBuffer) */
  size_t data_bytes;
  uint32_t *rec;            /* the records area (inside the `records` ArrayBuffer) */
  napi_ref data_ref;
  napi_ref rec_ref;

  napi_ref on_batch;
  napi_ref on_fault;
  napi_async_context async_ctx;
  int started;

  struct pcap_stat last;    /* last statistics read (kept for stats() after close) */
} capture_t;

/* ---- small N-API helpers ---------------------------------------------------------------- */

/* Throws `message` as an Error whose `code` is `code` (may be NULL); returns NULL for `return`. */
static napi_value throw_coded(napi_env env, const char *code, const char *message) {
  napi_value msg, err, code_v = NULL;
  if (napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg) != napi_ok) return NULL;
  if (code != NULL && napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &code_v) != napi_ok) return NULL;
  if (napi_create_error(env, code_v, msg, &err) != napi_ok) return NULL;
  napi_throw(env, err);
  return NULL;
}

static napi_value throw_type(napi_env env, const char *message) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
  return NULL;
}

/* Reads `obj[name]` as a uint32 within [min, max]; 0 on success, -1 after throwing. */
static int get_u32(napi_env env, napi_value obj, const char *name, uint32_t min, uint32_t max, uint32_t dflt, uint32_t *out) {
  napi_value v;
  napi_valuetype t;
  double d;
  char msg[160];
  if (napi_get_named_property(env, obj, name, &v) != napi_ok || napi_typeof(env, v, &t) != napi_ok) return -1;
  if (t == napi_undefined) {
    *out = dflt;
    return 0;
  }
  if (t != napi_number || napi_get_value_double(env, v, &d) != napi_ok || d != d || d < min || d > max || d != (double)(uint32_t)d) {
    snprintf(msg, sizeof msg, "open(): %s must be an integer from %u to %u", name, min, max);
    throw_type(env, msg);
    return -1;
  }
  *out = (uint32_t)d;
  return 0;
}

static int get_bool(napi_env env, napi_value obj, const char *name, int *out) {
  napi_value v;
  napi_valuetype t;
  bool b;
  char msg[160];
  if (napi_get_named_property(env, obj, name, &v) != napi_ok || napi_typeof(env, v, &t) != napi_ok) return -1;
  if (t != napi_boolean || napi_get_value_bool(env, v, &b) != napi_ok) {
    snprintf(msg, sizeof msg, "open(): %s must be a boolean", name);
    throw_type(env, msg);
    return -1;
  }
  *out = b ? 1 : 0;
  return 0;
}

/* Copies a JS string argument into a malloc'd C string; NULL after throwing. */
static char *get_string(napi_env env, napi_value v, const char *what) {
  size_t len;
  char msg[160];
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) return NULL;
  if (t != napi_string || napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) {
    snprintf(msg, sizeof msg, "%s must be a string", what);
    throw_type(env, msg);
    return NULL;
  }
  char *s = malloc(len + 1);
  if (s == NULL) {
    throw_coded(env, "ENOMEM", "out of memory");
    return NULL;
  }
  if (napi_get_value_string_utf8(env, v, s, len + 1, &len) != napi_ok) {
    free(s);
    return NULL;
  }
  return s;
}

static void set_named(napi_env env, napi_value obj, const char *name, napi_value v) {
  napi_set_named_property(env, obj, name, v);
}

static void set_u32(napi_env env, napi_value obj, const char *name, uint32_t n) {
  napi_value v;
  if (napi_create_uint32(env, n, &v) == napi_ok) set_named(env, obj, name, v);
}

static void set_double(napi_env env, napi_value obj, const char *name, double n) {
  napi_value v;
  if (napi_create_double(env, n, &v) == napi_ok) set_named(env, obj, name, v);
}

static void set_str(napi_env env, napi_value obj, const char *name, const char *s) {
  napi_value v;
  if (s == NULL) {
    napi_get_null(env, &v);
  } else if (napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v) != napi_ok) {
    return;
  }
  set_named(env, obj, name, v);
}

static void set_bool(napi_env env, napi_value obj, const char *name, int b) {
  napi_value v;
  if (napi_get_boolean(env, b != 0, &v) == napi_ok) set_named(env, obj, name, v);
}

/* The PCAP_ERROR_* / PCAP_WARNING_* name of a status, for `err.code`. */
static const char *status_name(int status) {
  switch (status) {
    case PCAP_ERROR: return "PCAP_ERROR";
    case PCAP_ERROR_BREAK: return "PCAP_ERROR_BREAK";
    case PCAP_ERROR_NOT_ACTIVATED: return "PCAP_ERROR_NOT_ACTIVATED";
    case PCAP_ERROR_ACTIVATED: return "PCAP_ERROR_ACTIVATED";
    case PCAP_ERROR_NO_SUCH_DEVICE: return "PCAP_ERROR_NO_SUCH_DEVICE";
    case PCAP_ERROR_RFMON_NOTSUP: return "PCAP_ERROR_RFMON_NOTSUP";
    case PCAP_ERROR_NOT_RFMON: return "PCAP_ERROR_NOT_RFMON";
    case PCAP_ERROR_PERM_DENIED: return "PCAP_ERROR_PERM_DENIED";
    case PCAP_ERROR_IFACE_NOT_UP: return "PCAP_ERROR_IFACE_NOT_UP";
    case PCAP_ERROR_CANTSET_TSTAMP_TYPE: return "PCAP_ERROR_CANTSET_TSTAMP_TYPE";
    case PCAP_ERROR_PROMISC_PERM_DENIED: return "PCAP_ERROR_PROMISC_PERM_DENIED";
    case PCAP_ERROR_TSTAMP_PRECISION_NOTSUP: return "PCAP_ERROR_TSTAMP_PRECISION_NOTSUP";
    case PCAP_WARNING: return "PCAP_WARNING";
    case PCAP_WARNING_PROMISC_NOTSUP: return "PCAP_WARNING_PROMISC_NOTSUP";
    case PCAP_WARNING_TSTAMP_TYPE_NOTSUP: return "PCAP_WARNING_TSTAMP_TYPE_NOTSUP";
    default: return "PCAP_ERROR";
  }
}

/* "<pcap_statustostr>: <pcap_geterr>" or just the first when libpcap left no message. */
static void status_message(pcap_t *p, int status, char *out, size_t size) {
  const char *detail = p != NULL ? pcap_geterr(p) : "";
  if (detail != NULL && detail[0] != '\0') {
    snprintf(out, size, "%s: %s", pcap_statustostr(status), detail);
  } else {
    snprintf(out, size, "%s", pcap_statustostr(status));
  }
}

/* ---- lifetime -------------------------------------------------------------------------- */

_Static_assert(offsetof(capture_t, polled) == 0, "rw_polled_t must come first (polled.h)");

/* Stops the thread, closes the async handle and the capture, drops the references; idempotent (see polled.h). */
static void teardown(rw_polled_t *p) {
  capture_t *c = (capture_t *)p;
  if (p->closed) return;
  /* The thread ends before the async handle it wakes is closed and before the fd is. */
  rw_reader_stop(&c->reader);
  rw_polled_shut(p);
  if (c->pcap != NULL) {
    struct pcap_stat st;
    if (pcap_stats(c->pcap, &st) == 0) c->last = st;
    pcap_close(c->pcap);
    c->pcap = NULL;
  }
  /* The queue's counters stay readable (stats() after close); its memory goes. */
  rw_reader_destroy(&c->reader);
  napi_env env = c->env;
  if (c->on_batch != NULL) napi_delete_reference(env, c->on_batch);
  if (c->on_fault != NULL) napi_delete_reference(env, c->on_fault);
  if (c->data_ref != NULL) napi_delete_reference(env, c->data_ref);
  if (c->rec_ref != NULL) napi_delete_reference(env, c->rec_ref);
  c->on_batch = c->on_fault = c->data_ref = c->rec_ref = NULL;
  c->data = NULL;
  c->rec = NULL;
  if (c->async_ctx != NULL) {
    napi_async_destroy(env, c->async_ctx);
    c->async_ctx = NULL;
  }
  rw_polled_unhook(&c->polled);
}

/* The capture behind `handle`; NULL after throwing. */
static capture_t *unwrap(napi_env env, napi_value handle) {
  napi_valuetype t;
  void *p = NULL;
  if (napi_typeof(env, handle, &t) != napi_ok || t != napi_external || napi_get_value_external(env, handle, &p) != napi_ok || p == NULL) {
    throw_type(env, "handle must be the handle returned by open()");
    return NULL;
  }
  return (capture_t *)p;
}

/* Runs a libpcap call on `c`'s handle with the reader's lock once the thread may be reading. */
static void lock_pcap(capture_t *c) {
  if (c->started) pthread_mutex_lock(&c->reader.pcap_mu);
}

static void unlock_pcap(capture_t *c) {
  if (c->started) pthread_mutex_unlock(&c->reader.pcap_mu);
}

/* ---- the main thread's side of the queue ----------------------------------------------- */

/* Calls a stored JS function through napi_make_callback (async hooks, microtasks drained). */
static void call_js(capture_t *c, napi_ref fn_ref, size_t argc, napi_value *argv) {
  napi_env env = c->env;
  napi_value fn, recv, result;
  if (fn_ref == NULL || napi_get_reference_value(env, fn_ref, &fn) != napi_ok || fn == NULL) return;
  /* napi_make_callback needs an object as the receiver: the global one. */
  if (napi_get_global(env, &recv) != napi_ok) return;
  napi_status s = napi_make_callback(env, c->async_ctx, recv, fn, argc, argv, &result);
  if (s == napi_pending_exception) {
    /* The JS layer catches everything; if something still escapes, report it as Node reports
       a throwing event callback (uncaughtException), never swallow it here. */
    napi_value e;
    if (napi_get_and_clear_last_exception(env, &e) == napi_ok) napi_fatal_exception(env, e);
  }
}

/* One chunk as one batch: copied into the areas JavaScript reads, then onBatch(frames). */
static void deliver_batch(capture_t *c, const rw_chunk_t *ch) {
  napi_value argv[1];
  memcpy(c->rec, ch->rec, (size_t)ch->frames * REC_FIELDS * sizeof(uint32_t));
  memcpy(c->data, ch->data, ch->used);
  if (napi_create_uint32(c->env, ch->frames, &argv[0]) != napi_ok) return;
  call_js(c, c->on_batch, 1, argv);
}

/* What became of the captured interface (`any` is never down or gone). */
static enum rw_link_state interface_state(const capture_t *c) {
  return strcmp(c->device, "any") == 0 ? RW_LINK_UP : rw_interface_state(c->device);
}

/*
 * Calls onFault(reason, message) once, after the thread ended on a fault and every frame it read
 * was delivered. The reason comes from the interface itself, read now (an interface being deleted
 * is down for a moment first): interface_gone when it no longer exists, interface_down when it
 * exists but is down, read_error otherwise. `message` is libpcap's, or composed in libpcap's words
 * when only poll() saw the fault.
 */
static void deliver_fault(capture_t *c, enum rw_reader_fault fault) {
  const char *reason = "read_error";
  enum rw_link_state state = interface_state(c);
  switch (state) {
    case RW_LINK_GONE: reason = "interface_gone"; break;
    case RW_LINK_DOWN: reason = "interface_down"; break;
    default: break;
  }
  char msg[sizeof c->reader.fault_message + 128];
  if (fault == RW_FAULT_PCAP) {
    snprintf(msg, sizeof msg, "%s", c->reader.fault_message);
  } else {
    short ev = c->reader.poll_events;
    snprintf(msg, sizeof msg, "%s (poll: %s%s%s)",
             state == RW_LINK_GONE ? "The interface disappeared" : state == RW_LINK_DOWN ? "The interface went down" : "error on the capture socket",
             ev & POLLERR ? "POLLERR" : "", ev & POLLHUP ? " POLLHUP" : "", ev & POLLNVAL ? " POLLNVAL" : "");
  }
  /* Nothing will wake the loop for this capture any more: as a stopped poll did, let it exit. */
  uv_unref(&c->polled.handle);
  napi_ref fn = c->on_fault;
  c->on_fault = NULL; /* at most once */
  napi_value argv[2];
  if (napi_create_string_utf8(c->env, reason, NAPI_AUTO_LENGTH, &argv[0]) == napi_ok &&
      napi_create_string_utf8(c->env, msg, NAPI_AUTO_LENGTH, &argv[1]) == napi_ok) {
    call_js(c, fn, 2, argv);
  }
  if (fn != NULL) napi_delete_reference(c->env, fn);
}

/* The queue's wake-up, called on the capture thread. */
static void wake_main(void *arg) {
  capture_t *c = arg;
  uv_async_send(&c->polled.async);
}

/* The capture thread published chunks (or ended): hand them to JavaScript, in order. */
static void on_async(uv_async_t *h) {
  capture_t *c = (capture_t *)h->data;
  if (c->polled.closed) return;
  rw_frame_queue_t *q = &c->reader.queue;
  napi_handle_scope scope;
  if (napi_open_handle_scope(c->env, &scope) != napi_ok) return;
  int nudge = 0;
  for (int b = 0; b < MAX_BATCHES_PER_WAKE; b++) {
    rw_chunk_t *ch = rw_queue_take(q);
    if (ch == NULL) break;
    deliver_batch(c, ch);
    if (c->polled.closed) {
      /* onBatch closed the capture: the queue is gone, this chunk is ours to unmap. */
      munmap(ch, ch->map_bytes);
      break;
    }
    nudge |= rw_queue_release(q, ch);
  }
  if (!c->polled.closed) {
    /* The fault is read before the queue: a thread that faulted has handed on everything first. */
    enum rw_reader_fault fault = atomic_load_explicit(&c->reader.fault, memory_order_acquire);
    if (nudge) rw_reader_nudge(&c->reader);
    if (rw_queue_pending(q)) uv_async_send(&c->polled.async); /* the rest next turn */
    else if (fault != RW_FAULT_NONE && c->on_fault != NULL) deliver_fault(c, fault);
  }
  napi_close_handle_scope(c->env, scope);
}

/* ---- exported functions ---------------------------------------------------------------- */

/* open(opts): see the module comment. */
static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], opts, name_v;
  napi_valuetype t;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 1 || napi_typeof(env, argv[0], &t) != napi_ok || t != napi_object) return throw_type(env, "open(opts): opts must be an object");
  opts = argv[0];

  uint32_t snaplen, buffer_bytes, timeout_ms, max_frames, batch_bytes, queue_bytes;
  int promisc, immediate;
  if (napi_get_named_property(env, opts, "interfaceName", &name_v) != napi_ok) return NULL;
  char *name = get_string(env, name_v, "open(): interfaceName");
  if (name == NULL) return NULL;
  if (get_u32(env, opts, "snaplen", 1, MAX_SNAPLEN, 0, &snaplen) || get_u32(env, opts, "bufferBytes", 0, UINT32_MAX, 0, &buffer_bytes) ||
      get_u32(env, opts, "timeoutMs", 0, 3600000, 0, &timeout_ms) || get_u32(env, opts, "maxBatchFrames", 1, MAX_BATCH_FRAMES, 0, &max_frames) ||
      get_u32(env, opts, "batchBytes", 0, MAX_BATCH_BYTES, DEFAULT_BATCH_BYTES, &batch_bytes) ||
      get_u32(env, opts, "queueBytes", 0, UINT32_MAX, DEFAULT_QUEUE_BYTES, &queue_bytes) || get_bool(env, opts, "promiscuous", &promisc) ||
      get_bool(env, opts, "immediate", &immediate)) {
    free(name);
    return NULL;
  }
  if (strlen(name) >= sizeof(((capture_t *)0)->device)) {
    free(name);
    return throw_coded(env, "PCAP_ERROR_NO_SUCH_DEVICE", "interface name too long");
  }

  char errbuf[PCAP_ERRBUF_SIZE];
  char msg[PCAP_ERRBUF_SIZE + 128];
  errbuf[0] = '\0';
  pcap_t *p = pcap_create(name, errbuf);
  if (p == NULL) {
    snprintf(msg, sizeof msg, "pcap_create(%s): %s", name, errbuf);
    free(name);
    return throw_coded(env, "PCAP_ERROR", msg);
  }

  /* Each setter fails only on an already activated handle: check anyway. */
  int rc;
  const char *what = NULL;
  if ((rc = pcap_set_snaplen(p, (int)snaplen)) != 0) what = "pcap_set_snaplen";
  else if ((rc = pcap_set_promisc(p, promisc)) != 0) what = "pcap_set_promisc";
  else if ((rc = pcap_set_immediate_mode(p, immediate)) != 0) what = "pcap_set_immediate_mode";
  else if (buffer_bytes > 0 && (rc = pcap_set_buffer_size(p, (int)(buffer_bytes > INT32_MAX ? INT32_MAX : buffer_bytes))) != 0) what = "pcap_set_buffer_size";
  else if ((rc = pcap_set_timeout(p, (int)timeout_ms)) != 0) what = "pcap_set_timeout";
  if (what != NULL) {
    status_message(p, rc, errbuf, sizeof errbuf);
    snprintf(msg, sizeof msg, "%s(%s): %s", what, name, errbuf);
    pcap_close(p);
    free(name);
    return throw_coded(env, status_name(rc), msg);
  }
  /* Nanosecond timestamps where the platform has them; otherwise microseconds (not an error). */
  int nano_requested = pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO) == 0;

  napi_value warnings;
  uint32_t nwarn = 0;
  if (napi_create_array(env, &warnings) != napi_ok) {
    pcap_close(p);
    free(name);
    return NULL;
  }
  rc = pcap_activate(p);
  if (rc < 0) {
    status_message(p, rc, errbuf, sizeof errbuf);
    snprintf(msg, sizeof msg, "cannot capture on %s: %s", name, errbuf);
    pcap_close(p);
    free(name);
    return throw_coded(env, status_name(rc), msg);
  }
  if (rc > 0) {
    napi_value w;
    status_message(p, rc, msg, sizeof msg);
    if (napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &w) == napi_ok) napi_set_element(env, warnings, nwarn++, w);
  }

  /* On `any`, ask for cooked v2 (it names the interface and keeps the VLAN tag's place). */
  if (strcmp(name, "any") == 0 && pcap_datalink(p) != DLT_LINUX_SLL2) {
    int *dlts = NULL;
    int n = pcap_list_datalinks(p, &dlts);
    int offered = 0;
    for (int i = 0; i < n; i++) offered |= dlts[i] == DLT_LINUX_SLL2;
    if (n >= 0) pcap_free_datalinks(dlts);
    if (offered && pcap_set_datalink(p, DLT_LINUX_SLL2) != 0) {
      napi_value w;
      snprintf(msg, sizeof msg, "could not select LINUX_SLL2 on any (%s); the link type stays %d", pcap_geterr(p), pcap_datalink(p));
      if (napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &w) == napi_ok) napi_set_element(env, warnings, nwarn++, w);
    }
  }

  if (pcap_setnonblock(p, 1, errbuf) != 0) {
    snprintf(msg, sizeof msg, "pcap_setnonblock(%s): %s", name, errbuf);
    pcap_close(p);
    free(name);
    return throw_coded(env, "PCAP_ERROR", msg);
  }

  capture_t *c = calloc(1, sizeof *c);
  if (c == NULL) {
    pcap_close(p);
    free(name);
    return throw_coded(env, "ENOMEM", "out of memory");
  }
  c->env = env;
  rw_polled_init(&c->polled, env, teardown);
  c->pcap = p;
  snprintf(c->device, sizeof c->device, "%s", name);
  free(name);
  c->link_type = pcap_datalink(p);
  c->nano = nano_requested && pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
  int snap = pcap_snapshot(p);
  c->snapshot = snap > 0 ? (uint32_t)snap : snaplen;
  c->max_frames = max_frames;
  /* The data area: what maxBatchFrames frames of a whole snapshot take, at most batchBytes, and at
     least two snapshots, so that a batch always takes at least one frame. */
  uint64_t full = (uint64_t)max_frames * c->snapshot;
  uint64_t data_bytes = full < batch_bytes ? full : batch_bytes;
  c->data_bytes = data_bytes < 2u * c->snapshot ? 2u * c->snapshot : (size_t)data_bytes;
  int rc_reader = rw_reader_init(&c->reader, p, c->nano, max_frames, queue_bytes, (uint32_t)c->data_bytes, wake_main, c);

  napi_value result, handle, data_ab, rec_ab;
  void *data_p = NULL, *rec_p = NULL;
  if (rc_reader != 0 || napi_create_external(env, c, rw_polled_finalizer, NULL, &handle) != napi_ok) {
    rw_reader_destroy(&c->reader);
    pcap_close(p);
    free(c);
    if (rc_reader != 0) {
      snprintf(msg, sizeof msg, "open(): cannot set up the capture queue: %s", strerror(rc_reader));
      return throw_coded(env, "PCAP_ERROR", msg);
    }
    return NULL;
  }
  /* From here on the External owns `c`: errors below leave it to the finalizer. */
  if (napi_create_arraybuffer(env, c->data_bytes, &data_p, &data_ab) != napi_ok ||
      napi_create_arraybuffer(env, (size_t)max_frames * REC_FIELDS * sizeof(uint32_t), &rec_p, &rec_ab) != napi_ok ||
      napi_create_reference(env, data_ab, 1, &c->data_ref) != napi_ok || napi_create_reference(env, rec_ab, 1, &c->rec_ref) != napi_ok) {
    teardown(&c->polled);
    return NULL;
  }
  c->data = data_p;
  c->rec = rec_p;
  rw_polled_hook(&c->polled);

  if (napi_create_object(env, &result) != napi_ok) {
    teardown(&c->polled);
    return NULL;
  }
  set_named(env, result, "handle", handle);
  set_u32(env, result, "linkType", (uint32_t)c->link_type);
  set_u32(env, result, "snaplen", c->snapshot);
  set_bool(env, result, "nanosecond", c->nano);
  set_named(env, result, "warnings", warnings);
  set_named(env, result, "data", data_ab);
  set_named(env, result, "records", rec_ab);
  return result;
}

/* Compiles `expr` for `p`'s link type and installs it (setFilter). */
static napi_value install_filter(napi_env env, pcap_t *p, const char *expr) {
  struct bpf_program prog;
  char msg[PCAP_ERRBUF_SIZE + 256];
  if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
    snprintf(msg, sizeof msg, "bad capture filter for link type %d: %s", pcap_datalink(p), pcap_geterr(p));
    return throw_coded(env, "PCAP_ERROR_FILTER", msg);
  }
  int rc = pcap_setfilter(p, &prog);
  pcap_freecode(&prog);
  if (rc != 0) {
    snprintf(msg, sizeof msg, "pcap_setfilter: %s", pcap_geterr(p));
    return throw_coded(env, "PCAP_ERROR_FILTER", msg);
  }
  napi_value undef;
  napi_get_undefined(env, &undef);
  return undef;
}

static napi_value js_set_filter(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 2) return throw_type(env, "setFilter(handle, expr)");
  capture_t *c = unwrap(env, argv[0]);
  if (c == NULL) return NULL;
  if (c->polled.closed) return throw_coded(env, "ERR_CAPTURE_CLOSED", "setFilter(): the capture is closed");
  char *expr = get_string(env, argv[1], "setFilter(): expr");
  if (expr == NULL) return NULL;
  lock_pcap(c);
  napi_value r = install_filter(env, c->pcap, expr);
  unlock_pcap(c);
  free(expr);
  return r;
}

static napi_value js_start(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], name;
  napi_valuetype t1, t2;
  char msg[256];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 3) return throw_type(env, "start(handle, onBatch, onFault)");
  capture_t *c = unwrap(env, argv[0]);
  if (c == NULL) return NULL;
  if (napi_typeof(env, argv[1], &t1) != napi_ok || napi_typeof(env, argv[2], &t2) != napi_ok || t1 != napi_function || t2 != napi_function) {
    return throw_type(env, "start(): onBatch and onFault must be functions");
  }
  if (c->polled.closed) return throw_coded(env, "ERR_CAPTURE_CLOSED", "start(): the capture is closed");
  if (c->started) return throw_coded(env, "ERR_CAPTURE_STARTED", "start(): the capture is already started");
  int fd = pcap_get_selectable_fd(c->pcap);
  if (fd < 0) return throw_coded(env, "PCAP_ERROR", "start(): this capture has no selectable file descriptor");
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return NULL;
  if (napi_create_string_utf8(env, "rstwatch:capture", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env, NULL, name, &c->async_ctx) != napi_ok || napi_create_reference(env, argv[1], 1, &c->on_batch) != napi_ok ||
      napi_create_reference(env, argv[2], 1, &c->on_fault) != napi_ok) {
    return NULL;
  }
  int rc = rw_polled_start_async(&c->polled, loop, c, on_async);
  if (rc != 0) {
    snprintf(msg, sizeof msg, "start(): uv_async_init: %s", uv_strerror(rc));
    return throw_coded(env, "PCAP_ERROR", msg);
  }
  /* From here on libpcap calls take the reader's lock (the thread may be reading). */
  c->started = 1;
  rc = rw_reader_start(&c->reader);
  if (rc != 0) {
    /* Nothing would ever read: close the capture, so that the async handle does not keep the loop. */
    teardown(&c->polled);
    snprintf(msg, sizeof msg, "start(): cannot start the capture thread: %s", strerror(rc));
    return throw_coded(env, "ERR_CAPTURE_THREAD", msg);
  }
  napi_value undef;
  napi_get_undefined(env, &undef);
  return undef;
}

static napi_value js_stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  char msg[PCAP_ERRBUF_SIZE + 32];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 1) return throw_type(env, "stats(handle)");
  capture_t *c = unwrap(env, argv[0]);
  if (c == NULL) return NULL;
  if (c->pcap != NULL) {
    struct pcap_stat st;
    lock_pcap(c);
    int rc = pcap_stats(c->pcap, &st);
    if (rc != 0) snprintf(msg, sizeof msg, "pcap_stats: %s", pcap_geterr(c->pcap));
    unlock_pcap(c);
    if (rc != 0) return throw_coded(env, "PCAP_ERROR", msg);
    c->last = st;
  }
  if (napi_create_object(env, &out) != napi_ok) return NULL;
  const rw_frame_queue_t *q = &c->reader.queue;
  set_u32(env, out, "received", c->last.ps_recv);
  set_u32(env, out, "droppedKernel", c->last.ps_drop);
  set_u32(env, out, "droppedInterface", c->last.ps_ifdrop);
  set_double(env, out, "droppedQueue", (double)atomic_load_explicit(&q->dropped, memory_order_relaxed));
  set_double(env, out, "queued", (double)atomic_load_explicit(&q->queued, memory_order_relaxed));
  set_double(env, out, "queueBytes", (double)rw_queue_bytes(q));
  set_double(env, out, "queuePeakBytes", (double)atomic_load_explicit(&q->peak_bytes, memory_order_relaxed));
  return out;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], undef;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 1) return throw_type(env, "close(handle)");
  capture_t *c = unwrap(env, argv[0]);
  if (c == NULL) return NULL;
  teardown(&c->polled);
  napi_get_undefined(env, &undef);
  return undef;
}

/* One pcap_addr as { family, address, netmask }; NULL when the family is not IPv4/IPv6. */
static napi_value address_object(napi_env env, const pcap_addr_t *a) {
  char addr[INET6_ADDRSTRLEN], mask[INET6_ADDRSTRLEN];
  const char *family;
  napi_value o;
  if (a->addr == NULL) return NULL;
  mask[0] = '\0';
  if (a->addr->sa_family == AF_INET) {
    family = "inet";
    if (inet_ntop(AF_INET, &((const struct sockaddr_in *)a->addr)->sin_addr, addr, sizeof addr) == NULL) return NULL;
    if (a->netmask != NULL && a->netmask->sa_family == AF_INET &&
        inet_ntop(AF_INET, &((const struct sockaddr_in *)a->netmask)->sin_addr, mask, sizeof mask) == NULL) mask[0] = '\0';
  } else if (a->addr->sa_family == AF_INET6) {
    family = "inet6";
    if (inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)a->addr)->sin6_addr, addr, sizeof addr) == NULL) return NULL;
    if (a->netmask != NULL && a->netmask->sa_family == AF_INET6 &&
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)a->netmask)->sin6_addr, mask, sizeof mask) == NULL) mask[0] = '\0';
  } else {
    return NULL;
  }
  if (napi_create_object(env, &o) != napi_ok) return NULL;
  set_str(env, o, "family", family);
  set_str(env, o, "address", addr);
  set_str(env, o, "netmask", mask[0] != '\0' ? mask : NULL);
  return o;
}

static napi_value js_find_all_devs(napi_env env, napi_callback_info info) {
  pcap_if_t *devs = NULL;
  char errbuf[PCAP_ERRBUF_SIZE];
  char msg[PCAP_ERRBUF_SIZE + 32];
  napi_value list;
  errbuf[0] = '\0';
  if (pcap_findalldevs(&devs, errbuf) != 0) {
    snprintf(msg, sizeof msg, "pcap_findalldevs: %s", errbuf);
    return throw_coded(env, "PCAP_ERROR", msg);
  }
  if (napi_create_array(env, &list) != napi_ok) {
    pcap_freealldevs(devs);
    return NULL;
  }
  uint32_t i = 0;
  for (pcap_if_t *d = devs; d != NULL; d = d->next) {
    napi_value dev, addrs, flags;
    if (napi_create_object(env, &dev) != napi_ok || napi_create_array(env, &addrs) != napi_ok || napi_create_object(env, &flags) != napi_ok) break;
    set_str(env, dev, "name", d->name);
    set_str(env, dev, "description", d->description);
    uint32_t j = 0;
    for (pcap_addr_t *a = d->addresses; a != NULL; a = a->next) {
      napi_value o = address_object(env, a);
      if (o != NULL) napi_set_element(env, addrs, j++, o);
    }
    set_named(env, dev, "addresses", addrs);
    set_bool(env, flags, "up", (d->flags & PCAP_IF_UP) != 0);
    set_bool(env, flags, "running", (d->flags & PCAP_IF_RUNNING) != 0);
    set_bool(env, flags, "loopback", (d->flags & PCAP_IF_LOOPBACK) != 0);
    set_named(env, dev, "flags", flags);
    napi_set_element(env, list, i++, dev);
  }
  pcap_freealldevs(devs);
  return list;
}

static napi_value js_lib_version(napi_env env, napi_callback_info info) {
  napi_value v;
  if (napi_create_string_utf8(env, pcap_lib_version(), NAPI_AUTO_LENGTH, &v) != napi_ok) return NULL;
  return v;
}

static napi_value js_inject(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], out;
  bool is_ta = false;
  napi_typedarray_type type;
  size_t length, offset;
  void *bytes;
  napi_value ab;
  char msg[PCAP_ERRBUF_SIZE + 32];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 2) return throw_type(env, "inject(handle, bytes)");
  capture_t *c = unwrap(env, argv[0]);
  if (c == NULL) return NULL;
  if (napi_is_typedarray(env, argv[1], &is_ta) != napi_ok || !is_ta ||
      napi_get_typedarray_info(env, argv[1], &type, &length, &bytes, &ab, &offset) != napi_ok || type != napi_uint8_array) {
    return throw_type(env, "inject(): bytes must be a Uint8Array");
  }
  if (c->polled.closed) return throw_coded(env, "ERR_CAPTURE_CLOSED", "inject(): the capture is closed");
  lock_pcap(c);
  int n = pcap_inject(c->pcap, bytes, length);
  if (n < 0) snprintf(msg, sizeof msg, "pcap_inject: %s", pcap_geterr(c->pcap));
  unlock_pcap(c);
  if (n < 0) return throw_coded(env, "PCAP_ERROR", msg);
  if (napi_create_int32(env, n, &out) != napi_ok) return NULL;
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL},
    {"setFilter", NULL, js_set_filter, NULL, NULL, NULL, napi_enumerable, NULL},
    {"start", NULL, js_start, NULL, NULL, NULL, napi_enumerable, NULL},
    {"stats", NULL, js_stats, NULL, NULL, NULL, napi_enumerable, NULL},
    {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
    {"inject", NULL, js_inject, NULL, NULL, NULL, napi_enumerable, NULL},
    {"findAllDevs", NULL, js_find_all_devs, NULL, NULL, NULL, napi_enumerable, NULL},
    {"libVersion", NULL, js_lib_version, NULL, NULL, NULL, napi_enumerable, NULL},
    {"switchUser", NULL, rw_switch_user, NULL, NULL, NULL, napi_enumerable, NULL},
    {"lockDown", NULL, rw_lock_down, NULL, NULL, NULL, napi_enumerable, NULL},
    {"watchLink", NULL, rw_watch_link, NULL, NULL, NULL, napi_enumerable, NULL},
    {"unwatchLink", NULL, rw_unwatch_link, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  napi_value rec_fields;
  if (napi_create_uint32(env, REC_FIELDS, &rec_fields) == napi_ok) napi_set_named_property(env, exports, "RECORD_FIELDS", rec_fields);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

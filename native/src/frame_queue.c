/*
 * The capture queue between the capture thread and the main thread (frame_queue.h).
 *
 * Why: the main thread runs JavaScript (the pipeline, /metrics, timers, GC) and is not always on
 * a CPU when frames come; the kernel ring alone holds a fraction of a second at a flood's rate.
 * The capture thread reads the ring as tcpdump does and puts the frames here, where they wait for
 * the main thread.
 *
 * Chunks. A chunk is one anonymous mapping: this struct, then the records (RW_REC_FIELDS uint32
 * per frame, max_frames of them), then, page-aligned, the data area (data_bytes). Frames are
 * copied back to back into the data area; a chunk is full when it holds max_frames frames or the
 * next frame does not fit. A chunk's frames are what one JavaScript batch gets.
 *
 * Bounded. The queue is charged, per chunk, the pages its frames touched (the records' pages and
 * the data's, rounded up: what is resident), and never more than `cap` bytes in all: a frame that
 * would take it past the cap is dropped and counted (`dropped`), never lost silently. A mapping
 * that fails (no memory) drops the frame the same way.
 *
 * Elastic. Memory is taken only while frames wait: a chunk is mapped when the producer needs one
 * and, once the consumer has drained it, kept for reuse (at most RW_QUEUE_RESERVE of them) or
 * unmapped, so that what a backlog took goes back to the system when it is read. At rest the queue
 * holds the reserve; under a stall at most `cap` bytes more (and the reserve chunks' untouched
 * pages, which a reused chunk may still hold).
 *
 * Coalescing. After each read of the kernel ring the producer publishes its partial chunk only if
 * the consumer has taken every chunk before it (it is waiting: a frame is then delivered at once,
 * as before the thread). Otherwise it keeps filling the same chunk across reads, so that a stalled
 * consumer finds full chunks rather than a page-rounded chunk per read; when the consumer then
 * drains the queue it asks for the partial chunk (rw_queue_release returns 1, the capture wakes
 * the thread).
 */
#include "frame_queue.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* `n` rounded up to a multiple of `to`, a power of two. */
static size_t round_up(size_t n, size_t to) {
  return (n + to - 1) & ~(to - 1);
}

/* What a chunk with `frames` frames of `used` data bytes has touched, bytes (its header included). */
static size_t charge(const rw_frame_queue_t *q, uint32_t frames, uint32_t used) {
  return round_up(q->rec_offset + (size_t)frames * RW_REC_FIELDS * sizeof(uint32_t), q->page) + round_up(used, q->page);
}

/* Adds `n` to a counter only this thread writes: a load and a release store, no locked instruction
   (a reader's acquire load of `released` then sees at least the charges released chunks had). */
#define BUMP(counter, n) atomic_store_explicit(&(counter), atomic_load_explicit(&(counter), memory_order_relaxed) + (n), memory_order_release)

int rw_queue_init(rw_frame_queue_t *q, size_t cap, uint32_t max_frames, uint32_t data_bytes, void (*wake)(void *), void *wake_arg) {
  long ps = sysconf(_SC_PAGESIZE);
  size_t page = ps > 0 && (ps & (ps - 1)) == 0 ? (size_t)ps : 4096;
  q->page = page;
  q->cap = cap;
  q->max_frames = max_frames;
  q->data_bytes = data_bytes;
  q->rec_offset = round_up(sizeof(rw_chunk_t), 64);
  q->data_offset = round_up(q->rec_offset + (size_t)max_frames * RW_REC_FIELDS * sizeof(uint32_t), page);
  q->wake = wake;
  q->wake_arg = wake_arg;
  atomic_init(&q->charged, 0);
  atomic_init(&q->released, 0);
  atomic_init(&q->peak_bytes, 0);
  atomic_init(&q->queued, 0);
  atomic_init(&q->dropped, 0);
  return pthread_mutex_init(&q->mu, NULL);
}

size_t rw_queue_chunk_bytes(const rw_frame_queue_t *q) {
  return q->data_offset + round_up(q->data_bytes, q->page);
}

size_t rw_queue_bytes(const rw_frame_queue_t *q) {
  /* Released first: what is read as charged is then at least what was charged when it was released. */
  size_t released = atomic_load_explicit(&q->released, memory_order_acquire);
  return atomic_load_explicit(&q->charged, memory_order_acquire) - released;
}

static void unmap_list(rw_chunk_t *c) {
  while (c != NULL) {
    rw_chunk_t *next = c->next;
    munmap(c, c->map_bytes);
    c = next;
  }
}

void rw_queue_destroy(rw_frame_queue_t *q) {
  if (q->filling != NULL) unmap_list(q->filling);
  unmap_list(q->head);
  unmap_list(q->reserve);
  q->filling = q->head = q->tail = q->reserve = NULL;
  q->reserve_count = 0;
  atomic_store(&q->released, atomic_load(&q->charged));
  pthread_mutex_destroy(&q->mu);
}

/* Producer: an empty chunk, from the reserve or newly mapped; NULL when the system has no memory. */
static rw_chunk_t *acquire(rw_frame_queue_t *q) {
  pthread_mutex_lock(&q->mu);
  rw_chunk_t *c = q->reserve;
  if (c != NULL) {
    q->reserve = c->next;
    q->reserve_count--;
  }
  pthread_mutex_unlock(&q->mu);
  if (c == NULL) {
    size_t bytes = rw_queue_chunk_bytes(q);
    void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return NULL;
    c = m;
    c->map_bytes = bytes;
    c->rec = (uint32_t *)((uint8_t *)m + q->rec_offset);
    c->data = (uint8_t *)m + q->data_offset;
  }
  c->next = NULL;
  c->frames = 0;
  c->used = 0;
  c->charged = 0;
  return c;
}

/* Producer: appends the chunk being filled to the published ones and wakes the consumer. */
static void publish(rw_frame_queue_t *q) {
  rw_chunk_t *c = q->filling;
  q->filling = NULL;
  pthread_mutex_lock(&q->mu);
  if (q->tail != NULL) q->tail->next = c;
  else q->head = c;
  q->tail = c;
  q->holding = 0;
  pthread_mutex_unlock(&q->mu);
  q->wake(q->wake_arg);
}

int rw_queue_put(rw_frame_queue_t *q, const uint8_t *bytes, uint32_t caplen, uint32_t origlen, uint32_t ts_sec, uint32_t ts_nsec) {
  rw_chunk_t *c = q->filling;
  if (c != NULL && (c->frames == q->max_frames || q->data_bytes - c->used < caplen)) {
    publish(q);
    c = NULL;
  }
  uint32_t frames = c != NULL ? c->frames : 0;
  uint32_t used = c != NULL ? c->used : 0;
  size_t delta = charge(q, frames + 1, used + caplen) - (c != NULL ? c->charged : 0);
  /* Most frames fit in pages already charged: the queue does not grow, nothing to check. */
  size_t now = 0;
  if (delta > 0) {
    now = rw_queue_bytes(q) + delta;
    if (now > q->cap) {
      BUMP(q->dropped, 1);
      return 0;
    }
  }
  if (c == NULL) {
    c = acquire(q);
    if (c == NULL) {
      BUMP(q->dropped, 1);
      return 0;
    }
    q->filling = c;
  }
  memcpy(c->data + c->used, bytes, caplen);
  uint32_t *r = c->rec + (size_t)c->frames * RW_REC_FIELDS;
  r[0] = c->used;
  r[1] = caplen;
  r[2] = origlen;
  r[3] = ts_sec;
  r[4] = ts_nsec;
  c->used += caplen;
  c->frames++;
  if (delta > 0) {
    c->charged += delta;
    BUMP(q->charged, delta);
    if (now > atomic_load_explicit(&q->peak_bytes, memory_order_relaxed)) atomic_store_explicit(&q->peak_bytes, now, memory_order_relaxed);
  }
  BUMP(q->queued, 1);
  return 1;
}

void rw_queue_end_read(rw_frame_queue_t *q) {
  if (q->filling == NULL || q->filling->frames == 0) return;
  pthread_mutex_lock(&q->mu);
  int idle = q->head == NULL;
  if (!idle) q->holding = 1;
  pthread_mutex_unlock(&q->mu);
  if (idle) publish(q);
}

void rw_queue_flush(rw_frame_queue_t *q) {
  if (q->filling != NULL && q->filling->frames > 0) publish(q);
}

rw_chunk_t *rw_queue_take(rw_frame_queue_t *q) {
  pthread_mutex_lock(&q->mu);
  rw_chunk_t *c = q->head;
  if (c != NULL) {
    q->head = c->next;
    if (q->head == NULL) q->tail = NULL;
    c->next = NULL;
  }
  pthread_mutex_unlock(&q->mu);
  return c;
}

int rw_queue_release(rw_frame_queue_t *q, rw_chunk_t *c) {
  BUMP(q->released, c->charged);
  c->frames = 0;
  c->used = 0;
  c->charged = 0;
  pthread_mutex_lock(&q->mu);
  int keep = q->reserve_count < RW_QUEUE_RESERVE;
  if (keep) {
    c->next = q->reserve;
    q->reserve = c;
    q->reserve_count++;
  }
  int ask = q->head == NULL && q->holding;
  if (ask) q->holding = 0;
  pthread_mutex_unlock(&q->mu);
  if (!keep) munmap(c, c->map_bytes);
  return ask;
}

int rw_queue_pending(rw_frame_queue_t *q) {
  pthread_mutex_lock(&q->mu);
  int pending = q->head != NULL;
  pthread_mutex_unlock(&q->mu);
  return pending;
}

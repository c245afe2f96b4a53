/*
 * The capture queue: batch areas ("chunks") that the capture thread fills with frames and the main
 * thread hands to JavaScript, in order. See frame_queue.c for the rules (bounded, elastic,
 * coalescing); this header is what the capture (rstwatch_pcap.c) uses.
 *
 * Threads: one producer (the capture thread: rw_queue_put, rw_queue_end_read, rw_queue_flush) and
 * one consumer (the main thread: rw_queue_take, rw_queue_release). Each counter has one writer
 * (plain relaxed stores, no locked instruction per frame); any thread may read them
 * (rw_queue_bytes for what the queue holds).
 */
#ifndef RSTWATCH_FRAME_QUEUE_H
#define RSTWATCH_FRAME_QUEUE_H
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/** uint32 values per frame in a chunk's records: offset, capLen, origLen, tsSec, tsNsec. */
#define RW_REC_FIELDS 5

/** One batch area: frames packed back to back in `data`, RW_REC_FIELDS uint32 each in `rec`. */
typedef struct rw_chunk {
  struct rw_chunk *next;
  uint32_t frames;   /* frames in it */
  uint32_t used;     /* bytes of `data` they take */
  size_t charged;    /* bytes charged to the queue for it (the pages its frames touched) */
  size_t map_bytes;  /* the size of its mapping (it starts at the struct itself) */
  uint32_t *rec;
  uint8_t *data;
} rw_chunk_t;

/** The queue; zeroed, then rw_queue_init. */
typedef struct rw_frame_queue {
  pthread_mutex_t mu;       /* guards head, tail, reserve, holding */
  rw_chunk_t *head, *tail;  /* published chunks, oldest first */
  rw_chunk_t *reserve;      /* drained chunks kept for reuse (at most RW_QUEUE_RESERVE) */
  unsigned reserve_count;
  int holding;              /* the producer keeps frames unpublished (the consumer was busy) */

  rw_chunk_t *filling;      /* producer only: the chunk being filled, not yet published */
  size_t cap;               /* bytes the queue may be charged at most */
  uint32_t max_frames;      /* frames per chunk */
  uint32_t data_bytes;      /* data bytes per chunk */
  size_t rec_offset;        /* offset of `rec` in a chunk's mapping */
  size_t data_offset;       /* offset of `data` (page-aligned) */
  size_t page;              /* the page size (a power of two) */

  void (*wake)(void *arg);  /* called by the producer after publishing (uv_async_send) */
  void *wake_arg;

  _Atomic size_t charged;        /* producer: bytes ever charged (chunks' pages as frames touched them) */
  _Atomic size_t released;       /* consumer: bytes ever given back (drained chunks' charges) */
  _Atomic size_t peak_bytes;     /* producer: the most the queue held (charged - released) */
  _Atomic uint64_t queued;       /* producer: frames put in, cumulative */
  _Atomic uint64_t dropped;      /* producer: frames it had no room for, cumulative */
} rw_frame_queue_t;

/** Chunks kept for reuse once drained; more are unmapped (the memory goes back to the system). */
#define RW_QUEUE_RESERVE 2

/** Sets up `q` (zeroed); 0 or an errno value. */
int rw_queue_init(rw_frame_queue_t *q, size_t cap, uint32_t max_frames, uint32_t data_bytes, void (*wake)(void *), void *wake_arg);
/** Unmaps every chunk and destroys the mutex; no thread may use `q` any more. */
void rw_queue_destroy(rw_frame_queue_t *q);
/** Bytes the queue holds now: the pages of published chunks and of the one being filled. */
size_t rw_queue_bytes(const rw_frame_queue_t *q);
/** Bytes a chunk's mapping takes at most (what a reserve chunk may hold resident). */
size_t rw_queue_chunk_bytes(const rw_frame_queue_t *q);

/** Producer: appends one frame (`caplen` bytes, `caplen` <= data_bytes); 1 when queued, 0 when dropped (counted). */
int rw_queue_put(rw_frame_queue_t *q, const uint8_t *bytes, uint32_t caplen, uint32_t origlen, uint32_t ts_sec, uint32_t ts_nsec);
/**
 * Producer, after a read of what the kernel had: publishes the chunk being filled if the consumer
 * has taken everything (so that a frame never waits for more to come), else keeps filling it (the
 * consumer is busy: chunks fill up instead of taking a page per read) and leaves it to the
 * consumer to ask for it (rw_queue_release returns 1).
 */
void rw_queue_end_read(rw_frame_queue_t *q);
/** Producer: publishes the chunk being filled, whatever the consumer is doing (the thread ends). */
void rw_queue_flush(rw_frame_queue_t *q);

/** Consumer: the oldest published chunk, or NULL; hand it back with rw_queue_release. */
rw_chunk_t *rw_queue_take(rw_frame_queue_t *q);
/**
 * Consumer: returns a taken chunk (kept for reuse or unmapped). Returns 1 when the queue is now
 * empty while the producer keeps frames unpublished: the consumer must then wake the producer,
 * whose next rw_queue_end_read publishes them.
 */
int rw_queue_release(rw_frame_queue_t *q, rw_chunk_t *c);
/** True while published chunks wait (the consumer has more to take). */
int rw_queue_pending(rw_frame_queue_t *q);

#endif

/*
 * The capture thread: reads a libpcap handle as tcpdump does (it blocks in poll() on the capture
 * socket and pcap_dispatch()es what the kernel has) into the capture queue (frame_queue.h), so that
 * the kernel ring is emptied while the main thread runs JavaScript, collects garbage or waits for
 * a CPU. See capture_thread.c.
 */
#ifndef RSTWATCH_CAPTURE_THREAD_H
#define RSTWATCH_CAPTURE_THREAD_H
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdatomic.h>

#include "frame_queue.h"

/** Why the thread stopped on its own. */
enum rw_reader_fault { RW_FAULT_NONE = 0, RW_FAULT_PCAP = 1, RW_FAULT_POLL = 2 };

/** A capture's reader; zeroed, then rw_reader_init. */
typedef struct rw_reader {
  pcap_t *pcap;
  pthread_mutex_t pcap_mu;   /* one libpcap call at a time: the thread's reads, the main thread's stats, filter, inject */
  rw_frame_queue_t queue;
  int nano;                  /* timestamps are nanoseconds (else microseconds) */
  uint32_t max_frames;       /* frames per pcap_dispatch call */
  int ctl_fd;                /* eventfd: the main thread wakes the thread (stop, or hand on what you hold) */
  int inited;                /* rw_reader_init succeeded: rw_reader_destroy has something to free */
  _Atomic int stop;
  pthread_t thread;
  int running;               /* created and not yet joined */
  /* Written by the thread before it ends on a fault, then `fault` is stored (release): read them
     after loading `fault` (acquire). */
  _Atomic int fault;         /* enum rw_reader_fault */
  short poll_events;         /* RW_FAULT_POLL: the revents that ended it */
  char fault_message[PCAP_ERRBUF_SIZE + 64];
} rw_reader_t;

/** Sets up `r` (zeroed) for `pcap`; 0 or an errno value. The queue wakes the consumer with `wake(wake_arg)`. */
int rw_reader_init(rw_reader_t *r, pcap_t *pcap, int nano, uint32_t max_frames, size_t queue_cap, uint32_t chunk_data_bytes, void (*wake)(void *),
                   void *wake_arg);
/** Starts the thread (signals blocked in it); 0 or an errno value. */
int rw_reader_start(rw_reader_t *r);
/** Asks the thread to hand on the frames it holds (rw_queue_release said so). */
void rw_reader_nudge(rw_reader_t *r);
/** Stops the thread and waits for it to end; idempotent. */
void rw_reader_stop(rw_reader_t *r);
/** Frees the queue and the eventfd; the thread must be stopped. Idempotent. */
void rw_reader_destroy(rw_reader_t *r);

#endif

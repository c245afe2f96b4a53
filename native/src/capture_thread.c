/*
 * The capture thread (capture_thread.h).
 *
 * Loop. poll() on the capture socket and the control eventfd, with a timeout (POLL_TIMEOUT_MS) as
 * a safety net: the main thread stops the thread through the eventfd. When the socket is readable
 * the thread pcap_dispatch()es until libpcap has nothing more, each frame copied into the queue
 * (frame_queue.c: bounded, frames beyond the cap dropped and counted), then ends the read
 * (rw_queue_end_read). The handle is non-blocking, so a dispatch never waits.
 *
 * libpcap is not thread-safe: every call on the handle, here and on the main thread (stats,
 * setFilter, inject), holds `pcap_mu`. The thread takes it per pcap_dispatch call (at most
 * max_frames frames), so a stats() waits at most that long.
 *
 * Faults. When the interface goes down or away the kernel sets ENETDOWN on the packet socket:
 * poll() reports POLLERR, or pcap_dispatch() returns PCAP_ERROR with libpcap's message. The thread
 * reads what is left, hands it on (rw_queue_flush), records the fault, wakes the main thread and
 * ends: the main thread delivers every frame read before the fault, then reports it once.
 *
 * Privileges. The thread is created on the main thread, before or after the switch of user and
 * the lock-down (native/src/privileges.c): setuid() reaches it (glibc signals every thread), it
 * holds no capability (it needs none: the socket is open), and the seccomp filter is on it either
 * way (TSYNC before, inherited after; pthread_create's clone3 answers ENOSYS, glibc falls back to
 * clone with thread flags, which the filter allows). poll() interrupted by glibc's setxid signal
 * is retried. Every other signal is blocked in the thread, so the main thread handles them.
 */
#define _GNU_SOURCE
#include "capture_thread.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* poll() timeout, ms: the eventfd stops the thread at once; this bounds a lost wake-up. */
#define POLL_TIMEOUT_MS 1000
/* The thread's stack: poll, libpcap's read path and the queue need a few KiB. */
#define STACK_BYTES (256 * 1024)
/* The thread's name (ps -L, /proc/PID/task/TID/comm; at most 15 characters). */
#define THREAD_NAME "rstwatch-cap"

int rw_reader_init(rw_reader_t *r, pcap_t *pcap, int nano, uint32_t max_frames, size_t queue_cap, uint32_t chunk_data_bytes, void (*wake)(void *),
                   void *wake_arg) {
  r->pcap = pcap;
  r->nano = nano;
  r->max_frames = max_frames;
  r->ctl_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (r->ctl_fd < 0) return errno;
  int rc = pthread_mutex_init(&r->pcap_mu, NULL);
  if (rc == 0) {
    rc = rw_queue_init(&r->queue, queue_cap, max_frames, chunk_data_bytes, wake, wake_arg);
    if (rc != 0) pthread_mutex_destroy(&r->pcap_mu);
  }
  if (rc != 0) {
    close(r->ctl_fd);
    r->ctl_fd = -1;
    return rc;
  }
  atomic_init(&r->stop, 0);
  atomic_init(&r->fault, RW_FAULT_NONE);
  r->inited = 1;
  return 0;
}

/* pcap_dispatch callback: one frame into the queue. */
static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes) {
  rw_reader_t *r = (rw_reader_t *)user;
  uint32_t cap = h->caplen;
  /* Cannot happen (a chunk holds at least two snapshots), kept as a guard. */
  if (cap > r->queue.data_bytes) cap = r->queue.data_bytes;
  uint32_t nsec = r->nano ? (uint32_t)h->ts.tv_usec : (uint32_t)h->ts.tv_usec * 1000u;
  rw_queue_put(&r->queue, bytes, cap, h->len, (uint32_t)h->ts.tv_sec /* unsigned: good until 2106 */, nsec);
}

/* Reads what the kernel has; 0, or -1 after PCAP_ERROR (its message in fault_message). */
static int read_ring(rw_reader_t *r) {
  while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
    pthread_mutex_lock(&r->pcap_mu);
    int n = pcap_dispatch(r->pcap, (int)r->max_frames, on_packet, (u_char *)r);
    if (n == PCAP_ERROR) snprintf(r->fault_message, sizeof r->fault_message, "%s", pcap_geterr(r->pcap));
    pthread_mutex_unlock(&r->pcap_mu);
    if (n == PCAP_ERROR) return -1;
    if (n <= 0) return 0; /* nothing more for now (PCAP_ERROR_BREAK: nobody breaks the loop) */
  }
  return 0;
}

/* Hands on what was read, records the fault and wakes the main thread (in that order: see the header). */
static void end_with_fault(rw_reader_t *r, enum rw_reader_fault fault) {
  rw_queue_flush(&r->queue);
  atomic_store_explicit(&r->fault, fault, memory_order_release);
  r->queue.wake(r->queue.wake_arg);
}

static void *run(void *arg) {
  rw_reader_t *r = arg;
  struct pollfd fds[2] = {{pcap_get_selectable_fd(r->pcap), POLLIN, 0}, {r->ctl_fd, POLLIN, 0}};
  while (!atomic_load_explicit(&r->stop, memory_order_acquire)) {
    int n = poll(fds, 2, POLL_TIMEOUT_MS);
    if (n < 0) {
      if (errno == EINTR) continue; /* glibc's setxid signal, a switch of user on the main thread */
      snprintf(r->fault_message, sizeof r->fault_message, "poll: %s", strerror(errno));
      end_with_fault(r, RW_FAULT_PCAP);
      return NULL;
    }
    if (fds[1].revents & POLLIN) {
      uint64_t v;
      ssize_t got = read(r->ctl_fd, &v, sizeof v);
      (void)got; /* EAGAIN: another read took it; the value does not matter */
    }
    if (atomic_load_explicit(&r->stop, memory_order_acquire)) break;
    /* Read on a nudge too: it asks for what is held, and more may have come. */
    if (read_ring(r) != 0) {
      end_with_fault(r, RW_FAULT_PCAP);
      return NULL;
    }
    rw_queue_end_read(&r->queue);
    if (fds[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
      /* libpcap 1.10 in non-blocking mode does not report a downed interface itself (it waits
         for it to come back); the kernel has: the main thread says what happened. */
      r->poll_events = fds[0].revents;
      end_with_fault(r, RW_FAULT_POLL);
      return NULL;
    }
  }
  rw_queue_flush(&r->queue);
  return NULL;
}

int rw_reader_start(rw_reader_t *r) {
  pthread_attr_t attr;
  sigset_t all, old;
  int rc = pthread_attr_init(&attr);
  if (rc != 0) return rc;
  pthread_attr_setstacksize(&attr, STACK_BYTES);
  sigfillset(&all);
  /* The thread inherits this mask: signals go to the threads that handle them (Node's). */
  pthread_sigmask(SIG_SETMASK, &all, &old);
  rc = pthread_create(&r->thread, &attr, run, r);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  pthread_attr_destroy(&attr);
  if (rc != 0) return rc;
  r->running = 1;
  pthread_setname_np(r->thread, THREAD_NAME);
  return 0;
}

void rw_reader_nudge(rw_reader_t *r) {
  uint64_t one = 1;
  ssize_t n = write(r->ctl_fd, &one, sizeof one);
  (void)n; /* EAGAIN: the counter is full, the thread will wake anyway */
}

void rw_reader_stop(rw_reader_t *r) {
  if (!r->running) return;
  atomic_store_explicit(&r->stop, 1, memory_order_release);
  rw_reader_nudge(r);
  pthread_join(r->thread, NULL);
  r->running = 0;
}

void rw_reader_destroy(rw_reader_t *r) {
  if (!r->inited) return;
  r->inited = 0;
  rw_queue_destroy(&r->queue);
  pthread_mutex_destroy(&r->pcap_mu);
  close(r->ctl_fd);
  r->ctl_fd = -1;
}

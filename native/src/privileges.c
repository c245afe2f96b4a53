/*
 * Dropping privileges once the capture is open (Linux only).
 *
 * switchUser(uid, gid) switches from root to an unprivileged user while keeping the capture
 * capability, so that a capture that fails (the interface went away) can be reopened after the
 * switch, unlike `tcpdump -Z`:
 *   1. prctl(PR_SET_KEEPCAPS) keeps the permitted set across setuid();
 *   2. every capability but CAP_NET_RAW leaves the bounding set (PR_CAPBSET_DROP; needs
 *      CAP_SETPCAP: without it the bounding set stays as it was, and the call says so);
 *   3. setgroups, setgid, setuid, in the order that leaves no way back;
 *   4. capset() leaves exactly CAP_NET_RAW permitted and effective, nothing inheritable;
 *   5. PR_SET_KEEPCAPS is cleared again.
 * It returns true when the bounding set was narrowed to CAP_NET_RAW. Promiscuous mode needs nothing
 * more: Linux sets it through the packet socket (PACKET_ADD_MEMBERSHIP, PACKET_MR_PROMISC), which
 * checks no capability beyond the CAP_NET_RAW the socket itself needs.
 *
 * Capabilities, the bounding set and KEEPCAPS are per thread: this is the JavaScript main thread,
 * the one that opens captures. setuid() applies to every thread (glibc), and the other threads
 * (libuv's pool, V8's helpers, a capture thread) lose every capability with it. A capture thread
 * started later (a reopened capture) inherits the main thread's credentials, CAP_NET_RAW with
 * them; the filter below denies capset, so it keeps it (it needs none).
 *
 * The filter suits the capture thread (capture_thread.c): it polls, reads, maps memory and takes
 * mutexes; pthread_create's clone3 answers ENOSYS here and glibc then uses clone with thread flags
 * (no namespace flag), so a capture thread starts after lockDown as before it.
 *
 * lockDown() sets no_new_privs and installs a seccomp filter on every thread of the process
 * (SECCOMP_FILTER_FLAG_TSYNC, which also carries no_new_privs to every thread: prctl alone would
 * set it on the calling thread only). The filter is a deny-list of what the daemon never does:
 * namespaces, mounts, modules, kexec, bpf, perf events, userfaultfd, keyrings, ptrace and the
 * cross-process memory calls, clocks, host names, identity changes (setuid and friends, capset).
 * Denied calls fail with EPERM; clone3 and io_uring_setup fail with ENOSYS, so that glibc falls
 * back to clone (whose namespace flags the filter checks) and libuv to its thread pool. A deny-list
 * rather than an allow-list: the calls Node, libuv and glibc make change from version to version,
 * and a missing entry in an allow-list would kill the daemon on an upgrade. It returns true when the
 * filter is installed, false on an architecture this file has no filter for (no_new_privs is then
 * set on the calling thread only).
 */
#include "privileges.h"

#include <errno.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static napi_value fail(napi_env env, const char *code, const char *what) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(errno));
  napi_throw_error(env, code, msg);
  return NULL;
}

static napi_value boolean(napi_env env, int b) {
  napi_value v;
  if (napi_get_boolean(env, b != 0, &v) != napi_ok) return NULL;
  return v;
}

/* Drops every capability but CAP_NET_RAW from the bounding set: 1 done, 0 not allowed (no CAP_SETPCAP), -1 error. */
static int narrow_bounding_set(void) {
  for (int cap = 0; cap < 64; cap++) {
    int in = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
    if (in < 0) break; /* EINVAL: past the last capability this kernel knows */
    if (in == 0 || cap == CAP_NET_RAW) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) return errno == EPERM ? 0 : -1;
  }
  return 1;
}

napi_value rw_switch_user(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  uint32_t uid = 0, gid = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 || napi_get_value_uint32(env, argv[0], &uid) != napi_ok ||
      napi_get_value_uint32(env, argv[1], &gid) != napi_ok) {
    napi_throw_type_error(env, NULL, "switchUser(uid, gid) takes two numbers");
    return NULL;
  }
  const char *code = "ERR_SWITCH_USER";
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return fail(env, code, "prctl(PR_SET_KEEPCAPS)");
  int narrowed = narrow_bounding_set();
  if (narrowed < 0) return fail(env, code, "prctl(PR_CAPBSET_DROP)");
  gid_t groups[1] = {(gid_t)gid};
  if (setgroups(1, groups) != 0) return fail(env, code, "setgroups");
  if (setgid((gid_t)gid) != 0) return fail(env, code, "setgid");
  if (setuid((uid_t)uid) != 0) return fail(env, code, "setuid");
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
  memset(data, 0, sizeof data);
  data[0].permitted = 1u << CAP_NET_RAW;
  data[0].effective = 1u << CAP_NET_RAW;
  if (syscall(SYS_capset, &hdr, data) != 0) return fail(env, code, "capset(CAP_NET_RAW)");
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) return fail(env, code, "prctl(PR_SET_KEEPCAPS, 0)");
  return boolean(env, narrowed);
}

#if defined(__x86_64__)
#define RW_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define RW_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

#ifdef RW_AUDIT_ARCH

#define DENY(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM)
#define NOSYS(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS)
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG0_LOW offsetof(struct seccomp_data, args[0])
#else
#define ARG0_LOW (offsetof(struct seccomp_data, args[0]) + 4)
#endif
/* Namespace flags of clone() (CLONE_NEWTIME is 0x80, inside clone()'s exit-signal byte: clone3 and unshare only). */
#define CLONE_NAMESPACES (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP)

static const struct sock_filter FILTER[] = {
  BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, RW_AUDIT_ARCH, 1, 0),
  BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM), /* another ABI (i386 or arm32 compat calls) */
  BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#ifdef __X32_SYSCALL_BIT
  BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, __X32_SYSCALL_BIT, 0, 1),
  BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM), /* the x32 ABI */
#endif
  /* namespaces and mounts */
  DENY(__NR_unshare), DENY(__NR_setns), DENY(__NR_mount), DENY(__NR_umount2), DENY(__NR_pivot_root), DENY(__NR_chroot),
#ifdef __NR_open_tree
  DENY(__NR_open_tree), DENY(__NR_move_mount), DENY(__NR_fsopen), DENY(__NR_fsconfig), DENY(__NR_fsmount), DENY(__NR_fspick),
#endif
#ifdef __NR_mount_setattr
  DENY(__NR_mount_setattr),
#endif
  /* the kernel's own state: modules, kexec, swap, reboot, accounting, quotas, the log, clocks, names */
  DENY(__NR_init_module), DENY(__NR_finit_module), DENY(__NR_delete_module), DENY(__NR_kexec_load),
#ifdef __NR_kexec_file_load
  DENY(__NR_kexec_file_load),
#endif
  DENY(__NR_swapon), DENY(__NR_swapoff), DENY(__NR_reboot), DENY(__NR_acct), DENY(__NR_quotactl), DENY(__NR_syslog),
  DENY(__NR_settimeofday), DENY(__NR_clock_settime), DENY(__NR_clock_adjtime), DENY(__NR_adjtimex), DENY(__NR_sethostname),
  DENY(__NR_setdomainname), DENY(__NR_vhangup), DENY(__NR_open_by_handle_at),
#ifdef __NR_iopl
  DENY(__NR_iopl), DENY(__NR_ioperm),
#endif
#ifdef __NR_modify_ldt
  DENY(__NR_modify_ldt),
#endif
#ifdef __NR_uselib
  DENY(__NR_uselib),
#endif
  /* kernel attack surface the daemon never uses */
  DENY(__NR_bpf), DENY(__NR_perf_event_open), DENY(__NR_userfaultfd), DENY(__NR_keyctl), DENY(__NR_add_key), DENY(__NR_request_key),
  NOSYS(__NR_io_uring_setup),
  /* other processes: tracing, their memory, their descriptors */
  DENY(__NR_ptrace), DENY(__NR_process_vm_readv), DENY(__NR_process_vm_writev), DENY(__NR_kcmp),
#ifdef __NR_process_madvise
  DENY(__NR_process_madvise),
#endif
#ifdef __NR_process_mrelease
  DENY(__NR_process_mrelease),
#endif
#ifdef __NR_pidfd_getfd
  DENY(__NR_pidfd_getfd),
#endif
  /* identity: rstwatch switched users already */
  DENY(__NR_setuid), DENY(__NR_setgid), DENY(__NR_setreuid), DENY(__NR_setregid), DENY(__NR_setresuid), DENY(__NR_setresgid),
  DENY(__NR_setgroups), DENY(__NR_setfsuid), DENY(__NR_setfsgid), DENY(__NR_capset),
  /* new processes and threads: clone3's flags are out of reach (a pointer), clone's namespace flags are not */
  NOSYS(__NR_clone3),
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 0, 3),
  BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_LOW),
  BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NAMESPACES, 0, 1),
  BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
  BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

/* Installs FILTER on every thread; 0 or -1 with errno (a positive return of seccomp() is a thread that could not sync). */
static int install_filter(void) {
  struct sock_fprog prog = {(unsigned short)(sizeof FILTER / sizeof FILTER[0]), (struct sock_filter *)FILTER};
  long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog);
  if (rc > 0) errno = EBUSY;
  return rc == 0 ? 0 : -1;
}
#endif

napi_value rw_lock_down(napi_env env, napi_callback_info info) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return fail(env, "ERR_LOCK_DOWN", "prctl(PR_SET_NO_NEW_PRIVS)");
#ifdef RW_AUDIT_ARCH
  if (install_filter() != 0) return fail(env, "ERR_LOCK_DOWN", "seccomp(SECCOMP_SET_MODE_FILTER, TSYNC)");
  return boolean(env, 1);
#else
  return boolean(env, 0);
#endif
}

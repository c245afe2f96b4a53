/**
 * Dropping root once the capture is open, as `tcpdump -Z` does: the capture socket stays open,
 * the process runs on as an unprivileged user. Unlike tcpdump, the switch keeps CAP_NET_RAW on the
 * main thread, through the native addon, so that a capture lost with its interface can be reopened
 * when the interface returns; the bounding set is narrowed to CAP_NET_RAW as well. Then, whatever
 * the user, the process is locked down: no_new_privs and a seccomp deny-list on every thread
 * (native/src/privileges.c says what it denies and why).
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { loadNativeBinding, type NativeBinding } from '../capture/native-binding.js';
import { RstwatchError } from '../base/errors.js';
import { describePrivileges, hasCapability, readOwnPrivileges, type Capability, type ProcessPrivileges } from './process-privileges.js';

/** A user's ids, from /etc/passwd. */
export interface UserIds {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** Looks `user` (a name or a numeric id) up in /etc/passwd (`passwd` text, for tests). */
export function lookUpUser(user: string, passwd = readFileSync('/etc/passwd', 'utf8')): UserIds {
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f.length < 4) continue;
    if (f[0] === user || f[2] === user) return { name: f[0], uid: Number(f[2]), gid: Number(f[3]) };
  }
  if (/^\d+$/.test(user)) return { name: user, uid: Number(user), gid: Number(user) };
  throw new RstwatchError('RSTWATCH_ERR_CONFIG', `--user: no user '${user}' in /etc/passwd`, {
    hint: 'name an existing unprivileged user (e.g. nobody), or run rstwatch as that user with CAP_NET_RAW',
  });
}

/** What `dropPrivileges` did. */
export type Dropped =
  /** Not started as root: nothing to switch from. */
  | { readonly kind: 'not-root' }
  /** --user names root (or uid 0): rstwatch stays root, with every capability. */
  | { readonly kind: 'kept-root'; readonly user: UserIds }
  /**
   * Switched to `user`. `keptCaptureCapability`: CAP_NET_RAW kept (the native switch; false after
   * a plain setuid without the addon). `boundingNarrowed`: the bounding set is CAP_NET_RAW alone
   * (false when CAP_SETPCAP was missing to narrow it).
   */
  | { readonly kind: 'switched'; readonly user: UserIds; readonly keptCaptureCapability: boolean; readonly boundingNarrowed: boolean };

/** The capabilities a switch of users needs in the effective set. */
const SWITCH_NEEDS: readonly Capability[] = ['CAP_SETUID', 'CAP_SETGID'];

const SWITCH_HINT =
  'start rstwatch as root with CAP_SETUID and CAP_SETGID besides CAP_NET_RAW (in a container: capabilities.add ' +
  '[NET_RAW, SETUID, SETGID]), or as the unprivileged user itself with CAP_NET_RAW as a file capability (docs/live.md)';

/** Throws RSTWATCH_ERR_PRIVILEGES naming the capabilities `p` lacks to switch to `ids`. */
export function checkCanSwitch(ids: UserIds, p: ProcessPrivileges): void {
  const missing = SWITCH_NEEDS.filter((c) => !hasCapability(p.effective, c));
  if (missing.length === 0) return;
  throw new RstwatchError(
    'RSTWATCH_ERR_PRIVILEGES',
    `--user ${ids.name}: cannot switch from root to uid ${ids.uid}: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing from rstwatch's capabilities`,
    { hint: SWITCH_HINT },
  );
}

function nativeOrUndefined(): NativeBinding | undefined {
  try {
    return loadNativeBinding();
  } catch {
    return undefined; // the cap backend without a built addon
  }
}

/**
 * When running as root, switches to `user` (supplementary groups, then group, then user: the
 * order that leaves no way back), keeping CAP_NET_RAW when the native addon is there (see the
 * module comment). Throws RSTWATCH_ERR_CONFIG for a user that does not exist, and
 * RSTWATCH_ERR_PRIVILEGES when the switch cannot be made (naming a missing capability).
 */
export function dropPrivileges(user: string, privileges: () => ProcessPrivileges = readOwnPrivileges): Dropped {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return { kind: 'not-root' };
  const ids = lookUpUser(user);
  if (ids.uid === 0) return { kind: 'kept-root', user: ids };
  checkCanSwitch(ids, privileges());
  const native = nativeOrUndefined();
  try {
    if (native) return { kind: 'switched', user: ids, keptCaptureCapability: true, boundingNarrowed: native.switchUser(ids.uid, ids.gid) };
    process.setgroups?.([ids.gid]);
    process.setgid?.(ids.gid);
    process.setuid?.(ids.uid);
    return { kind: 'switched', user: ids, keptCaptureCapability: false, boundingNarrowed: false };
  } catch (err) {
    throw new RstwatchError('RSTWATCH_ERR_PRIVILEGES', `--user ${ids.name}: cannot switch to uid ${ids.uid}: ${(err as Error).message}`, {
      hint: SWITCH_HINT,
      cause: err,
    });
  }
}

/** What `lockDown` did: applied (with or without the seccomp filter), or why not. */
export type LockDown = { readonly applied: true; readonly seccomp: boolean } | { readonly applied: false; readonly reason: string };

/**
 * Sets no_new_privs and installs the seccomp deny-list on every thread (native/src/privileges.c).
 * Never throws: without the addon, or on a kernel that refuses, it says why and rstwatch runs on
 * with what the user switch left.
 */
export function lockDown(): LockDown {
  const native = nativeOrUndefined();
  if (native === undefined) return { applied: false, reason: 'the native addon is not built' };
  try {
    return { applied: true, seccomp: native.lockDown() };
  } catch (err) {
    return { applied: false, reason: (err as Error).message };
  }
}

/**
 * Switches to `user` when root (warning when that is root itself), locks the process down, and
 * logs what remains as the kernel reports it. Throws RSTWATCH_ERR_PRIVILEGES when the switch fails.
 */
export function dropAndLockDown(user: string, log: Logger): void {
  const dropped = dropPrivileges(user);
  if (dropped.kind === 'kept-root') {
    log.warn(
      { event: 'privileges_kept', user: dropped.user.name },
      `--user ${dropped.user.name}: rstwatch keeps running as root with every capability; name an unprivileged user (the default is nobody) to keep only CAP_NET_RAW`,
    );
  }
  const locked = lockDown();
  if (!locked.applied) log.warn({ event: 'lockdown_failed', detail: locked.reason }, `no_new_privs and the seccomp filter are not applied: ${locked.reason}`);
  const now = describePrivileges(readOwnPrivileges());
  const as = dropped.kind === 'not-root' ? `uid ${now.uid}` : dropped.user.name;
  log.info(
    {
      event: 'privileges',
      user: as,
      switched: dropped.kind === 'switched',
      ...(dropped.kind === 'switched' ? { kept_capture_capability: dropped.keptCaptureCapability } : {}),
      ...now,
      seccomp_all_threads: locked.applied && locked.seccomp,
    },
    `running as ${as} with ${now.cap_effective.join(', ') || 'no capability'}; bounding set ${now.cap_bounding.join(', ') || 'empty'}; ` +
      `no_new_privs ${now.no_new_privs ? 'on' : 'off'}; seccomp ${now.seccomp}`,
  );
}

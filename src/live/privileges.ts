/**
 * Dropping root once the capture is open, as `tcpdump -Z` does: the capture socket stays open,
 * the process runs on as an unprivileged user. Unlike tcpdump, the switch keeps CAP_NET_RAW (and
 * CAP_NET_ADMIN with --promiscuous) on the main thread, through the native addon, so that a
 * capture lost with its interface can be reopened when the interface returns.
 */
import { readFileSync } from 'node:fs';
import { loadNativeBinding } from '../capture/native-binding.js';
import { RstwatchError } from '../base/errors.js';

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
export interface Dropped extends UserIds {
  /** True when the capture capabilities were kept (the native switch); false after a plain setuid. */
  readonly keptCaptureCapability: boolean;
}

/**
 * When running as root, switches to `user` (supplementary groups, then group, then user: the
 * order that leaves no way back), keeping the capture capabilities when the native addon is there
 * (see the module comment). Returns what it did, or undefined when not root.
 */
export function dropPrivileges(user: string, keepNetAdmin: boolean): Dropped | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const ids = lookUpUser(user);
  if (ids.uid === 0) return undefined;
  let native: ReturnType<typeof loadNativeBinding> | undefined;
  try {
    native = loadNativeBinding();
  } catch {
    native = undefined; // the cap backend without a built addon: a plain switch
  }
  try {
    if (native) {
      native.switchUser(ids.uid, ids.gid, keepNetAdmin);
      return { ...ids, keptCaptureCapability: true };
    }
    process.setgroups?.([ids.gid]);
    process.setgid?.(ids.gid);
    process.setuid?.(ids.uid);
    return { ...ids, keptCaptureCapability: false };
  } catch (err) {
    throw new RstwatchError('RSTWATCH_ERR_CONFIG', `--user: cannot switch to '${ids.name}' (uid ${ids.uid}): ${(err as Error).message}`, {
      hint: 'give an existing unprivileged user, or start rstwatch as that user with CAP_NET_RAW',
      cause: err,
    });
  }
}

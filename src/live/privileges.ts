/**
 * Dropping root once the capture is open, as `tcpdump -Z` does: the capture socket stays open,
 * the process runs on as an unprivileged user.
 */
import { readFileSync } from 'node:fs';
import { RstwatchError } from '../errors.js';

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

/**
 * When running as root, switches to `user` (supplementary groups, then group, then user: the
 * order that leaves no way back). Returns the user switched to, or undefined when not root.
 */
export function dropPrivileges(user: string): UserIds | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const ids = lookUpUser(user);
  if (ids.uid === 0) return undefined;
  process.setgroups?.([ids.gid]);
  process.setgid?.(ids.gid);
  process.setuid?.(ids.uid);
  return ids;
}

/**
 * Finds the processes that hold given sockets: every /proc/<pid>/fd/<n> is a symlink whose target
 * reads `socket:[<inode>]` for a socket, and the inode is the one /proc/net/tcp prints. For each
 * holder it reads the name (/proc/<pid>/comm), the number of open descriptors (entries of
 * /proc/<pid>/fd) and the open-files limit (/proc/<pid>/limits "Max open files").
 *
 * Reading another user's /proc/<pid>/fd needs CAP_SYS_PTRACE (or the same uid and a dumpable
 * process); such processes are listed in `unreadablePids` so the caller can say what it could not
 * see. Processes that exit during the scan are skipped silently. Threads are not scanned (they
 * share their leader's descriptor table). The scan is bounded (`maxProcesses`, `maxFds`); when a
 * bound stops it, `truncated` says so.
 */
import { readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/** A process holding a socket. */
export interface SocketOwner {
  pid: number;
  /** Process name from /proc/<pid>/comm (at most 15 characters, the kernel's cut). */
  comm: string;
  /** Open file descriptors, count. */
  openFds: number;
  /** RLIMIT_NOFILE soft limit, descriptors; Infinity for "unlimited"; null when limits was unreadable. */
  nofileSoft: number | null;
  /** RLIMIT_NOFILE hard limit, descriptors; as `nofileSoft`. */
  nofileHard: number | null;
}

/** What `readSocketOwners` found. */
export interface SocketOwnersRead {
  /** Socket inode -> its holders (several after fork, or for SO_REUSEPORT groups each its own inode). */
  owners: Map<number, SocketOwner[]>;
  /** Processes whose descriptors could not be read (EACCES/EPERM), ascending. */
  unreadablePids: number[];
  /** True when `maxProcesses` or `maxFds` stopped the scan before it saw every process. */
  truncated: boolean;
  processesScanned: number;
  fdsScanned: number;
}

/** Bounds of the scan. */
export interface SocketOwnersOptions {
  /** Stop after this many processes (default 8192). */
  maxProcesses?: number;
  /** Stop after this many descriptors in all (default 262144). */
  maxFds?: number;
}

/** Parses an fd symlink target: the inode of `socket:[12345]`, or -1 for anything else. Pure. */
export function parseSocketLink(target: string): number {
  const m = /^socket:\[(\d+)\]$/.exec(target);
  return m ? Number(m[1]) : -1;
}

/** Open-files limits of a process. */
export interface NofileLimits {
  soft: number;
  hard: number;
}

/**
 * Parses /proc/<pid>/limits text for "Max open files" (`unlimited` -> Infinity); null when the line
 * is missing or unreadable. Pure. The other limits are deliberately ignored.
 */
export function parseNofileLimits(text: string): NofileLimits | null {
  const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)\b/m.exec(text);
  if (!m) return null;
  const n = (s: string): number => (s === 'unlimited' ? Infinity : Number(s));
  return { soft: n(m[1]), hard: n(m[2]) };
}

function isDenied(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM';
}

/** Scans `<procRoot>/<pid>/fd` for the sockets in `inodes` and describes their holders. */
export async function readSocketOwners(inodes: ReadonlySet<number>, procRoot = '/proc', options: SocketOwnersOptions = {}): Promise<SocketOwnersRead> {
  const maxProcesses = options.maxProcesses ?? 8192;
  const maxFds = options.maxFds ?? 262_144;
  const result: SocketOwnersRead = { owners: new Map(), unreadablePids: [], truncated: false, processesScanned: 0, fdsScanned: 0 };
  if (inodes.size === 0) return result;
  const pids = (await readdir(procRoot))
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .sort((a, b) => a - b);
  for (const pid of pids) {
    if (result.processesScanned >= maxProcesses || result.fdsScanned >= maxFds) {
      result.truncated = true;
      break;
    }
    result.processesScanned++;
    const fdDir = join(procRoot, String(pid), 'fd');
    let fds: string[];
    try {
      fds = await readdir(fdDir);
    } catch (err) {
      if (isDenied(err)) result.unreadablePids.push(pid);
      continue; // ENOENT: exited; anything else: nothing to learn here
    }
    const openFds = fds.length;
    const room = maxFds - result.fdsScanned;
    if (fds.length > room) {
      fds = fds.slice(0, room);
      result.truncated = true;
    }
    result.fdsScanned += fds.length;
    const targets = await Promise.all(fds.map((fd) => readlink(join(fdDir, fd)).catch(() => '')));
    const held = new Set<number>();
    for (const t of targets) {
      const ino = parseSocketLink(t);
      if (ino >= 0 && inodes.has(ino)) held.add(ino);
    }
    if (held.size === 0) continue;
    const [comm, limitsText] = await Promise.all([
      readFile(join(procRoot, String(pid), 'comm'), 'utf8').catch(() => ''),
      readFile(join(procRoot, String(pid), 'limits'), 'utf8').catch(() => ''),
    ]);
    const limits = parseNofileLimits(limitsText);
    const owner: SocketOwner = {
      pid,
      comm: comm.replace(/\n$/, ''),
      openFds,
      nofileSoft: limits ? limits.soft : null,
      nofileHard: limits ? limits.hard : null,
    };
    for (const ino of held) {
      const list = result.owners.get(ino);
      if (list) list.push(owner);
      else result.owners.set(ino, [owner]);
    }
  }
  return result;
}

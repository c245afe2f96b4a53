/**
 * What privileges the process holds, as the kernel reports them in /proc/self/status: the user,
 * the capability sets of the main thread (the thread that runs JavaScript and opens captures),
 * no_new_privs and the seccomp mode. rstwatch reads them before switching users (to name a missing
 * capability) and after (to log exactly what remains).
 */
import { readFileSync } from 'node:fs';

/** Capability names by number (linux/capability.h, CAP_CHOWN = 0 to CAP_CHECKPOINT_RESTORE = 40). */
export const CAPABILITY_NAMES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
] as const;

/** A capability rstwatch names. */
export type Capability = (typeof CAPABILITY_NAMES)[number];

/** seccomp modes, by the number /proc shows (0, 1, 2). */
const SECCOMP_MODES = ['disabled', 'strict', 'filter'] as const;

/** The privileges of the process's main thread. */
export interface ProcessPrivileges {
  /** Effective user id. */
  readonly uid: number;
  /** Capability bit masks (bit n: capability n). */
  readonly effective: bigint;
  readonly permitted: bigint;
  readonly bounding: bigint;
  /** no_new_privs: nothing an exec'd program could gain (setuid bits, file capabilities). */
  readonly noNewPrivs: boolean;
  /** The seccomp mode. */
  readonly seccomp: (typeof SECCOMP_MODES)[number];
}

/** Parses the text of /proc/PID/status; fields a kernel does not show read as none/off. */
export function parseProcStatus(text: string): ProcessPrivileges {
  const field = (name: string): string | undefined => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(text)?.[1].trim();
  const mask = (name: string): bigint => {
    const v = field(name);
    return v !== undefined && /^[0-9a-f]+$/i.test(v) ? BigInt(`0x${v}`) : 0n;
  };
  return {
    uid: Number(field('Uid')?.split(/\s+/)[1] ?? NaN),
    effective: mask('CapEff'),
    permitted: mask('CapPrm'),
    bounding: mask('CapBnd'),
    noNewPrivs: field('NoNewPrivs') === '1',
    seccomp: SECCOMP_MODES[Number(field('Seccomp') ?? 0)] ?? 'disabled',
  };
}

/** The process's privileges now (`read` gives the status text: tests). */
export function readOwnPrivileges(read: () => string = () => readFileSync('/proc/self/status', 'utf8')): ProcessPrivileges {
  return parseProcStatus(read());
}

/** True when `cap` is in `mask`. */
export function hasCapability(mask: bigint, cap: Capability): boolean {
  return ((mask >> BigInt(CAPABILITY_NAMES.indexOf(cap))) & 1n) === 1n;
}

/** The names of the capabilities in `mask` (unknown bits as `cap_N`); `all` when it holds every known one. */
export function capabilityNames(mask: bigint): string[] {
  const names: string[] = [];
  for (let bit = 0; bit < 64; bit++) {
    if (((mask >> BigInt(bit)) & 1n) === 1n) names.push(CAPABILITY_NAMES[bit] ?? `cap_${bit}`);
  }
  return names;
}

/** The fields of the `privileges` log line: the capability sets by name, no_new_privs, seccomp. */
export interface PrivilegesLogFields {
  readonly uid: number;
  /** Capability names, or `['all']` for a set holding every capability this file names. */
  readonly cap_effective: string[];
  readonly cap_permitted: string[];
  readonly cap_bounding: string[];
  readonly no_new_privs: boolean;
  readonly seccomp: ProcessPrivileges['seccomp'];
}

/** `p` as the fields of the `privileges` log line. */
export function describePrivileges(p: ProcessPrivileges): PrivilegesLogFields {
  const full = (1n << BigInt(CAPABILITY_NAMES.length)) - 1n;
  const names = (mask: bigint) => ((mask & full) === full ? ['all'] : capabilityNames(mask));
  return {
    uid: p.uid,
    cap_effective: names(p.effective),
    cap_permitted: names(p.permitted),
    cap_bounding: names(p.bounding),
    no_new_privs: p.noNewPrivs,
    seccomp: p.seccomp,
  };
}

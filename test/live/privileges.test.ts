/**
 * Reading the process's privileges from /proc/PID/status, and the check that names a capability
 * missing for the switch to --user (issue 11: root without CAP_SETUID exited 2, the bad-flag
 * status, with setuid's bare EPERM). The real switch and lock-down are tested on the running
 * daemon in test/live/privileges-netns.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type RstwatchError } from '../../src/base/errors.js';
import { checkCanSwitch } from '../../src/live/privileges.js';
import { CAPABILITY_NAMES, capabilityNames, describePrivileges, hasCapability, parseProcStatus } from '../../src/live/process-privileges.js';

/** /proc/PID/status of the daemon as nobody after the switch (kernel 6.x; fields it does not read cut). */
const AFTER_SWITCH = `Name:\tnode
Umask:\t0022
State:\tS (sleeping)
Uid:\t65534\t65534\t65534\t65534
Gid:\t65534\t65534\t65534\t65534
CapInh:\t0000000000000000
CapPrm:\t0000000000002000
CapEff:\t0000000000002000
CapBnd:\t0000000000002000
CapAmb:\t0000000000000000
NoNewPrivs:\t1
Seccomp:\t2
Seccomp_filters:\t1
`;

/** Root as `capsh --drop=cap_setuid` leaves it: every capability but CAP_SETUID (bit 7). */
const ROOT_WITHOUT_SETUID = AFTER_SWITCH.replace(/Uid:.*/, 'Uid:\t0\t0\t0\t0')
  .replace(/CapPrm:.*/, 'CapPrm:\t000001ffffffff7f')
  .replace(/CapEff:.*/, 'CapEff:\t000001ffffffff7f')
  .replace(/CapBnd:.*/, 'CapBnd:\t000001ffffffff7f')
  .replace(/NoNewPrivs:.*/, 'NoNewPrivs:\t0')
  .replace(/Seccomp:.*/, 'Seccomp:\t0');

describe('parseProcStatus', () => {
  it('reads the user, the capability sets, no_new_privs and the seccomp mode', () => {
    const p = parseProcStatus(AFTER_SWITCH);
    expect(p).toEqual({ uid: 65534, effective: 0x2000n, permitted: 0x2000n, bounding: 0x2000n, noNewPrivs: true, seccomp: 'filter' });
    expect(describePrivileges(p)).toEqual({
      uid: 65534,
      cap_effective: ['CAP_NET_RAW'],
      cap_permitted: ['CAP_NET_RAW'],
      cap_bounding: ['CAP_NET_RAW'],
      no_new_privs: true,
      seccomp: 'filter',
    });
  });

  it('full sets read as all; missing fields as none and off', () => {
    const full = AFTER_SWITCH.replace(/CapBnd:.*/, 'CapBnd:\t000001ffffffffff');
    expect(describePrivileges(parseProcStatus(full)).cap_bounding).toEqual(['all']);
    expect(parseProcStatus('Name:\tx\n')).toMatchObject({ effective: 0n, noNewPrivs: false, seccomp: 'disabled' });
  });

  it('names capabilities by their linux/capability.h numbers', () => {
    expect(CAPABILITY_NAMES[13]).toBe('CAP_NET_RAW');
    expect(CAPABILITY_NAMES[40]).toBe('CAP_CHECKPOINT_RESTORE');
    expect(capabilityNames(0x20c0n)).toEqual(['CAP_SETGID', 'CAP_SETUID', 'CAP_NET_RAW']);
    expect(capabilityNames(1n << 45n)).toEqual(['cap_45']);
    expect(hasCapability(0x2000n, 'CAP_NET_RAW')).toBe(true);
    expect(hasCapability(0x2000n, 'CAP_NET_ADMIN')).toBe(false);
  });
});

describe('checkCanSwitch', () => {
  const nobody = { name: 'nobody', uid: 65534, gid: 65534 };

  it('passes when CAP_SETUID and CAP_SETGID are effective', () => {
    expect(() => checkCanSwitch(nobody, parseProcStatus(AFTER_SWITCH.replace(/CapEff:.*/, 'CapEff:\t00000000000020c0')))).not.toThrow();
  });

  it('names the missing capability, with its own exit status (not 2, the bad-flag one)', () => {
    let err: RstwatchError | undefined;
    try {
      checkCanSwitch(nobody, parseProcStatus(ROOT_WITHOUT_SETUID));
    } catch (e) {
      err = e as RstwatchError;
    }
    expect(err?.code).toBe('RSTWATCH_ERR_PRIVILEGES');
    expect(err?.exitCode).toBe(ERROR_CODES.RSTWATCH_ERR_PRIVILEGES.exitCode);
    expect(err?.exitCode).not.toBe(ERROR_CODES.RSTWATCH_ERR_CONFIG.exitCode);
    expect(err?.message).toMatch(/^--user nobody: cannot switch from root to uid 65534: CAP_SETUID is missing/);
    expect(err?.message).not.toMatch(/CAP_SETGID is/);
    expect(err?.hint).toMatch(/CAP_SETUID and CAP_SETGID/);
  });

  it('names both when both are missing', () => {
    expect(() => checkCanSwitch(nobody, parseProcStatus(AFTER_SWITCH))).toThrow(/CAP_SETUID and CAP_SETGID are missing from rstwatch's capabilities$/);
  });
});

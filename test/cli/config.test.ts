import { describe, expect, it } from 'vitest';
import { envName, loadReplayConfig } from '../../src/config.js';
import { RstwatchError } from '../../src/errors.js';
import { DEFAULT_MAX_ATTEMPTS } from '../../src/track/tracker.js';

function configError(argv: string[], env: NodeJS.ProcessEnv = {}): RstwatchError {
  try {
    loadReplayConfig(argv, env);
  } catch (err) {
    expect(err).toBeInstanceOf(RstwatchError);
    return err as RstwatchError;
  }
  throw new Error(`expected ${argv.join(' ')} to be rejected`);
}

describe('replay config', () => {
  it('has sane defaults', () => {
    const c = loadReplayConfig(['a.pcap'], {});
    expect(c).toMatchObject({ files: ['a.pcap'], json: false, attemptTimeoutSeconds: 0, maxAttempts: DEFAULT_MAX_ATTEMPTS, topN: 10, progress: undefined });
    expect(c.localNets.list()).toEqual([]);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads every flag', () => {
    const c = loadReplayConfig(
      ['--json', '--attempt-timeout', '2.5', '--local-net', '192.0.2.7/24', '--local-net=2001:DB8::1/32', '--max-attempts', '1000', '--top', '3', '--all-ports', '--no-progress', 'a.pcap', '-'],
      {},
    );
    expect(c).toMatchObject({ files: ['a.pcap', '-'], json: true, attemptTimeoutSeconds: 2.5, maxAttempts: 1000, topN: 3, maxPortRows: Infinity, progress: false });
    expect(c.localNets.list().map((n) => n.text)).toEqual(['192.0.2.0/24', '2001:db8::/32']);
  });

  it('takes every flag from RSTWATCH_* variables, the command line winning', () => {
    const env = { RSTWATCH_ATTEMPT_TIMEOUT: '30', RSTWATCH_LOCAL_NET: '192.0.2.0/24, 2001:db8::/32', RSTWATCH_JSON: 'true', RSTWATCH_TOP: '4' };
    const c = loadReplayConfig(['--top', '5', 'a.pcap'], env);
    expect(c).toMatchObject({ attemptTimeoutSeconds: 30, json: true, topN: 5 });
    expect(c.localNets.list()).toHaveLength(2);
    expect(envName('attempt-timeout')).toBe('RSTWATCH_ATTEMPT_TIMEOUT');
  });

  it.each<[string[], NodeJS.ProcessEnv, string, RegExp]>([
    [[], {}, 'RSTWATCH_ERR_USAGE', /at least one capture file/],
    [['--bogus', 'a.pcap'], {}, 'RSTWATCH_ERR_USAGE', /bogus/],
    [['--attempt-timeout'], {}, 'RSTWATCH_ERR_USAGE', /attempt-timeout/],
    [['--attempt-timeout', 'soon', 'a.pcap'], {}, 'RSTWATCH_ERR_CONFIG', /--attempt-timeout: 'soon' is not a number of seconds/],
    [['--attempt-timeout=-1', 'a.pcap'], {}, 'RSTWATCH_ERR_CONFIG', /not a number of seconds/],
    [['a.pcap'], { RSTWATCH_ATTEMPT_TIMEOUT: 'x' }, 'RSTWATCH_ERR_CONFIG', /RSTWATCH_ATTEMPT_TIMEOUT: 'x'/],
    [['--local-net', '192.0.2.0/33', 'a.pcap'], {}, 'RSTWATCH_ERR_CONFIG', /--local-net: '192.0.2.0\/33' has a bad prefix length/],
    [['--local-net', '300.1.1.1/8', 'a.pcap'], {}, 'RSTWATCH_ERR_CONFIG', /is not an IPv4 or IPv6 address/],
    [['--local-net', '2001:db8::/129', 'a.pcap'], {}, 'RSTWATCH_ERR_CONFIG', /bad prefix length/],
    [['a.pcap'], { RSTWATCH_LOCAL_NET: 'lan' }, 'RSTWATCH_ERR_CONFIG', /RSTWATCH_LOCAL_NET: 'lan'/],
    [['--max-attempts', '0', 'a.pcap'], {}, 'RSTWATCH_ERR_CONFIG', /--max-attempts: '0' is not a whole number from 1/],
    [['--max-attempts', '1e9', 'a.pcap'], {}, 'RSTWATCH_ERR_CONFIG', /max-attempts/],
    [['--top', '2.5', 'a.pcap'], {}, 'RSTWATCH_ERR_CONFIG', /--top/],
    [['a.pcap'], { RSTWATCH_JSON: 'maybe' }, 'RSTWATCH_ERR_CONFIG', /RSTWATCH_JSON: 'maybe' is not a boolean/],
  ])('rejects %j %j', (argv, env, code, message) => {
    const err = configError(argv, env);
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
  });
});

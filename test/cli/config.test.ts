import { describe, expect, it } from 'vitest';
import { DEFAULT_LISTEN_PORT, envName, loadDiagnoseConfig, loadLiveConfig, loadReplayConfig, parseListen } from '../../src/config.js';
import { RstwatchError } from '../../src/base/errors.js';
import { DEFAULT_MAX_ATTEMPTS } from '../../src/track/tracker.js';
import { DEFAULT_MAX_PAIRS } from '../../src/report/collect/report-collector.js';

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
    expect(c).toMatchObject({
      files: ['a.pcap'],
      format: 'table',
      csvTable: undefined,
      htmlFile: undefined,
      attemptTimeoutSeconds: 0,
      maxAttempts: DEFAULT_MAX_ATTEMPTS,
      topN: 10,
      maxPairs: DEFAULT_MAX_PAIRS,
      bucketSeconds: undefined,
      progress: undefined,
    });
    expect(c.localNets.list()).toEqual([]);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads every flag', () => {
    const c = loadReplayConfig(
      [
        '--json',
        '--attempt-timeout',
        '2.5',
        '--local-net',
        '192.0.2.0/24',
        '--local-net=2001:DB8::/32',
        '--max-attempts',
        '1000',
        '--top',
        '3',
        '--max-pairs',
        '500',
        '--bucket',
        '0.25',
        '--html',
        'out.html',
        '--all-ports',
        '--no-progress',
        'a.pcap',
        '-',
      ],
      {},
    );
    expect(c).toMatchObject({
      files: ['a.pcap', '-'],
      format: 'json',
      attemptTimeoutSeconds: 2.5,
      maxAttempts: 1000,
      topN: 3,
      maxPairs: 500,
      bucketSeconds: 0.25,
      htmlFile: 'out.html',
      maxPortRows: Infinity,
      progress: false,
    });
    expect(c.localNets.list().map((n) => n.text)).toEqual(['192.0.2.0/24', '2001:db8::/32']);
  });

  it('takes every flag from RSTWATCH_* variables, the command line winning', () => {
    const env = { RSTWATCH_ATTEMPT_TIMEOUT: '30', RSTWATCH_LOCAL_NET: '192.0.2.0/24, 2001:db8::/32', RSTWATCH_JSON: 'true', RSTWATCH_TOP: '4' };
    const c = loadReplayConfig(['--top', '5', 'a.pcap'], env);
    expect(c).toMatchObject({ attemptTimeoutSeconds: 30, format: 'json', topN: 5 });
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

describe('replay output: --format, --json, --table, --html, --max-pairs, --bucket', () => {
  it.each<[string, string[], NodeJS.ProcessEnv, { format: string; csvTable?: string }]>([
    ['the default', [], {}, { format: 'table', csvTable: undefined }],
    ['--json', ['--json'], {}, { format: 'json' }],
    ['--format json', ['--format', 'json'], {}, { format: 'json' }],
    ['--json with --format json', ['--json', '--format=json'], {}, { format: 'json' }],
    ['--format csv: the ports table', ['--format', 'csv'], {}, { format: 'csv', csvTable: 'ports' }],
    ['--format csv --table pairs', ['--format', 'csv', '--table', 'pairs'], {}, { format: 'csv', csvTable: 'pairs' }],
    ['variables', [], { RSTWATCH_FORMAT: 'csv', RSTWATCH_TABLE: 'timeline' }, { format: 'csv', csvTable: 'timeline' }],
    // A flag on the command line wins over a variable, also over the variable of the other flag.
    ['--format table over RSTWATCH_JSON', ['--format', 'table'], { RSTWATCH_JSON: 'true' }, { format: 'table' }],
    ['--json over RSTWATCH_FORMAT', ['--json'], { RSTWATCH_FORMAT: 'csv' }, { format: 'json', csvTable: undefined }],
    ['RSTWATCH_JSON=false', ['--format', 'csv', '--table', 'scans'], { RSTWATCH_JSON: 'false' }, { format: 'csv', csvTable: 'scans' }],
    // RSTWATCH_TABLE is a default for CSV runs: it does not stop a run of another format.
    ['RSTWATCH_TABLE without csv', [], { RSTWATCH_TABLE: 'pairs' }, { format: 'table', csvTable: undefined }],
    ['RSTWATCH_TABLE with --json', ['--json'], { RSTWATCH_TABLE: 'pairs' }, { format: 'json', csvTable: undefined }],
  ])('%s', (_what, argv, env, expected) => {
    expect(loadReplayConfig([...argv, 'a.pcap'], env)).toMatchObject(expected);
  });

  it.each<[string[], NodeJS.ProcessEnv, string, RegExp, RegExp]>([
    [
      ['--json', '--format', 'table'],
      {},
      'RSTWATCH_ERR_USAGE',
      /^--json and --format table ask for two formats$/,
      /^--json is the same as --format json: give one of them$/,
    ],
    [[], { RSTWATCH_JSON: '1', RSTWATCH_FORMAT: 'csv' }, 'RSTWATCH_ERR_USAGE', /^RSTWATCH_JSON and RSTWATCH_FORMAT csv ask for two formats$/, /give one/],
    [['--format', 'xml'], {}, 'RSTWATCH_ERR_CONFIG', /^--format: 'xml' is not a format$/, /^use 'table', 'json' or 'csv'$/],
    [['--format', 'csv', '--table', 'hosts'], {}, 'RSTWATCH_ERR_CONFIG', /^--table: 'hosts' is not a table$/, /^use 'ports', 'pairs', 'timeline' or 'scans'$/],
    [
      ['--table', 'pairs'],
      {},
      'RSTWATCH_ERR_USAGE',
      /^--table pairs chooses a CSV table, but the format is table$/,
      /^add --format csv, or leave --table out$/,
    ],
    [['--json', '--table', 'pairs'], {}, 'RSTWATCH_ERR_USAGE', /^--table pairs chooses a CSV table, but the format is json$/, /--format csv/],
    [['--html', '-'], {}, 'RSTWATCH_ERR_CONFIG', /^--html: '-' is not a file name$/, /standard output carries the --format output/],
    [['--html='], {}, 'RSTWATCH_ERR_CONFIG', /^--html: '' is not a file name$/, /report.html/],
    [['--max-pairs', '0'], {}, 'RSTWATCH_ERR_CONFIG', /^--max-pairs: '0' is not a whole number from 1 to 1000000$/, /^$/],
    [['--max-pairs', '1000001'], {}, 'RSTWATCH_ERR_CONFIG', /^--max-pairs: '1000001' is not a whole number from 1 to 1000000$/, /^$/],
    [[], { RSTWATCH_MAX_PAIRS: '10k' }, 'RSTWATCH_ERR_CONFIG', /^RSTWATCH_MAX_PAIRS: '10k' is not a whole number/, /^$/],
    [['--bucket', '0'], {}, 'RSTWATCH_ERR_CONFIG', /^--bucket: 0 seconds is not from 0.001 to 604800$/, /^$/],
    [['--bucket', '0.0005'], {}, 'RSTWATCH_ERR_CONFIG', /^--bucket: 0.0005 seconds is not from 0.001 to 604800$/, /^$/],
    [['--bucket', '604801'], {}, 'RSTWATCH_ERR_CONFIG', /^--bucket: 604801 seconds is not from 0.001 to 604800$/, /^$/],
    [['--bucket', '-1'], {}, 'RSTWATCH_ERR_CONFIG', /^--bucket: '-1' is not a number of seconds$/, /0.001 to 604800/],
    [['--bucket', '1m'], {}, 'RSTWATCH_ERR_CONFIG', /^--bucket: '1m' is not a number of seconds$/, /^give a number of seconds from 0.001 to 604800/],
  ])('rejects %j %j: one line, exit 2', (argv, env, code, message, hint) => {
    const err = configError([...argv, 'a.pcap'], env);
    expect([err.code, err.exitCode]).toEqual([code, 2]);
    expect(err.message).toMatch(message);
    expect(err.hint ?? '').toMatch(hint);
  });

  it('accepts the ends of the ranges', () => {
    expect(loadReplayConfig(['--max-pairs', '1', '--bucket', '0.001', 'a.pcap'], {})).toMatchObject({ maxPairs: 1, bucketSeconds: 0.001 });
    expect(loadReplayConfig(['--max-pairs', '1000000', '--bucket', '604800', 'a.pcap'], {})).toMatchObject({ maxPairs: 1_000_000, bucketSeconds: 604_800 });
  });
});

describe('live config', () => {
  it('has the documented defaults', () => {
    const c = loadLiveConfig([], {});
    expect(c).toMatchObject({
      interfaceName: 'any',
      backend: 'native',
      filter: undefined,
      snaplen: undefined,
      promiscuous: false,
      attemptTimeoutSeconds: 60,
      ratioWindowSeconds: 60,
      maxPorts: 100,
      ports: new Set(),
      listenHost: '::',
      listenPort: DEFAULT_LISTEN_PORT,
      logLevel: 'info',
      user: 'nobody',
    });
    expect(DEFAULT_LISTEN_PORT < 9100 || DEFAULT_LISTEN_PORT > 9999).toBe(true);
  });

  it('reads flags and RSTWATCH_* variables', () => {
    const c = loadLiveConfig(['-i', 'eth0', '--listen', '127.0.0.1:9999', '--ports', '22,80-90', '--log-level', 'debug'], {
      RSTWATCH_BACKEND: 'cap',
      RSTWATCH_MAX_PORTS: '5',
      RSTWATCH_LOCAL_NET: '192.0.2.0/24',
      RSTWATCH_PROMISCUOUS: 'true',
      RSTWATCH_ATTEMPT_TIMEOUT: '20',
    });
    expect(c).toMatchObject({
      interfaceName: 'eth0',
      listenHost: '127.0.0.1',
      listenPort: 9999,
      ports: new Set([22, ...Array.from({ length: 11 }, (_, i) => 80 + i)]),
      logLevel: 'debug',
      backend: 'cap',
      maxPorts: 5,
      promiscuous: true,
      attemptTimeoutSeconds: 20,
    });
    expect(c.extraLocalNets.map((n) => n.text)).toEqual(['192.0.2.0/24']);
  });

  it.each<[string, { host: string; port: number }]>([
    ['[::]:7465', { host: '::', port: 7465 }],
    [':8080', { host: '::', port: 8080 }],
    ['8080', { host: '::', port: 8080 }],
    ['127.0.0.1:1', { host: '127.0.0.1', port: 1 }],
    ['[::1]:65535', { host: '::1', port: 65535 }],
    ['localhost:7465', { host: 'localhost', port: 7465 }],
  ])('--listen %s', (text, expected) => {
    expect(parseListen('--listen', text)).toEqual(expected);
  });

  it.each<[string[], NodeJS.ProcessEnv, RegExp]>([
    [['--listen', '127.0.0.1:0'], {}, /--listen: '127.0.0.1:0' is not HOST:PORT/],
    [['--listen', '127.0.0.1:70000'], {}, /not HOST:PORT/],
    [['--listen', 'a b:80'], {}, /not HOST:PORT/],
    [['--backend', 'pf_ring'], {}, /'pf_ring' is not a backend/],
    [['--log-level', 'loud'], {}, /'loud' is not a log level/],
    [['--attempt-timeout', '0'], {}, /--attempt-timeout: 0 seconds is not from 0.1 to 3600/],
    [['--ratio-window', 'x'], {}, /--ratio-window: 'x' is not a number of seconds/],
    [['--max-ports', '-3'], {}, /max-ports/],
    [['-i', 'eth 0'], {}, /is not an interface name/],
    [['--snaplen', '10'], {}, /--snaplen: '10' is not a whole number from 64/],
    [['--ports', '80-70'], {}, /^--ports: port list '80-70': range '80-70' ends before it starts$/],
    [[], { RSTWATCH_PORTS: '22,http' }, /^RSTWATCH_PORTS: port list '22,http': 'http' is not a port or a range of ports$/],
    [[], { RSTWATCH_USER: 'a:b' }, /RSTWATCH_USER: 'a:b' is not a user/],
    [['extra.pcap'], {}, /live takes no file arguments/],
  ])('rejects %j %j', (argv, env, message) => {
    expect(() => loadLiveConfig(argv, env)).toThrow(message);
  });
});

describe('errors name where the bad value came from', () => {
  it.each<[string[], NodeJS.ProcessEnv, RegExp]>([
    [['-i', 'a b'], {}, /^-i: 'a b' is not an interface name$/],
    [['-ia b'], {}, /^-i: 'a b' is not an interface name$/],
    [['--interface', 'a b'], {}, /^--interface: 'a b' is not an interface name$/],
    [['--interface=a b'], {}, /^--interface: 'a b' is not an interface name$/],
    [['-i', 'a b'], { RSTWATCH_INTERFACE: 'eth0' }, /^-i: 'a b'/],
    [[], { RSTWATCH_INTERFACE: 'a b' }, /^RSTWATCH_INTERFACE: 'a b' is not an interface name$/],
  ])('live %j %j', (argv, env, message) => {
    expect(() => loadLiveConfig(argv, env)).toThrow(message);
  });

  it('a flag name after -- is a file, not the flag', () => {
    expect(() => loadReplayConfig(['--', '--local-net', 'a.pcap'], { RSTWATCH_LOCAL_NET: 'lan' })).toThrow(/^RSTWATCH_LOCAL_NET: 'lan' is not a network/);
  });
});

/** The error `load` throws for `argv` and `env`. */
function rejection(load: (argv: string[], env: NodeJS.ProcessEnv) => unknown, argv: string[], env: NodeJS.ProcessEnv): RstwatchError {
  try {
    load(argv, env);
  } catch (err) {
    expect(err).toBeInstanceOf(RstwatchError);
    return err as RstwatchError;
  }
  throw new Error(`expected ${JSON.stringify(argv)} ${JSON.stringify(env)} to be rejected`);
}

const LOADERS = { live: loadLiveConfig, replay: loadReplayConfig, diagnose: loadDiagnoseConfig };

describe('every size a flag sets is bounded, and every bad value is one line, exit 2 (issue 11)', () => {
  it.each<[keyof typeof LOADERS, string[], NodeJS.ProcessEnv, string, RegExp]>([
    // Sizes: each was accepted and allocated (4.8 GB for the window, 852,161 series for the ports).
    ['live', ['--ratio-window', '99999999'], {}, 'RSTWATCH_ERR_CONFIG', /^--ratio-window: 99999999 seconds is not from 1 to 3600$/],
    ['live', ['--attempt-timeout', '99999999999999'], {}, 'RSTWATCH_ERR_CONFIG', /^--attempt-timeout: 99999999999999 seconds is not from 0.1 to 3600$/],
    ['live', ['--attempt-timeout', '0.05'], {}, 'RSTWATCH_ERR_CONFIG', /^--attempt-timeout: 0.05 seconds is not from 0.1 to 3600$/],
    ['replay', ['--attempt-timeout', '3601', 'a.pcap'], {}, 'RSTWATCH_ERR_CONFIG', /^--attempt-timeout: 3601 seconds is not from 0 to 3600$/],
    ['live', ['--ports', '1-65535'], {}, 'RSTWATCH_ERR_CONFIG', /^--ports: 65535 ports is more than 1000$/],
    ['live', [], { RSTWATCH_PORTS: '1-1001' }, 'RSTWATCH_ERR_CONFIG', /^RSTWATCH_PORTS: 1001 ports is more than 1000$/],
    ['live', ['--ports', '0'], {}, 'RSTWATCH_ERR_CONFIG', /^--ports: port list '0': 0 is below 1$/],
    ['live', ['--max-ports', '1001'], {}, 'RSTWATCH_ERR_CONFIG', /^--max-ports: '1001' is not a whole number from 0 to 1000$/],
    ['live', ['--max-attempts', '16777217'], {}, 'RSTWATCH_ERR_CONFIG', /^--max-attempts: '16777217' is not a whole number from 1 to 16777216$/],
    ['live', ['--queue-size', '1048575'], {}, 'RSTWATCH_ERR_CONFIG', /^--queue-size: '1048575' is not a whole number from 1048576 to 1073741824$/],
    ['live', [], { RSTWATCH_QUEUE_SIZE: '2G' }, 'RSTWATCH_ERR_CONFIG', /^RSTWATCH_QUEUE_SIZE: '2G' is not a whole number from 1048576 to 1073741824$/],
    // A negative number meets the flag's own check, not parseArgs' three lines.
    ['live', ['--max-attempts', '-5'], {}, 'RSTWATCH_ERR_CONFIG', /^--max-attempts: '-5' is not a whole number from 1 to 16777216$/],
    ['replay', ['--top', '-1', 'a.pcap'], {}, 'RSTWATCH_ERR_CONFIG', /^--top: '-1' is not a whole number from 0 to 10000$/],
    ['live', ['--ratio-window', '-0.5'], {}, 'RSTWATCH_ERR_CONFIG', /^--ratio-window: '-0.5' is not a number of seconds$/],
    ['diagnose', ['--recent', '-5'], {}, 'RSTWATCH_ERR_CONFIG', /^--recent: '-5' is not a whole number from 1 to 525600$/],
    ['live', ['--filter', '-x'], {}, 'RSTWATCH_ERR_USAGE', /^Option '--filter' argument is ambiguous\.$/],
    // Numbers are digits and nothing else, on the command line and in variables.
    ['live', ['--max-attempts', ' 5'], {}, 'RSTWATCH_ERR_CONFIG', /^--max-attempts: ' 5' is not a whole number/],
    ['live', [], { RSTWATCH_MAX_ATTEMPTS: '5 ' }, 'RSTWATCH_ERR_CONFIG', /^RSTWATCH_MAX_ATTEMPTS: '5 ' is not a whole number/],
    ['replay', ['--max-attempts', '+5', 'a.pcap'], {}, 'RSTWATCH_ERR_CONFIG', /^--max-attempts: '\+5' is not a whole number/],
    ['replay', ['--attempt-timeout', ' 1', 'a.pcap'], {}, 'RSTWATCH_ERR_CONFIG', /^--attempt-timeout: ' 1' is not a number of seconds$/],
    ['live', ['--snaplen', '1e3'], {}, 'RSTWATCH_ERR_CONFIG', /^--snaplen: '1e3' is not a whole number/],
    ['diagnose', [], { RSTWATCH_RECENT: ' 5' }, 'RSTWATCH_ERR_CONFIG', /^RSTWATCH_RECENT: ' 5' is not a whole number/],
    // An address that is no address is refused here, not sent to DNS.
    [
      'live',
      ['--listen', '999.1.1.1:80'],
      {},
      'RSTWATCH_ERR_CONFIG',
      /^--listen: '999.1.1.1:80' is not HOST:PORT \(the host is not an IP address or a host name\)$/,
    ],
    ['live', [], { RSTWATCH_LISTEN: '1.2.3:80' }, 'RSTWATCH_ERR_CONFIG', /^RSTWATCH_LISTEN: '1.2.3:80' is not HOST:PORT/],
    ['live', ['--listen', '[127.0.0.1]:80'], {}, 'RSTWATCH_ERR_CONFIG', /brackets hold an IPv6 address/],
    ['live', ['--listen', ' 127.0.0.1:80'], {}, 'RSTWATCH_ERR_CONFIG', /^--listen: ' 127.0.0.1:80' is not HOST:PORT/],
    ['diagnose', ['--daemon', '999.1.1.1:7465'], {}, 'RSTWATCH_ERR_CONFIG', /^--daemon: '999.1.1.1:7465' is not HOST:PORT$/],
    // A network with host bits set is refused, naming the network.
    ['live', ['--local-net', '10.0.0.1/8'], {}, 'RSTWATCH_ERR_CONFIG', /^--local-net: '10.0.0.1\/8' has host bits set$/],
    ['replay', ['a.pcap'], { RSTWATCH_LOCAL_NET: '2001:db8::1/32' }, 'RSTWATCH_ERR_CONFIG', /^RSTWATCH_LOCAL_NET: '2001:db8::1\/32' has host bits set$/],
  ])('%s %j %j', (command, argv, env, code, message) => {
    const err = rejection(LOADERS[command], argv, env);
    expect(err.code).toBe(code);
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('\n');
    expect(err.hint ?? '').not.toContain('\n');
  });

  it('names the network a CIDR with host bits stands in', () => {
    expect(rejection(loadLiveConfig, ['--local-net', '10.0.0.1/8'], {}).hint).toBe(
      'the network is 10.0.0.0/8, the one address 10.0.0.1/32: give the one meant',
    );
  });

  it('says how to give a value that starts with a dash', () => {
    expect(rejection(loadLiveConfig, ['--filter', '-x'], {}).hint).toBe("a value that starts with '-' is given as --filter=VALUE");
  });

  it.each<[keyof typeof LOADERS, string[]]>([
    ['live', ['--ratio-window', '3600', '--attempt-timeout', '3600', '--max-ports', '1000', '--ports', '1-1000', '--listen', 'metrics.example:7465']],
    ['live', ['--listen', '[2001:db8::1]:7465', '--local-net', '10.0.0.0/8', '--local-net', '192.0.2.7/32', '--attempt-timeout', '0.1']],
    ['live', ['--queue-size', '1048576']],
    ['live', ['--queue-size', '1073741824']],
    ['replay', ['--attempt-timeout', '3600', '--max-attempts', '16777216', '--local-net', '2001:db8::/32', 'a.pcap']],
    ['diagnose', ['--recent', '525600', '--daemon', 'rstwatch.example:7465']],
  ])('accepts the ends of the ranges: %s %j', (command, argv) => {
    expect(() => LOADERS[command](argv, {})).not.toThrow();
  });
});

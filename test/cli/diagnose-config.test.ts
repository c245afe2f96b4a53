import { describe, expect, it } from 'vitest';
import { DEFAULT_LISTEN_PORT, loadDiagnoseConfig, loadLiveConfig } from '../../src/config.js';
import { RstwatchError } from '../../src/base/errors.js';

/** What loadDiagnoseConfig throws for `argv` and `env` (undefined when it accepts them). */
function thrown(argv: string[], env: NodeJS.ProcessEnv = {}): unknown {
  try {
    loadDiagnoseConfig(argv, env);
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('diagnose config: the daemon to ask', () => {
  it('asks the local daemon on the default port unless told otherwise', () => {
    const c = loadDiagnoseConfig([], {});
    expect(c).toEqual({ ports: [], daemonUrl: `http://127.0.0.1:${DEFAULT_LISTEN_PORT}/`, recentMinutes: 15, json: false, help: false });
    expect(c.daemonUrl).toBe('http://127.0.0.1:7465/');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it.each<[string, string]>([
    ['192.0.2.7:9000', 'http://192.0.2.7:9000/'],
    ['localhost:7465', 'http://localhost:7465/'],
    ['[::1]:7465', 'http://[::1]:7465/'],
    ['http://198.51.100.2:8000', 'http://198.51.100.2:8000/'],
    ['https://rstwatch.example:8443/base', 'https://rstwatch.example:8443/base'],
    ['HTTP://Host.Example:81', 'http://host.example:81/'],
  ])('--daemon %s is %s', (text, url) => {
    expect(loadDiagnoseConfig(['--daemon', text], {}).daemonUrl).toBe(url);
    expect(loadDiagnoseConfig([`--daemon=${text}`], {}).daemonUrl).toBe(url);
  });

  it('--no-daemon asks none, even with --daemon or RSTWATCH_DAEMON', () => {
    expect(loadDiagnoseConfig(['--no-daemon'], {}).daemonUrl).toBeNull();
    expect(loadDiagnoseConfig(['--no-daemon', '--daemon', '192.0.2.7:9000'], {}).daemonUrl).toBeNull();
    expect(loadDiagnoseConfig([], { RSTWATCH_NO_DAEMON: 'true' }).daemonUrl).toBeNull();
    expect(loadDiagnoseConfig(['--no-daemon'], { RSTWATCH_DAEMON: '192.0.2.7:9000' }).daemonUrl).toBeNull();
  });

  it('takes RSTWATCH_DAEMON, the command line winning', () => {
    expect(loadDiagnoseConfig([], { RSTWATCH_DAEMON: '192.0.2.7:9000' }).daemonUrl).toBe('http://192.0.2.7:9000/');
    expect(loadDiagnoseConfig(['--daemon', '192.0.2.8:9001'], { RSTWATCH_DAEMON: '192.0.2.7:9000' }).daemonUrl).toBe('http://192.0.2.8:9001/');
    expect(loadDiagnoseConfig([], { RSTWATCH_DAEMON: '' }).daemonUrl).toBe('http://127.0.0.1:7465/');
  });

  it.each<[string, string]>([
    ['7465', 'http://127.0.0.1:7465/'],
    [':9000', 'http://127.0.0.1:9000/'],
    ['10.0.0.5', 'http://10.0.0.5:7465/'],
    ['[2001:db8::5]:9000', 'http://[2001:db8::5]:9000/'],
    ['2001:db8::5', 'http://[2001:db8::5]:7465/'],
    ['rstwatch.example:8000', 'http://rstwatch.example:8000/'],
    ['https://rstwatch.example/base/', 'https://rstwatch.example/base/'],
  ])('--daemon %s is %s', (text, url) => {
    expect(loadDiagnoseConfig(['--daemon', text], {}).daemonUrl).toBe(url);
  });

  it('reads --port and --json beside it', () => {
    const c = loadDiagnoseConfig(['--port', '80,443', '--port', '8080', '--json', '--daemon', '192.0.2.7:9000'], {});
    expect(c).toEqual({ ports: [80, 443, 8080], daemonUrl: 'http://192.0.2.7:9000/', recentMinutes: 15, json: true, help: false });
  });

  it.each<[string[], NodeJS.ProcessEnv, RegExp]>([
    [['--port', '0'], {}, /^--port: port list '0': 0 is below 1$/],
    [['--port', ''], {}, /^--port: port list '' is empty$/],
    [['--port', '22', '--port', ' '], {}, /^--port: port list ' ' is empty$/],
    [['--port', '80', '--port', '8000-8001'], {}, /^--port: port list '8000-8001': '8000-8001' is not a port$/],
    [[], { RSTWATCH_PORT: '80,65536' }, /^RSTWATCH_PORT: port list '65536': 65536 is above 65535$/],
  ])('rejects the port list %j %j with a config error naming its source', (argv, env, message) => {
    expect(thrown(argv, env)).toMatchObject({
      code: 'RSTWATCH_ERR_CONFIG',
      exitCode: 2,
      message: expect.stringMatching(message),
      hint: expect.stringContaining('80,443'),
    });
  });

  it.each<[string[], NodeJS.ProcessEnv, RegExp]>([
    [['--daemon', 'http://'], {}, /^--daemon: 'http:\/\/' is not a URL$/],
    [['--daemon', 'a b:80'], {}, /^--daemon: 'a b:80' is not HOST:PORT$/],
    [['--daemon', '192.0.2.7:99999'], {}, /^--daemon: '192.0.2.7:99999' is not HOST:PORT$/],
    [['--daemon', 'a b'], {}, /^--daemon: 'a b' is not a URL$/],
    [['--daemon', '127.0.0.1:7465/x'], {}, /^--daemon: '127\.0\.0\.1:7465\/x' is not HOST:PORT \(a path needs a whole URL/],
    [['--daemon', 'ftp://192.0.2.7/'], {}, /^--daemon: 'ftp:\/\/192.0.2.7\/' is not an http\(s\) URL$/],
    [[], { RSTWATCH_DAEMON: 'http://[::1' }, /^RSTWATCH_DAEMON: 'http:\/\/\[::1' is not a URL$/],
  ])('rejects %j %j with a config error (exit 2)', (argv, env, message) => {
    const err = thrown(argv, env);
    expect(err).toBeInstanceOf(RstwatchError);
    expect(err).toMatchObject({
      code: 'RSTWATCH_ERR_CONFIG',
      exitCode: 2,
      message: expect.stringMatching(message),
      hint: expect.stringContaining('e.g. http://127.0.0.1:7465'),
    });
  });

  it('rejects --daemon without a value as a usage error (exit 2)', () => {
    const err = thrown(['--daemon']);
    expect(err).toBeInstanceOf(RstwatchError);
    expect(err).toMatchObject({ code: 'RSTWATCH_ERR_USAGE', exitCode: 2 });
  });
});

describe('diagnose config: --recent', () => {
  it('takes whole minutes from 1', () => {
    expect(loadDiagnoseConfig(['--recent', '60'], {}).recentMinutes).toBe(60);
    expect(loadDiagnoseConfig([], { RSTWATCH_RECENT: '5' }).recentMinutes).toBe(5);
    expect(() => loadDiagnoseConfig(['--recent', '0'], {})).toThrow(/--recent/);
    expect(() => loadDiagnoseConfig(['--recent', 'soon'], {})).toThrow(/--recent/);
  });
});

describe('live config: --no-causes', () => {
  it.each<[string[], NodeJS.ProcessEnv, boolean]>([
    [[], {}, true],
    [['--no-causes'], {}, false],
    [[], { RSTWATCH_NO_CAUSES: '1' }, false],
    [[], { RSTWATCH_NO_CAUSES: 'false' }, true],
  ])('%j %j -> causes %s', (argv, env, causes) => {
    expect(loadLiveConfig(argv, env).causes).toBe(causes);
  });

  it('leaves detection on', () => {
    expect(loadLiveConfig(['--no-causes'], {}).detect).toEqual({ hopThreshold: 2 });
  });
});

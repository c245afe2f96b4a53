/** LISTEN-socket fixtures for the cause classifier, the diagnose report and the cause metrics. */
import type { Listener } from '../../src/kernel/listeners.js';

/**
 * A LISTEN socket on `address`:`port` as sock_diag reports it: room in its queue (backlog 128,
 * nothing queued), inode 1000 + port, owned by root; an IPv6 one dual-stack (v6only false, read
 * from sock_diag). `o` overrides any field.
 */
export function listener(address: string, port: number, o: Partial<Listener> = {}): Listener {
  const family = address.includes(':') ? 6 : 4;
  return {
    family,
    address,
    port,
    v6only: family === 6 ? false : undefined,
    v6onlySource: family === 6 ? 'sock_diag' : 'not_applicable',
    acceptQueue: 0,
    backlog: 128,
    inode: 1000 + port,
    uid: 0,
    ...o,
  };
}

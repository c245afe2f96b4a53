/**
 * Live direction: the addresses of the interfaces in rstwatch's network namespace are "local"
 * (docs/semantics.md "Direction"), refreshed as they change, plus any --local-net networks.
 */
import { networkInterfaces } from 'node:os';
import type { Logger } from 'pino';
import { loadNativeBinding } from '../capture/native-binding.js';
import { type LocalNets } from '../track/direction.js';
import { parseCidr, type Network } from '../net/address.js';

/** Every address of every interface as [text, isIpv4], from libpcap (getifaddrs) when built. */
function interfaceAddresses(): [string, boolean][] {
  try {
    // pcap_findalldevs lists every interface's addresses, up or not. Node's own
    // networkInterfaces() leaves out interfaces without carrier yet (libuv wants IFF_RUNNING), so a
    // veth or a pod interface can miss its first second; an address is local all the same.
    return loadNativeBinding()
      .findAllDevs()
      .flatMap((d) => d.addresses.map((a): [string, boolean] => [a.address, a.family === 'inet']));
  } catch {
    return Object.values(networkInterfaces()).flatMap((as) => (as ?? []).map((a): [string, boolean] => [a.address, a.family === 'IPv4']));
  }
}

/** Host networks (/32, /128) for every address of every interface, sorted by text. */
export function readInterfaceNetworks(): Network[] {
  const nets: Network[] = [];
  for (const [address, v4] of interfaceAddresses()) {
    // A link-local IPv6 address carries a zone; the zone does not matter for matching.
    nets.push(parseCidr(`${address.replace(/%.*$/, '')}/${v4 ? 32 : 128}`));
  }
  const unique = new Map(nets.map((n) => [n.text, n]));
  return [...unique.values()].sort((x, y) => (x.text < y.text ? -1 : x.text > y.text ? 1 : 0));
}

/** Keeps `localNets` equal to the interfaces' addresses plus `extra`; call `refresh` periodically. */
export class LocalAddressWatcher {
  private lastKey = '';

  constructor(
    private readonly localNets: LocalNets,
    private readonly extra: readonly Network[],
    private readonly log: Logger,
    private readonly read: () => Network[] = readInterfaceNetworks,
  ) {}

  /** Re-reads the addresses; updates the networks and logs when they changed. */
  refresh(): void {
    let own: Network[];
    try {
      own = this.read();
    } catch (err) {
      this.log.warn({ err }, 'cannot read the interface addresses; direction keeps the previous ones');
      return;
    }
    const nets = [...own, ...this.extra];
    const key = nets.map((n) => n.text).join(',');
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.localNets.set(nets);
    this.log.info({ event: 'local_addresses', local_nets: nets.map((n) => n.text) }, `local addresses: ${nets.length}`);
  }
}

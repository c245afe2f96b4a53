/**
 * Direction of an attempt (docs/semantics.md "Direction"): inbound when the server is local, outbound
 * when the client is local, unknown when neither can be told. "Local" is a set of networks: in
 * replay the `--local-net` CIDRs, live the addresses of the capturing host's interfaces.
 */
import type { Network } from '../net/address.js';

/** Direction codes, indexes into per-direction counter arrays. */
export const Direction = { Inbound: 0, Outbound: 1, Unknown: 2 } as const;

/** Label value per direction code (metrics `direction` label, report keys). */
export const DIRECTION_NAMES: readonly string[] = ['inbound', 'outbound', 'unknown'];

/** Number of direction codes. */
export const DIRECTION_COUNT = DIRECTION_NAMES.length;

/** The set of local networks that decides direction. Empty: every direction is unknown. */
export class LocalNets {
  private nets: readonly Network[];

  constructor(nets: readonly Network[] = []) {
    this.nets = nets;
  }

  /** Replaces the networks (live mode refreshes them as interface addresses change). */
  set(nets: readonly Network[]): void {
    this.nets = nets;
  }

  /** The networks in force. */
  list(): readonly Network[] {
    return this.nets;
  }

  /** True when the address (four words at `offset`) is inside one of the networks. */
  contains(a: ArrayLike<number>, offset = 0): boolean {
    const nets = this.nets;
    for (let n = 0; n < nets.length; n++) {
      const { addr, mask } = nets[n];
      if (
        (a[offset] & mask[0]) >>> 0 === addr[0] &&
        (a[offset + 1] & mask[1]) >>> 0 === addr[1] &&
        (a[offset + 2] & mask[2]) >>> 0 === addr[2] &&
        (a[offset + 3] & mask[3]) >>> 0 === addr[3]
      ) {
        return true;
      }
    }
    return false;
  }

  /** Direction code of an attempt from `client` to `server` (four words each). */
  classify(client: ArrayLike<number>, server: ArrayLike<number>): number {
    if (this.nets.length === 0) return Direction.Unknown;
    if (this.contains(server)) return Direction.Inbound;
    if (this.contains(client)) return Direction.Outbound;
    return Direction.Unknown;
  }
}

/**
 * `reserved_bits`: the three reserved bits of the TCP header must be sent as zero (RFC 9293
 * section 3.1); stacks do. A RST with any of them set was crafted by hand (the injected RST in
 * Zeek's rst-inject-rae trace has them set).
 */

/** True when any reserved bit is set. */
export function reservedBits(tcpReserved: number): boolean {
  return tcpReserved !== 0;
}

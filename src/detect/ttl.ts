/**
 * What a TTL (or IPv6 hop limit) says about its sender: the initial TTL it most likely started
 * from and how many hops it crossed. Operating systems start from 64 (Linux, BSD, macOS), 128
 * (Windows), 255 (network devices, Solaris) or 32 (old systems).
 */

/** Initial TTLs in use, ascending. */
export const INITIAL_TTLS: readonly number[] = [32, 64, 128, 255];

/** The nearest initial TTL at or above `observed` (docs/semantics.md, `ttl_mismatch`). */
export function initialTtl(observed: number): number {
  if (observed <= 32) return 32;
  if (observed <= 64) return 64;
  if (observed <= 128) return 128;
  return 255;
}

/** Hops crossed: the initial TTL minus the observed one. */
export function hopDistance(observed: number): number {
  return initialTtl(observed) - observed;
}

/**
 * True when a TTL can teach a baseline. 1 and 255 are values applications set on purpose (BGP
 * speakers use TTL 1, or 255 for GTSM, RFC 5082): they say nothing of the host's kernel stack,
 * whose RSTs start from its default, so on their own they are no baseline.
 */
export function isBaselineTtl(observed: number): boolean {
  return observed > 1 && observed < 255;
}

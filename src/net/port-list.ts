/**
 * Port lists as flags, variables and queries write them: ports separated by commas (spaces around
 * an item allowed; '' is the empty list where the syntax allows it), and inclusive ranges where the
 * syntax allows them. The
 * one parser of every caller, with one set of messages; the callers differ only in their syntax:
 * - `rstwatch live --ports`: ports and ranges, 1 to 65535 (`PORTS_AND_RANGES`; port 0 is no
 *   service's port: a SYN to it is counted under port="other");
 * - `rstwatch diagnose --port` and the daemon's `/api/v1/causes?port=`: single ports, 1 to 65535
 *   (`SINGLE_PORTS`), as their docs promise ("a list like 80,443"), no ranges.
 */
import { RstwatchError } from '../base/errors.js';

/** Largest TCP port number. */
export const MAX_PORT = 65535;

/** What a port list may hold. */
export interface PortListSyntax {
  /** Whether `from-to` inclusive ranges are allowed. */
  readonly ranges: boolean;
  /** Smallest port accepted (0 or 1). */
  readonly minPort: number;
  /** Whether '' (or blanks) is the empty list; else it is an error (a flag given once per port). */
  readonly allowEmpty: boolean;
  /** How to write a good list, as the error hint. */
  readonly hint: string;
}

/** Ports and ranges, 1 to 65535 (`22,80,443,8000-8100`): `rstwatch live --ports`. */
export const PORTS_AND_RANGES: PortListSyntax = {
  ranges: true,
  minPort: 1,
  allowEmpty: true,
  hint: `give ports and ranges separated by commas, e.g. 22,80,443,8000-8100 (each 1 to ${MAX_PORT})`,
};

/** Single ports, 1 to 65535 (`80,443`): `rstwatch diagnose --port`, the daemon's `?port=`. */
export const SINGLE_PORTS: PortListSyntax = {
  ranges: false,
  minPort: 1,
  allowEmpty: false,
  hint: `give ports separated by commas, e.g. 80,443 (each 1 to ${MAX_PORT})`,
};

function listError(message: string, syntax: PortListSyntax): RstwatchError {
  return new RstwatchError('RSTWATCH_ERR_CONFIG', message, { hint: syntax.hint });
}

function parsePort(item: string, text: string, whole: string, syntax: PortListSyntax): number {
  // Leading zeros are allowed (000080 is 80), as they always were.
  if (!/^\d+$/.test(text)) {
    throw listError(`port list '${whole}': '${item}' is not a port${syntax.ranges ? ' or a range of ports' : ''}`, syntax);
  }
  const port = Number(text);
  if (port > MAX_PORT) throw listError(`port list '${whole}': ${port} is above ${MAX_PORT}`, syntax);
  if (port < syntax.minPort) throw listError(`port list '${whole}': ${port} is below ${syntax.minPort}`, syntax);
  return port;
}

/**
 * Parses a comma-separated port list in `syntax` (default: ports and ranges) into the set of its
 * ports, in the order first given. Throws RstwatchError RSTWATCH_ERR_CONFIG naming the list and
 * the bad item; the caller puts the flag or variable in front.
 */
export function parsePortList(text: string, syntax: PortListSyntax = PORTS_AND_RANGES): ReadonlySet<number> {
  const ports = new Set<number>();
  if (text.trim() === '') {
    if (syntax.allowEmpty) return ports;
    throw listError(`port list '${text}' is empty`, syntax);
  }
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') throw listError(`port list '${text}' has an empty item`, syntax);
    const dash = syntax.ranges ? item.indexOf('-') : -1;
    if (dash < 0) {
      ports.add(parsePort(item, item, text, syntax));
      continue;
    }
    const from = parsePort(item, item.slice(0, dash).trim(), text, syntax);
    const to = parsePort(item, item.slice(dash + 1).trim(), text, syntax);
    if (from > to) throw listError(`port list '${text}': range '${item}' ends before it starts`, syntax);
    for (let p = from; p <= to; p++) ports.add(p);
  }
  return ports;
}

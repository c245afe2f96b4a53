/**
 * The `--ports` list: ports that always get their own metric series (see port-selection.ts).
 */
import { RstwatchError } from '../errors.js';

const HINT = 'give ports and ranges separated by commas, e.g. 22,80,443,8000-8100 (each 0 to 65535)';

function parsePort(item: string, text: string, whole: string): number {
  if (!/^\d{1,5}$/.test(text)) {
    throw new RstwatchError('RSTWATCH_ERR_CONFIG', `port list '${whole}': '${item}' is not a port or a range of ports`, { hint: HINT });
  }
  const port = Number(text);
  if (port > 65535) {
    throw new RstwatchError('RSTWATCH_ERR_CONFIG', `port list '${whole}': ${port} is above 65535`, { hint: HINT });
  }
  return port;
}

/**
 * Parses a comma-separated list of ports and inclusive ranges (`22,80,443,8000-8100`; spaces
 * around items are allowed; '' is the empty set) into a set of port numbers. Throws
 * RstwatchError RSTWATCH_ERR_CONFIG naming the bad item.
 */
export function parsePortList(text: string): ReadonlySet<number> {
  const ports = new Set<number>();
  if (text.trim() === '') return ports;
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') {
      throw new RstwatchError('RSTWATCH_ERR_CONFIG', `port list '${text}' has an empty item`, { hint: HINT });
    }
    const dash = item.indexOf('-');
    if (dash < 0) {
      ports.add(parsePort(item, item, text));
      continue;
    }
    const from = parsePort(item, item.slice(0, dash).trim(), text);
    const to = parsePort(item, item.slice(dash + 1).trim(), text);
    if (from > to) {
      throw new RstwatchError('RSTWATCH_ERR_CONFIG', `port list '${text}': range '${item}' ends before it starts`, { hint: HINT });
    }
    for (let p = from; p <= to; p++) ports.add(p);
  }
  return ports;
}

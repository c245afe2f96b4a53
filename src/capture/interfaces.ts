/**
 * The capture devices of this network namespace, as libpcap sees them (pcap_findalldevs through
 * the native binding): for `rstwatch live --list-interfaces` and for the message of a capture
 * opened on an interface that does not exist.
 */
import { RstwatchError } from '../base/errors.js';
import { loadNativeBinding, type NativeDevice } from './native-binding.js';

/** One capture device: name, libpcap description, addresses, state flags. */
export type InterfaceInfo = NativeDevice;

/**
 * Every capture device libpcap lists (real interfaces, `any`, and pseudo-devices such as `nflog`).
 * Throws RSTWATCH_ERR_CAPTURE_OPEN when the native binding is not built.
 */
export function listInterfaces(): InterfaceInfo[] {
  return loadNativeBinding().findAllDevs();
}

/**
 * The names of `listInterfaces()` as one line for an error message ("eth0, any, lo"), or a
 * sentence saying why they cannot be listed; never throws.
 */
export function describeInterfaces(): string {
  try {
    const names = listInterfaces().map((d) => d.name);
    return names.length > 0 ? names.join(', ') : '(none: libpcap lists no capture device here)';
  } catch (err) {
    return `(cannot list them: ${(err as Error).message})`;
  }
}

/** The hint for a capture refused for lack of privilege (the same for both backends). */
export const CAPTURE_PERMISSION_HINT =
  'capturing needs CAP_NET_RAW (promiscuous mode too: Linux asks nothing more for it): run as root, or grant it to node with ' +
  '`setcap cap_net_raw+eip $(readlink -f $(which node))`';

/**
 * RSTWATCH_ERR_CAPTURE_OPEN for an interface that does not exist, listing those that do
 * (`available`, by default `describeInterfaces()`).
 */
export function unknownInterfaceError(name: string, detail: string, cause?: unknown, available = describeInterfaces()): RstwatchError {
  return new RstwatchError('RSTWATCH_ERR_CAPTURE_OPEN', `no such capture interface '${name}' (${detail}); available: ${available}`, {
    hint: 'pick one of the interfaces listed (`rstwatch live --list-interfaces`), or `any` for all of them',
    cause,
  });
}

/** RSTWATCH_ERR_CAPTURE_OPEN for a capture refused for lack of privilege. */
export function capturePermissionError(name: string, detail: string, cause?: unknown): RstwatchError {
  return new RstwatchError('RSTWATCH_ERR_CAPTURE_OPEN', `permission denied capturing on '${name}': ${detail}`, {
    hint: CAPTURE_PERMISSION_HINT,
    cause,
  });
}

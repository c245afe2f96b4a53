/**
 * Link-state notifications for one interface, from rtnetlink through the native addon
 * (native/src/link_watch.c): the capture controller reopens a capture the moment its interface is
 * back, instead of at the next backoff tick.
 */
import { loadNativeBinding } from './native-binding.js';

/** What a watch reports: the interface's state now, or `error` once when the watch failed and stopped. */
export type LinkState = 'up' | 'down' | 'gone' | 'error';

/** A running watch. */
export interface LinkWatch {
  /** Stops it; safe to call twice. */
  close(): void;
}

/** Starts a watch, or a stand-in of it (tests): `onChange` is called from the event loop. */
export type LinkWatcher = (interfaceName: string, onChange: (state: LinkState) => void) => LinkWatch;

/**
 * Watches `interfaceName` in this network namespace. Throws RSTWATCH_ERR_CAPTURE_OPEN when the
 * native addon is not built, and the addon's error (code ERR_LINK_WATCH) when the netlink socket
 * cannot be opened.
 */
export const watchLink: LinkWatcher = (interfaceName, onChange) => {
  const native = loadNativeBinding();
  const handle = native.watchLink(interfaceName, onChange);
  return { close: () => native.unwatchLink(handle) };
};

/**
 * Errors outside the hot path: one class with a stable code, an exit status and a hint.
 *
 * The per-packet path never throws: decoders return a numeric status (see wire/status.ts) and the
 * caller counts it by reason. Anything thrown from the packet loop is a bug, caught once per batch.
 */

/** What an error code means, and the exit status the CLI uses for it. */
export interface ErrorCodeInfo {
  /** Process exit status for this code. */
  readonly exitCode: number;
  /** One sentence for the docs (docs/exit-codes.md lists every code; a test checks it). */
  readonly description: string;
}

/** Every error code rstwatch can raise, with its exit status. */
export const ERROR_CODES = {
  RSTWATCH_ERR_USAGE: {
    exitCode: 2,
    description: 'The command line is malformed: an unknown command or flag, or a missing argument.',
  },
  RSTWATCH_ERR_CONFIG: {
    exitCode: 2,
    description: 'A flag or RSTWATCH_* variable has a value that is not valid (a CIDR, a number, a duration).',
  },
  RSTWATCH_ERR_FILE_OPEN: {
    exitCode: 3,
    description: 'A capture file cannot be opened or read (missing, a directory, no permission, an I/O error).',
  },
  RSTWATCH_ERR_CAPTURE_FORMAT: {
    exitCode: 4,
    description:
      'A capture file is not a pcap or pcapng file, or is corrupt (bad magic, bad header, an absurd record length, an unknown interface); the message names the file and byte offset.',
  },
  RSTWATCH_ERR_CAPTURE_OPEN: {
    exitCode: 5,
    description:
      'A live capture cannot be opened: no such interface (the message lists those that exist), no permission (CAP_NET_RAW), the interface is down, or the capture backend is not available.',
  },
  RSTWATCH_ERR_LISTEN: {
    exitCode: 6,
    description: 'The HTTP listen address is in use or cannot be bound (not a local address, a privileged port, no IPv6).',
  },
  RSTWATCH_ERR_PRIVILEGES: {
    exitCode: 7,
    description:
      'rstwatch live, started as root, cannot drop its privileges as asked: the switch to --user needs CAP_SETUID and CAP_SETGID (the message names the one missing), or a step of the switch failed.',
  },
  RSTWATCH_ERR_INTERNAL: {
    exitCode: 70,
    description: 'A bug in rstwatch: please report it with the command line and, if you can, the capture.',
  },
} as const satisfies Record<string, ErrorCodeInfo>;

/** A stable error code, e.g. `RSTWATCH_ERR_CAPTURE_FORMAT`. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The one error class of rstwatch: a stable `code`, a message for people, an optional hint. */
export class RstwatchError extends Error {
  /** Stable, documented code. */
  readonly code: ErrorCode;
  /** What the user can do about it, in one line; printed under the message. */
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RstwatchError';
    this.code = code;
    this.hint = options.hint;
  }

  /** Exit status for this error's code. */
  get exitCode(): number {
    return ERROR_CODES[this.code].exitCode;
  }
}

/** True when `err` is an RstwatchError (also across module copies). */
export function isRstwatchError(err: unknown): err is RstwatchError {
  return err instanceof RstwatchError || (err instanceof Error && err.name === 'RstwatchError' && 'code' in err);
}

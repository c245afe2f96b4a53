#!/usr/bin/env node
/** Entry point of the `rstwatch` binary: runs `main` and sets the exit status. */
import { main } from './main.js';

// EPIPE (stdout closed early, e.g. `| head`) ends the process quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
});

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (err: unknown) => {
    process.stderr.write(`rstwatch: internal error: ${String(err)}\n`);
    process.exitCode = 70;
  },
);

/** A free TCP port on loopback, for a test server or a Prometheus to listen on. */
import { createServer } from 'node:net';

/** A port on 127.0.0.1 that was free a moment ago (the kernel chose it, then it was closed). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

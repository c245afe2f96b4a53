/**
 * isUntrackedTcpSegment against the decoder on every frame of the project's captures and of the
 * public ones in ../shared/pcaps (see untracked-segment.test.ts for the random and mutated frames).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sharedPcaps } from '../support/shared-pcaps.js';
import { readFrames } from './capture-frames.js';
import { agrees } from './untracked-agreement.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dirs = [join(root, 'pcaps'), sharedPcaps()];

describe('isUntrackedTcpSegment on real captures', () => {
  it('agrees with the decoder on every frame of the project and shared captures, and takes the plain ones', () => {
    let frames = 0;
    let taken = 0;
    for (const dir of dirs) {
      for (const name of readdirSync(dir).filter((f) => /\.(pcap|pcapng|cap)$/.test(f))) {
        if (name.startsWith('gen-truncated')) continue; // cut mid-record on purpose
        for (const f of readFrames(join(dir, name))) {
          frames++;
          if (agrees(f.bytes, 0, f.bytes.length, f.linkType)) taken++;
        }
      }
    }
    expect(frames).toBeGreaterThan(10_000);
    expect(taken).toBeGreaterThan(1000);
  });
});

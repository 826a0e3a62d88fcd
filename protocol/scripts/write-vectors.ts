/**
 * Rewrites protocol/test/vectors/*.hex from test/samples.ts. Run only for an intended wire change
 * (a new message, say): the vectors test fails on any difference, which is the point of them.
 * Usage: npm run vectors -w protocol [-- --help]
 */
import { encodeMessage, messageInfo } from '../src/index.ts';
import { SAMPLES } from '../test/samples.ts';
import { writeVector } from '../test/vector-files.ts';

if (process.argv.includes('--help')) {
  console.log('usage: npm run vectors -w protocol   (rewrites test/vectors/*.hex from samples)');
  process.exit(0);
}
let n = 0;
for (const sample of Object.values(SAMPLES)) {
  writeVector(sample.type, messageInfo(sample.type).channelName, encodeMessage(sample));
  n++;
}
console.log(`wrote ${n} vectors`);

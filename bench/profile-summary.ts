// Summarises a V8 .cpuprofile (from --cpu-prof): self time by function, heaviest first.
//   node dist/bench/profile-summary.js <file.cpuprofile> [how many]
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const [file, many = '30'] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [how many]');
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map<string, number>();
for (const id of profile.samples) {
  const frame = byId.get(id)?.callFrame;
  if (!frame) continue;
  const where = frame.url ? `${path.relative(process.cwd(), frame.url.replace('file://', ''))}:${frame.lineNumber + 1}` : '';
  const key = `${frame.functionName || '(anonymous)'} ${where}`;
  self.set(key, (self.get(key) ?? 0) + 1);
}
const total = profile.samples.length;
for (const [key, count] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(many))) {
  process.stdout.write(`${((count / total) * 100).toFixed(1).padStart(5)}%  ${key}\n`);
}

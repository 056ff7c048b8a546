// `npm run docs:sockets`: writes docs/sockets.md from docs/asyncapi.yaml (npm runs it from the
// package root).
import fs from 'node:fs/promises';
import { renderSocketsReference } from './sockets-reference.js';

await fs.writeFile('docs/sockets.md', await renderSocketsReference(await fs.readFile('docs/asyncapi.yaml', 'utf8')));

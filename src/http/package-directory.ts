// Where the package's files are, whether the server runs from src/ (tests) or dist/src/.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's directory (where package.json is). */
export function packageDirectory(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the server sources');
    dir = parent;
  }
  return dir;
}

/** dist/public of the package, made by `npm run build`. */
export function publicDirectory(): string {
  return path.join(packageDirectory(), 'dist', 'public');
}

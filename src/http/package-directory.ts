// Where the package is on disk: its own module, so that the web client's routes and the API and
// socket documents can all find files without importing each other.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's directory (where package.json is), whether the server runs from src/ (tests) or dist/src/. */
export function packageDirectory(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the server sources');
    dir = parent;
  }
  return dir;
}

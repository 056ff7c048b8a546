// Uploaded attachment bytes on disk, under <data dir>/attachments/<key>. The database holds
// what they are (store.rooms attachments); this holds only the bytes.
import fs from 'node:fs';
import path from 'node:path';

const KEY_PATTERN = /^[0-9a-f]{32}$/;

export class AttachmentFiles {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'attachments');
  }

  async save(key: string, bytes: Buffer): Promise<void> {
    await fs.promises.mkdir(this.dir, { recursive: true });
    await fs.promises.writeFile(this.pathOf(key), bytes, { flag: 'wx' });
  }

  /** The file's path; keys are checked so that a path can never leave the directory. */
  pathOf(key: string): string {
    if (!KEY_PATTERN.test(key)) throw new Error('bad attachment key');
    return path.join(this.dir, key);
  }
}

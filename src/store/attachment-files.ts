// Uploaded attachment bytes on disk, under <data dir>/attachments/<key>. The database holds
// what they are (store.attachments); this holds only the bytes. An upload is written to
// attachments/incoming/ first and renamed into place once it is accepted, so that a refused or
// failed upload never leaves a file where a key could name it.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const KEY_PATTERN = /^[0-9a-f]{32}$/;

/** A file received but not yet kept: its temporary path and its size in bytes. */
export interface IncomingFile {
  path: string;
  size: number;
}

export class AttachmentFiles {
  private readonly dir: string;
  private readonly incoming: string;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'attachments');
    this.incoming = path.join(this.dir, 'incoming');
  }

  /**
   * Streams `source` to a temporary file, handing each chunk to `observe` as it passes, and stops
   * keeping bytes past `maxBytes`: `'too_large'` then, and nothing is left on disk. On any
   * failure of the source or the disk the temporary file is removed.
   */
  async receive(source: AsyncIterable<Buffer>, maxBytes: number, observe: (chunk: Buffer) => void): Promise<IncomingFile | 'too_large'> {
    await fs.promises.mkdir(this.incoming, { recursive: true });
    const file: IncomingFile = { path: path.join(this.incoming, randomBytes(16).toString('hex')), size: 0 };
    let tooLarge = false;
    // The source is read to its end even past the limit, so that the request's parser goes on.
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        file.size += chunk.length;
        if (file.size > maxBytes) tooLarge = true;
        if (tooLarge) return done();
        observe(chunk);
        done(null, chunk);
      },
    });
    const sink = fs.createWriteStream(file.path, { flags: 'wx' });
    try {
      await pipeline(source, meter, sink);
    } catch (error) {
      // The pipeline fails without waiting for its file to close, and a file still being opened
      // is created after that: removed now, it would be left behind.
      if (!sink.closed) await new Promise<void>((resolve) => sink.once('close', () => resolve()));
      await this.discard(file);
      throw error;
    }
    if (!tooLarge) return file;
    await this.discard(file);
    return 'too_large';
  }

  /** Moves a received file to where its key names it. */
  async keep(file: IncomingFile, key: string): Promise<void> {
    await fs.promises.rename(file.path, this.pathOf(key));
  }

  async discard(file: IncomingFile): Promise<void> {
    await fs.promises.rm(file.path, { force: true });
  }

  async remove(key: string): Promise<void> {
    await fs.promises.rm(this.pathOf(key), { force: true });
  }

  /** Where files are kept, for serving. */
  get directory(): string {
    return this.dir;
  }

  /** The file's path; keys are checked so that a path can never leave the directory. */
  pathOf(key: string): string {
    if (!KEY_PATTERN.test(key)) throw new Error('bad attachment key');
    return path.join(this.dir, key);
  }
}

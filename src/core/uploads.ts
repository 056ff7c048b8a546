// Uploaded files: received to disk under the limits, typed from their bytes, then posted as the
// attachment of a message through the one message pipeline, file and message together or not at all.
import { randomBytes } from 'node:crypto';
import type { AttachmentFiles, IncomingFile } from '../store/attachment-files.js';
import type { AttachmentRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { coreError } from './errors.js';
import { ContentSniffer, essence } from './file-types.js';
import type { MessageDetail } from './message-views.js';
import { mediaPath, type Address, type Messages } from './messages.js';
import { textProblem } from './text.js';
import { now } from './time.js';

export interface UploadLimits {
  maxBytes: number;
  /** Exact content types or `type/*`. */
  types: readonly string[];
  /** Uploads one account may have in progress at once (in this process). */
  perAccount: number;
}

/** An uploaded file on disk, accepted for its size and type, waiting for its message. */
export interface ReceivedFile {
  incoming: IncomingFile;
  fileName: string;
  /** Decided from the file's bytes, never taken from the client. */
  contentType: string;
}

export interface Upload extends Address {
  file: ReceivedFile;
  body: string;
  parentId: number | null;
  /** As a post's: a repeat keeps no second file and is the first message again. */
  clientId?: string;
}

export class Uploads {
  /** Uploads in progress, per account. */
  private readonly uploading = new Map<number, number>();

  constructor(
    private readonly store: Store,
    private readonly messages: Messages,
    private readonly files: AttachmentFiles,
    readonly limits: UploadLimits,
  ) {}

  /** Where the uploaded files are, for serving. */
  get directory(): string {
    return this.files.directory;
  }

  /** Refuses, before the body is read, an upload the actor could not post to the conversation. */
  async requireMember(input: Address): Promise<void> {
    await this.messages.member(input, 'attach');
  }

  /** Takes one of the actor's upload places until the returned release is called; refused when all are taken. */
  reserve(accountId: number): () => void {
    const inProgress = this.uploading.get(accountId) ?? 0;
    if (inProgress >= this.limits.perAccount) throw coreError('UPLOADS_BUSY', { max: this.limits.perAccount });
    this.uploading.set(accountId, inProgress + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.uploading.get(accountId) ?? 1) - 1;
      if (left > 0) this.uploading.set(accountId, left);
      else this.uploading.delete(accountId);
    };
  }

  /**
   * Streams an uploaded file to disk and names its type from its bytes; the declared type must be
   * a well-formed media type and nothing more. Too large or of no accepted type: refused, and
   * nothing stays on disk.
   */
  async receive(source: AsyncIterable<Buffer>, fileName: string, declaredType: string): Promise<ReceivedFile> {
    const sniffer = new ContentSniffer();
    const incoming = await this.files.receive(source, this.limits.maxBytes, (chunk) => sniffer.push(chunk));
    if (incoming === 'too_large') throw coreError('FILE_TOO_LARGE', { maxBytes: this.limits.maxBytes });
    const contentType = essence(declaredType) === undefined ? undefined : sniffer.type(declaredType);
    if (contentType === undefined || !this.limits.types.some((allowed) => typeMatches(allowed, contentType))) {
      await this.files.discard(incoming);
      throw essence(declaredType) === undefined
        ? coreError('NOT_A_MEDIA_TYPE', { declared: declaredType })
        : contentType === undefined
          ? coreError('FILE_TYPE_UNKNOWN')
          : coreError('FILE_TYPE_REFUSED', { type: contentType });
    }
    return { incoming, fileName: safeFileName(fileName), contentType };
  }

  /** Throws a received file away (its upload was refused after all). */
  async discard(file: ReceivedFile): Promise<void> {
    await this.files.discard(file.incoming);
  }

  /** Keeps the received file and posts it as an image or file message: both are stored, or neither. */
  async post(upload: Upload): Promise<MessageDetail> {
    await this.requireMember(upload);
    // The edges check every text they decode, but multipart fields reach here unread: the same rule.
    const unstorable = textProblem(upload.body);
    if (unstorable) throw coreError('TEXT_UNSTORABLE', { field: 'body', problem: unstorable });
    const { file } = upload;
    const key = randomBytes(16).toString('hex');
    await this.files.keep(file.incoming, key);
    const record: AttachmentRecord = {
      key,
      conversationId: upload.conversationId,
      uploaderId: upload.actor.id,
      fileName: file.fileName,
      contentType: file.contentType,
      size: file.incoming.size,
      createdAt: now(),
    };
    try {
      const posted = await this.messages.post({
        actor: upload.actor,
        conversationId: upload.conversationId,
        kind: upload.kind,
        body: upload.body,
        type: file.contentType.startsWith('image/') ? 'image' : 'file',
        parentId: upload.parentId,
        clientId: upload.clientId,
        attachment: { path: mediaPath(key, file.fileName), record },
      });
      // A repeat stored nothing (its send key was taken first, so no attachment record either): the file goes.
      if (posted.repeated) await this.files.remove(key);
      return posted.detail;
    } catch (error) {
      await this.files.remove(key);
      throw error;
    }
  }

  /** An uploaded file that is still shown by a message, for serving. */
  async attachment(key: string): Promise<AttachmentRecord | undefined> {
    return this.store.attachments.find(key);
  }
}

function typeMatches(allowed: string, contentType: string): boolean {
  return allowed.endsWith('/*') ? contentType.startsWith(allowed.slice(0, -1)) : allowed === contentType;
}

/** A file name safe to put in a URL path and a Content-Disposition header. */
function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[^\w.-]+/g, '_').replace(/^\.+/, '').slice(-100);
  return cleaned === '' ? 'file' : cleaned;
}

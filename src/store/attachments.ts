// What uploaded files are (their bytes are in attachment-files.ts). A file's record is written
// with its message (messages.ts), so that there is never one without the other.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { AttachmentRecord } from './records.js';
import { toAttachment } from './rows.js';

export interface AttachmentStore {
  find(key: string): Promise<AttachmentRecord | undefined>;
  delete(key: string): Promise<void>;
  /** The keys of every file uploaded to the conversation. */
  keysOf(conversationId: number): Promise<string[]>;
}

export class SqlAttachmentStore implements AttachmentStore {
  constructor(private readonly db: Kysely<Database>) {}

  async find(key: string): Promise<AttachmentRecord | undefined> {
    const row = await this.db.selectFrom('attachments').selectAll().where('key', '=', key).executeTakeFirst();
    return row && toAttachment(row);
  }

  async delete(key: string): Promise<void> {
    await this.db.deleteFrom('attachments').where('key', '=', key).execute();
  }

  async keysOf(conversationId: number): Promise<string[]> {
    const rows = await this.db.selectFrom('attachments').select('key').where('conversation_id', '=', conversationId).execute();
    return rows.map((row) => row.key);
  }
}

/** Records an uploaded file; also in its message's transaction (see messages.ts). */
export async function insertAttachment(db: Kysely<Database>, attachment: AttachmentRecord): Promise<void> {
  await db
    .insertInto('attachments')
    .values({
      key: attachment.key,
      conversation_id: attachment.conversationId,
      uploader_id: attachment.uploaderId,
      file_name: attachment.fileName,
      content_type: attachment.contentType,
      size: attachment.size,
      created_at: attachment.createdAt,
    })
    .execute();
}

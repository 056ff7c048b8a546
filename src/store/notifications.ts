// Notifications (mentions) and the push device tokens they may go out to. Notifications are
// written with the message they are about (messages.ts), in its transaction.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { DeviceTokenRecord, NewNotification, NotificationRecord } from './records.js';
import { toDeviceToken, toNotification } from './rows.js';

export interface NotificationStore {
  unread(accountId: number): Promise<number>;
  /** Marks the account's notifications read (only those ids, when given); returns how many changed. */
  markRead(accountId: number, ids: readonly number[] | undefined): Promise<number>;
  /** Registers the token for the account; a token moves to the account that registers it last. */
  upsertDeviceToken(device: DeviceTokenRecord): Promise<void>;
  deviceTokens(accountIds: readonly number[]): Promise<DeviceTokenRecord[]>;
}

export class SqlNotificationStore implements NotificationStore {
  constructor(private readonly db: Kysely<Database>) {}

  async unread(accountId: number): Promise<number> {
    const row = await this.db
      .selectFrom('notifications')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('account_id', '=', accountId)
      .where('is_read', '=', 0)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async markRead(accountId: number, ids: readonly number[] | undefined): Promise<number> {
    if (ids !== undefined && ids.length === 0) return 0;
    const result = await this.db
      .updateTable('notifications')
      .set({ is_read: 1 })
      .where('account_id', '=', accountId)
      .where('is_read', '=', 0)
      .$if(ids !== undefined, (qb) => qb.where('id', 'in', [...(ids ?? [])]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async upsertDeviceToken(device: DeviceTokenRecord): Promise<void> {
    await this.db
      .insertInto('device_tokens')
      .values({ token: device.token, account_id: device.accountId, device_type: device.deviceType, created_at: device.createdAt })
      .onConflict((oc) => oc.column('token').doUpdateSet({ account_id: device.accountId, device_type: device.deviceType, created_at: device.createdAt }))
      .execute();
  }

  async deviceTokens(accountIds: readonly number[]): Promise<DeviceTokenRecord[]> {
    if (accountIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('device_tokens')
      .selectAll()
      .where('account_id', 'in', [...new Set(accountIds)])
      .orderBy('created_at')
      .execute();
    return rows.map(toDeviceToken);
  }
}

/** Writes notifications, unread; also in a message's transaction (see messages.ts). */
export async function insertNotifications(db: Kysely<Database>, notifications: readonly NewNotification[]): Promise<NotificationRecord[]> {
  if (notifications.length === 0) return [];
  const rows = await db
    .insertInto('notifications')
    .values(
      notifications.map((n) => ({
        account_id: n.accountId,
        message_id: n.messageId,
        event_type: n.eventType,
        body: n.body,
        url: n.url,
        is_read: 0,
        created_at: n.createdAt,
      })),
    )
    .returningAll()
    .execute();
  return rows.map(toNotification);
}

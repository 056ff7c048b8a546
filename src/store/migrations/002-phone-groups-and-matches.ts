// Match rooms of the phone dialect: the grade each partner gives the other. Groups and rooms
// themselves are conversations (kinds 'group' and 'match') with members and need no new table.
import type { Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const { reference } = columnTypes(db);

  await db.schema
    .createTable('match_grades')
    .addColumn('conversation_id', reference, (c) =>
      c.notNull().references('conversations.id').onDelete('cascade'),
    )
    .addColumn('account_id', reference, (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('grade', 'text', (c) => c.notNull())
    .addColumn('graded_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('match_grades_pk', ['conversation_id', 'account_id'])
    .execute();
}

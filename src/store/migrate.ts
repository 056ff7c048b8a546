// Applies the migrations in order at start. Each migration is a module under ./migrations.
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as initial from './migrations/001-initial.js';
import * as phoneGroupsAndMatches from './migrations/002-phone-groups-and-matches.js';

import * as rooms from './migrations/003-rooms.js';
import * as messageReferenceIndexes from './migrations/004-message-reference-indexes.js';
import * as messageSearch from './migrations/005-message-search.js';
import * as messageVersions from './migrations/006-message-versions.js';
import * as sendKeys from './migrations/007-send-keys.js';
import * as changeLog from './migrations/008-change-log.js';
import * as historyCounts from './migrations/009-history-counts.js';

const MIGRATIONS: Record<string, Migration> = {
  '001-initial': initial,
  '002-phone-groups-and-matches': phoneGroupsAndMatches,
  '003-rooms': rooms,
  '004-message-reference-indexes': messageReferenceIndexes,
  '005-message-search': messageSearch,
  '006-message-versions': messageVersions,
  '007-send-keys': sendKeys,
  '008-change-log': changeLog,
  '009-history-counts': historyCounts,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export async function migrateToLatest(db: Kysely<unknown>): Promise<void> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const cause = error instanceof Error ? error.message : String(error ?? '');
    throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${cause}`, { cause: error });
  }
}

// The web client's edit history: the rows the dialog shows, oldest first, the current text last.
import { describe, expect, it } from 'vitest';
import type { MessageVersions } from '../../web/src/model.js';
import { versionRows } from '../../web/src/versions.js';

describe('versionRows', () => {
  it('lists the replaced texts with when they were written and replaced, then the current one since the last edit', () => {
    const history: MessageVersions = {
      deleted: false,
      body: 'final',
      editedAt: 3000,
      count: 2,
      versions: [
        { body: 'first draft', writtenAt: 1000, replacedAt: 2000 },
        { body: 'second draft', writtenAt: 2000, replacedAt: 3000 },
      ],
    };
    expect(versionRows(history)).toEqual([
      { body: 'first draft', from: 1000, until: 2000 },
      { body: 'second draft', from: 2000, until: 3000 },
      { body: 'final', from: 3000 },
    ]);
  });

  it('gives a message never edited as its one text, and a deleted one as nothing', () => {
    expect(versionRows({ deleted: false, body: 'as sent', count: 0, versions: [] })).toEqual([{ body: 'as sent', from: undefined }]);
    expect(versionRows({ deleted: true, body: '', count: 0, versions: [] })).toEqual([]);
  });

  it('without the time of the last edit, dates the current text from the last replacement', () => {
    expect(versionRows({ deleted: false, body: 'now', count: 1, versions: [{ body: 'then', writtenAt: 1, replacedAt: 5 }] }).at(-1)).toEqual({ body: 'now', from: 5 });
  });
});

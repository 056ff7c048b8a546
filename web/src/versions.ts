// An edited message's versions in a modal dialog: the texts edits replaced, oldest first, then
// the current one. The browser's <dialog> keeps focus inside, closes on Escape, and gives focus
// back to the button that opened it.
import { h } from './dom.js';
import type { MessageVersions } from './model.js';

export interface VersionRow {
  body: string;
  /** When this text was written; unknown for the first of a history cut to its latest texts. */
  from?: number;
  /** When an edit replaced it: undefined for the current text. */
  until?: number;
}

/** The rows to show, oldest first, the current text last. */
export function versionRows(history: MessageVersions): VersionRow[] {
  if (history.deleted) return [];
  const earlier = history.versions.map((v) => ({ body: v.body, from: v.writtenAt, until: v.replacedAt }));
  return [...earlier, { body: history.body, from: history.editedAt ?? earlier.at(-1)?.until }];
}

function stamp(at: number): HTMLElement {
  const time = new Date(at);
  return h('time', { datetime: time.toISOString() }, time.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' }));
}

/** "Written …, replaced …" for an earlier text, "Current, written …" for the one shown now. */
function when(row: VersionRow): HTMLElement {
  const parts: Array<string | HTMLElement> = row.until === undefined ? ['Current'] : [];
  if (row.from !== undefined) parts.push(parts.length > 0 ? ', written ' : 'Written ', stamp(row.from));
  if (row.until !== undefined) parts.push(parts.length > 0 ? ', replaced ' : 'Replaced ', stamp(row.until));
  return h('p', { class: 'version-when' }, ...parts);
}

function body(history: MessageVersions | Error): HTMLElement[] {
  if (history instanceof Error) return [h('p', { class: 'error' }, `The versions could not be loaded: ${history.message}`)];
  if (history.deleted) return [h('p', {}, 'This message was deleted: its versions are gone too.')];
  const list = h('ol', { class: 'version-list' }, ...versionRows(history).map((row) => h('li', { class: row.until === undefined ? 'current' : null }, h('p', { class: 'version-body' }, row.body), when(row))));
  const cut = history.count > history.versions.length ? h('p', { class: 'version-when' }, `The latest ${history.versions.length} of ${history.count} earlier texts.`) : null;
  return cut ? [cut, list] : [list];
}

/** Opens the dialog; `closed` is called once it is gone (focus has gone back by then). */
export function showVersions(history: MessageVersions | Error, closed: () => void): void {
  document.querySelector('dialog.versions')?.remove();
  const dialog = h(
    'dialog',
    { class: 'versions', 'aria-labelledby': 'versions-title' },
    h('h2', { id: 'versions-title' }, 'Edit history'),
    ...body(history),
    h('form', { method: 'dialog' }, h('button', { type: 'submit', class: 'close' }, 'Close')),
  );
  // A click on the backdrop (outside the dialog's box) closes it too.
  dialog.addEventListener('click', (event) => {
    if (event.target === dialog) {
      const box = dialog.getBoundingClientRect();
      const inside = event.clientX >= box.left && event.clientX <= box.right && event.clientY >= box.top && event.clientY <= box.bottom;
      if (!inside) dialog.close();
    }
  });
  dialog.addEventListener('close', () => {
    dialog.remove();
    closed();
  });
  document.body.append(dialog);
  dialog.showModal();
}

// The search box above the conversation list: a query, where to look (all rooms or the open
// one), and the messages found, newest first, each a button that opens its conversation there.
import { h } from './dom.js';
import type { Conversation, SearchHit, SearchPage } from './model.js';
import { highlight, isQuery, queryWords } from './search.js';

export interface Searcher {
  /** Whether `conversation` can be searched on its own ("this room"). */
  covers(conversation: Conversation): boolean;
  /** A page (from 1); an error whose message is for the reader when the query was refused. */
  run(query: string, within: Conversation | undefined, page: number): Promise<SearchPage>;
}

export interface SearchPanelOptions {
  searcher: Searcher;
  /** The open conversation, for "this room". */
  current(): Conversation | undefined;
  title(conversationId: string): string | undefined;
  open(hit: SearchHit): void;
}

export class SearchPanel {
  private readonly input = h('input', { id: 'search-text', type: 'search', name: 'q', placeholder: 'Search messages', autocomplete: 'off' });
  private readonly scope = h('select', { id: 'search-scope', name: 'scope' }, h('option', { value: 'all' }, 'All rooms'), h('option', { value: 'here' }, 'This room'));
  private readonly summary = h('p', { class: 'search-summary', role: 'status' });
  private readonly list = h('ol', { class: 'search-results', 'aria-label': 'Search results' });
  private readonly more = h('button', { type: 'button', class: 'more', hidden: true }, 'More results');
  private readonly results = h('div', { class: 'search-panel', hidden: true }, this.summary, this.list, this.more);
  readonly element: HTMLElement;
  /** The search shown: its words, scope and the last page loaded. */
  private shown: { query: string; within: Conversation | undefined; page: number } | undefined;
  /** Answers to an older search that come late are dropped. */
  private asked = 0;

  constructor(private readonly options: SearchPanelOptions) {
    const form = h(
      'form',
      { class: 'search', role: 'search', 'aria-label': 'Messages', onsubmit: (event) => this.submit(event) },
      h('label', { for: 'search-text', class: 'visually-hidden' }, 'Search messages'),
      this.input,
      h('label', { for: 'search-scope', class: 'visually-hidden' }, 'Search in'),
      this.scope,
      h('button', { type: 'submit' }, 'Search'),
      h('button', { type: 'button', class: 'clear', onclick: () => this.clear() }, 'Clear'),
    );
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.clear();
    });
    this.more.addEventListener('click', () => void this.loadMore());
    this.element = h('div', {}, form, this.results);
    this.update();
  }

  /** The open conversation changed: "this room" is offered only for one that can be searched. */
  update(): void {
    const current = this.options.current();
    const here = this.scope.options[1];
    const searchable = current !== undefined && this.options.searcher.covers(current);
    if (here) {
      here.disabled = !searchable;
      here.textContent = searchable ? `This room (${current.title})` : 'This room';
    }
    if (!searchable) this.scope.value = 'all';
  }

  private submit(event: Event): void {
    event.preventDefault();
    const query = this.input.value.trim();
    if (!isQuery(query)) return this.clear(false);
    const current = this.options.current();
    const within = this.scope.value === 'here' && current && this.options.searcher.covers(current) ? current : undefined;
    this.list.replaceChildren();
    void this.load({ query, within, page: 1 });
  }

  private async loadMore(): Promise<void> {
    if (this.shown) await this.load({ ...this.shown, page: this.shown.page + 1 });
  }

  private async load(search: { query: string; within: Conversation | undefined; page: number }): Promise<void> {
    this.asked += 1;
    const asked = this.asked;
    this.results.hidden = false;
    if (search.page === 1) this.summary.textContent = 'Searching…';
    this.more.hidden = true;
    let page: SearchPage;
    try {
      page = await this.options.searcher.run(search.query, search.within, search.page);
    } catch (error) {
      if (asked !== this.asked) return;
      this.shown = undefined;
      this.summary.textContent = error instanceof Error ? error.message : String(error);
      return;
    }
    if (asked !== this.asked) return;
    this.shown = search;
    const where = search.within ? ` in ${search.within.title}` : '';
    this.summary.textContent = page.count === 0 ? `No messages found${where}.` : `${page.count} ${page.count === 1 ? 'message' : 'messages'} found${where}.`;
    const words = queryWords(search.query);
    this.list.append(...page.hits.map((hit) => this.item(hit, words)));
    this.more.hidden = !page.more;
  }

  private item(hit: SearchHit, words: string[]): HTMLElement {
    const { message } = hit;
    const time = new Date(message.at);
    const snippet = highlight(message.body, words).map((run) => (run.match ? h('mark', {}, run.text) : run.text));
    return h(
      'li',
      {},
      h(
        'button',
        { type: 'button', class: 'hit', 'data-hit': message.id, onclick: () => this.options.open(hit) },
        h('span', { class: 'hit-head' }, h('span', { class: 'hit-room' }, this.options.title(hit.conversationId) ?? 'A room'), ' · ', h('span', { class: 'hit-sender' }, message.mine ? 'You' : message.sender), ' · ', h('time', { datetime: time.toISOString() }, time.toLocaleString([], { dateStyle: 'short', timeStyle: 'short' }))),
        h('span', { class: 'hit-body' }, ...snippet),
      ),
    );
  }

  /** Empties the box and the results; `all` false keeps the box as it is (a blank query). */
  private clear(all = true): void {
    this.asked += 1;
    this.shown = undefined;
    if (all) this.input.value = '';
    this.list.replaceChildren();
    this.summary.textContent = '';
    this.results.hidden = true;
    this.more.hidden = true;
  }
}

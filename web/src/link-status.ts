// A visible connection state that screen readers hear politely: the state once per change, not
// the countdown to the next attempt, which is shown only.
import { h } from './dom.js';
import { describeLink, type Link } from './link.js';

export class LinkStatus {
  private readonly label = h('span');
  private readonly detail = h('span', { 'aria-hidden': 'true' });
  readonly element = h('span', { class: 'link', role: 'status' }, this.label, this.detail);
  private link: Link = { state: 'connecting' };
  private ticker: ReturnType<typeof setInterval> | undefined;

  constructor() {
    this.show(this.link);
  }

  show(link: Link): void {
    this.link = link;
    this.element.dataset.state = link.state;
    clearInterval(this.ticker);
    this.ticker = link.state === 'reconnecting' && link.retryAt !== undefined ? setInterval(() => this.paint(), 1000) : undefined;
    this.paint();
  }

  private paint(): void {
    const { label, detail } = describeLink(this.link, Date.now());
    // Rewriting the same words would make some screen readers say them again.
    if (this.label.textContent !== label) this.label.textContent = label;
    this.detail.textContent = detail;
  }
}

// The body of a page of messages (history, search), assembled from each item's JSON. An item is
// serialized once and its bytes kept with the message record it shows, for as long as everything
// else it shows stays the same: the viewer, the sender and the parent as accounts, the sender's
// presence, the pin, the base URL and the zone. Pages of a room that has not changed reuse their
// records (src/store/history.ts), so a page asked again costs its checks and one copy of bytes.
// The bytes are those Fastify's compiled serializer writes for HistoryPage: same schema, same order.
import type { MessageDetail } from '../../core/message-views.js';
import type { AccountRecord, MessageRecord } from '../../store/records.js';
import { currentStatus } from './format.js';
import { historyItem, type RestContext } from './render.js';
import { HistoryItem } from './schemas.js';
import type { FastifyReply } from 'fastify';
import type { Static } from 'typebox';

type ItemSerializer = (item: Static<typeof HistoryItem>) => string;

/** The content type Fastify gives the JSON it serializes. */
const JSON_BODY = 'application/json; charset=utf-8';

/** One schema object for every call: Fastify keeps a route's compiled serializers by schema. */
const ITEM_SCHEMA: { [key: string]: unknown } = { ...HistoryItem };

/** Answers with the page, its items serialized by the route's compiled serializer of one item. */
export function sendPage(
  reply: FastifyReply,
  page: { count: number; next: string | null; previous: string | null },
  items: ReadonlyArray<{ detail: MessageDetail; roomId: number }>,
  context: RestContext,
): FastifyReply {
  return reply.type(JSON_BODY).send(pageBody(page, items, context, reply.compileSerializationSchema(ITEM_SCHEMA)));
}

interface RenderedItem {
  viewerId: number;
  roomId: number;
  baseUrl: string;
  timeZone: string;
  sender: AccountRecord;
  status: string;
  parent: MessageRecord | undefined;
  parentSender: AccountRecord | undefined;
  reactions: MessageDetail['reactions'];
  mentions: number[];
  pinned: boolean;
  bytes: Buffer;
}

const rendered = new WeakMap<MessageRecord, RenderedItem>();

/** A page's last body, kept with its first record: asked again unchanged, it is sent again as it is. */
const bodies = new WeakMap<MessageRecord, { head: string; items: Buffer[]; body: Buffer }>();

const COMMA = Buffer.from(',');
const END = Buffer.from(']}');

function pageBody(
  page: { count: number; next: string | null; previous: string | null },
  items: ReadonlyArray<{ detail: MessageDetail; roomId: number }>,
  context: RestContext,
  serialize: ItemSerializer,
): Buffer {
  const head = `{"count":${page.count},"next":${JSON.stringify(page.next)},"previous":${JSON.stringify(page.previous)},"results":[`;
  const bytes = items.map(({ detail, roomId }) => itemBytes(detail, roomId, context, serialize));
  const first = items[0]?.detail.record;
  const last = first && bodies.get(first);
  if (last && last.head === head && last.items.length === bytes.length && last.items.every((item, i) => item === bytes[i])) return last.body;
  const chunks: Buffer[] = [Buffer.from(head)];
  bytes.forEach((item, i) => {
    if (i > 0) chunks.push(COMMA);
    chunks.push(item);
  });
  chunks.push(END);
  const body = Buffer.concat(chunks);
  if (first) bodies.set(first, { head, items: bytes, body });
  return body;
}

function itemBytes(detail: MessageDetail, roomId: number, context: RestContext, serialize: ItemSerializer): Buffer {
  const status = currentStatus(context.presence(detail.sender.id), context.timeZone);
  const known = rendered.get(detail.record);
  if (
    known &&
    known.viewerId === context.viewerId &&
    known.roomId === roomId &&
    known.baseUrl === context.baseUrl &&
    known.timeZone === context.timeZone &&
    known.sender === detail.sender &&
    known.status === status &&
    known.parent === detail.parent?.record &&
    known.parentSender === detail.parent?.sender &&
    known.reactions === detail.reactions &&
    known.mentions === detail.mentions &&
    known.pinned === detail.pinned
  ) {
    return known.bytes;
  }
  const bytes = Buffer.from(serialize(historyItem(detail, roomId, context)));
  rendered.set(detail.record, {
    viewerId: context.viewerId,
    roomId,
    baseUrl: context.baseUrl,
    timeZone: context.timeZone,
    sender: detail.sender,
    status,
    parent: detail.parent?.record,
    parentSender: detail.parent?.sender,
    reactions: detail.reactions,
    mentions: detail.mentions,
    pinned: detail.pinned,
    bytes,
  });
  return bytes;
}

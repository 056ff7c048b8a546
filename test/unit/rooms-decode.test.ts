import { describe, expect, it } from 'vitest';
import { decodeRoomFrame, FrameRefusal } from '../../src/dialects/rooms/decode.js';

describe('decodeRoomFrame', () => {
  it("reads the original's actions as the core's commands; no action sends", () => {
    expect(decodeRoomFrame('{"message": "hi"}', 4)).toEqual({ action: 'send', body: 'hi', type: 'text', mentions: [], parentId: null });
    expect(decodeRoomFrame('{"action": "edit_message", "message_id": "12", "new_content": "x"}', 4)).toEqual({ action: 'edit', messageId: 12, body: 'x' });
    expect(decodeRoomFrame('{"action": "pin_message", "message_id": 3}', 4)).toEqual({ action: 'pin', messageId: 3, pin: true });
    expect(decodeRoomFrame('{"action": "stop_typing"}', 4)).toEqual({ action: 'typing', typing: false });
  });

  it.each([
    ['nope', 'Invalid JSON format'],
    ['[1]', 'Invalid JSON format'],
    ['{"action": "dance"}', 'Unknown action'],
    ['{"message": "a\\u0000"}', "'message': Null characters are not allowed."],
    ['{"message": "hi", "attachment": "x"}', 'Attachments are sent with POST /api/chat/groups/4/messages/upload/.'],
    ['{"action": "delete_message"}', 'Message ID is required for deletion.'],
  ])('refuses %s with the original words', (text, words) => {
    expect(() => decodeRoomFrame(text, 4)).toThrow(new FrameRefusal(words));
  });
});

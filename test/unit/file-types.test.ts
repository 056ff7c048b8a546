import { describe, expect, it } from 'vitest';
import { ContentSniffer, essence, servedAs, typeOfContent } from '../../src/core/file-types.js';

const bytes = (...parts: Array<string | number[]>): Uint8Array =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : Buffer.from(part))));

describe('typeOfContent', () => {
  it('names each family by its signature, whatever the client declared', () => {
    const cases: Array<[Uint8Array, string]> = [
      [bytes([0x89], 'PNG\r\n\x1a\n'), 'image/png'],
      [bytes([0xff, 0xd8, 0xff, 0xe0]), 'image/jpeg'],
      [bytes('GIF89a'), 'image/gif'],
      [bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8 '), 'image/webp'],
      [bytes('RIFF', [1, 2, 3, 4], 'WAVEfmt '), 'audio/wav'],
      [bytes([0, 0, 0, 0x14], 'ftypqt  '), 'video/quicktime'],
      [bytes([0, 0, 0, 0x20], 'ftypM4A '), 'audio/mp4'],
      [bytes([0, 0, 0, 0x18], 'ftypisom'), 'video/mp4'],
      [bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x84], 'webm'), 'video/webm'],
      [bytes([0x1a, 0x45, 0xdf, 0xa3, 0xa3, 0x42, 0x82, 0x88], 'matroska'), 'video/x-matroska'],
      [bytes('OggS', [0, 2]), 'audio/ogg'],
      [bytes('ID3', [4, 0]), 'audio/mpeg'],
      [bytes([0xff, 0xfb, 0x90, 0x64]), 'audio/mpeg'],
      [bytes('%PDF-1.4'), 'application/pdf'],
      [bytes('PK', [5, 6], new Array(18).fill(0)), 'application/zip'],
    ];
    for (const [head, type] of cases) expect(typeOfContent(head, false, 'text/html'), type).toBe(type);
  });

  it('finds the Office format inside a ZIP, and takes an OLE file for the old format the client named', () => {
    const entry = (name: string): Buffer => {
      const header = Buffer.alloc(30);
      header.writeUInt32LE(0x04034b50, 0);
      header.writeUInt32LE(3, 18);
      header.writeUInt16LE(name.length, 26);
      return Buffer.concat([header, Buffer.from(name), Buffer.from('abc')]);
    };
    const zip = (...names: string[]): Uint8Array => Buffer.concat(names.map(entry));
    expect(typeOfContent(zip('[Content_Types].xml', 'xl/workbook.xml'), false, '')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(typeOfContent(zip('[Content_Types].xml', 'ppt/presentation.xml'), false, '')).toBe(
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    );
    expect(typeOfContent(zip('photos/a.jpg'), false, '')).toBe('application/zip');
    const ole = bytes([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
    expect(typeOfContent(ole, false, 'application/vnd.ms-excel')).toBe('application/vnd.ms-excel');
    expect(typeOfContent(ole, false, 'text/html')).toBe('application/x-ole-storage');
  });

  it('takes text for text only when no signature matches, and knows nothing else', () => {
    expect(typeOfContent(bytes('<svg/>'), true, 'image/svg+xml')).toBe('text/plain');
    expect(typeOfContent(bytes('GIF89a<script>'), true, 'text/plain')).toBe('image/gif');
    expect(typeOfContent(bytes([0x7f], 'ELF'), false, 'image/png')).toBeUndefined();
  });
});

describe('ContentSniffer', () => {
  it('takes UTF-8 split between chunks as text, but not NUL or a sequence cut at the end', () => {
    const text = Buffer.from('naïve café ✓');
    const split = new ContentSniffer();
    split.push(text.subarray(0, 3));
    split.push(text.subarray(3));
    expect(split.type('text/plain')).toBe('text/plain');
    const withNul = new ContentSniffer();
    withNul.push(Buffer.from('a\0b'));
    expect(withNul.type('text/plain')).toBeUndefined();
    const cut = new ContentSniffer();
    cut.push(text.subarray(0, text.length - 1));
    expect(cut.type('text/plain')).toBeUndefined();
  });

  it('keeps the head across chunks for the signatures', () => {
    const sniffer = new ContentSniffer();
    sniffer.push(Buffer.from([0x89, 0x50]));
    sniffer.push(Buffer.from('NG\r\n\x1a\n', 'latin1'));
    sniffer.push(Buffer.alloc(20_000, 0));
    expect(sniffer.type('application/octet-stream')).toBe('image/png');
  });
});

describe('essence', () => {
  it('reads one media type, parameters allowed, and nothing else', () => {
    expect(essence('Image/PNG')).toBe('image/png');
    expect(essence('text/plain; charset="utf-8"')).toBe('text/plain');
    for (const bad of ['image/png,text/html', 'image/../text/html', 'image/', '/png', 'image png', 'text/plain; charset', '']) {
      expect(essence(bad), bad).toBeUndefined();
    }
  });
});

describe('servedAs', () => {
  it('serves media inline, everything else as a download, and unknown stored types as bytes', () => {
    expect(servedAs('image/png')).toEqual({ contentType: 'image/png', inline: true });
    expect(servedAs('video/webm')).toEqual({ contentType: 'video/webm', inline: true });
    expect(servedAs('text/plain')).toEqual({ contentType: 'text/plain; charset=utf-8', inline: false });
    expect(servedAs('application/pdf')).toEqual({ contentType: 'application/pdf', inline: false });
    expect(servedAs('image/svg+xml')).toEqual({ contentType: 'application/octet-stream', inline: false });
    expect(servedAs('image/png,text/html')).toEqual({ contentType: 'application/octet-stream', inline: false });
  });
});

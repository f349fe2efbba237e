import { FormatError } from '../errors.js';

/**
 * The one multipart/form-data field a snapshot upload carries (`snapshot`): its bytes, found by
 * the boundary of the request's content type. Enough for `POST …/snapshots/upload`; not a general
 * multipart parser.
 */
export function multipartField(body: Buffer, contentType: string, field: string): Buffer {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!m) throw new FormatError('multipart boundary missing', 'multipart body');
  const boundary = Buffer.from(`--${(m[1] ?? m[2]!).trim()}`);
  let at = body.indexOf(boundary);
  while (at >= 0) {
    const headerStart = at + boundary.length;
    if (body.subarray(headerStart, headerStart + 2).toString() === '--') break;
    const headerEnd = body.indexOf('\r\n\r\n', headerStart);
    if (headerEnd < 0) break;
    const headers = body.subarray(headerStart, headerEnd).toString('utf8');
    const next = body.indexOf(boundary, headerEnd + 4);
    if (next < 0) break;
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    if (name === field) {
      let end = next;
      if (body[end - 2] === 0x0d && body[end - 1] === 0x0a) end -= 2;
      return body.subarray(headerEnd + 4, end);
    }
    at = next;
  }
  throw new FormatError(`field \`${field}\` missing`, 'multipart body');
}

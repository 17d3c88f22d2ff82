/** Audio facts the Speaking Evaluator needs: the formats the model takes inline, and WAV durations. */

/** Extensions accepted, with the MIME type sent to the model (Gemini's supported audio formats). */
export const AUDIO_TYPES: Readonly<Record<string, string>> = {
  ".wav": "audio/wav",
  ".mp3": "audio/mp3",
  ".aiff": "audio/aiff",
  ".aif": "audio/aiff",
  ".aac": "audio/aac",
  ".ogg": "audio/ogg",
  ".flac": "audio/flac",
};

/** Content-Type spellings met in uploads, mapped to the type the model expects. */
const CONTENT_TYPE_ALIASES: Readonly<Record<string, string>> = {
  "audio/wav": "audio/wav",
  "audio/wave": "audio/wav",
  "audio/x-wav": "audio/wav",
  "audio/vnd.wave": "audio/wav",
  "audio/mp3": "audio/mp3",
  "audio/mpeg": "audio/mp3",
  "audio/aiff": "audio/aiff",
  "audio/x-aiff": "audio/aiff",
  "audio/aac": "audio/aac",
  "audio/ogg": "audio/ogg",
  "audio/flac": "audio/flac",
  "audio/x-flac": "audio/flac",
};

/**
 * The MIME type to send: the object's Content-Type when it is a supported audio type, else the one
 * of the key's extension (an upload stored as application/octet-stream still works).
 */
export function audioMimeType(key: string, contentType: string | undefined): string | undefined {
  const fromContentType = contentType === undefined ? undefined : CONTENT_TYPE_ALIASES[contentType];
  if (fromContentType) return fromContentType;
  const lower = key.toLowerCase();
  const ext = Object.keys(AUDIO_TYPES).find((e) => lower.endsWith(e));
  return ext === undefined ? undefined : AUDIO_TYPES[ext];
}

/**
 * Duration in seconds of a RIFF/WAVE file from its header: `data` chunk size / `fmt ` byte rate.
 * Undefined when the bytes are not a WAV this can read (the caller then uses the model's estimate).
 * A `data` size of 0 or 0xFFFFFFFF (written by streaming recorders) counts the bytes actually there.
 */
export function wavDurationSeconds(bytes: Uint8Array): number | undefined {
  if (bytes.byteLength < 12) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (offset: number) => String.fromCharCode(bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3]);
  if (tag(0) !== "RIFF" || tag(8) !== "WAVE") return undefined;
  let byteRate: number | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.byteLength) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === "fmt " && body + 12 <= bytes.byteLength) {
      byteRate = view.getUint32(body + 8, true);
    } else if (id === "data") {
      if (!byteRate) return undefined;
      const available = bytes.byteLength - body;
      const dataSize = size === 0 || size === 0xffffffff || size > available ? available : size;
      return dataSize / byteRate;
    }
    offset = body + size + (size % 2); // chunks are padded to an even size
  }
  return undefined;
}

/** "120.5": seconds with one decimal, as the table stores `duration`. */
export function formatSeconds(seconds: number): string {
  return (Math.round(seconds * 10) / 10).toFixed(1);
}

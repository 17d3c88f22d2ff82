/**
 * Splits a document's text into chunks of at most `maxCharacters`, at sentence boundaries where it
 * can (then at spaces, then anywhere), keeping pages in order. Each chunk is one model request.
 */
export function chunkText(pages: readonly string[], maxCharacters: number): string[] {
  const chunks: string[] = [];
  let current = "";
  const push = (piece: string) => {
    if (current && current.length + 1 + piece.length > maxCharacters) {
      chunks.push(current);
      current = "";
    }
    current = current ? `${current} ${piece}` : piece;
  };
  for (const page of pages) {
    for (const sentence of page.split(/(?<=[.!?])\s+/)) {
      if (sentence === "") continue;
      if (sentence.length <= maxCharacters) {
        push(sentence);
        continue;
      }
      for (const word of sentence.split(" ")) {
        for (let i = 0; i < word.length; i += maxCharacters) push(word.slice(i, i + maxCharacters));
      }
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

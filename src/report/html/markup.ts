/**
 * HTML text made safe by construction: the `markup` template escapes everything it interpolates but
 * `Html` values (markup this module family made), so a string from a capture (a file path, a
 * warning, an address, a name in a hand-edited JSON) is always text on the page, never markup.
 */

/** Markup that is already safe: made by `markup`, `raw` (a literal of our own) or `join`. */
export class Html {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** `text` with the five characters that can end text or an attribute value replaced by entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** One interpolated value as markup: `Html` as is, a list item by item, null/undefined/false as nothing, anything else escaped as text. */
function piece(value: unknown): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(piece).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/**
 * A template of markup whose interpolations are escaped (see `piece`). Not named `html`: prettier
 * reformats templates tagged `html`, which would change the page's text (and its script's hash).
 */
export function markup(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += piece(values[i]) + strings[i + 1];
  return new Html(out);
}

/** A literal of our own (CSS, script, SVG built from numbers) taken as markup: never pass it report text. */
export function raw(text: string): Html {
  return new Html(text);
}

/** `parts` as markup between `separator` (text, escaped). */
export function join(parts: readonly unknown[], separator: string): Html {
  return new Html(parts.map(piece).join(escapeHtml(separator)));
}

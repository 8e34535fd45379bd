// Escaping for the HTML report: every string that comes from a result file (questions, answers, paths,
// method names) passes through escapeHtml before it enters the page, in text and in attribute values alike.
// Pure string functions; the page's structure is html.ts.

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text safe in element content and in double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}

// The report's tables, said once: a row of cells, a table with its header, a key–value row.
// Cells are HTML the caller has escaped (h) or numbers; a number, or num(…), is right-aligned.
export type Cell = string | number | { num: string | number };

/** A right-aligned cell of already-escaped HTML: "12.3 ms", "4 / 5". */
export const num = (html: string | number): Cell => ({ num: html });

const td = (c: Cell) =>
  typeof c === 'object'
    ? `<td class="num">${c.num}</td>`
    : typeof c === 'number'
      ? `<td class="num">${c}</td>`
      : `<td>${c}</td>`;

/** `<tr>` of cells; `attrs` is written as is (e.g. ` class="lost"`). */
export const row = (cells: readonly Cell[], attrs = '') => `<tr${attrs}>${cells.map(td).join('')}</tr>`;

/** A table with its header row; rows already built (row()). */
export function table(head: readonly string[], rows: readonly string[] | string, attrs = ''): string {
  const body = typeof rows === 'string' ? rows : rows.join('');
  return `<table${attrs}><thead><tr>${head.map((x) => `<th>${x}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>`;
}

/** A row of a key–value table: each key a `<th>`, each value its cell. */
export const kvRow = (pairs: readonly (readonly [string, Cell])[]) =>
  `<tr>${pairs.map(([k, v]) => `<th>${k}</th>${td(v)}`).join('')}</tr>`;

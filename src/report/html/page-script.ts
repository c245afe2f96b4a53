/**
 * The page's one script, inline: a click (or Enter) on a column header sorts the table by it,
 * numbers as numbers (first largest first), text A to Z, a dash last. Nothing else depends on it: the page reads the
 * same without it (the chart is drawn already). Browser code, kept as text: ES2017, no module.
 */

/** The script's text. */
export const PAGE_SCRIPT = `'use strict';
(function () {
  // A number, maybe with thousands commas, then maybe % or a word ("1,000 ports"); else the text.
  var NUMBER = /^(-?[\\d,]*\\.?\\d+)(%| [a-z]+)?$/;
  function key(cell) {
    var text = cell.textContent.trim();
    var m = NUMBER.exec(text);
    return m ? Number(m[1].replace(/,/g, '')) : text;
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var body = table.tBodies[0];
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      th.tabIndex = 0;
      function sort() {
        var col = th.cellIndex;
        var was = th.getAttribute('aria-sort');
        var dir = was === 'descending' ? 1 : was === 'ascending' ? -1 : th.classList.contains('n') ? -1 : 1;
        Array.prototype.forEach.call(th.parentNode.cells, function (c) { c.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
        var rows = Array.prototype.slice.call(body.rows).map(function (tr, i) { return { tr: tr, k: key(tr.cells[col]), i: i }; });
        rows.sort(function (a, b) {
          if (typeof a.k !== typeof b.k) return typeof a.k === 'number' ? -1 : 1;
          return dir * (a.k < b.k ? -1 : a.k > b.k ? 1 : 0) || a.i - b.i;
        });
        rows.forEach(function (r) { body.appendChild(r.tr); });
      }
      th.addEventListener('click', sort);
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter') sort(); });
    });
  });
})();
`;
